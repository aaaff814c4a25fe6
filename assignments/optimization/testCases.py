"""Inputs of the notebook's test cells, drawn the course's way so the published outputs reproduce.

Every function reseeds NumPy's global generator with 1 and draws W1, b1, W2,
b2 and then dW1, db1, dW2, db2 with randn, in that order.
"""
import numpy as np


def _parameters():
    W1 = np.random.randn(2, 3)
    b1 = np.random.randn(2, 1)
    W2 = np.random.randn(3, 3)
    b2 = np.random.randn(3, 1)
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def _grads():
    dW1 = np.random.randn(2, 3)
    db1 = np.random.randn(2, 1)
    dW2 = np.random.randn(3, 3)
    db2 = np.random.randn(3, 1)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def _zeros_like_grads(parameters):
    return {
        "dW1": np.zeros(parameters["W1"].shape),
        "db1": np.zeros(parameters["b1"].shape),
        "dW2": np.zeros(parameters["W2"].shape),
        "db2": np.zeros(parameters["b2"].shape),
    }


def update_parameters_with_gd_test_case():
    np.random.seed(1)
    learning_rate = 0.01
    parameters = _parameters()
    grads = _grads()
    return parameters, grads, learning_rate


def random_mini_batches_test_case():
    np.random.seed(1)
    mini_batch_size = 64
    X = np.random.randn(12288, 148)
    Y = np.random.randn(1, 148) < 0.5
    return X, Y, mini_batch_size


def initialize_velocity_test_case():
    np.random.seed(1)
    parameters = _parameters()
    return parameters


def update_parameters_with_momentum_test_case():
    np.random.seed(1)
    parameters = _parameters()
    grads = _grads()
    v = _zeros_like_grads(parameters)
    return parameters, grads, v


def initialize_adam_test_case():
    np.random.seed(1)
    parameters = _parameters()
    return parameters


def update_parameters_with_adam_test_case():
    np.random.seed(1)
    parameters = _parameters()
    grads = _grads()
    v = _zeros_like_grads(parameters)
    s = _zeros_like_grads(parameters)
    return parameters, grads, v, s
