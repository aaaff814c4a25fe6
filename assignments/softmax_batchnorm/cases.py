"""Arguments of the "Softmax and batch normalization" cases, built inside the sandbox.

The course published no outputs for these functions, so each function's public
case ("notebook") is the starter notebook's own test cell: the same seed and
the same draws, in the same order, as that cell. The hidden cases draw from
their own generators. Everywhere the number of rows differs from the number of
examples, so a sum or mean over the wrong axis shows in the values or shapes.

Softmax logits stay moderate (|Z| < 5): a softmax without the max-subtraction
gives the same values and must pass. The "hidden_small_variance" cases have a
row whose variance (~1e-10) is below epsilon (1e-8), so forgetting epsilon, or
adding it outside the square root, changes that row's values many times over
the tolerance. "hidden_large_epsilon" passes epsilon 0.1, so a batchnorm_forward
that ignores its epsilon argument fails it.
"""
import numpy as np

EPSILON = 1e-8


def _batchnorm_cache(Z, gamma, beta, epsilon):
    """The cache batchnorm_forward returns: (Z, Z_norm, mu, var, gamma, beta, epsilon)."""
    mu = np.mean(Z, axis=1, keepdims=True)
    var = np.mean((Z - mu) ** 2, axis=1, keepdims=True)
    Z_norm = (Z - mu) / np.sqrt(var + epsilon)
    return (Z, Z_norm, mu, var, gamma, beta, epsilon)


def _small_variance_layer(rng):
    """Z (3, 8) whose first row varies by ~1e-5 around 0.5 (variance ~1e-10 < epsilon), gamma, beta (3, 1)."""
    scale = np.array([[1e-5], [1.0], [0.2]])
    offset = np.array([[0.5], [-1.0], [2.0]])
    Z = rng.randn(3, 8) * scale + offset
    gamma = rng.randn(3, 1)
    beta = rng.randn(3, 1)
    return Z, gamma, beta


# softmax(Z)

def softmax_notebook():
    """The notebook's cell: np.random.seed(1); Z = np.random.randn(4, 3)."""
    rng = np.random.RandomState(1)
    Z = rng.randn(4, 3)
    return (Z,)


def softmax_wide():
    """3 classes, 10 examples, logits uniform in [-4, 4)."""
    rng = np.random.RandomState(11)
    Z = rng.uniform(-4, 4, (3, 10))
    return (Z,)


def softmax_tall():
    """10 classes, 2 examples, logits uniform in [-4.5, 4.5)."""
    rng = np.random.RandomState(12)
    Z = rng.uniform(-4.5, 4.5, (10, 2))
    return (Z,)


# batchnorm_forward(Z, gamma, beta, epsilon)

def forward_notebook():
    """The notebook's cell: np.random.seed(2); Z (4, 5), gamma (4, 1), beta (4, 1); epsilon 1e-8."""
    rng = np.random.RandomState(2)
    Z = rng.randn(4, 5)
    gamma = rng.randn(4, 1)
    beta = rng.randn(4, 1)
    return (Z, gamma, beta, EPSILON)


def forward_wide():
    """3 units, 16 examples; rows with different means and spreads (std 0.5, 3 and 10)."""
    rng = np.random.RandomState(21)
    Z = rng.randn(3, 16) * np.array([[0.5], [3.0], [10.0]]) + np.array([[-2.0], [0.0], [5.0]])
    gamma = rng.rand(3, 1) + 0.5
    beta = rng.randn(3, 1)
    return (Z, gamma, beta, EPSILON)


def forward_small_variance():
    """3 units, 8 examples; the first row's variance (~1e-10) is smaller than epsilon (1e-8)."""
    rng = np.random.RandomState(22)
    Z, gamma, beta = _small_variance_layer(rng)
    return (Z, gamma, beta, EPSILON)


def forward_large_epsilon():
    """4 units, 6 examples with row variances near 1, epsilon 0.1: an epsilon fixed at 1e-8 changes every row."""
    rng = np.random.RandomState(23)
    Z = rng.randn(4, 6)
    gamma = rng.randn(4, 1)
    beta = rng.randn(4, 1)
    return (Z, gamma, beta, 0.1)


# batchnorm_backward(dZ_tilde, cache)

def backward_notebook():
    """The notebook's cell: np.random.seed(3); Z (3, 6), gamma, beta (3, 1), dZ_tilde (3, 6); epsilon 1e-8."""
    rng = np.random.RandomState(3)
    Z = rng.randn(3, 6)
    gamma = rng.randn(3, 1)
    beta = rng.randn(3, 1)
    dZ_tilde = rng.randn(3, 6)
    return (dZ_tilde, _batchnorm_cache(Z, gamma, beta, EPSILON))


def backward_wide():
    """2 units, 12 examples, Z with mean 1 and std 2."""
    rng = np.random.RandomState(31)
    Z, gamma, beta, dZ_tilde = 2.0 * rng.randn(2, 12) + 1.0, rng.randn(2, 1), rng.randn(2, 1), rng.randn(2, 12)
    return (dZ_tilde, _batchnorm_cache(Z, gamma, beta, EPSILON))


def backward_small_variance():
    """3 units, 8 examples; the first row's variance (~1e-10) is smaller than epsilon (1e-8)."""
    rng = np.random.RandomState(32)
    Z, gamma, beta = _small_variance_layer(rng)
    dZ_tilde = rng.randn(3, 8)
    return (dZ_tilde, _batchnorm_cache(Z, gamma, beta, EPSILON))
