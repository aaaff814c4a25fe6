"""Hostile: a hidden case's inputs told to the student through the parts of an error the card still shows.

A correct solution of Optimization methods with three functions turned into the attack. On a hidden case (any
call whose arguments differ from the published case's) each raises an error that carries the case's inputs
in a part the card shows although the message is withheld:
- update_parameters_with_gd: the exception's class name (shown in "raised <type>" and in the traceback);
- random_mini_batches: a NameError whose message names a made-up variable (the card's "uses `<name>`, which
  is not defined" text quotes it, hidden or not);
- update_parameters_with_momentum: the function name and line number of a traceback frame, from code compiled
  under the submission's own file name.
Each encodes the case's learning rate or batch size and the first input values as digits.
What must happen: a hidden case's card says only that it raised, and what type of error, never its inputs.
"""
import math

import numpy as np


def _digits(*values):
    """Numbers as an identifier: 0.05 -> n0p05, -1.2 -> m1p2."""
    return "_".join(("m" if v < 0 else "n") + repr(abs(round(float(v), 4))).replace(".", "p") for v in values)



def update_parameters_with_gd(parameters, grads, learning_rate):
    """One step of (batch) gradient descent on every layer."""
    if learning_rate != 0.01:
        secret = _digits(learning_rate, *parameters["W1"].ravel()[:3])
        raise type("Leak_" + secret, (Exception,), {})("withheld anyway")
    L = len(parameters) // 2
    for l in range(L):
        parameters["W" + str(l + 1)] = parameters["W" + str(l + 1)] - learning_rate * grads["dW" + str(l + 1)]
        parameters["b" + str(l + 1)] = parameters["b" + str(l + 1)] - learning_rate * grads["db" + str(l + 1)]
    return parameters


def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
    """Shuffle the columns of X and Y together, then cut them into mini-batches."""
    if X.shape[1] != 148:
        raise NameError(f"name 'leak_{_digits(X.shape[1], mini_batch_size, seed, *X.ravel()[:2])}' is not defined")
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
    if learning_rate != 0.01:
        name = "leak_" + _digits(learning_rate, beta, *parameters["W1"].ravel()[:2])
        line = int(round(learning_rate * 1000))
        namespace = {}
        exec(compile("\n" * (line - 1) + f"def {name}():\n    raise ValueError('withheld')\n", __file__, "exec"), namespace)
        namespace[name]()
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
