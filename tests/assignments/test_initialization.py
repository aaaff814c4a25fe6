"""What is particular to "Initialization" (assignments/initialization); test_bundles.py checks the rest.

The reference reproduces the numbers the course printed (seeds 000 and 004;
docs/seed-numbers.md): the three initializations on the published cases and,
trained by the supplied driver for 15000 iterations (slow), the published costs
and accuracies on the course's circles.
"""
from __future__ import annotations

import h5py
import numpy as np
import pytest

from assignments.initialization.build_dataset import draw_circles
from grader.grading import classifier
from tests.assignments.bundle_code import (
    assert_course_functions, assert_job_files, assert_published, assert_starter_imports, code, code_cells,
    trained_by_the_reference,
)

INIT = code("initialization")
BUNDLE = INIT.bundle
GRADED = ("initialize_parameters_zeros", "initialize_parameters_random", "initialize_parameters_he")
CHECKS = {check.id: check for check in BUNDLE.model_checks}

PUBLISHED_ZEROS = {"W1": np.zeros((2, 3)), "b1": np.zeros((2, 1)), "W2": np.zeros((1, 2)), "b2": np.zeros((1, 1))}
PUBLISHED_RANDOM = {
    "W1": [[17.88628473, 4.36509851, 0.96497468], [-18.63492703, -2.77388203, -3.54758979]],
    "b1": [[0.], [0.]],
    "W2": [[-0.82741481, -6.27000677]],
    "b2": [[0.]],
}
PUBLISHED_HE = {
    "W1": [[1.78862847, 0.43650985], [0.09649747, -1.8634927], [-0.2773882, -0.35475898], [-0.08274148, -0.62700068]],
    "b1": [[0.], [0.], [0.], [0.]],
    "W2": [[-0.03098412, -0.33744411, -0.92904268, 0.62552248]],
    "b2": [[0.]],
}
PUBLISHED = dict(zip(GRADED, (PUBLISHED_ZEROS, PUBLISHED_RANDOM, PUBLISHED_HE)))

# "Cost after iteration 0, 1000, ..., 14000" of model(train_X, train_Y, initialization=...), and the accuracies.
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
# the random run's costs are compared as a trajectory, the accuracies (the outcome) exactly.
RANDOM_COSTS_RTOL = 0.05


def test_the_three_course_functions_are_graded_for_three_points():
    assert_course_functions(BUNDLE, GRADED, 3)


def test_jobs_receive_the_helpers_and_the_training_set_but_never_the_test_set():
    assert_job_files(BUNDLE, {"init_utils.py", "circles_train.h5"}, ["circles_test.h5"])
    with h5py.File(BUNDLE.folder / "circles_train.h5", "r") as f:
        assert sorted(f) == ["train_X", "train_Y"]


@pytest.mark.parametrize("name", GRADED)
def test_the_reference_reproduces_the_published_W1_b1_W2_b2(name):
    assert_published(INIT.expected(name, INIT.case(name, "published")), PUBLISHED[name])


@pytest.mark.parametrize("name", GRADED)
def test_the_reference_gives_W_of_shape_n_l_by_n_l_minus_1_and_zero_b_on_every_case(name):
    for case in BUNDLE.function(name).cases:
        (layers_dims,) = INIT.inputs(case)
        parameters = INIT.expected(name, case)
        shapes = {f"W{l}": (layers_dims[l], layers_dims[l - 1]) for l in range(1, len(layers_dims))}
        shapes.update({f"b{l}": (layers_dims[l], 1) for l in range(1, len(layers_dims))})
        assert {key: value.shape for key, value in parameters.items()} == shapes, case.id
        assert not any(parameters[f"b{l}"].any() for l in range(1, len(layers_dims))), case.id


def test_catalogue_covers_the_agreed_mistakes_with_three_per_function():
    assert {"he_xavier_scaling", "he_scaled_by_current_layer", "random_without_times_10", "zeros_bias_shape_n",
            "he_bias_shape_n"} <= {mistake.key for mistake in BUNDLE.mistakes}
    assert all(sum(m.function == name for m in BUNDLE.mistakes) >= 3 for name in GRADED)


# The course's init_utils and circles

def test_circles_are_make_circles_with_the_course_seeds_in_the_course_shapes():
    init_utils = INIT.module("init_utils")
    stored = (*init_utils.read_circles(init_utils.TRAIN_PATH, "train"), *classifier.read_data(CHECKS["he"].test))
    assert [array.shape for array in stored] == [(2, 300), (1, 300), (2, 100), (1, 100)]
    assert stored[1].sum() == 150 and stored[3].sum() == 50
    for drawn, kept in zip(draw_circles(), stored):
        np.testing.assert_array_equal(drawn, kept)


