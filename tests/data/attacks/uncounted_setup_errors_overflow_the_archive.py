"""Hostile: setup errors the runner never counts against the archive's budget push it past output_bytes.

A correct solution of Optimization methods with every graded function turned into the attack. The runner
splits output_bytes between the functions and caps each case's result (its report and its arrays) by what is
left of its function's share, but afterwards it subtracts only the case's record and arrays: the report's
setup_errors, which it keeps (first 100 entries, any size) in f<i>.json, are counted nowhere. Each function's
first case finds its own CaseProcess on the stack, writes its own result to the result pipe (a report carrying
100 setup errors of 9 KB, about 0.9 MiB, and an .npz filling the rest of the case's cap) and exits; the later
cases fill what is left of the share. Six functions add about 5.4 MiB past the 4 MiB reserve: the archive is
larger than output_bytes, the backend reports sandbox_error, and the platform retries and blames itself.
What must happen: the functions may fail; the run stays ok (the archive within output_bytes).
"""
import math
import json
import os
import struct
import sys

import numpy as np


def _overfill():
    """In the case's process: our own result, as large as the runner takes, plus uncounted setup errors."""
    frame = sys._getframe(1)
    while frame is not None and type(frame.f_locals.get("self")).__name__ != "CaseProcess":
        frame = frame.f_back
    case_process = frame.f_locals["self"]
    request = case_process.request
    cap = int(request["json_bytes"]) + int(request["array_bytes"]) + 64
    errors = [{"line": 1, "source": "s", "error": "e" * 9300}] * 100 if request["case"] == 0 else []
    report = json.dumps({"setup_errors": errors, "case": {"status": "ok", "value": {"t": "none"}}}).encode()
    arrays = bytes(max(cap - len(report) - 16 - 128, 0))
    data = memoryview(struct.pack(">Q", len(report)) + report + struct.pack(">Q", len(arrays)) + arrays)
    while data:
        data = data[os.write(case_process.result_fd, data):]
    os._exit(0)


def update_parameters_with_gd(parameters, grads, learning_rate):
    """One step of (batch) gradient descent on every layer."""
    _overfill()
    L = len(parameters) // 2
    for l in range(L):
        parameters["W" + str(l + 1)] = parameters["W" + str(l + 1)] - learning_rate * grads["dW" + str(l + 1)]
        parameters["b" + str(l + 1)] = parameters["b" + str(l + 1)] - learning_rate * grads["db" + str(l + 1)]
    return parameters


def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
    """Shuffle the columns of X and Y together, then cut them into mini-batches."""
    _overfill()
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
    _overfill()
    L = len(parameters) // 2
    v = {}
    for l in range(L):
        v["dW" + str(l + 1)] = np.zeros(parameters["W" + str(l + 1)].shape)
        v["db" + str(l + 1)] = np.zeros(parameters["b" + str(l + 1)].shape)
    return v


def update_parameters_with_momentum(parameters, grads, v, beta, learning_rate):
    """Momentum: step along the exponentially weighted average of the gradients."""
    _overfill()
    L = len(parameters) // 2
    for l in range(L):
        v["dW" + str(l + 1)] = beta * v["dW" + str(l + 1)] + (1 - beta) * grads["dW" + str(l + 1)]
        v["db" + str(l + 1)] = beta * v["db" + str(l + 1)] + (1 - beta) * grads["db" + str(l + 1)]
        parameters["W" + str(l + 1)] = parameters["W" + str(l + 1)] - learning_rate * v["dW" + str(l + 1)]
        parameters["b" + str(l + 1)] = parameters["b" + str(l + 1)] - learning_rate * v["db" + str(l + 1)]
    return parameters, v


def initialize_adam(parameters):
    """Both Adam moments start at zero with the shape of the parameter they follow."""
    _overfill()
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
    _overfill()
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
