"""Arguments of the Regularization cases and model checks, built inside the sandbox.

Each function is checked on the notebook's own test case ("published", from
the course's testCases) and on hidden cases with other seeds, layer sizes,
example counts, lambd and keep_prob, each drawn from its own generator. The
model checks train the course's model on the football-field training set
(football_train.h5, a job file); the test set never enters the sandbox.
"""
import h5py
import numpy as np

import reg_utils
import testCases

# Layer sizes (n_x, n_1, n_2, n_3) of the hidden cases' networks: always three layers, as the course's.
FOUR_FEATURES = (4, 5, 3, 1)
COURSE_NETWORK = (2, 20, 3, 1)

# The course's model: [n_x, 20, 3, 1], learning_rate 0.3, 30000 iterations.
LEARNING_RATE = 0.3
NUM_ITERATIONS = 30000
LAMBD = 0.7
KEEP_PROB = 0.86


def _parameters(rng, dims):
    parameters = {}
    for l in range(1, 4):
        parameters["W" + str(l)] = rng.randn(dims[l], dims[l - 1])
        parameters["b" + str(l)] = rng.randn(dims[l], 1)
    return parameters


def _examples(rng, n_x, m):
    X = rng.randn(n_x, m)
    Y = (rng.rand(1, m) < 0.5).astype(int)
    return X, Y


def _relu(Z):
    return np.maximum(0, Z)


def _sigmoid(Z):
    return 1 / (1 + np.exp(-Z))


def _forward_cache(seed, dims, m):
    """X, Y and the cache forward_propagation() returns for them, as the course's printed caches were made."""
    rng = np.random.RandomState(seed)
    X, Y = _examples(rng, dims[0], m)
    p = _parameters(rng, dims)
    Z1 = p["W1"] @ X + p["b1"]
    A1 = _relu(Z1)
    Z2 = p["W2"] @ A1 + p["b2"]
    A2 = _relu(Z2)
    Z3 = p["W3"] @ A2 + p["b3"]
    A3 = _sigmoid(Z3)
    return X, Y, (Z1, A1, p["W1"], p["b1"], Z2, A2, p["W2"], p["b2"], Z3, A3, p["W3"], p["b3"])


def _dropout_cache(seed, dims, m, keep_prob):
    """X, Y and a forward_propagation_with_dropout() cache whose masks come from this case's own generator."""
    rng = np.random.RandomState(seed)
    X, Y = _examples(rng, dims[0], m)
    p = _parameters(rng, dims)
    Z1 = p["W1"] @ X + p["b1"]
    D1 = rng.rand(*Z1.shape) < keep_prob
    A1 = _relu(Z1) * D1 / keep_prob
    Z2 = p["W2"] @ A1 + p["b2"]
    D2 = rng.rand(*Z2.shape) < keep_prob
    A2 = _relu(Z2) * D2 / keep_prob
    Z3 = p["W3"] @ A2 + p["b3"]
    A3 = _sigmoid(Z3)
    return X, Y, (Z1, D1, A1, p["W1"], p["b1"], Z2, D2, A2, p["W2"], p["b2"], Z3, A3, p["W3"], p["b3"])


# compute_cost_with_regularization(A3, Y, parameters, lambd)

def cost_published():
    """The notebook passes lambd = 0.1 by keyword."""
    A3, Y_assess, parameters = testCases.compute_cost_with_regularization_test_case()
    return A3, Y_assess, parameters, 0.1


def _cost(seed, dims, m, lambd):
    rng = np.random.RandomState(seed)
    parameters = _parameters(rng, dims)
    A3 = _sigmoid(rng.randn(1, m))
    Y = (rng.rand(1, m) < 0.5).astype(int)
    return A3, Y, parameters, lambd


def cost_four_features():
    return _cost(2, FOUR_FEATURES, 7, 0.7)


def cost_course_network():
    return _cost(3, COURSE_NETWORK, 12, 1.5)


# backward_propagation_with_regularization(X, Y, cache, lambd)

def backward_l2_published():
    X_assess, Y_assess, cache = testCases.backward_propagation_with_regularization_test_case()
    return X_assess, Y_assess, cache, 0.7


def backward_l2_four_features():
    return (*_forward_cache(4, FOUR_FEATURES, 6), 0.3)


def backward_l2_course_network():
    return (*_forward_cache(5, COURSE_NETWORK, 10), 2.0)


# forward_propagation_with_dropout(X, parameters, keep_prob=0.5)

def forward_dropout_published():
    X_assess, parameters = testCases.forward_propagation_with_dropout_test_case()
    return X_assess, parameters, 0.7


def _forward_dropout(seed, dims, m, keep_prob):
    rng = np.random.RandomState(seed)
    X = rng.randn(dims[0], m)
    return X, _parameters(rng, dims), keep_prob


def forward_dropout_four_features():
    return _forward_dropout(6, FOUR_FEATURES, 8, 0.8)


def forward_dropout_course_network():
    return _forward_dropout(7, COURSE_NETWORK, 12, 0.5)


# backward_propagation_with_dropout(X, Y, cache, keep_prob)

def backward_dropout_published():
    X_assess, Y_assess, cache = testCases.backward_propagation_with_dropout_test_case()
    return X_assess, Y_assess, cache, 0.8


def backward_dropout_four_features():
    return (*_dropout_cache(8, FOUR_FEATURES, 7, 0.6), 0.6)


def backward_dropout_course_network():
    return (*_dropout_cache(9, COURSE_NETWORK, 10, 0.86), 0.86)


# Model checks: trained in the sandbox on the training file, judged on the trusted side.

def _training_set():
    """train_X (2, 211) and train_Y (1, 211), stored as "X" and "Y" in the job's football_train.h5."""
    with h5py.File(reg_utils.TRAIN_PATH, "r") as f:
        return np.array(f["X"]), np.array(f["Y"])


def model_l2():
    """gradebox_train_l2(train_X, train_Y, learning_rate, num_iterations, lambd)."""
    return (*_training_set(), LEARNING_RATE, NUM_ITERATIONS, LAMBD)


def model_dropout():
    """gradebox_train_dropout(train_X, train_Y, learning_rate, num_iterations, keep_prob)."""
    return (*_training_set(), LEARNING_RATE, NUM_ITERATIONS, KEEP_PROB)


# Terms of the explanations in assignment.toml: called with a case's arguments, in the sandbox, when the
# expected outputs are computed; the worker compares a student's wrong answer with them.

def l2_cost_term(A3, Y, parameters, lambd):
    """The L2 part of the regularized cost, lambd / (2 m) * the sum of the squared weights (formula (2))."""
    m = Y.shape[1]
    return lambd / (2 * m) * sum(np.sum(np.square(parameters["W" + str(l)])) for l in (1, 2, 3))


def l2_gradient_terms(X, Y, cache, lambd):
    """What the L2 term adds to each weight gradient: lambd / m * W of the same layer."""
    m = X.shape[1]
    W1, W2, W3 = cache[2], cache[6], cache[10]
    return {"dW1": lambd / m * W1, "dW2": lambd / m * W2, "dW3": lambd / m * W3}
