"""The course's opt_utils helpers (2017/2018 version), runnable in the sandbox.

The sandbox has only the standard library, NumPy and h5py: matplotlib is
imported inside the plotting functions, and the moons data set is read from
`moons_train.h5` next to this module instead of being drawn with sklearn.
"""
import os

import numpy as np

from dnn_utils import sigmoid, relu, forward_propagation, backward_propagation, predict, predict_dec, plot_decision_boundary  # noqa: F401 (the course's helpers define them)

DATASET_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "moons_train.h5")


def load_params_and_grads(seed=1):
    np.random.seed(seed)
    W1 = np.random.randn(2, 3)
    b1 = np.random.randn(2, 1)
    W2 = np.random.randn(3, 3)
    b2 = np.random.randn(3, 1)

    dW1 = np.random.randn(2, 3)
    db1 = np.random.randn(2, 1)
    dW2 = np.random.randn(3, 3)
    db2 = np.random.randn(3, 1)

    return W1, b1, W2, b2, dW1, db1, dW2, db2


def initialize_parameters(layer_dims):
    """He initialization with seed 3, as the course's model() expects."""
    np.random.seed(3)
    parameters = {}
    L = len(layer_dims)

    for l in range(1, L):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * np.sqrt(2 / layer_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))

        assert parameters["W" + str(l)].shape == (layer_dims[l], layer_dims[l - 1])
        assert parameters["b" + str(l)].shape == (layer_dims[l], 1)

    return parameters


def compute_cost(a3, Y):
    """Mean cross-entropy over the mini-batch (the 2017/2018 helpers divide by m here)."""
    m = Y.shape[1]
    logprobs = np.multiply(-np.log(a3), Y) + np.multiply(-np.log(1 - a3), 1 - Y)
    cost = 1. / m * np.sum(logprobs)
    return cost


def load_dataset(path=DATASET_PATH):
    """The course's 300 noisy moons: train_X of shape (2, 300), train_Y of shape (1, 300).

    The course drew them with sklearn.datasets.make_moons(n_samples=300,
    noise=.2) after np.random.seed(3); here they are read from an HDF5 file
    built the same way (assignments/optimization/build_dataset.py), holding
    the datasets "train_X" and "train_Y" in that layout.
    """
    if not os.path.exists(path):
        raise FileNotFoundError(
            f"load_dataset: the moons data set {path!r} is missing; it holds the "
            "course's make_moons(n_samples=300, noise=.2) points as 'train_X' (2, 300) "
            "and 'train_Y' (1, 300)."
        )
    import h5py  # here, so the module imports with NumPy alone (the starter kit's local check)
    with h5py.File(path, "r") as f:
        train_X = np.array(f["train_X"])
        train_Y = np.array(f["train_Y"])
    return train_X, train_Y
