"""Regularization: L2 and dropout on the 3-layer model (week 1).

Each function is checked on the notebook's own test case ("published") and on
hidden cases with other seeds, layer sizes, example counts, lambd and
keep_prob. Two model checks train the course's model with the student's
functions inside the sandbox; accuracies are computed here, on the trusted
side, and the test set never enters the sandbox.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from assignments.regularization import testCases
from assignments.regularization.evaluate import evaluate, predict_labels, training_set
from assignments.spec import Assignment, Case, GradedFunction, ModelCheck, Threshold

# Layer sizes (n_x, n_1, n_2, n_3) of the hidden cases' networks: always three layers, as the course's.
FOUR_FEATURES = (4, 5, 3, 1)
COURSE_NETWORK = (2, 20, 3, 1)

# The course's model: [n_x, 20, 3, 1], learning_rate 0.3, 30000 iterations.
LEARNING_RATE = 0.3
NUM_ITERATIONS = 30000
LAMBD = 0.7
KEEP_PROB = 0.86


def _parameters(rng, dims):
    parameters = {}
    for l in range(1, 4):
        parameters["W" + str(l)] = rng.randn(dims[l], dims[l - 1])
        parameters["b" + str(l)] = rng.randn(dims[l], 1)
    return parameters


def _examples(rng, n_x, m):
    X = rng.randn(n_x, m)
    Y = (rng.rand(1, m) < 0.5).astype(int)
    return X, Y


def _relu(Z):
    return np.maximum(0, Z)


def _sigmoid(Z):
    return 1 / (1 + np.exp(-Z))


def _forward_cache(seed, dims, m):
    """X, Y and the cache forward_propagation() returns for them, as the course's printed caches were made."""
    rng = np.random.RandomState(seed)
    X, Y = _examples(rng, dims[0], m)
    p = _parameters(rng, dims)
    Z1 = p["W1"] @ X + p["b1"]
    A1 = _relu(Z1)
    Z2 = p["W2"] @ A1 + p["b2"]
    A2 = _relu(Z2)
    Z3 = p["W3"] @ A2 + p["b3"]
    A3 = _sigmoid(Z3)
    return X, Y, (Z1, A1, p["W1"], p["b1"], Z2, A2, p["W2"], p["b2"], Z3, A3, p["W3"], p["b3"])


def _dropout_cache(seed, dims, m, keep_prob):
    """X, Y and a forward_propagation_with_dropout() cache whose masks come from this case's own generator."""
    rng = np.random.RandomState(seed)
    X, Y = _examples(rng, dims[0], m)
    p = _parameters(rng, dims)
    Z1 = p["W1"] @ X + p["b1"]
    D1 = rng.rand(*Z1.shape) < keep_prob
    A1 = _relu(Z1) * D1 / keep_prob
    Z2 = p["W2"] @ A1 + p["b2"]
    D2 = rng.rand(*Z2.shape) < keep_prob
    A2 = _relu(Z2) * D2 / keep_prob
    Z3 = p["W3"] @ A2 + p["b3"]
    A3 = _sigmoid(Z3)
    return X, Y, (Z1, D1, A1, p["W1"], p["b1"], Z2, D2, A2, p["W2"], p["b2"], Z3, A3, p["W3"], p["b3"])


# compute_cost_with_regularization(A3, Y, parameters, lambd)

def _cost_published():
    """The notebook passes lambd = 0.1 by keyword."""
    A3, Y_assess, parameters = testCases.compute_cost_with_regularization_test_case()
    return A3, Y_assess, parameters, 0.1


def _cost(seed, dims, m, lambd):
    rng = np.random.RandomState(seed)
    parameters = _parameters(rng, dims)
    A3 = _sigmoid(rng.randn(1, m))
    Y = (rng.rand(1, m) < 0.5).astype(int)
    return A3, Y, parameters, lambd


def _cost_four_features():
    return _cost(2, FOUR_FEATURES, 7, 0.7)


def _cost_course_network():
    return _cost(3, COURSE_NETWORK, 12, 1.5)


# backward_propagation_with_regularization(X, Y, cache, lambd)

def _backward_l2_published():
    X_assess, Y_assess, cache = testCases.backward_propagation_with_regularization_test_case()
    return X_assess, Y_assess, cache, 0.7


def _backward_l2_four_features():
    return (*_forward_cache(4, FOUR_FEATURES, 6), 0.3)


def _backward_l2_course_network():
    return (*_forward_cache(5, COURSE_NETWORK, 10), 2.0)


# forward_propagation_with_dropout(X, parameters, keep_prob=0.5)

def _forward_dropout_published():
    X_assess, parameters = testCases.forward_propagation_with_dropout_test_case()
    return X_assess, parameters, 0.7


def _forward_dropout(seed, dims, m, keep_prob):
    rng = np.random.RandomState(seed)
    X = rng.randn(dims[0], m)
    return X, _parameters(rng, dims), keep_prob


def _forward_dropout_four_features():
    return _forward_dropout(6, FOUR_FEATURES, 8, 0.8)


def _forward_dropout_course_network():
    return _forward_dropout(7, COURSE_NETWORK, 12, 0.5)


# backward_propagation_with_dropout(X, Y, cache, keep_prob)

def _backward_dropout_published():
    X_assess, Y_assess, cache = testCases.backward_propagation_with_dropout_test_case()
    return X_assess, Y_assess, cache, 0.8


