"""The course's init_utils helpers (2017/2018 version), runnable in the sandbox.

The sandbox has only the standard library, NumPy and h5py: matplotlib is
imported inside the plotting functions, and the circles data set is read from
HDF5 files next to this module instead of being drawn with sklearn. Sandbox
jobs receive circles_train.h5 only; circles_test.h5 stays on the trusted side.
"""
import os

import h5py
import numpy as np

_FOLDER = os.path.dirname(os.path.abspath(__file__))
TRAIN_PATH = os.path.join(_FOLDER, "circles_train.h5")
TEST_PATH = os.path.join(_FOLDER, "circles_test.h5")


def sigmoid(x):
    s = 1 / (1 + np.exp(-x))
    return s


def relu(x):
    s = np.maximum(0, x)
    return s


def forward_propagation(X, parameters):
    """LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID."""
    W1 = parameters["W1"]
    b1 = parameters["b1"]
    W2 = parameters["W2"]
    b2 = parameters["b2"]
    W3 = parameters["W3"]
    b3 = parameters["b3"]

    z1 = np.dot(W1, X) + b1
    a1 = relu(z1)
    z2 = np.dot(W2, a1) + b2
    a2 = relu(z2)
    z3 = np.dot(W3, a2) + b3
    a3 = sigmoid(z3)

    cache = (z1, a1, W1, b1, z2, a2, W2, b2, z3, a3, W3, b3)
    return a3, cache


def backward_propagation(X, Y, cache):
    """The 2017/2018 helpers apply 1/m to dz3, so the later gradients need no 1/m."""
    m = X.shape[1]
    (z1, a1, W1, b1, z2, a2, W2, b2, z3, a3, W3, b3) = cache

    dz3 = 1. / m * (a3 - Y)
    dW3 = np.dot(dz3, a2.T)
    db3 = np.sum(dz3, axis=1, keepdims=True)

    da2 = np.dot(W3.T, dz3)
    dz2 = np.multiply(da2, np.int64(a2 > 0))
    dW2 = np.dot(dz2, a1.T)
    db2 = np.sum(dz2, axis=1, keepdims=True)

    da1 = np.dot(W2.T, dz2)
    dz1 = np.multiply(da1, np.int64(a1 > 0))
    dW1 = np.dot(dz1, X.T)
    db1 = np.sum(dz1, axis=1, keepdims=True)

    gradients = {"dz3": dz3, "dW3": dW3, "db3": db3,
                 "da2": da2, "dz2": dz2, "dW2": dW2, "db2": db2,
                 "da1": da1, "dz1": dz1, "dW1": dW1, "db1": db1}

    return gradients


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


def predict(X, y, parameters):
    """Predict 0/1 labels with a threshold of 0.5 and print the accuracy."""
    m = X.shape[1]
    p = np.zeros((1, m), dtype=int)

    a3, caches = forward_propagation(X, parameters)

    for i in range(0, a3.shape[1]):
        if a3[0, i] > 0.5:
            p[0, i] = 1
        else:
            p[0, i] = 0

    print("Accuracy: " + str(np.mean((p[0, :] == y[0, :]))))

    return p


def predict_dec(parameters, X):
    """Boolean predictions, the form plot_decision_boundary expects."""
    a3, cache = forward_propagation(X, parameters)
    predictions = (a3 > 0.5)
    return predictions


def plot_decision_boundary(model, X, y):
    import matplotlib.pyplot as plt

    x_min, x_max = X[0, :].min() - 1, X[0, :].max() + 1
    y_min, y_max = X[1, :].min() - 1, X[1, :].max() + 1
    h = 0.01
    xx, yy = np.meshgrid(np.arange(x_min, x_max, h), np.arange(y_min, y_max, h))
    Z = model(np.c_[xx.ravel(), yy.ravel()])
    Z = Z.reshape(xx.shape)
    plt.contourf(xx, yy, Z, cmap=plt.cm.Spectral)
    plt.ylabel("x2")
    plt.xlabel("x1")
    plt.scatter(X[0, :], X[1, :], c=np.ravel(y), cmap=plt.cm.Spectral)
    plt.show()


def read_circles(path, prefix):
    """One half of the data set: X (2, m) and Y (1, m) stored as "<prefix>_X" and "<prefix>_Y"."""
    if not os.path.exists(path):
        raise FileNotFoundError(
            f"the circles data set {path!r} is missing; it holds the course's "
            f"make_circles(noise=.05) points as '{prefix}_X' (2, m) and '{prefix}_Y' (1, m)."
        )
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
