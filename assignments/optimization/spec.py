"""Optimization methods: mini-batches, momentum and Adam (week 2).

Each function is checked on the notebook's own test case ("published") and on
hidden cases with other seeds, layer counts, batch sizes and hyperparameters,
so a file that hard-codes the published numbers cannot pass. The notebook's
three-layer model is then trained on the moons inside the sandbox with each
optimizer; its accuracies are computed here, on the training set and on a
held-out set the sandbox never receives.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from assignments.optimization import testCases
from assignments.optimization.evaluate import evaluate, predict_labels, training_set
from assignments.spec import Assignment, Case, GradedFunction, ModelCheck, Threshold

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

def _gd_three_layers():
    parameters, grads = _network(2, THREE_LAYERS)
    return parameters, grads, 0.05


def _gd_one_layer():
    parameters, grads = _network(7, ONE_LAYER)
    return parameters, grads, 1.2


# random_mini_batches(X, Y, mini_batch_size=64, seed=0)

def _batches_partial_last():
    X, Y = _examples(3, 5, 130)
    return X, Y, 32, 3


def _batches_exact_multiple():
    X, Y = _examples(5, 4, 96)
    return X, Y, 16, 5


def _batches_one_partial_batch():
    X, Y = _examples(11, 3, 10)
    return X, Y, 64, 1


# initialize_velocity(parameters) and initialize_adam(parameters)

def _velocity_published():
    return (testCases.initialize_velocity_test_case(),)


def _adam_init_published():
    return (testCases.initialize_adam_test_case(),)


def _parameters_three_layers():
    return (_network(4, THREE_LAYERS)[0],)


def _parameters_four_layers():
    return (_network(8, FOUR_LAYERS)[0],)


# update_parameters_with_momentum(parameters, grads, v, beta, learning_rate)

def _momentum_published():
    """The notebook passes beta = 0.9, learning_rate = 0.01 by keyword."""
    parameters, grads, v = testCases.update_parameters_with_momentum_test_case()
    return parameters, grads, v, 0.9, 0.01


def _momentum_three_layers():
    parameters, grads = _network(6, THREE_LAYERS)
    v = _moment(16, grads, 0.3)
    return parameters, grads, v, 0.8, 0.05


def _momentum_one_layer():
    parameters, grads = _network(9, ONE_LAYER)
    v = _moment(19, grads, 0.5)
    return parameters, grads, v, 0.5, 0.1


# update_parameters_with_adam(parameters, grads, v, s, t, learning_rate, beta1, beta2, epsilon)

def _adam_published():
    """The notebook passes only t = 2 and relies on the signature's defaults."""
    parameters, grads, v, s = testCases.update_parameters_with_adam_test_case()
    return parameters, grads, v, s, 2


def _adam_three_layers():
    parameters, grads = _network(12, THREE_LAYERS)
    v = _moment(22, grads, 0.2)
    s = _moment(32, grads, 0.05, positive=True)
    return parameters, grads, v, s, 7, 0.02, 0.8, 0.99, 1e-8


def _adam_tiny_gradients():
    parameters, grads = _network(13, THREE_LAYERS, grad_scale=1e-5)
    return parameters, grads, _zeros(grads), _zeros(grads), 1, 0.01, 0.9, 0.999, 1e-8


def _adam_one_layer():
    parameters, grads = _network(14, ONE_LAYER)
    v = _moment(24, grads, 0.1)
    s = _moment(34, grads, 0.1, positive=True)
    return parameters, grads, v, s, 3, 0.001, 0.95, 0.9, 1e-7


def _model_check(optimizer, title, depends_on, thresholds):
    return ModelCheck(
        id=optimizer,
        title=title,
        driver="gradebox_train_model",
        build=lambda: (*training_set(), list(MODEL_LAYERS), optimizer, NUM_EPOCHS),
        evaluate=evaluate,
        thresholds=thresholds,
        depends_on=depends_on,
        wall_s=120.0,
        predict=predict_labels,
        plot_data=training_set,
    )


MODEL_CHECKS = (
    _model_check("gd", "3-layer model with mini-batch gradient descent",
                 ("random_mini_batches", "update_parameters_with_gd"), (
        Threshold("train_accuracy", ">=", 0.75,
                  "the course reports 0.797 on the training set; the reference reaches 0.797"),
        Threshold("test_accuracy", ">=", 0.75,
                  "the course has no held-out set; the reference reaches 0.827 on ours"),
    )),
    _model_check("momentum", "3-layer model with momentum",
                 ("random_mini_batches", "initialize_velocity", "update_parameters_with_momentum"), (
        Threshold("train_accuracy", ">=", 0.75,
                  "the course reports 0.797 on the training set; the reference reaches 0.797"),
        Threshold("test_accuracy", ">=", 0.75,
                  "the course has no held-out set; the reference reaches 0.823 on ours"),
    )),
    _model_check("adam", "3-layer model with Adam",
                 ("random_mini_batches", "initialize_adam", "update_parameters_with_adam"), (
        Threshold("train_accuracy", ">=", 0.93,
                  "the course reports 0.94 on the training set; the reference reaches 0.94"),
        Threshold("test_accuracy", ">=", 0.90,
                  "the course has no held-out set; the reference reaches 0.95 on ours"),
    )),
)


