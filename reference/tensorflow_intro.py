"""Reference for the week-3 "TensorFlow Tutorial" assignment: NumPy where the value is all that counts, the
course's TensorFlow where the graph itself is graded.

Students write graph-mode TensorFlow (`tensorflow.compat.v1`); the sandbox of the `tensorflow` environment
turns what their functions return into NumPy values and descriptions (sandbox/frameworks.py), and the reference
is graded the same way, under the course's names and signatures.

- Values (`linear_function`, `sigmoid`, `cost`, `one_hot_matrix`, `ones`) are computed with NumPy as the
  course's TensorFlow code computes them (float32 where the course feeds float32 placeholders), so the host's
  tests hold them to the published numbers.
- `create_placeholders`, `initialize_parameters`, `forward_propagation` and `compute_cost` build the graph the
  course's `model` trains (the model check trains it with them), so they are the course's TensorFlow code,
  importing TensorFlow when called (only the sandbox has it). The sandbox describes a placeholder by name,
  dtype and shape and a variable also by the distribution of its initial values ("glorot_uniform", "zeros"),
  and runs the tensors forward_propagation and compute_cost return on the placeholders and variables it made.
"""
import numpy as np

# The course's three-layer network for the SIGNS images: 64 * 64 * 3 = 12288 inputs, 25 and 12 hidden units,
# 6 classes (initialize_parameters' docstring in the notebook).
LAYER_SHAPES = {"W1": (25, 12288), "b1": (25, 1), "W2": (12, 25), "b2": (12, 1), "W3": (6, 12), "b3": (6, 1)}


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
    open so one graph takes mini-batches and whole sets alike. The sandbox describes each as
    {"name": "X:0", "dtype": "float32", "shape": "(n_x, None)"}."""
    import tensorflow.compat.v1 as tf

    X = tf.placeholder(tf.float32, shape=[n_x, None], name="X")
    Y = tf.placeholder(tf.float32, shape=[n_y, None], name="Y")
    return X, Y


def initialize_parameters():
    """W1, W2, W3 drawn by Xavier/Glorot uniform (seed 1), b1, b2, b3 zeros, float32, with LAYER_SHAPES; the
    sandbox describes each variable by name, dtype, shape and the distribution of its initial values."""
    import tensorflow.compat.v1 as tf

    tf.set_random_seed(1)
    return {name: tf.get_variable(name, list(shape),
                                  initializer=tf.zeros_initializer() if name.startswith("b")
                                  else tf.initializers.glorot_uniform(seed=1))
            for name, shape in LAYER_SHAPES.items()}


def forward_propagation(X, parameters):
    """LINEAR -> RELU -> LINEAR -> RELU -> LINEAR on the placeholder X (n_x, m) and the variables of
    `parameters`; returns the tensor Z3 (n_y, m), the logits before the softmax."""
    import tensorflow.compat.v1 as tf

    Z1 = tf.add(tf.matmul(parameters["W1"], X), parameters["b1"])
    A1 = tf.nn.relu(Z1)
    Z2 = tf.add(tf.matmul(parameters["W2"], A1), parameters["b2"])
    A2 = tf.nn.relu(Z2)
    return tf.add(tf.matmul(parameters["W3"], A2), parameters["b3"])


def compute_cost(Z3, Y):
    """The tensor of the mean over the m examples of the softmax cross-entropy of logits Z3 (n_y, m) against
    one-hot Y (n_y, m); TensorFlow wants one example per row, hence the transposes."""
    import tensorflow.compat.v1 as tf

    logits = tf.transpose(Z3)
    labels = tf.transpose(Y)
    return tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=logits, labels=labels))
