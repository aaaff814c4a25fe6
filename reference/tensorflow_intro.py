"""Reference for the week-3 "TensorFlow Tutorial" assignment, written in NumPy.

Students write graph-mode TensorFlow (`tensorflow.compat.v1`); the sandbox of the `tensorflow` environment
turns what their functions return into NumPy values and descriptions (sandbox/frameworks.py), and these
functions compute the same values and descriptions with NumPy, under the course's names and signatures.

- Values (`linear_function`, `sigmoid`, `cost`, `one_hot_matrix`, `ones`, `forward_propagation`,
  `compute_cost`) are computed as the course's TensorFlow code computes them (float32 where the course feeds
  float32 placeholders).
- A placeholder is described as {"name", "dtype", "shape"} and a variable adds "init", the distribution its
  initial values come from: NumPy cannot reproduce TensorFlow's seeded initialisers, so
  `initialize_parameters` names them ("glorot_uniform" for the course's Xavier initializer, "zeros").
"""
import numpy as np

# The course's three-layer network for the SIGNS images: 64 * 64 * 3 = 12288 inputs, 25 and 12 hidden units,
# 6 classes (initialize_parameters' docstring in the notebook).
LAYER_SHAPES = {"W1": (25, 12288), "b1": (25, 1), "W2": (12, 25), "b2": (12, 1), "W3": (6, 12), "b3": (6, 1)}


def describe(name, shape, dtype="float32"):
    """What the sandbox reports for a placeholder or variable: TensorFlow's tensor name ("X:0"), its dtype and
    its static shape as a tuple with None for an unknown dimension."""
    return {"name": name + ":0", "dtype": dtype, "shape": str(tuple(shape))}


def linear_function():
    """Y = WX + b with W (4, 3), X (3, 1), b (4, 1) drawn in that order after np.random.seed(1)
    (X first, as the notebook does); returns Y, shape (4, 1)."""
    np.random.seed(1)
    X = np.random.randn(3, 1)
    W = np.random.randn(4, 3)
    b = np.random.randn(4, 1)
    return np.dot(W, X) + b


def sigmoid(z):
    """Sigmoid of z, computed in float32 as the notebook's `tf.placeholder(tf.float32)` does."""
    x = np.asarray(z, dtype=np.float32)
    return (1 / (1 + np.exp(-x))).astype(np.float32)


def cost(logits, labels):
    """Elementwise sigmoid cross-entropy of logits z and labels y, as `tf.nn.sigmoid_cross_entropy_with_logits`
    computes it in float32: max(z, 0) - z * y + log(1 + exp(-|z|)). Shape of logits."""
    z = np.asarray(logits, dtype=np.float32)
    y = np.asarray(labels, dtype=np.float32)
    return (np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))).astype(np.float32)


def one_hot_matrix(labels, C):
    """(C, m) float32 matrix whose column j is 1 in row labels[j]: `tf.one_hot(labels, C, axis=0)`."""
    labels = np.asarray(labels).reshape(-1)
    one_hot = np.zeros((C, labels.size), dtype=np.float32)
    inside = (labels >= 0) & (labels < C)  # tf.one_hot leaves a column of zeros for a label out of range
    one_hot[labels[inside], np.arange(labels.size)[inside]] = 1
    return one_hot


def ones(shape):
    """float32 ones of the given shape, as `tf.ones(shape)`."""
    return np.ones(shape, dtype=np.float32)


def create_placeholders(n_x, n_y):
    """Placeholders X (n_x, None) and Y (n_y, None), float32, named "X" and "Y": the number of examples stays
    open so one graph takes mini-batches and whole sets alike."""
    return describe("X", (n_x, None)), describe("Y", (n_y, None))


def initialize_parameters():
    """W1, W2, W3 drawn by Xavier/Glorot uniform, b1, b2, b3 zeros, float32, with LAYER_SHAPES."""
    return {name: {**describe(name, shape), "init": "zeros" if name.startswith("b") else "glorot_uniform"}
            for name, shape in LAYER_SHAPES.items()}


def forward_propagation(X, parameters):
    """LINEAR -> RELU -> LINEAR -> RELU -> LINEAR; returns Z3 (n_y, m), the logits before the softmax."""
    W1, b1 = parameters["W1"], parameters["b1"]
    W2, b2 = parameters["W2"], parameters["b2"]
    W3, b3 = parameters["W3"], parameters["b3"]
    A1 = np.maximum(np.dot(W1, X) + b1, 0)
    A2 = np.maximum(np.dot(W2, A1) + b2, 0)
    return np.dot(W3, A2) + b3


def compute_cost(Z3, Y):
    """Mean over the m examples of the softmax cross-entropy of logits Z3 (n_y, m) against one-hot Y (n_y, m),
    as tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=Z3.T, labels=Y.T))."""
    shifted = Z3 - np.max(Z3, axis=0, keepdims=True)
    log_softmax = shifted - np.log(np.sum(np.exp(shifted), axis=0, keepdims=True))
    return np.mean(-np.sum(Y * log_softmax, axis=0))