def _backward_dropout_four_features():
    return (*_dropout_cache(8, FOUR_FEATURES, 7, 0.6), 0.6)


def _backward_dropout_course_network():
    return (*_dropout_cache(9, COURSE_NETWORK, 10, 0.86), 0.86)


# Model checks: trained in the sandbox on the training file, judged here by evaluate.py.

def _l2_arguments():
    return (*training_set(), LEARNING_RATE, NUM_ITERATIONS, LAMBD)


def _dropout_arguments():
    return (*training_set(), LEARNING_RATE, NUM_ITERATIONS, KEEP_PROB)


# The reference reaches 0.9242 / 0.895 with either regularizer; the unregularized model 0.9621 / 0.825
# (docs/seed-numbers.md). The margins leave 5 test and 5 training points to spare.
_NOT_OVERFITTING = Threshold(
    "train_accuracy", "<=", 0.95,
    "regularization keeps the model off the noisy points: the reference reaches 0.924 on the training set, "
    "the unregularized model 0.962 (the course: 0.938 with L2, 0.929 with dropout, 0.948 without)")
_LEARNED = Threshold(
    "train_accuracy", ">=", 0.90,
    "the model still fits the field: the reference reaches 0.924 on the training set")
_GENERALIZES = Threshold(
    "test_accuracy", ">=", 0.87,
    "the reference reaches 0.895 on the held-out test set, the unregularized model 0.825 "
    "(the course: 0.93 with L2, 0.95 with dropout, 0.915 without, on its own data)")


ASSIGNMENT = Assignment(
    slug="regularization",
    title="Regularization",
    reference_module="reference.regularization",
    folder=Path(__file__).parent,
    helper_modules=("reg_utils.py", "testCases.py", "football_train.h5"),
    supplied_module="supplied.py",
    description=(
        "Week 1 of Improving Deep Neural Networks: add L2 regularization to the cost and to "
        "backpropagation, then implement inverted dropout in forward and backward propagation, "
        "and train the 3-layer model on the football-field data set with each."
    ),
    functions=(
        GradedFunction(
            name="compute_cost_with_regularization",
            points=2,
            outputs=("cost",),
            cases=(
                Case("published", _cost_published,
                     description="the notebook's test: cost = 1.78648594516 with lambd = 0.1"),
                Case("four_features", _cost_four_features, hidden=True,
                     description="layers (4, 5, 3, 1), 7 examples, lambd 0.7"),
                Case("course_network", _cost_course_network, hidden=True,
                     description="layers (2, 20, 3, 1), 12 examples, lambd 1.5"),
            ),
        ),
        GradedFunction(
            name="backward_propagation_with_regularization",
            points=2,
            outputs=("gradients",),
            cases=(
                Case("published", _backward_l2_published,
                     description="the notebook's test: dW1, dW2, dW3 with lambd = 0.7 on the course's cache"),
                Case("four_features", _backward_l2_four_features, hidden=True,
                     description="layers (4, 5, 3, 1), 6 examples, lambd 0.3"),
                Case("course_network", _backward_l2_course_network, hidden=True,
                     description="layers (2, 20, 3, 1), 10 examples, lambd 2.0"),
            ),
        ),
        GradedFunction(
            name="forward_propagation_with_dropout",
            points=3,
            outputs=("A3", "cache"),
            cases=(
                Case("published", _forward_dropout_published,
                     description="the notebook's test: A3 with keep_prob = 0.7, masks drawn after np.random.seed(1)"),
                Case("four_features", _forward_dropout_four_features, hidden=True,
                     description="layers (4, 5, 3, 1), 8 examples, keep_prob 0.8"),
                Case("course_network", _forward_dropout_course_network, hidden=True,
                     description="layers (2, 20, 3, 1), 12 examples, keep_prob 0.5"),
            ),
        ),
        GradedFunction(
            name="backward_propagation_with_dropout",
            points=3,
            outputs=("gradients",),
            cases=(
                Case("published", _backward_dropout_published,
                     description="the notebook's test: dA1 and dA2 with keep_prob = 0.8 on the course's cache"),
                Case("four_features", _backward_dropout_four_features, hidden=True,
                     description="layers (4, 5, 3, 1), 7 examples, keep_prob 0.6"),
                Case("course_network", _backward_dropout_course_network, hidden=True,
                     description="layers (2, 20, 3, 1), 10 examples, keep_prob 0.86"),
            ),
        ),
    ),
    model_checks=(
        ModelCheck(
            id="l2",
            title="3-layer model with L2 regularization (lambd = 0.7)",
            driver="gradebox_train_l2",
            build=_l2_arguments,
            evaluate=evaluate,
            thresholds=(_LEARNED, _NOT_OVERFITTING, _GENERALIZES),
            depends_on=("compute_cost_with_regularization", "backward_propagation_with_regularization"),
            wall_s=60.0,
            predict=predict_labels,
            plot_data=training_set,
        ),
        ModelCheck(
            id="dropout",
            title="3-layer model with dropout (keep_prob = 0.86)",
            driver="gradebox_train_dropout",
            build=_dropout_arguments,
            evaluate=evaluate,
            thresholds=(_LEARNED, _NOT_OVERFITTING, _GENERALIZES),
            depends_on=("forward_propagation_with_dropout", "backward_propagation_with_dropout"),
            wall_s=60.0,
            predict=predict_labels,
            plot_data=training_set,
        ),
    ),
)