ASSIGNMENT = Assignment(
    slug="optimization",
    title="Optimization methods",
    reference_module="reference.optimization",
    folder=Path(__file__).parent,
    helper_modules=("opt_utils.py", "testCases.py", "moons_train.h5"),
    description=(
        "Week 2 of Improving Deep Neural Networks: update parameters with gradient "
        "descent, build shuffled mini-batches, then implement momentum and Adam, and "
        "compare the three on the moons data set."
    ),
    supplied_module="supplied.py",
    model_checks=MODEL_CHECKS,
    functions=(
        GradedFunction(
            name="update_parameters_with_gd",
            points=1,
            outputs=("parameters",),
            cases=(
                Case("published", testCases.update_parameters_with_gd_test_case,
                     description="the notebook's test: W1, b1, W2, b2 after one step with learning_rate 0.01"),
                Case("three_layers", _gd_three_layers, hidden=True,
                     description="three layers, learning_rate 0.05"),
                Case("one_layer", _gd_one_layer, hidden=True,
                     description="one layer, learning_rate 1.2"),
            ),
        ),
        GradedFunction(
            name="random_mini_batches",
            points=2,
            outputs=("mini_batches",),
            cases=(
                Case("published", testCases.random_mini_batches_test_case,
                     description="the notebook's test: 148 examples in batches of 64, shapes and "
                                 "the sanity check [0.90085595 -0.7612069 0.2344157]"),
                Case("partial_last_batch", _batches_partial_last, hidden=True,
                     description="130 examples in batches of 32: four full batches and one of 2"),
                Case("exact_multiple", _batches_exact_multiple, hidden=True,
                     description="96 examples in batches of 16: no partial batch"),
                Case("one_partial_batch", _batches_one_partial_batch, hidden=True,
                     description="10 examples with a batch size of 64: a single short batch"),
            ),
        ),
        GradedFunction(
            name="initialize_velocity",
            points=1,
            outputs=("v",),
            cases=(
                Case("published", _velocity_published,
                     description="the notebook's test: zero velocities for W1, b1, W2, b2"),
                Case("three_layers", _parameters_three_layers, hidden=True,
                     description="three layers"),
                Case("four_layers", _parameters_four_layers, hidden=True,
                     description="four layers"),
            ),
        ),
        GradedFunction(
            name="update_parameters_with_momentum",
            points=2,
            outputs=("parameters", "v"),
            cases=(
                Case("published", _momentum_published,
                     description="the notebook's test: parameters and velocities after one step "
                                 "with beta 0.9 and learning_rate 0.01"),
                Case("three_layers", _momentum_three_layers, hidden=True,
                     description="three layers, non-zero starting velocity, beta 0.8"),
                Case("one_layer", _momentum_one_layer, hidden=True,
                     description="one layer, non-zero starting velocity, beta 0.5"),
            ),
        ),
        GradedFunction(
            name="initialize_adam",
            points=1,
            outputs=("v", "s"),
            cases=(
                Case("published", _adam_init_published,
                     description="the notebook's test: zero v and s for W1, b1, W2, b2"),
                Case("three_layers", _parameters_three_layers, hidden=True,
                     description="three layers"),
                Case("four_layers", _parameters_four_layers, hidden=True,
                     description="four layers"),
            ),
        ),
        GradedFunction(
            name="update_parameters_with_adam",
            points=3,
            outputs=("parameters", "v", "s"),
            cases=(
                Case("published", _adam_published,
                     description="the notebook's test: parameters, v and s after the step t = 2 "
                                 "with the default hyperparameters"),
                Case("three_layers", _adam_three_layers, hidden=True,
                     description="three layers, moments under way, t = 7, beta1 0.8, beta2 0.99"),
                Case("tiny_gradients", _adam_tiny_gradients, hidden=True, atol=1e-15,
                     description="gradients near 1e-5 at t = 1, where epsilon's place matters"),
                Case("one_layer", _adam_one_layer, hidden=True,
                     description="one layer, moments under way, t = 3, beta1 0.95, beta2 0.9"),
            ),
        ),
    ),
)
