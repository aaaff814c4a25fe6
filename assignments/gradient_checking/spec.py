"""Gradient checking: the 1-D warm-up and the N-dimensional check of a 3-layer network (week 1).

gradient_check calls the student's forward_propagation and backward_propagation:
its cases answer those calls with stand-ins, so a wrong callee costs points
once, on the callee. gradient_check_n is given its `gradients` by the trusted
side (computed here with the course's backward_propagation_n), so it is judged
on the check alone. There is no model-level check: the course trains nothing here.
"""
from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

import numpy as np

from assignments.gradient_checking import gc_utils, testCases
from assignments.spec import Assignment, Case, GradedFunction

FOLDER = Path(__file__).parent
STAND_INS = ("forward_propagation", "backward_propagation")
# gc_utils.vector_to_dictionary fixes the layer sizes: 4 inputs, 5 and 3 hidden units, 1 output.
LAYER_SIZES = (4, 5, 3, 1)


@lru_cache(maxsize=None)
def supplied_functions() -> dict:
    """supplied.py's course functions on the host: its `from gc_utils import` is answered by our gc_utils."""
    path = FOLDER / "supplied.py"
    tree = ast.parse(path.read_text())
    namespace = {"__name__": "supplied"}
    for node in list(tree.body):
        if isinstance(node, ast.ImportFrom) and node.module == "gc_utils":
            namespace.update({alias.asname or alias.name: getattr(gc_utils, alias.name) for alias in node.names})
            tree.body.remove(node)
    exec(compile(tree, str(path), "exec"), namespace)
    return namespace


