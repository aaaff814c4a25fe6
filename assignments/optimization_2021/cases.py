"""Arguments of the 2021 Optimization methods cases and model checks, built inside the sandbox.

Each function is checked on the 2021 notebook's own tests ("published", from
its testCases and test cells) and on hidden cases with other seeds, layer
counts, batch sizes and hyperparameters, each drawn from its own generator,
so a file that hard-codes the published numbers, ignores an argument or
returns a constant cannot pass. The learning-rate decay functions take
literal numbers (assignment.toml). The model checks train the notebook's
three-layer model on the moons training set (moons_train.h5, a job file)
with Adam, and with each optimizer under schedule_lr_decay.
"""
import numpy as np

import opt_utils_v1a
import testCases

# The 2021 notebook's model runs: layers_dims [train_X.shape[0], 5, 2, 1], 5000 epochs.
MODEL_LAYERS = [2, 5, 2, 1]
NUM_EPOCHS = 5000

# Layer sizes [n_x, n_1, ..., n_L] of the hidden cases' networks.
THREE_LAYERS = (4, 5, 3, 1)
ONE_LAYER = (3, 2)
FOUR_LAYERS = (6, 4, 4, 2, 1)


def _network(seed, layer_dims, grad_scale=1.0):
    """Parameters and gradients of the given layer sizes, drawn from their own generator."""
    rng = np.random.RandomState(seed)
    parameters, grads = {}, {}
    for l in range(1, len(layer_dims)):
        shape_W, shape_b = (layer_dims[l], layer_dims[l - 1]), (layer_dims[l], 1)
        parameters["W" + str(l)] = rng.randn(*shape_W)
        parameters["b" + str(l)] = rng.randn(*shape_b)
        grads["dW" + str(l)] = grad_scale * rng.randn(*shape_W)
        grads["db" + str(l)] = grad_scale * rng.randn(*shape_b)
    return parameters, grads


def _moment(seed, grads, scale, positive=False):
    """A running average already under way, so that forgetting the old value shows."""
    rng = np.random.RandomState(seed)
    moment = {}
    for name, grad in grads.items():
        value = scale * rng.randn(*grad.shape)
        moment[name] = np.abs(value) if positive else value
    return moment


def _zeros(grads):
    return {name: np.zeros(grad.shape) for name, grad in grads.items()}


def _examples(seed, n_x, m, boolean_labels=False):
    rng = np.random.RandomState(seed)
    X = rng.randn(n_x, m)
    Y = rng.rand(1, m) < 0.5
    return X, (Y if boolean_labels else Y.astype(int))


# update_parameters_with_gd(parameters, grads, learning_rate)

def gd_published():
    """The 2021 notebook's test: its test case returns the learning rate 0.01 with the parameters."""
    return testCases.update_parameters_with_gd_test_case()


def gd_three_layers():
    parameters, grads = _network(2, THREE_LAYERS)
    return parameters, grads, 0.05


def gd_one_layer():
    parameters, grads = _network(7, ONE_LAYER)
    return parameters, grads, 1.2


# random_mini_batches(X, Y, mini_batch_size=64, seed=0)

def batches_published():
    """The notebook's test cell: X (12288, 148), boolean Y (1, 148), mini_batch_size 64, the default seed."""
    return testCases.random_mini_batches_test_case()


def batches_published_small():
    """The notebook's unit test: np.random.seed(1), X (5, 7), boolean Y, batches of 2, the default seed."""
    np.random.seed(1)
    X = np.random.randn(5, 7)
    Y = np.random.randn(1, 7) < 0.5
    return X, Y, 2


def batches_partial_last():
    X, Y = _examples(3, 5, 130)
    return X, Y, 32, 3


def batches_exact_multiple():
    X, Y = _examples(5, 4, 96, boolean_labels=True)
    return X, Y, 16, 5


def batches_one_partial_batch():
    X, Y = _examples(11, 3, 10)
    return X, Y, 64, 1


# initialize_velocity(parameters) and initialize_adam(parameters)

def velocity_published():
    return (testCases.initialize_velocity_test_case(),)


def adam_init_published():
    return (testCases.initialize_adam_test_case(),)


