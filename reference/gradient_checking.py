"""Reference solution of "Gradient checking" (Improving Deep Neural Networks, week 1).

Called exactly like a student's file. It runs in two places: in the sandbox,
next to the course's gc_utils.py (as the students' notebooks import it), and
on the host as reference.gradient_checking, where gc_utils is a package module.
forward_propagation_n is the course's given code, copied from supplied.py so
gradient_check_n runs on the host too (a test keeps the two copies equal).
"""
import numpy as np

try:  # in the sandbox: gc_utils sits next to the submission, under the course's name
    from gc_utils import dictionary_to_vector, gradients_to_vector, relu, sigmoid, vector_to_dictionary
except ImportError:  # on the host
    from assignments.gradient_checking.gc_utils import (
        dictionary_to_vector, gradients_to_vector, relu, sigmoid, vector_to_dictionary,
    )


def forward_propagation(x, theta):
    """The 1-D "network": J(theta) = theta * x."""
    J = theta * x
    return J


def backward_propagation(x, theta):
    """dJ/dtheta of J(theta) = theta * x."""
    dtheta = x
    return dtheta


def gradient_check(x, theta, epsilon=1e-7):
    """Centered difference of J at theta against backward_propagation, as a relative difference."""
    thetaplus = theta + epsilon
    thetaminus = theta - epsilon
    J_plus = forward_propagation(x, thetaplus)
    J_minus = forward_propagation(x, thetaminus)
    gradapprox = (J_plus - J_minus) / (2 * epsilon)

    grad = backward_propagation(x, theta)

    numerator = np.linalg.norm(grad - gradapprox)
    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)
    difference = numerator / denominator

    if difference < 1e-7:
        print("The gradient is correct!")
    else:
        print("The gradient is wrong!")

    return difference


def forward_propagation_n(X, Y, parameters):
    m = X.shape[1]
    W1 = parameters["W1"]
    b1 = parameters["b1"]
    W2 = parameters["W2"]
    b2 = parameters["b2"]
    W3 = parameters["W3"]
    b3 = parameters["b3"]

    # LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID
    Z1 = np.dot(W1, X) + b1
    A1 = relu(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = relu(Z2)
    Z3 = np.dot(W3, A2) + b3
    A3 = sigmoid(Z3)

    # Cost
    logprobs = np.multiply(-np.log(A3), Y) + np.multiply(-np.log(1 - A3), 1 - Y)
    cost = 1. / m * np.sum(logprobs)

    cache = (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)

    return cost, cache


def gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7):
    """Centered differences one parameter at a time, against the gradients backprop gave."""
    parameters_values, _ = dictionary_to_vector(parameters)
    grad = gradients_to_vector(gradients)
    num_parameters = parameters_values.shape[0]
    J_plus = np.zeros((num_parameters, 1))
    J_minus = np.zeros((num_parameters, 1))
    gradapprox = np.zeros((num_parameters, 1))

    for i in range(num_parameters):
        thetaplus = np.copy(parameters_values)
        thetaplus[i][0] = thetaplus[i][0] + epsilon
        J_plus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(thetaplus))

        thetaminus = np.copy(parameters_values)
        thetaminus[i][0] = thetaminus[i][0] - epsilon
        J_minus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(thetaminus))

        gradapprox[i] = (J_plus[i] - J_minus[i]) / (2 * epsilon)

    numerator = np.linalg.norm(grad - gradapprox)
    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)
    difference = numerator / denominator

    if difference > 2e-7:
        print("\033[93m" + "There is a mistake in the backward propagation! difference = " + str(difference) + "\033[0m")
    else:
        print("\033[92m" + "Your backward propagation works perfectly fine! difference = " + str(difference) + "\033[0m")

    return difference
