"""The course's reg_utils helpers (2017/2018 version), runnable in the sandbox.

The sandbox has only the standard library, NumPy and h5py: matplotlib is
imported inside the plotting code, and the course's `datasets/data.mat`
(read with scipy.io) is replaced by two HDF5 files next to this module,
written by build_dataset.py. Only the training file goes into the sandbox.
"""
import os

import numpy as np

from dnn_utils import sigmoid, relu, forward_propagation, predict, predict_dec, plot_decision_boundary  # noqa: F401 (the course's helpers define them)

_HERE = os.path.dirname(os.path.abspath(__file__))
TRAIN_PATH = os.path.join(_HERE, "football_train.h5")
TEST_PATH = os.path.join(_HERE, "football_test.h5")


def initialize_parameters(layer_dims):
    """Weights scaled by 1/sqrt(n_prev), seeded with 3, as the course's model() expects."""
    np.random.seed(3)
    parameters = {}
    L = len(layer_dims)

    for l in range(1, L):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) / np.sqrt(layer_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))

        assert parameters["W" + str(l)].shape == (layer_dims[l], layer_dims[l - 1])
        assert parameters["b" + str(l)].shape == (layer_dims[l], 1)

    return parameters


def backward_propagation(X, Y, cache):
    """Gradients of the unregularized cost; the 1/m sits on dW and db here, as in this helper file."""
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache

    dZ3 = A3 - Y
    dW3 = 1. / m * np.dot(dZ3, A2.T)
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)

    dA2 = np.dot(W3.T, dZ3)
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1. / m * np.dot(dZ2, A1.T)
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)

    dA1 = np.dot(W2.T, dZ2)
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1. / m * np.dot(dZ1, X.T)
    db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)

    gradients = {"dZ3": dZ3, "dW3": dW3, "db3": db3,
                 "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
                 "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}

    return gradients


def update_parameters(parameters, grads, learning_rate):
    n = len(parameters) // 2

    for k in range(n):
        parameters["W" + str(k + 1)] = parameters["W" + str(k + 1)] - learning_rate * grads["dW" + str(k + 1)]
        parameters["b" + str(k + 1)] = parameters["b" + str(k + 1)] - learning_rate * grads["db" + str(k + 1)]

    return parameters


def compute_cost(a3, Y):
    """Mean cross-entropy; np.nansum skips the 0 * log(0) terms of saturated outputs."""
    m = Y.shape[1]

    logprobs = np.multiply(-np.log(a3), Y) + np.multiply(-np.log(1 - a3), 1 - Y)
    cost = 1. / m * np.nansum(logprobs)

    return cost


def _read(path, what):
    if not os.path.exists(path):
        raise FileNotFoundError(
            f"load_2D_dataset: the {what} file {path!r} is missing; it holds 'X' (2, m) and 'Y' (1, m) "
            "and is written by `python -m assignments.regularization.build_dataset`."
        )
    import h5py  # here, so the module imports with NumPy alone (the starter kit's local check)
    with h5py.File(path, "r") as f:
        return np.array(f["X"]), np.array(f["Y"])


def load_2D_dataset(train_path=TRAIN_PATH, test_path=TEST_PATH):
    """The football-field data set: train_X (2, 211), train_Y (1, 211), test_X (2, 200), test_Y (1, 200).

    The course read these from data.mat, which is not available; this is a
    generated set of the same size and kind (see build_dataset.py). The test
    file is kept out of the grading sandbox.
    """
    train_X, train_Y = _read(train_path, "training set")
    test_X, test_Y = _read(test_path, "test set")
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        return train_X, train_Y, test_X, test_Y
    plt.scatter(train_X[0, :], train_X[1, :], c=np.ravel(train_Y), s=40, cmap=plt.cm.Spectral)
    return train_X, train_Y, test_X, test_Y
