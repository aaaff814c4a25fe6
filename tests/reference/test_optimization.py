"""The reference reproduces the numbers the course notebook printed (seeds 000 and 002)."""
import numpy as np

from assignments.optimization import testCases
from reference import optimization as ref

RTOL = 1e-5

PUBLISHED_GD = {
    "W1": [[1.63535156, -0.62320365, -0.53718766], [-1.07799357, 0.85639907, -2.29470142]],
    "b1": [[1.74604067], [-0.75184921]],
    "W2": [[0.32171798, -0.25467393, 1.46902454], [-2.05617317, -0.31554548, -0.3756023],
           [1.1404819, -1.09976462, -0.1612551]],
    "b2": [[-0.88020257], [0.02561572], [0.57539477]],
}

PUBLISHED_MOMENTUM = {
    "W1": [[1.62544598, -0.61290114, -0.52907334], [-1.07347112, 0.86450677, -2.30085497]],
    "b1": [[1.74493465], [-0.76027113]],
    "W2": [[0.31930698, -0.24990073, 1.4627996], [-2.05974396, -0.32173003, -0.38320915],
           [1.13444069, -1.0998786, -0.1713109]],
    "b2": [[-0.87809283], [0.04055394], [0.58207317]],
}

# Momentum and Adam print the same first moments: both start from zero with beta 0.9.
PUBLISHED_V = {
    "dW1": [[-0.11006192, 0.11447237, 0.09015907], [0.05024943, 0.09008559, -0.06837279]],
    "db1": [[-0.01228902], [-0.09357694]],
    "dW2": [[-0.02678881, 0.05303555, -0.06916608], [-0.03967535, -0.06871727, -0.08452056],
            [-0.06712461, -0.00126646, -0.11173103]],
    "db2": [[0.02344157], [0.16598022], [0.07420442]],
}

PUBLISHED_ADAM = {
    "W1": [[1.63178673, -0.61919778, -0.53561312], [-1.08040999, 0.85796626, -2.29409733]],
    "b1": [[1.75225313], [-0.75376553]],
    "W2": [[0.32648046, -0.25681174, 1.46954931], [-2.05269934, -0.31497584, -0.37661299],
           [1.14121081, -1.09244991, -0.16498684]],
    "b2": [[-0.88529979], [0.03477238], [0.57537385]],
}

PUBLISHED_ADAM_S = {
    "dW1": [[0.00121136, 0.00131039, 0.00081287], [0.0002525, 0.00081154, 0.00046748]],
    "db1": [[1.51020075e-05], [8.75664434e-04]],
    "dW2": [[7.17640232e-05, 2.81276921e-04, 4.78394595e-04],
            [1.57413361e-04, 4.72206320e-04, 7.14372576e-04],
            [4.50571368e-04, 1.60392066e-07, 1.24838242e-03]],
    "db2": [[5.49507194e-05], [2.75494327e-03], [5.50629536e-04]],
}

ZERO_SHAPES = {"dW1": (2, 3), "db1": (2, 1), "dW2": (3, 3), "db2": (3, 1)}


def assert_published(actual, published):
    assert sorted(actual) == sorted(published)
    for name, values in published.items():
        np.testing.assert_allclose(actual[name], np.array(values), rtol=RTOL, err_msg=name)


def assert_zeros(actual):
    assert sorted(actual) == sorted(ZERO_SHAPES)
    for name, shape in ZERO_SHAPES.items():
        assert actual[name].shape == shape, name
        assert not actual[name].any(), name


def test_update_parameters_with_gd_reproduces_published_W1_b1_W2_b2():
    parameters, grads, learning_rate = testCases.update_parameters_with_gd_test_case()
    parameters = ref.update_parameters_with_gd(parameters, grads, learning_rate)
    assert_published(parameters, PUBLISHED_GD)


def test_random_mini_batches_published_shapes_and_sanity_check():
    X_assess, Y_assess, mini_batch_size = testCases.random_mini_batches_test_case()
    mini_batches = ref.random_mini_batches(X_assess, Y_assess, mini_batch_size)
    assert [batch_X.shape for batch_X, _ in mini_batches] == [(12288, 64), (12288, 64), (12288, 20)]
    assert [batch_Y.shape for _, batch_Y in mini_batches] == [(1, 64), (1, 64), (1, 20)]
    np.testing.assert_allclose(mini_batches[0][0][0][0:3], [0.90085595, -0.7612069, 0.2344157], rtol=RTOL)


def test_initialize_velocity_published_zeros():
    v = ref.initialize_velocity(testCases.initialize_velocity_test_case())
    assert_zeros(v)


def test_update_parameters_with_momentum_reproduces_published_W1_b1_W2_b2():
    parameters, grads, v = testCases.update_parameters_with_momentum_test_case()
    parameters, v = ref.update_parameters_with_momentum(parameters, grads, v, beta=0.9, learning_rate=0.01)
    assert_published(parameters, PUBLISHED_MOMENTUM)


def test_update_parameters_with_momentum_reproduces_published_velocities():
    parameters, grads, v = testCases.update_parameters_with_momentum_test_case()
    parameters, v = ref.update_parameters_with_momentum(parameters, grads, v, beta=0.9, learning_rate=0.01)
    assert_published(v, PUBLISHED_V)


def test_initialize_adam_published_zeros():
    v, s = ref.initialize_adam(testCases.initialize_adam_test_case())
    assert_zeros(v)
    assert_zeros(s)


def test_update_parameters_with_adam_reproduces_published_W1_b1_W2_b2():
    parameters, grads, v, s = testCases.update_parameters_with_adam_test_case()
    parameters, v, s = ref.update_parameters_with_adam(parameters, grads, v, s, t=2)
    assert_published(parameters, PUBLISHED_ADAM)


def test_update_parameters_with_adam_reproduces_published_v():
    parameters, grads, v, s = testCases.update_parameters_with_adam_test_case()
    parameters, v, s = ref.update_parameters_with_adam(parameters, grads, v, s, t=2)
    assert_published(v, PUBLISHED_V)


def test_update_parameters_with_adam_reproduces_published_s():
    parameters, grads, v, s = testCases.update_parameters_with_adam_test_case()
    parameters, v, s = ref.update_parameters_with_adam(parameters, grads, v, s, t=2)
    assert_published(s, PUBLISHED_ADAM_S)


def test_reference_imports_only_numpy_and_math_at_top():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(ref))
    imported = {alias.name for node in tree.body if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in tree.body if isinstance(node, ast.ImportFrom)}
    assert imported <= {"numpy", "math"}