def backward_propagation_n_fixed(X, Y, cache):
    """The course's backward_propagation_n with its two bugs fixed (dW2 not doubled, db1 with 1/m)."""
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache

    dZ3 = A3 - Y
    dW3 = 1. / m * np.dot(dZ3, A2.T)
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)

    dA2 = np.dot(W3.T, dZ3)
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1. / m * np.dot(dZ2, A1.T)
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)

    dA1 = np.dot(W2.T, dZ2)
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1. / m * np.dot(dZ1, X.T)
    db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)

    return {"dZ3": dZ3, "dW3": dW3, "db3": db3,
            "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
            "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}


def _gradients(X, Y, parameters, backward):
    _, cache = supplied_functions()["forward_propagation_n"](X, Y, parameters)
    return backward(X, Y, cache)


def _course_backward(X, Y, cache):
    return supplied_functions()["backward_propagation_n"](X, Y, cache)


def _network(seed, m, row_labels=False):
    """X, Y and parameters of the course's 4-5-3-1 network, drawn from their own generator."""
    rng = np.random.RandomState(seed)
    X = rng.randn(LAYER_SIZES[0], m)
    Y = (rng.rand(m) < 0.5).astype(int)
    if row_labels:
        Y = Y.reshape(1, m)
    parameters = {}
    for l in range(1, len(LAYER_SIZES)):
        parameters["W" + str(l)] = rng.randn(LAYER_SIZES[l], LAYER_SIZES[l - 1])
        parameters["b" + str(l)] = rng.randn(LAYER_SIZES[l], 1)
    return X, Y, parameters


# gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7)

def _check_n_published():
    """The notebook's test: the course's buggy backward_propagation_n gives the gradients."""
    X, Y, parameters = testCases.gradient_check_n_test_case()
    return parameters, _gradients(X, Y, parameters, _course_backward), X, Y


def _check_n_fixed_backprop():
    X, Y, parameters = testCases.gradient_check_n_test_case()
    return parameters, _gradients(X, Y, parameters, backward_propagation_n_fixed), X, Y


def _check_n_fixed_backprop_epsilon_1e_3():
    X, Y, parameters = _network(5, 5)
    return parameters, _gradients(X, Y, parameters, backward_propagation_n_fixed), X, Y, 1e-3


def _check_n_buggy_backprop_other_network():
    X, Y, parameters = _network(3, 6)
    return parameters, _gradients(X, Y, parameters, _course_backward), X, Y


def _check_n_one_gradient_wrong():
    """dW3 with the wrong sign, everything else right; labels as a (1, m) row."""
    X, Y, parameters = _network(4, 8, row_labels=True)
    gradients = _gradients(X, Y, parameters, backward_propagation_n_fixed)
    gradients["dW3"] = -gradients["dW3"]
    return parameters, gradients, X, Y, 1e-5


ASSIGNMENT = Assignment(
    slug="gradient-checking",
    title="Gradient checking",
    reference_module="reference.gradient_checking",
    folder=FOLDER,
    helper_modules=("gc_utils.py", "testCases.py"),
    supplied_module="supplied.py",
    description=(
        "Week 1 of Improving Deep Neural Networks: implement gradient checking on a 1-D "
        "function J(theta) = theta * x, then on a 3-layer network whose given backward "
        "propagation has bugs. No model is trained, so there is no model-level check."
    ),
    functions=(
        GradedFunction(
            name="forward_propagation",
            points=1,
            outputs=("J",),
            cases=(
                Case("published", lambda: (2, 4), description="the notebook's test: x = 2, theta = 4 gives J = 8"),
                Case("negative_theta", lambda: (3.0, -1.5), hidden=True, description="x = 3, theta = -1.5"),
                Case("fractional_x", lambda: (-0.5, 7.0), hidden=True, description="x = -0.5, theta = 7"),
            ),
        ),
        GradedFunction(
            name="backward_propagation",
            points=1,
            outputs=("dtheta",),
            cases=(
                Case("published", lambda: (2, 4), description="the notebook's test: x = 2, theta = 4 gives dtheta = 2"),
                Case("negative_theta", lambda: (3.0, -1.5), hidden=True, description="x = 3, theta = -1.5"),
                Case("fractional_x", lambda: (-0.5, 7.0), hidden=True, description="x = -0.5, theta = 7"),
            ),
        ),
        GradedFunction(
            # J = theta * x is linear, so a correct difference is pure float rounding (about 1e-10)
            # whose digits depend on how the student orders the arithmetic. Graded as the course
            # does, by threshold: within 1e-7 of the reference. Formula mistakes that only change
            # the rounding (no normalisation, squared norm) are caught by gradient_check_n.
            name="gradient_check",
            points=3,
            outputs=("difference",),
            cases=(
                Case("published", lambda: (2, 4), rtol=0.0, atol=1e-7, stand_ins=STAND_INS,
                     description="the notebook's test: x = 2, theta = 4, difference 2.919335883291695e-10"),
                Case("negative_theta", lambda: (3.0, -1.5), hidden=True, rtol=0.0, atol=1e-7, stand_ins=STAND_INS,
                     description="x = 3, theta = -1.5"),
                Case("epsilon_1e_4", lambda: (-1.25, 0.75, 1e-4), hidden=True, rtol=0.0, atol=1e-7, stand_ins=STAND_INS,
                     description="x = -1.25, theta = 0.75, epsilon = 1e-4"),
            ),
        ),
        GradedFunction(
            name="gradient_check_n",
            points=5,
            outputs=("difference",),
            cases=(
                Case("published", _check_n_published, atol=0.0,
                     description="the notebook's test: the course's buggy backward_propagation_n, "
                                 "difference 0.2850931567761624"),
                # About 1.189e-07, but float rounding in the BLAS dot products decides the digits:
                # any value from 0 to about 3e-7 passes, i.e. "below the course's 2e-7 and then some".
                Case("fixed_backprop", _check_n_fixed_backprop, hidden=True, rtol=0.0, atol=2e-7,
                     description="the notebook's network with the bugs fixed: difference below 2e-7"),
                # epsilon 1e-3 makes the truncation error (about 9.0e-8 here) dwarf float rounding, so the
                # value is stable to 1e-10 across summation orders, and a one-sided difference shows.
                Case("fixed_backprop_epsilon_1e_3", _check_n_fixed_backprop_epsilon_1e_3, hidden=True, atol=0.0,
                     description="another network of 5 examples, correct gradients, epsilon = 1e-3"),
                Case("buggy_backprop_other_network", _check_n_buggy_backprop_other_network, hidden=True, atol=0.0,
                     description="another network of 6 examples with the course's buggy backward_propagation_n"),
                Case("one_gradient_wrong", _check_n_one_gradient_wrong, hidden=True, atol=0.0,
                     description="8 examples, labels as a row, dW3 of the wrong sign, epsilon = 1e-5"),
            ),
        ),
    ),
)
