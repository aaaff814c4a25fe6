"""Arguments of the Optimization methods cases and model checks, built inside the sandbox.

Each function is checked on the notebook's own test case ("published", from
the course's testCases) and on hidden cases with other seeds, layer counts,
batch sizes and hyperparameters, each drawn from its own generator, so a file
that hard-codes the published numbers cannot pass. The model checks train the
notebook's three-layer model on the moons training set (moons_train.h5, a job
file) with each optimizer.
"""
import numpy as np

import opt_utils
import testCases

# The notebook's model runs: layers_dims [train_X.shape[0], 5, 2, 1], 10000 epochs, the defaults of model().
MODEL_LAYERS = [2, 5, 2, 1]
NUM_EPOCHS = 10000

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


def _examples(seed, n_x, m):
    rng = np.random.RandomState(seed)
    X = rng.randn(n_x, m)
    Y = (rng.rand(1, m) < 0.5).astype(int)
    return X, Y


# update_parameters_with_gd(parameters, grads, learning_rate)

def gd_published():
    """The notebook's test case: parameters, grads and learning_rate 0.01."""
    return testCases.update_parameters_with_gd_test_case()


def gd_three_layers():
    parameters, grads = _network(2, THREE_LAYERS)
    return parameters, grads, 0.05


def gd_one_layer():
    parameters, grads = _network(7, ONE_LAYER)
    return parameters, grads, 1.2


# random_mini_batches(X, Y, mini_batch_size=64, seed=0)

def batches_published():
    """The notebook's test case: X (12288, 148), Y (1, 148) and mini_batch_size 64."""
    return testCases.random_mini_batches_test_case()


def batches_partial_last():
    X, Y = _examples(3, 5, 130)
    return X, Y, 32, 3


def batches_exact_multiple():
    X, Y = _examples(5, 4, 96)
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
    """The notebook passes only t = 2 and relies on the signature's defaults."""
    parameters, grads, v, s = testCases.update_parameters_with_adam_test_case()
    return parameters, grads, v, s, 2


def adam_three_layers():
    parameters, grads = _network(12, THREE_LAYERS)
    v = _moment(22, grads, 0.2)
    s = _moment(32, grads, 0.05, positive=True)
    return parameters, grads, v, s, 7, 0.02, 0.8, 0.99, 1e-8


def adam_tiny_gradients():
    """Gradients near 1e-5 at t = 1 with zero moments, where epsilon's place matters."""
    parameters, grads = _network(13, THREE_LAYERS, grad_scale=1e-5)
    return parameters, grads, _zeros(grads), _zeros(grads), 1, 0.01, 0.9, 0.999, 1e-8


def adam_large_epsilon():
    """epsilon = 1e-3 beside sqrt(s_corrected) of 2e-2 to 4e-2: epsilon's value moves every step by a few percent."""
    parameters, grads = _network(15, ONE_LAYER, grad_scale=1e-2)
    v = _moment(25, grads, 1e-2)
    s = _moment(35, grads, 2e-5, positive=True)
    return parameters, grads, v, s, 2, 0.05, 0.9, 0.99, 1e-3


def adam_one_layer():
    parameters, grads = _network(14, ONE_LAYER)
    v = _moment(24, grads, 0.1)
    s = _moment(34, grads, 0.1, positive=True)
    return parameters, grads, v, s, 3, 0.001, 0.95, 0.9, 1e-7


# Model checks: gradebox_train_model(X, Y, layers_dims, optimizer, num_epochs), on the job's moons_train.h5.

def _model(optimizer):
    train_X, train_Y = opt_utils.load_dataset()
    return train_X, train_Y, list(MODEL_LAYERS), optimizer, NUM_EPOCHS


def model_gd():
    return _model("gd")


def model_momentum():
    return _model("momentum")


def model_adam():
    return _model("adam")


# Terms of the explanations in assignment.toml: called with a case's arguments, in the sandbox, when the
# expected outputs are computed; the worker compares a student's wrong answer with them.

def gd_steps(parameters, grads, learning_rate):
    """One gradient-descent step per parameter, learning_rate * its gradient: {"W1": ..., "b1": ..., ...}."""
    L = len(parameters) // 2
    return {name + str(l): learning_rate * grads["d" + name + str(l)] for l in range(1, L + 1) for name in ("W", "b")}