def test_load_dataset_in_a_job_says_the_test_file_is_missing():
    with pytest.raises(FileNotFoundError, match="circles_test.h5"):
        INIT.call(INIT.module("init_utils").load_dataset)


def test_init_utils_trains_a_step_the_way_model_does_from_the_published_first_cost():
    init_utils = INIT.module("init_utils")
    X, Y = init_utils.read_circles(init_utils.TRAIN_PATH, "train")
    parameters = INIT.call(INIT.reference.initialize_parameters_he, [2, 10, 5, 1])
    a3, cache = init_utils.forward_propagation(X, parameters)
    grads = init_utils.backward_propagation(X, Y, cache)
    parameters = init_utils.update_parameters(parameters, grads, 0.01)
    assert a3.shape == (1, 300) and init_utils.compute_loss(a3, Y) == pytest.approx(PUBLISHED_HE_COSTS[0])
    assert all(grads["d" + name].shape == value.shape for name, value in parameters.items())


# The model checks: the notebook's model trained with each initialization

@pytest.mark.parametrize("check_id", sorted(CHECKS))
def test_model_check_trains_on_the_training_set_with_the_course_defaults_and_returns_a_cost_every_1000(check_id):
    check = CHECKS[check_id]
    X, Y, learning_rate, num_iterations, initialization = INIT.inputs(check)
    train_X, train_Y = classifier.read_data(check.train)
    np.testing.assert_array_equal(X, train_X)
    np.testing.assert_array_equal(Y, train_Y)
    assert (learning_rate, num_iterations, initialization) == (0.01, 15000, check_id)
    assert check.depends_on == (f"initialize_parameters_{check_id}",)
    parameters, costs = INIT.call(INIT.drivers()[check.driver], *INIT.brief_args(check, 2001))
    assert len(costs) == 3 and all(type(cost) is float for cost in costs)
    assert set(classifier.evaluate(check, parameters)) == {threshold.metric for threshold in check.thresholds}


def _accuracies(check_id):
    metrics = classifier.evaluate(CHECKS[check_id], trained_by_the_reference("initialization", check_id)[0])
    for threshold in CHECKS[check_id].thresholds:
        assert threshold.holds(metrics[threshold.metric]), (threshold, metrics)
    return metrics["train_accuracy"], metrics["test_accuracy"]


@pytest.mark.slow
def test_zeros_model_reproduces_published_costs_and_accuracies():
    np.testing.assert_allclose(trained_by_the_reference("initialization", "zeros")[1], PUBLISHED_ZEROS_COSTS, rtol=1e-5)
    assert _accuracies("zeros") == (0.5, 0.5)


@pytest.mark.slow
def test_random_model_reproduces_published_accuracies_and_cost_trajectory():
    costs = trained_by_the_reference("initialization", "random")[1]
    assert costs[0] == np.inf
    np.testing.assert_allclose(costs[1:], PUBLISHED_RANDOM_COSTS[1:], rtol=RANDOM_COSTS_RTOL)
    assert _accuracies("random") == (0.83, 0.86)


@pytest.mark.slow
def test_he_model_reproduces_published_costs_and_accuracies():
    np.testing.assert_allclose(trained_by_the_reference("initialization", "he")[1], PUBLISHED_HE_COSTS, rtol=1e-5)
    train_accuracy, test_accuracy = _accuracies("he")
    assert train_accuracy == pytest.approx(0.9933333333333333) and test_accuracy == 0.96


# The starter notebook

def test_starter_imports_the_course_helpers_and_loads_the_circles():
    assert_starter_imports(
        BUNDLE, ("import numpy as np", "import sklearn.datasets", "%matplotlib inline",
                 "train_X, train_Y, test_X, test_Y = load_dataset()"),
        ("sigmoid", "relu", "compute_loss", "forward_propagation", "backward_propagation", "update_parameters",
         "predict", "load_dataset", "plot_decision_boundary", "predict_dec"), "init_utils")


def test_starter_has_the_model_before_the_graded_cells_and_one_training_cell_per_initialization():
    cells = code_cells(BUNDLE)
    first_graded = min(i for i, source in enumerate(cells) if source.startswith("# GRADED FUNCTION"))
    assert any(source.startswith("def model(") for source in cells[:first_graded])
    for initialization in ("zeros", "random", "he"):
        assert sum(f'model(train_X, train_Y, initialization = "{initialization}")' in s for s in cells) == 1
