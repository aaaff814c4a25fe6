"""Reference solution of "Softmax and batch normalization" (Improving Deep Neural Networks, week 3).

Called exactly like a student's file, so every graded function keeps the
names, argument order and return values of the starter notebook. Columns are
examples and rows are units (classes for softmax), as everywhere in the course.
"""
import numpy as np


def softmax(Z):
    """
    Softmax activation of the output layer, one column per example.

    t = exp(z), a = t / sum_i t_i, computed on each column. Subtracting the
    column's maximum first changes nothing mathematically (it cancels in the
    ratio) but keeps exp() from overflowing.

    Arguments:
    Z -- linear output of the last layer, numpy array of shape (C, m): C classes, m examples

    Returns:
    A -- probabilities, numpy array of shape (C, m); each column sums to 1
    """
    t = np.exp(Z - np.max(Z, axis=0, keepdims=True))
    A = t / np.sum(t, axis=0, keepdims=True)
    return A


def batchnorm_forward(Z, gamma, beta, epsilon):
    """
    Batch normalization of one layer's Z over the examples of the mini-batch.

    mu = 1/m * sum_i z(i)
    sigma^2 = 1/m * sum_i (z(i) - mu)^2
    z_norm(i) = (z(i) - mu) / sqrt(sigma^2 + epsilon)
    z_tilde(i) = gamma * z_norm(i) + beta

    Arguments:
    Z -- linear output of the layer, numpy array of shape (n, m): n units, m examples
    gamma -- scale, numpy array of shape (n, 1)
    beta -- shift, numpy array of shape (n, 1)
    epsilon -- small number added to the variance for numerical stability

    Returns:
    Z_tilde -- normalized, scaled and shifted Z, numpy array of shape (n, m)
    cache -- tuple (Z, Z_norm, mu, var, gamma, beta, epsilon) for batchnorm_backward:
             Z (n, m), Z_norm (n, m), mu (n, 1), var (n, 1), gamma (n, 1), beta (n, 1), epsilon
    """
    mu = np.mean(Z, axis=1, keepdims=True)
    var = np.mean((Z - mu) ** 2, axis=1, keepdims=True)
    Z_norm = (Z - mu) / np.sqrt(var + epsilon)
    Z_tilde = gamma * Z_norm + beta
    cache = (Z, Z_norm, mu, var, gamma, beta, epsilon)
    return Z_tilde, cache


def batchnorm_backward(dZ_tilde, cache):
    """
    Backward pass of batch normalization: gradients with respect to Z, gamma and beta.

    dbeta = sum_i dZ_tilde(i)
    dgamma = sum_i dZ_tilde(i) * z_norm(i)
    dZ_norm = gamma * dZ_tilde
    dZ = (m * dZ_norm - sum_i dZ_norm(i) - Z_norm * sum_i dZ_norm(i) * z_norm(i)) / (m * sqrt(sigma^2 + epsilon))

    The sums run over the m examples of the mini-batch (axis 1): mu and sigma^2
    depend on every z(i), which is where the two sums in dZ come from.

    Arguments:
    dZ_tilde -- gradient of the cost with respect to Z_tilde, numpy array of shape (n, m)
    cache -- tuple (Z, Z_norm, mu, var, gamma, beta, epsilon) from batchnorm_forward

    Returns:
    dZ -- gradient of the cost with respect to Z, numpy array of shape (n, m)
    dgamma -- gradient of the cost with respect to gamma, numpy array of shape (n, 1)
    dbeta -- gradient of the cost with respect to beta, numpy array of shape (n, 1)
    """
    Z, Z_norm, mu, var, gamma, beta, epsilon = cache
    m = Z.shape[1]
    dbeta = np.sum(dZ_tilde, axis=1, keepdims=True)
    dgamma = np.sum(dZ_tilde * Z_norm, axis=1, keepdims=True)
    dZ_norm = gamma * dZ_tilde
    sum_dZ_norm = np.sum(dZ_norm, axis=1, keepdims=True)
    sum_dZ_norm_Z_norm = np.sum(dZ_norm * Z_norm, axis=1, keepdims=True)
    dZ = (m * dZ_norm - sum_dZ_norm - Z_norm * sum_dZ_norm_Z_norm) / (m * np.sqrt(var + epsilon))
    return dZ, dgamma, dbeta
