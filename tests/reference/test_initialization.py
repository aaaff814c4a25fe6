"""The reference reproduces the numbers the course notebook printed (seeds 000 and 004)."""
import ast
import inspect
import sys

import numpy as np
import pytest

from assignments.initialization import init_utils, spec
from reference import initialization as ref

RTOL = 1e-5

PUBLISHED_ZEROS = {"W1": np.zeros((2, 3)), "b1": np.zeros((2, 1)), "W2": np.zeros((1, 2)), "b2": np.zeros((1, 1))}

PUBLISHED_RANDOM = {
    "W1": [[17.88628473, 4.36509851, 0.96497468], [-18.63492703, -2.77388203, -3.54758979]],
    "b1": [[0.], [0.]],
    "W2": [[-0.82741481, -6.27000677]],
    "b2": [[0.]],
}

PUBLISHED_HE = {
    "W1": [[1.78862847, 0.43650985], [0.09649747, -1.8634927], [-0.2773882, -0.35475898],
           [-0.08274148, -0.62700068]],
    "b1": [[0.], [0.], [0.], [0.]],
    "W2": [[-0.03098412, -0.33744411, -0.92904268, 0.62552248]],
    "b2": [[0.]],
}

# "Cost after iteration 0, 1000, ..., 14000" of model(train_X, train_Y, initialization=...).
PUBLISHED_ZEROS_COSTS = [0.6931471805599453] * 15

PUBLISHED_RANDOM_COSTS = [
    np.inf, 0.6250884962121392, 0.5981371467489438, 0.5638539771863162, 0.5501704762630747,
    0.5444592806792145, 0.5374509252365552, 0.4760640415643904, 0.3978146724300182, 0.3934785833165248,
    0.3920322287285902, 0.38924754816043866, 0.38615976417756703, 0.38498687252939306, 0.38278602219555746,
]

PUBLISHED_HE_COSTS = [
    0.8830537463419761, 0.6879825919728063, 0.6751286264523371, 0.6526117768893807, 0.6082958970572938,
    0.5304944491717495, 0.4138645817071795, 0.3117803464844414, 0.2369621533032257, 0.18597287209206845,
    0.1501555628037181, 0.12325079292273548, 0.09917746546525937, 0.08457055954024273, 0.07357895962677366,
]

# Large random weights saturate the sigmoid, so the BLAS's rounding steers the trajectory:
# the costs are compared as a trajectory, the accuracies (the outcome) exactly.
RANDOM_COSTS_RTOL = 0.05


def assert_published(actual, published):
    assert sorted(actual) == sorted(published)
    for name, values in published.items():
        assert actual[name].shape == np.shape(values), name
        np.testing.assert_allclose(actual[name], np.array(values), rtol=RTOL, err_msg=name)


@pytest.fixture(scope="module")
def trained():
    """The notebook's three trainings, run once: {initialization: (parameters, costs)}."""
    namespace = dict(vars(ref))
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(sys.modules, "init_utils", init_utils)
        source = (spec.FOLDER / "supplied.py").read_text()
        exec(compile(source, "supplied.py", "exec"), namespace)
    train_X, train_Y = init_utils.read_circles(init_utils.TRAIN_PATH, "train")
    return {name: namespace["gradebox_train_model"](train_X, train_Y, 0.01, 15000, name)
            for name in ("zeros", "random", "he")}


def accuracies(parameters):
    metrics = spec.evaluate(parameters)
    return metrics["train_accuracy"], metrics["test_accuracy"]


def test_initialize_parameters_zeros_reproduces_published_W1_b1_W2_b2():
    assert_published(ref.initialize_parameters_zeros([3, 2, 1]), PUBLISHED_ZEROS)


def test_initialize_parameters_random_reproduces_published_W1_b1_W2_b2():
    assert_published(ref.initialize_parameters_random([3, 2, 1]), PUBLISHED_RANDOM)


def test_initialize_parameters_he_reproduces_published_W1_b1_W2_b2():
    assert_published(ref.initialize_parameters_he([2, 4, 1]), PUBLISHED_HE)


def test_circles_have_the_course_shapes_and_balanced_labels():
    train_X, train_Y, test_X, test_Y = init_utils.load_dataset()
    assert (train_X.shape, train_Y.shape, test_X.shape, test_Y.shape) == ((2, 300), (1, 300), (2, 100), (1, 100))
    assert train_Y.sum() == 150 and test_Y.sum() == 50


def test_stored_circles_are_what_make_circles_draws_with_the_course_seeds():
    from assignments.initialization.build_dataset import draw_circles

    stored = (*init_utils.read_circles(init_utils.TRAIN_PATH, "train"),
              *init_utils.read_circles(init_utils.TEST_PATH, "test"))
    for drawn, stored in zip(draw_circles(), stored):
        np.testing.assert_array_equal(drawn, stored)


@pytest.mark.slow
def test_zeros_model_reproduces_published_costs_and_accuracies(trained):
    parameters, costs = trained["zeros"]
    np.testing.assert_allclose(costs, PUBLISHED_ZEROS_COSTS, rtol=RTOL)
    assert accuracies(parameters) == (0.5, 0.5)


@pytest.mark.slow
def test_random_model_reproduces_published_accuracies_and_cost_trajectory(trained):
    parameters, costs = trained["random"]
    assert accuracies(parameters) == (0.83, 0.86)
    assert costs[0] == np.inf
    np.testing.assert_allclose(costs[1:], PUBLISHED_RANDOM_COSTS[1:], rtol=RANDOM_COSTS_RTOL)


@pytest.mark.slow
def test_he_model_reproduces_published_costs_and_accuracies(trained):
    parameters, costs = trained["he"]
    np.testing.assert_allclose(costs, PUBLISHED_HE_COSTS, rtol=RTOL)
    train_accuracy, test_accuracy = accuracies(parameters)
    assert train_accuracy == pytest.approx(0.9933333333333333) and test_accuracy == 0.96


def test_reference_imports_only_numpy_at_top():
    tree = ast.parse(inspect.getsource(ref))
    imported = {alias.name for node in tree.body if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in tree.body if isinstance(node, ast.ImportFrom)}
    assert imported <= {"numpy", "math"}
