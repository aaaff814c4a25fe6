"""Inputs of the notebook's test cell, drawn the course's way so the published outputs reproduce.

NumPy's global generator is seeded with 1, then x, W1, b1, W2, b2, W3, b3 are
drawn with randn in that order; y is fixed (and 1-D, as the course has it).
"""
import numpy as np


def gradient_check_n_test_case():
    np.random.seed(1)
    x = np.random.randn(4, 3)
    y = np.array([1, 1, 0])
    W1 = np.random.randn(5, 4)
    b1 = np.random.randn(5, 1)
    W2 = np.random.randn(3, 5)
    b2 = np.random.randn(3, 1)
    W3 = np.random.randn(1, 3)
    b3 = np.random.randn(1, 1)
    parameters = {"W1": W1,
                  "b1": b1,
                  "W2": W2,
                  "b2": b2,
                  "W3": W3,
                  "b3": b3}

    return x, y, parameters
