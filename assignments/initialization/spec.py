"""Initialization: zeros, large random and He initialization of a deep network (week 1).

Each function is checked on the notebook's own call ("published") and on
hidden layer sizes. The three-layer model of the notebook is then trained
inside the sandbox with each initialization; its accuracies are computed here
on the circles test set, which the sandbox never receives.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from assignments.initialization import init_utils
from assignments.spec import Assignment, Case, GradedFunction, ModelCheck, Threshold

FOLDER = Path(__file__).parent
LEARNING_RATE = 0.01
NUM_ITERATIONS = 15000


def _layers(*layers_dims):
    """A case that calls the function with these layer sizes, as the notebook does."""
    return lambda: (list(layers_dims),)


def _training_set():
    return init_utils.read_circles(init_utils.TRAIN_PATH, "train")


def _test_set():
    return init_utils.read_circles(init_utils.TEST_PATH, "test")


def predict_labels(parameters, X):
    """0/1 labels from the course's forward propagation, threshold 0.5 as in predict()."""
    arrays = {name: np.asarray(value, dtype=float) for name, value in parameters.items()}
    with np.errstate(all="ignore"):
        a3, _ = init_utils.forward_propagation(X, arrays)
    return (a3 > 0.5).astype(int)


def evaluate(parameters):
    train_X, train_Y = _training_set()
    test_X, test_Y = _test_set()
    return {
        "train_accuracy": float(np.mean(predict_labels(parameters, train_X) == train_Y)),
        "test_accuracy": float(np.mean(predict_labels(parameters, test_X) == test_Y)),
    }


def _model_check(initialization, title, thresholds):
    return ModelCheck(
        id=initialization,
        title=title,
        driver="gradebox_train_model",
        build=lambda: (*_training_set(), LEARNING_RATE, NUM_ITERATIONS, initialization),
        evaluate=evaluate,
        thresholds=thresholds,
        depends_on=(f"initialize_parameters_{initialization}",),
        wall_s=60.0,
        predict=predict_labels,
        plot_data=_training_set,
    )


MODEL_CHECKS = (
    _model_check("zeros", "3-layer model with zeros initialization", (
        Threshold("train_accuracy", "<=", 0.5,
                  "the course reports 0.5: all-zero weights never break symmetry, every example gets 0"),
        Threshold("test_accuracy", "<=", 0.5, "the course reports 0.5 on the test set"),
    )),
    _model_check("random", "3-layer model with large random initialization", (
        Threshold("train_accuracy", ">=", 0.80,
                  "the course reports 0.83; its costs depend on the BLAS, so the bar leaves a margin"),
        Threshold("test_accuracy", ">=", 0.80,
                  "the course reports 0.86; its costs depend on the BLAS, so the bar leaves a margin"),
    )),
    _model_check("he", "3-layer model with He initialization", (
        Threshold("train_accuracy", ">=", 0.99, "the course reports 0.9933 on the training set"),
        Threshold("test_accuracy", ">=", 0.96, "the course reports 0.96 on the test set"),
    )),
)


ASSIGNMENT = Assignment(
    slug="initialization",
    title="Initialization",
    reference_module="reference.initialization",
    folder=FOLDER,
    helper_modules=("init_utils.py", "circles_train.h5"),
    description=(
        "Week 1 of Improving Deep Neural Networks: initialize a deep network with zeros, "
        "with large random weights and with He initialization, and see how each trains "
        "the three-layer model on the circles data set."
    ),
    supplied_module="supplied.py",
    model_checks=MODEL_CHECKS,
    functions=(
        GradedFunction(
            name="initialize_parameters_zeros",
            points=1,
            outputs=("parameters",),
            cases=(
                Case("published", _layers(3, 2, 1),
                     description="the notebook's test: layers_dims [3, 2, 1], every W and b zero"),
                Case("model_layers", _layers(2, 10, 5, 1), hidden=True,
                     description="the model's layers [2, 10, 5, 1]"),
                Case("one_layer", _layers(5, 1), hidden=True,
                     description="a single layer [5, 1]"),
                Case("four_layers", _layers(4, 3, 3, 2, 1), hidden=True,
                     description="four layers [4, 3, 3, 2, 1]"),
            ),
        ),
        GradedFunction(
            name="initialize_parameters_random",
            points=1,
            outputs=("parameters",),
            cases=(
                Case("published", _layers(3, 2, 1),
                     description="the notebook's test: layers_dims [3, 2, 1], W drawn with randn * 10 after seed 3"),
                Case("model_layers", _layers(2, 10, 5, 1), hidden=True,
                     description="the model's layers [2, 10, 5, 1]"),
                Case("one_layer", _layers(4, 1), hidden=True,
                     description="a single layer [4, 1]"),
                Case("four_layers", _layers(5, 4, 3, 2, 1), hidden=True,
                     description="four layers [5, 4, 3, 2, 1]"),
            ),
        ),
        GradedFunction(
            name="initialize_parameters_he",
            points=1,
            outputs=("parameters",),
            cases=(
                Case("published", _layers(2, 4, 1),
                     description="the notebook's test: layers_dims [2, 4, 1], W scaled by sqrt(2 / n[l-1])"),
                Case("model_layers", _layers(2, 10, 5, 1), hidden=True,
                     description="the model's layers [2, 10, 5, 1]"),
                Case("widening", _layers(3, 6, 4, 2), hidden=True,
                     description="layers [3, 6, 4, 2], where n[l] and n[l-1] differ in every layer"),
                Case("one_layer", _layers(5, 1), hidden=True,
                     description="a single layer [5, 1]"),
            ),
        ),
    ),
)
