"""Arguments of the TensorFlow Tutorial cases, built inside the sandbox.

Each function is checked on the notebook's own test ("published") and on hidden cases with other shapes,
seeds and inputs, each drawn from its own generator, so a file that hard-codes the published numbers cannot
pass. Arrays reach the student's function as NumPy arrays, which TensorFlow's operations take as constants;
what the function returns is run in the student's own graph inside the sandbox (sandbox/frameworks.py).
"""
import numpy as np

# initialize_parameters' shapes for the 64 x 64 x 3 SIGNS images and 6 classes.
COURSE_LAYERS = (12288, 25, 12, 6)


def _parameters(rng, layers):
    """W and b of a three-layer network, large enough that every layer has positive and negative Z."""
    parameters = {}
    for l in range(1, len(layers)):
        parameters["W" + str(l)] = rng.randn(layers[l], layers[l - 1]) / np.sqrt(layers[l - 1])
        parameters["b" + str(l)] = 0.1 * rng.randn(layers[l], 1)
    return parameters


# sigmoid(z)

def sigmoid_published_0():
    return (0,)


def sigmoid_published_12():
    return (12,)


def sigmoid_vector():
    return (np.array([-3.0, -0.5, 0.25, 2.0, 7.5]),)


# cost(logits, labels)

def cost_published():
    """The notebook's test: logits = sigmoid([0.2, 0.4, 0.7, 0.9]) in float32, labels [0, 0, 1, 1]."""
    z = np.array([0.2, 0.4, 0.7, 0.9], dtype=np.float32)
    return (1 / (1 + np.exp(-z)), np.array([0, 0, 1, 1]))


def cost_matrix():
    rng = np.random.RandomState(7)
    return (rng.uniform(-3, 3, (2, 5)), (rng.rand(2, 5) < 0.5).astype(np.float64))


# one_hot_matrix(labels, C)

def one_hot_published():
    return (np.array([1, 2, 3, 0, 2, 1]), 4)


def one_hot_five_classes():
    return (np.array([4, 0, 3, 3, 1, 2, 0]), 5)


# forward_propagation(X, parameters)

def forward_course_shapes():
    """initialize_parameters' shapes with three examples: the network the model check trains."""
    rng = np.random.RandomState(1)
    X = rng.rand(COURSE_LAYERS[0], 3)
    return (X, _parameters(rng, COURSE_LAYERS))


def forward_small():
    rng = np.random.RandomState(11)
    return (rng.randn(4, 7), _parameters(rng, (4, 5, 3, 2)))


# compute_cost(Z3, Y)

def _labels(rng, n_y, m):
    Y = np.zeros((n_y, m))
    Y[rng.randint(0, n_y, m), np.arange(m)] = 1
    return Y


def compute_cost_six_classes():
    rng = np.random.RandomState(3)
    return (rng.randn(6, 4), _labels(rng, 6, 4))


def compute_cost_three_classes():
    rng = np.random.RandomState(5)
    return (2 * rng.randn(3, 5), _labels(rng, 3, 5))
