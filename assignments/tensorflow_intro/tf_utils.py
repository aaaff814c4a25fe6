"""The course's helper module for the TensorFlow Tutorial, as students import it (`from tf_utils import ...`).

The course's SIGNS images (hand signs of 0 to 5) are not available here; the data set is a stand-in of the same
shape made by build_dataset.py from scikit-learn's bundled handwritten digits 0 to 5: `digits_train.h5` (a job
file) and the held-out `digits_test.h5` (trusted side only), with the SIGNS files' dataset names.
"""
import math

import h5py
import numpy as np

TRAIN_FILE = "digits_train.h5"
TEST_FILE = "digits_test.h5"


def load_dataset(train_file=TRAIN_FILE, test_file=TEST_FILE):
    """Returns X_train_orig (m, 64, 64, 3) uint8, Y_train_orig (1, m), X_test_orig, Y_test_orig, classes.

    Inside the sandbox the held-out file is absent: the test part is then empty (0 examples).
    """
    with h5py.File(train_file, "r") as train:
        X_train_orig = np.array(train["train_set_x"][:])
        Y_train_orig = np.array(train["train_set_y"][:]).reshape(1, -1)
        classes = np.array(train["list_classes"][:])
    try:
        with h5py.File(test_file, "r") as test:
            X_test_orig = np.array(test["test_set_x"][:])
            Y_test_orig = np.array(test["test_set_y"][:]).reshape(1, -1)
    except OSError:
        X_test_orig = np.zeros((0,) + X_train_orig.shape[1:], dtype=X_train_orig.dtype)
        Y_test_orig = np.zeros((1, 0), dtype=Y_train_orig.dtype)
    return X_train_orig, Y_train_orig, X_test_orig, Y_test_orig, classes


def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
    """Shuffles the m columns of X (n_x, m) and Y (n_y, m) with np.random.seed(seed), then cuts them into
    mini-batches of mini_batch_size columns, the last one smaller when m is not a multiple.
    Returns a list of (mini_batch_X, mini_batch_Y)."""
    m = X.shape[1]
    np.random.seed(seed)
    permutation = list(np.random.permutation(m))
    shuffled_X = X[:, permutation]
    shuffled_Y = Y[:, permutation].reshape((Y.shape[0], m))
    mini_batches = []
    complete = math.floor(m / mini_batch_size)
    for k in range(complete):
        columns = slice(k * mini_batch_size, (k + 1) * mini_batch_size)
        mini_batches.append((shuffled_X[:, columns], shuffled_Y[:, columns]))
    if m % mini_batch_size != 0:
        mini_batches.append((shuffled_X[:, complete * mini_batch_size:], shuffled_Y[:, complete * mini_batch_size:]))
    return mini_batches


def convert_to_one_hot(Y, C):
    """Labels Y (1, m) in 0..C-1 to a one-hot matrix (C, m)."""
    return np.eye(C)[np.asarray(Y).reshape(-1)].T


def forward_propagation_for_predict(X, parameters):
    """LINEAR -> RELU -> LINEAR -> RELU -> LINEAR in TensorFlow, from trained NumPy parameters."""
    import tensorflow.compat.v1 as tf

    Z1 = tf.add(tf.matmul(parameters["W1"], X), parameters["b1"])
    A1 = tf.nn.relu(Z1)
    Z2 = tf.add(tf.matmul(parameters["W2"], A1), parameters["b2"])
    A2 = tf.nn.relu(Z2)
    return tf.add(tf.matmul(parameters["W3"], A2), parameters["b3"])


def predict(X, parameters):
    """The class (0..5) of each column of X (12288, m), given the trained parameters (NumPy arrays)."""
    import tensorflow.compat.v1 as tf

    graph = tf.Graph()
    with graph.as_default():
        weights = {name: tf.convert_to_tensor(value, dtype=tf.float32) for name, value in parameters.items()}
        x = tf.placeholder(tf.float32, [X.shape[0], None], name="x")
        prediction = tf.argmax(forward_propagation_for_predict(x, weights))
        with tf.Session(graph=graph) as sess:
            return sess.run(prediction, feed_dict={x: X})
