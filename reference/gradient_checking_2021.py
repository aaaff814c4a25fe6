"""Reference solution of "Gradient checking", the course's 2021 notebook (Improving Deep Neural Networks, week 1).

Called exactly like a student's file, next to the course's gc_utils.py. Against
the earlier notebook (reference/gradient_checking.py), both checks take
`print_msg=False` and print their verdict only when it is true, judged against
the notebook's 2e-7 in both. forward_propagation_n is the course's given code:
the platform puts supplied.py's copy in front of this file, as it does for a
student's upload that lacks it.
"""
import numpy as np
from gc_utils import dictionary_to_vector, gradients_to_vector, vector_to_dictionary


def forward_propagation(x, theta):
    """The 1-D "network": J(theta) = theta * x."""
    J = theta * x
    return J


def backward_propagation(x, theta):
    """dJ/dtheta of J(theta) = theta * x, which is x whatever theta."""
    dtheta = x
    return dtheta


def gradient_check(x, theta, epsilon=1e-7, print_msg=False):
    """Centered difference of J at theta against backward_propagation, as a relative difference.

    difference = ||grad - gradapprox|| / (||grad|| + ||gradapprox||), formula (2)
    of the notebook; with print_msg it also says whether it is below 2e-7.
    """
    theta_plus = theta + epsilon
    theta_minus = theta - epsilon
    J_plus = forward_propagation(x, theta_plus)
    J_minus = forward_propagation(x, theta_minus)
    gradapprox = (J_plus - J_minus) / (2 * epsilon)

    grad = backward_propagation(x, theta)

    numerator = np.linalg.norm(grad - gradapprox)
    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)
    difference = numerator / denominator

    if print_msg:
        if difference > 2e-7:
            print("\033[93m" + "There is a mistake in the backward propagation! difference = " + str(difference) + "\033[0m")
        else:
            print("\033[92m" + "Your backward propagation works perfectly fine! difference = " + str(difference) + "\033[0m")

    return difference


def gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7, print_msg=False):
    """Centered differences one parameter at a time, against the gradients backprop gave, as formula (3)'s difference."""
    parameters_values, _ = dictionary_to_vector(parameters)
    grad = gradients_to_vector(gradients)
    num_parameters = parameters_values.shape[0]
    J_plus = np.zeros((num_parameters, 1))
    J_minus = np.zeros((num_parameters, 1))
    gradapprox = np.zeros((num_parameters, 1))

    for i in range(num_parameters):
        theta_plus = np.copy(parameters_values)
        theta_plus[i][0] = theta_plus[i][0] + epsilon
        J_plus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_plus))

        theta_minus = np.copy(parameters_values)
        theta_minus[i][0] = theta_minus[i][0] - epsilon
        J_minus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_minus))

        gradapprox[i] = (J_plus[i] - J_minus[i]) / (2 * epsilon)

    numerator = np.linalg.norm(grad - gradapprox)
    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)
    difference = numerator / denominator

    if print_msg:
        if difference > 2e-7:
            print("\033[93m" + "There is a mistake in the backward propagation! difference = " + str(difference) + "\033[0m")
        else:
            print("\033[92m" + "Your backward propagation works perfectly fine! difference = " + str(difference) + "\033[0m")

    return difference
