"""Arguments of the 2021 Gradient checking cases, and the given functions some of them answer callees with.

gradient_check calls the student's forward_propagation and backward_propagation.
The published case answers them with the reference's (J = theta * x, whose
centered difference is exact, so the difference is float rounding and is judged
by threshold). Hidden cases answer them with the functions below instead: a
backward pass that is off by 0.5, and a cubic J whose centered difference has a
truncation error epsilon**2, so the difference is a number that depends on x,
theta and epsilon, and a hard-coded or constant answer cannot pass.

gradient_check_n is given its `gradients` here, computed with the course's
forward_propagation_n and either its buggy backward_propagation_n (both from
supplied.py, as the notebook gives them) or the corrected one below, so it is
judged on the check alone. supplied.py is imported inside the builders only:
the callees above are shipped to students' jobs with this file's top-level
imports, and supplied.py is never in a student's job.
"""
import numpy as np

import testCases

# gc_utils.vector_to_dictionary fixes the layer sizes: 4 inputs, 5 and 3 hidden units, 1 output.
LAYER_SIZES = (4, 5, 3, 1)


# Callees of gradient_check's hidden cases: (x, theta) -> J, and (x, theta) -> dJ/dtheta.

def linear_forward(x, theta):
    """The notebook's J(theta) = theta * x."""
    return theta * x


def backward_off_by_half(x, theta):
    """A wrong derivative of theta * x: x + 0.5, so the relative difference is 0.5 / (|x + 0.5| + |x|)."""
    return x + 0.5


def cubic_forward(x, theta):
    """J(theta) = theta**3 + x * theta: its centered difference is 3 * theta**2 + x + epsilon**2."""
    return theta ** 3 + x * theta


def cubic_backward(x, theta):
    """dJ/dtheta of cubic_forward."""
    return 3 * theta ** 2 + x


def backward_propagation_n_corrected(X, Y, cache):
    """The course's backward_propagation_n with its two bugs fixed: dW2 not doubled, db1 with 1/m instead of 4/m."""
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


def _course_backward():
    """The course's backward_propagation_n with its two bugs, as the notebook gives it."""
    from supplied import backward_propagation_n
    return backward_propagation_n


def _gradients(X, Y, parameters, backward):
    from supplied import forward_propagation_n
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


# gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7, print_msg=False)

def check_n_published():
    """The notebook's test: the course's buggy backward_propagation_n, epsilon 1e-7 and print_msg True."""
    X, Y, parameters = testCases.gradient_check_n_test_case()
    return parameters, _gradients(X, Y, parameters, _course_backward()), X, Y, 1e-7, True


def check_n_fixed_backprop():
    """The notebook's network with the bugs fixed, the defaults for epsilon and print_msg."""
    X, Y, parameters = testCases.gradient_check_n_test_case()
    return parameters, _gradients(X, Y, parameters, backward_propagation_n_corrected), X, Y


def check_n_fixed_backprop_epsilon_1e_3():
    """Another network of 5 examples, correct gradients, epsilon = 1e-3, print_msg True."""
    X, Y, parameters = _network(5, 5)
    return parameters, _gradients(X, Y, parameters, backward_propagation_n_corrected), X, Y, 1e-3, True


def check_n_buggy_backprop_other_network():
    """Another network of 6 examples with the course's buggy backward_propagation_n, print_msg False."""
    X, Y, parameters = _network(3, 6)
    return parameters, _gradients(X, Y, parameters, _course_backward()), X, Y, 1e-7, False


def check_n_one_gradient_wrong():
    """dW3 with the wrong sign, everything else right; labels as a (1, m) row; epsilon = 1e-5."""
    X, Y, parameters = _network(4, 8, row_labels=True)
    gradients = _gradients(X, Y, parameters, backward_propagation_n_corrected)
    gradients["dW3"] = -gradients["dW3"]
    return parameters, gradients, X, Y, 1e-5, True
