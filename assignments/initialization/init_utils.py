"""The course's init_utils helpers (2017/2018 version), runnable in the sandbox.

The sandbox has only the standard library, NumPy and h5py: matplotlib is
imported inside the plotting functions, and the circles data set is read from
HDF5 files next to this module instead of being drawn with sklearn. Sandbox
jobs receive circles_train.h5 only; circles_test.h5 stays on the trusted side.
"""
import os

import numpy as np

from dnn_utils import sigmoid, relu, forward_propagation, backward_propagation, predict, predict_dec, plot_decision_boundary  # noqa: F401 (the course's helpers define them)

_FOLDER = os.path.dirname(os.path.abspath(__file__))
TRAIN_PATH = os.path.join(_FOLDER, "circles_train.h5")
TEST_PATH = os.path.join(_FOLDER, "circles_test.h5")


def update_parameters(parameters, grads, learning_rate):
    """One step of gradient descent on every layer."""
    L = len(parameters) // 2

    for k in range(L):
        parameters["W" + str(k + 1)] = parameters["W" + str(k + 1)] - learning_rate * grads["dW" + str(k + 1)]
        parameters["b" + str(k + 1)] = parameters["b" + str(k + 1)] - learning_rate * grads["db" + str(k + 1)]

    return parameters


def compute_loss(a3, Y):
    """Mean cross-entropy; np.nansum skips the 0 * log(0) terms that huge weights produce."""
    m = Y.shape[1]
    logprobs = np.multiply(-np.log(a3), Y) + np.multiply(-np.log(1 - a3), 1 - Y)
    loss = 1. / m * np.nansum(logprobs)
    return loss


def read_circles(path, prefix):
    """One half of the data set: X (2, m) and Y (1, m) stored as "<prefix>_X" and "<prefix>_Y"."""
    if not os.path.exists(path):
        raise FileNotFoundError(
            f"the circles data set {path!r} is missing; it holds the course's "
            f"make_circles(noise=.05) points as '{prefix}_X' (2, m) and '{prefix}_Y' (1, m)."
        )
    import h5py  # here, so the module imports with NumPy alone (the starter kit's local check)
    with h5py.File(path, "r") as f:
        return np.array(f[prefix + "_X"]), np.array(f[prefix + "_Y"])


def load_dataset(train_path=TRAIN_PATH, test_path=TEST_PATH):
    """The course's circles: train_X (2, 300), train_Y (1, 300), test_X (2, 100), test_Y (1, 100).

    The course drew them with sklearn.datasets.make_circles(n_samples=300,
    noise=.05) after np.random.seed(1), and make_circles(n_samples=100,
    noise=.05) after np.random.seed(2); here they are read from HDF5 files
    built the same way (assignments/initialization/build_dataset.py).
    """
    train_X, train_Y = read_circles(train_path, "train")
    test_X, test_Y = read_circles(test_path, "test")
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        return train_X, train_Y, test_X, test_Y
    plt.scatter(train_X[0, :], train_X[1, :], c=np.ravel(train_Y), s=40, cmap=plt.cm.Spectral)
    return train_X, train_Y, test_X, test_Y
