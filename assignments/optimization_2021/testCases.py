"""Inputs of the 2021 notebook's test cells, drawn the course's way so the published outputs reproduce.

Every function reseeds NumPy's global generator with 1 and draws the
parameters (W1, b1, W2, b2), then the gradients (dW1, db1, dW2, db2), with
randn in that order. Against the earlier notebook's testCases, W2 is (3, 2)
(and W1 (3, 2) for initialize_velocity), the gradient-descent case returns
its learning rate, and the Adam case returns t, the learning rate, beta1,
beta2 and epsilon it is run with.
"""
import numpy as np

# Shapes of W1, b1, W2, b2 in the 2021 test cases.
SHAPES = ((2, 3), (2, 1), (3, 2), (3, 1))
VELOCITY_SHAPES = ((3, 2), (3, 1), (3, 3), (3, 1))


def _draw(names, shapes):
    return {name: np.random.randn(*shape) for name, shape in zip(names, shapes)}


def _parameters(shapes=SHAPES):
    return _draw(("W1", "b1", "W2", "b2"), shapes)


def _grads(shapes=SHAPES):
    return _draw(("dW1", "db1", "dW2", "db2"), shapes)


def _zeros(shapes=SHAPES):
    return {name: np.zeros(shape) for name, shape in zip(("dW1", "db1", "dW2", "db2"), shapes)}


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
    return _parameters(VELOCITY_SHAPES)


def update_parameters_with_momentum_test_case():
    np.random.seed(1)
    parameters = _parameters()
    grads = _grads()
    return parameters, grads, _zeros()


def initialize_adam_test_case():
    np.random.seed(1)
    return _parameters()


def update_parameters_with_adam_test_case():
    np.random.seed(1)
    v, s = _zeros(), _zeros()
    parameters = _parameters()
    grads = _grads()
    t = 2
    learning_rate = 0.02
    beta1 = 0.8
    beta2 = 0.888
    epsilon = 1e-2
    return parameters, grads, v, s, t, learning_rate, beta1, beta2, epsilon