def parameters_three_layers():
    """Used by both initialize_velocity and initialize_adam."""
    return (_network(4, THREE_LAYERS)[0],)


def parameters_four_layers():
    """Used by both initialize_velocity and initialize_adam."""
    return (_network(8, FOUR_LAYERS)[0],)


# update_parameters_with_momentum(parameters, grads, v, beta, learning_rate)

def momentum_published():
    """The notebook passes beta = 0.9, learning_rate = 0.01 by keyword."""
    parameters, grads, v = testCases.update_parameters_with_momentum_test_case()
    return parameters, grads, v, 0.9, 0.01


def momentum_three_layers():
    parameters, grads = _network(6, THREE_LAYERS)
    v = _moment(16, grads, 0.3)
    return parameters, grads, v, 0.8, 0.05


def momentum_one_layer():
    parameters, grads = _network(9, ONE_LAYER)
    v = _moment(19, grads, 0.5)
    return parameters, grads, v, 0.5, 0.1


# update_parameters_with_adam(parameters, grads, v, s, t, learning_rate, beta1, beta2, epsilon)

def adam_published():
    """The notebook's test: t = 2, learning_rate 0.02, beta1 0.8, beta2 0.888, epsilon 0.01, from its test case."""
    return testCases.update_parameters_with_adam_test_case()


def adam_three_layers():
    parameters, grads = _network(12, THREE_LAYERS)
    v = _moment(22, grads, 0.2)
    s = _moment(32, grads, 0.05, positive=True)
    return parameters, grads, v, s, 7, 0.02, 0.8, 0.99, 1e-8


def adam_tiny_gradients():
    """Gradients near 1e-5 at t = 1 with zero moments, where epsilon's place matters."""
    parameters, grads = _network(13, THREE_LAYERS, grad_scale=1e-5)
    return parameters, grads, _zeros(grads), _zeros(grads), 1, 0.01, 0.9, 0.999, 1e-8


def adam_one_layer():
    parameters, grads = _network(14, ONE_LAYER)
    v = _moment(24, grads, 0.1)
    s = _moment(34, grads, 0.1, positive=True)
    return parameters, grads, v, s, 3, 0.001, 0.95, 0.9, 1e-7


def adam_defaults():
    """Only t given, as model() would with its defaults: the signature's learning_rate, beta1, beta2, epsilon."""
    parameters, grads = _network(15, FOUR_LAYERS)
    v = _moment(25, grads, 0.3)
    s = _moment(35, grads, 0.2, positive=True)
    return parameters, grads, v, s, 4


# Model checks: gradebox_train_model(X, Y, layers_dims, optimizer, num_epochs, learning_rate, decay),
# on the job's moons_train.h5, with the notebook's learning rates.

def _model(optimizer, learning_rate, decay=None):
    train_X, train_Y = opt_utils_v1a.load_dataset()
    return train_X, train_Y, list(MODEL_LAYERS), optimizer, NUM_EPOCHS, learning_rate, decay


def model_adam():
    """Section 6.3: Adam with the model's default learning rate 0.0007, no decay."""
    return _model("adam", 0.0007)


def model_gd_schedule():
    """Section 7.3.1: gradient descent from learning rate 0.1, decayed by schedule_lr_decay."""
    return _model("gd", 0.1, "schedule_lr_decay")


def model_momentum_schedule():
    """Section 7.3.2: momentum from learning rate 0.1, decayed by schedule_lr_decay."""
    return _model("momentum", 0.1, "schedule_lr_decay")


def model_adam_schedule():
    """Section 7.3.3: Adam from learning rate 0.01, decayed by schedule_lr_decay."""
    return _model("adam", 0.01, "schedule_lr_decay")


# Terms of the explanations in assignment.toml: called with a case's arguments, in the sandbox, when the
# expected outputs are computed; the worker compares a student's wrong answer with them.

def gd_steps(parameters, grads, learning_rate):
    """One gradient-descent step per parameter, learning_rate * its gradient: {"W1": ..., "b1": ..., ...}."""
    L = len(parameters) // 2
    return {name + str(l): learning_rate * grads["d" + name + str(l)] for l in range(1, L + 1) for name in ("W", "b")}
