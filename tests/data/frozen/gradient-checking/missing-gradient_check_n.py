import numpy as np
import math


# GRADED FUNCTION: forward_propagation
def forward_propagation(x, theta):
    """The 1-D "network": J(theta) = theta * x."""
    J = theta * x
    return J


# GRADED FUNCTION: backward_propagation
def backward_propagation(x, theta):
    """dJ/dtheta of J(theta) = theta * x."""
    dtheta = x
    return dtheta


# GRADED FUNCTION: gradient_check
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
