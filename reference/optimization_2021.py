"""Reference solution of "Optimization methods", the course's 2021 notebook (Improving Deep Neural Networks, week 2).

Called exactly like a student's file, so every graded function keeps the
2021 notebook's name, signature and in-place updates of the dictionaries it
is given. Against the earlier notebook (reference/optimization.py),
update_parameters_with_adam also returns its bias-corrected moments, and
two learning-rate decay functions are graded: update_lr, 1 / (1 + decay_rate
* epoch_num) times the initial rate, and schedule_lr_decay, the same with
the epoch number counted in whole time intervals (week 2 notes, "learning
rate decay": lr = lr0 / (1 + decay_rate * epoch_num)).
"""
import math

import numpy as np


def update_parameters_with_gd(parameters, grads, learning_rate):
    """One step of (batch) gradient descent on every layer."""
    L = len(parameters) // 2
    for l in range(1, L + 1):
        parameters["W" + str(l)] = parameters["W" + str(l)] - learning_rate * grads["dW" + str(l)]
        parameters["b" + str(l)] = parameters["b" + str(l)] - learning_rate * grads["db" + str(l)]
    return parameters


def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
    """Shuffle the columns of X and Y together after np.random.seed(seed), then cut them into mini-batches.

    X is (n_x, m), Y is (1, m); the last mini-batch holds the m % mini_batch_size
    examples left over when m is not a multiple of mini_batch_size.
    """
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
        mini_batch_X = shuffled_X[:, num_complete_minibatches * mini_batch_size:]
        mini_batch_Y = shuffled_Y[:, num_complete_minibatches * mini_batch_size:]
        mini_batches.append((mini_batch_X, mini_batch_Y))

    return mini_batches


def initialize_velocity(parameters):
    """Velocities start at zero with the shape of the parameter they follow, keyed like the gradients."""
    L = len(parameters) // 2
    v = {}
    for l in range(1, L + 1):
        v["dW" + str(l)] = np.zeros(parameters["W" + str(l)].shape)
        v["db" + str(l)] = np.zeros(parameters["b" + str(l)].shape)
    return v


def update_parameters_with_momentum(parameters, grads, v, beta, learning_rate):
    """Momentum: step along the exponentially weighted average of the gradients."""
    L = len(parameters) // 2
    for l in range(1, L + 1):
        v["dW" + str(l)] = beta * v["dW" + str(l)] + (1 - beta) * grads["dW" + str(l)]
        v["db" + str(l)] = beta * v["db" + str(l)] + (1 - beta) * grads["db" + str(l)]
        parameters["W" + str(l)] = parameters["W" + str(l)] - learning_rate * v["dW" + str(l)]
        parameters["b" + str(l)] = parameters["b" + str(l)] - learning_rate * v["db" + str(l)]
    return parameters, v


def initialize_adam(parameters):
    """Both Adam moments start at zero with the shape of the parameter they follow."""
    L = len(parameters) // 2
    v = {}
    s = {}
    for l in range(1, L + 1):
        v["dW" + str(l)] = np.zeros(parameters["W" + str(l)].shape)
        v["db" + str(l)] = np.zeros(parameters["b" + str(l)].shape)
        s["dW" + str(l)] = np.zeros(parameters["W" + str(l)].shape)
        s["db" + str(l)] = np.zeros(parameters["b" + str(l)].shape)
    return v, s


def update_parameters_with_adam(parameters, grads, v, s, t, learning_rate=0.01,
                                beta1=0.9, beta2=0.999, epsilon=1e-8):
    """Adam step t (counted from 1); returns parameters, v, s and the bias-corrected v_corrected, s_corrected.

    epsilon is added after the square root, as in the course's formula:
    W = W - learning_rate * v_corrected / (sqrt(s_corrected) + epsilon).
    """
    L = len(parameters) // 2
    v_corrected = {}
    s_corrected = {}
    for l in range(1, L + 1):
        for name in ("dW" + str(l), "db" + str(l)):
            v[name] = beta1 * v[name] + (1 - beta1) * grads[name]
            v_corrected[name] = v[name] / (1 - beta1 ** t)
            s[name] = beta2 * s[name] + (1 - beta2) * grads[name] ** 2
            s_corrected[name] = s[name] / (1 - beta2 ** t)
        parameters["W" + str(l)] = parameters["W" + str(l)] - learning_rate * (
            v_corrected["dW" + str(l)] / (np.sqrt(s_corrected["dW" + str(l)]) + epsilon))
        parameters["b" + str(l)] = parameters["b" + str(l)] - learning_rate * (
            v_corrected["db" + str(l)] / (np.sqrt(s_corrected["db" + str(l)]) + epsilon))
    return parameters, v, s, v_corrected, s_corrected


def update_lr(learning_rate0, epoch_num, decay_rate):
    """The learning rate after epoch_num epochs: learning_rate0 / (1 + decay_rate * epoch_num)."""
    learning_rate = learning_rate0 / (1 + decay_rate * epoch_num)
    return learning_rate


def schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    """The decay of update_lr applied once per time_interval epochs: epoch_num counts in whole intervals (floor)."""
    learning_rate = learning_rate0 / (1 + decay_rate * math.floor(epoch_num / time_interval))
    return learning_rate
