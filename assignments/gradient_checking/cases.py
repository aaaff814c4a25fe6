"""Arguments of the gradient_check_n cases, and the callees some gradient_check cases get, built inside the sandbox.

gradient_check_n is given its `gradients` here, computed with the course's
forward_propagation_n and either its buggy backward_propagation_n (both from
supplied.py, as the notebook gives them) or the fixed one below, sometimes
made wrong by a known amount, so it is judged on the check alone. The 1-D
functions' cases are literal numbers in assignment.toml; gradient_check's
cases answer its callees with the reference's forward_propagation and
backward_propagation, or with the wrong backward passes and the cubic J below,
so that a check that does not check (a constant, a hard-coded gradient) fails.
"""
import inspect

import numpy as np

import supplied
import testCases
from supplied import backward_propagation_n, forward_propagation_n

# gc_utils.vector_to_dictionary fixes the layer sizes: 4 inputs, 5 and 3 hidden units, 1 output.
LAYER_SIZES = (4, 5, 3, 1)


def _fixed(function, fixes):
    """The course's function with each (bug, fix) edit made once: the fixed backward is the given one, corrected."""
    source = inspect.getsource(function)
    for bug, fix in fixes:
        assert source.count(bug) == 1, bug
        source = source.replace(bug, fix)
    namespace = dict(vars(supplied))
    exec(compile(source, "<backward_propagation_n, fixed>", "exec"), namespace)
    return namespace[function.__name__]


# The course's backward_propagation_n with its two bugs fixed (dW2 not doubled, db1 with 1/m).
backward_propagation_n_fixed = _fixed(backward_propagation_n, [
    ("dW2 = 1. / m * np.dot(dZ2, A1.T) * 2", "dW2 = 1. / m * np.dot(dZ2, A1.T)"),
    ("db1 = 4. / m * np.sum(dZ1, axis=1, keepdims=True)", "db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)"),
])


def _gradients(X, Y, parameters, backward):
    _, cache = forward_propagation_n(X, Y, parameters)
    return backward(X, Y, cache)


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


# Callees of gradient_check cases: (x, theta) -> J or dJ/dtheta, in place of the student's own.

def backward_twice(x, theta):
    """A wrong backward pass for J = theta * x: 2x where the derivative is x (difference 1/3)."""
    return 2 * x


def backward_plus_one(x, theta):
    """A wrong backward pass for J = theta * x: x + 1 where the derivative is x (difference 1 / (|x + 1| + |x|))."""
    return x + 1


def forward_cubic(x, theta):
    """J = x * theta**3: curved, so the centred difference is off by x * epsilon**2 and theta and epsilon show."""
    return x * theta ** 3


def backward_cubic(x, theta):
    """The exact derivative of forward_cubic."""
    return 3 * x * theta ** 2


# gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7)

def check_n_published():
    """The notebook's test: the course's buggy backward_propagation_n gives the gradients."""
    X, Y, parameters = testCases.gradient_check_n_test_case()
    return parameters, _gradients(X, Y, parameters, backward_propagation_n), X, Y


def check_n_fixed_backprop():
    """The notebook's network with the bugs fixed."""
    X, Y, parameters = testCases.gradient_check_n_test_case()
    return parameters, _gradients(X, Y, parameters, backward_propagation_n_fixed), X, Y


def check_n_fixed_backprop_epsilon_1e_3():
    """Another network of 5 examples, correct gradients, epsilon = 1e-3."""
    X, Y, parameters = _network(5, 5)
    return parameters, _gradients(X, Y, parameters, backward_propagation_n_fixed), X, Y, 1e-3


def check_n_buggy_backprop_other_network():
    """Another network of 6 examples with the course's buggy backward_propagation_n."""
    X, Y, parameters = _network(3, 6)
    return parameters, _gradients(X, Y, parameters, backward_propagation_n), X, Y


def check_n_one_gradient_wrong():
    """dW3 with the wrong sign, everything else right; labels as a (1, m) row."""
    X, Y, parameters = _network(4, 8, row_labels=True)
    gradients = _gradients(X, Y, parameters, backward_propagation_n_fixed)
    gradients["dW3"] = -gradients["dW3"]
    return parameters, gradients, X, Y, 1e-5


def check_n_gradients_doubled():
    """Every gradient twice the right one: the difference is 1/3 (to about 1e-9), far from 0 and from 2e-7."""
    X, Y, parameters = _network(6, 4)
    gradients = _gradients(X, Y, parameters, backward_propagation_n_fixed)
    return parameters, {name: 2 * value for name, value in gradients.items()}, X, Y


def check_n_first_layer_shifted():
    """dW1 off by 0.5 everywhere, the rest right, epsilon = 1e-6: a check of the last parameters alone sees nothing."""
    X, Y, parameters = _network(7, 7)
    gradients = _gradients(X, Y, parameters, backward_propagation_n_fixed)
    gradients["dW1"] = gradients["dW1"] + 0.5
    return parameters, gradients, X, Y, 1e-6
