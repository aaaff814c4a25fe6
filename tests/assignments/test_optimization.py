"""What is particular to "Optimization methods" (assignments/optimization); test_bundles.py checks the rest.

The reference reproduces the numbers the course notebook printed (seeds 000,
002 and 004; docs/seed-numbers.md) on the published cases and, trained by the
supplied driver (slow), the published costs and training accuracies; the moons
are the course's; the cases and mistakes do what they are there for.
"""
from __future__ import annotations

import os

import h5py
import numpy as np
import pytest

from assignments.optimization import build_dataset
from grader.grading import classifier
from grader.grading.supplied import driver_code, supplied_code
from tests.assignments.bundle_code import (
    assert_course_functions, assert_job_files, assert_published, assert_starter_imports, code, code_cells, matches,
    trained_by_the_reference,
)

OPT = code("optimization")
BUNDLE = OPT.bundle
GRADED = ("update_parameters_with_gd", "random_mini_batches", "initialize_velocity",
          "update_parameters_with_momentum", "initialize_adam", "update_parameters_with_adam")
CHECKS = {check.id: check for check in BUNDLE.model_checks}
SHAPES = {"dW1": (2, 3), "db1": (2, 1), "dW2": (3, 3), "db2": (3, 1)}

# Momentum and Adam print the same first moments: both start from zero with beta 0.9.
PUBLISHED_V = {
    "dW1": [[-0.11006192, 0.11447237, 0.09015907], [0.05024943, 0.09008559, -0.06837279]],
    "db1": [[-0.01228902], [-0.09357694]],
    "dW2": [[-0.02678881, 0.05303555, -0.06916608], [-0.03967535, -0.06871727, -0.08452056], [-0.06712461, -0.00126646, -0.11173103]],
    "db2": [[0.02344157], [0.16598022], [0.07420442]],
}
# "Cost after epoch 0, 1000, ..., 9000" and "Accuracy" of the notebook's three runs (seed 000:2642-2742).
PUBLISHED_MODELS = {
    "gd": ([0.690736, 0.685273, 0.647072, 0.619525, 0.576584, 0.607243, 0.529403, 0.460768, 0.465586, 0.464518],
           0.7966666666666666),
    "momentum": ([0.690741, 0.685341, 0.647145, 0.619594, 0.576665, 0.607324, 0.529476, 0.460936, 0.465780, 0.464740],
                 0.7966666666666666),
    "adam": ([0.690552, 0.185567, 0.150852, 0.074454, 0.125936, 0.104235, 0.100552, 0.031601, 0.111709, 0.197648], 0.94),
}


def published(name: str):
    return OPT.expected(name, OPT.case(name, "published"))


def assert_zeros(moments: dict) -> None:
    assert {name: value.shape for name, value in moments.items()} == SHAPES
    assert not any(value.any() for value in moments.values())


def test_the_six_course_functions_are_graded_for_ten_points():
    assert_course_functions(BUNDLE, GRADED, 10)


def test_jobs_receive_the_helpers_and_the_training_set_but_never_the_held_out_set():
    assert_job_files(BUNDLE, {"opt_utils.py", "testCases.py", "moons_train.h5"}, ["moons_test.h5"])
    with h5py.File(BUNDLE.folder / "moons_train.h5", "r") as f:
        assert sorted(f) == ["train_X", "train_Y"]
    for check in BUNDLE.model_checks:
        assert (check.train.file.name, check.test.file.name) == ("moons_train.h5", "moons_test.h5")


# The notebook's printed outputs (graded case "published", rtol 1e-5)

def test_update_parameters_with_gd_reproduces_published_W1_b1_W2_b2():
    published_gd = {
        "W1": [[1.63535156, -0.62320365, -0.53718766], [-1.07799357, 0.85639907, -2.29470142]],
        "W2": [[0.32171798, -0.25467393, 1.46902454], [-2.05617317, -0.31554548, -0.3756023], [1.1404819, -1.09976462, -0.1612551]],
        "b1": [[1.74604067], [-0.75184921]], "b2": [[-0.88020257], [0.02561572], [0.57539477]],
    }
    assert_published(published("update_parameters_with_gd"), published_gd)


def test_random_mini_batches_published_shapes_and_sanity_check():
    mini_batches = published("random_mini_batches")
    assert [batch_X.shape for batch_X, _ in mini_batches] == [(12288, 64), (12288, 64), (12288, 20)]
    assert [batch_Y.shape for _, batch_Y in mini_batches] == [(1, 64), (1, 64), (1, 20)]
    np.testing.assert_allclose(mini_batches[0][0][0][0:3], [0.90085595, -0.7612069, 0.2344157], rtol=1e-5)


def test_initialize_velocity_and_initialize_adam_published_zeros():
    assert_zeros(published("initialize_velocity"))
    v, s = published("initialize_adam")
    assert_zeros(v)
    assert_zeros(s)


def test_update_parameters_with_momentum_reproduces_published_parameters_and_velocities():
    published_momentum = {
        "W1": [[1.62544598, -0.61290114, -0.52907334], [-1.07347112, 0.86450677, -2.30085497]],
        "W2": [[0.31930698, -0.24990073, 1.4627996], [-2.05974396, -0.32173003, -0.38320915], [1.13444069, -1.0998786, -0.1713109]],
        "b1": [[1.74493465], [-0.76027113]], "b2": [[-0.87809283], [0.04055394], [0.58207317]],
    }
    parameters, v = published("update_parameters_with_momentum")
    assert_published(parameters, published_momentum)
    assert_published(v, PUBLISHED_V)


def test_update_parameters_with_adam_reproduces_published_parameters_v_and_s():
    published_adam = {
        "W1": [[1.63178673, -0.61919778, -0.53561312], [-1.08040999, 0.85796626, -2.29409733]],
        "W2": [[0.32648046, -0.25681174, 1.46954931], [-2.05269934, -0.31497584, -0.37661299], [1.14121081, -1.09244991, -0.16498684]],
        "b1": [[1.75225313], [-0.75376553]], "b2": [[-0.88529979], [0.03477238], [0.57537385]],
    }
    published_adam_s = {
        "dW1": [[0.00121136, 0.00131039, 0.00081287], [0.0002525, 0.00081154, 0.00046748]],
        "dW2": [[7.17640232e-05, 2.81276921e-04, 4.78394595e-04], [1.57413361e-04, 4.72206320e-04, 7.14372576e-04],
                [4.50571368e-04, 1.60392066e-07, 1.24838242e-03]],
        "db1": [[1.51020075e-05], [8.75664434e-04]], "db2": [[5.49507194e-05], [2.75494327e-03], [5.50629536e-04]],
    }
    parameters, v, s = published("update_parameters_with_adam")
    assert_published(parameters, published_adam)
    assert_published(v, PUBLISHED_V)
    assert_published(s, published_adam_s)


# What the cases and mistakes are there for

def test_random_mini_batches_cases_cover_a_partial_and_an_exact_last_batch():
    remainders = set()
    for case in BUNDLE.function("random_mini_batches").cases:
        X, _, mini_batch_size, *_ = OPT.inputs(case)
        remainders.add(X.shape[1] % mini_batch_size == 0)
    assert remainders == {True, False}


def caught_by(key: str) -> list[str]:
    """The cases of a mistake's function where it fails: a wrong output, or an exception."""
    (mistake,) = [m for m in BUNDLE.mistakes if m.key == key]
    outputs = OPT.mistake_outputs(mistake)
    graded = BUNDLE.function(mistake.function)
    return [case.id for case in graded.cases if case.id not in outputs
            or not matches(OPT.expected(graded.name, case), outputs[case.id], graded.outputs, case)]


def test_epsilon_inside_the_square_root_passes_the_published_case_and_only_a_small_s_tells():
    """Seed 004's Adam step (W2[2][1] -1.09245036, b2[0] -0.88529978) is epsilon inside the square root, digit for
    digit: the course's formula differs from it only where s_corrected is not much larger than epsilon."""
    (mistake,) = [m for m in BUNDLE.mistakes if m.key == "adam_epsilon_inside_sqrt"]
    assert caught_by("adam_epsilon_inside_sqrt") == ["tiny_gradients", "large_epsilon"]
    parameters = OPT.mistake_outputs(mistake)["published"][0]
    np.testing.assert_allclose([parameters["W2"][2][1], parameters["b2"][0][0]], [-1.09245036, -0.88529978],
                               rtol=0, atol=5e-9)
    assert "np.sqrt(s_corrected + epsilon)" in mistake.hint and "np.sqrt(s_corrected) + epsilon" in mistake.hint


@pytest.mark.parametrize("key, cases", [
    ("adam_s_decayed_with_beta1", ["three_layers", "one_layer", "large_epsilon"]),  # s starts at zero elsewhere
    ("adam_bias_correction_with_layer_count", ["three_layers", "tiny_gradients", "one_layer", "large_epsilon"]),
    ("mini_batches_loop_variable_after_loop", ["one_partial_batch"]),  # k is never bound when m < mini_batch_size
    ("mini_batches_slice_from_zero", ["published", "partial_last_batch", "exact_multiple"]),
])
def test_a_mistake_the_published_case_may_miss_is_caught_by_the_case_written_for_it(key, cases):
    assert caught_by(key) == cases


def test_catalogue_covers_the_agreed_mistakes():
    assert {"gd_plus_sign", "mini_batches_y_not_shuffled", "mini_batches_last_batch_dropped", "velocity_wrong_shape",
            "momentum_without_one_minus_beta", "momentum_steps_with_grads", "adam_no_bias_correction", "adam_t_plus_one",
            "adam_epsilon_inside_sqrt", "adam_s_decayed_with_beta1", "adam_bias_correction_with_layer_count",
            "mini_batches_slice_from_zero", "mini_batches_loop_variable_after_loop"} \
        <= {mistake.key for mistake in BUNDLE.mistakes}


# The course's opt_utils and data

def test_opt_utils_trains_a_step_the_way_model_does():
    opt_utils = OPT.module("opt_utils")
    X = np.random.RandomState(0).randn(2, 50)
    Y = (X[0:1] > 0).astype(int)
    parameters = opt_utils.initialize_parameters([2, 5, 2, 1])
    a3, caches = opt_utils.forward_propagation(X, parameters)
    cost = opt_utils.compute_cost(a3, Y)
    grads = opt_utils.backward_propagation(X, Y, caches)
    assert a3.shape == (1, 50) and 0 < cost < 5
    assert all(grads["d" + name].shape == value.shape for name, value in parameters.items())


def test_load_dataset_reads_the_job_file_and_names_a_missing_one(tmp_path):
    opt_utils = OPT.module("opt_utils")
    assert opt_utils.DATASET_PATH == os.path.join(OPT.job_dir, "moons_train.h5")
    with pytest.raises(FileNotFoundError, match="moons"):
        opt_utils.load_dataset(str(tmp_path / "moons.h5"))


def test_the_training_set_is_make_moons_with_the_course_seed_and_the_held_out_set_ours_with_seed_4():
    import sklearn.datasets  # pinned in .venv; a missing scikit-learn fails this test, it never skips

    train_X, train_Y = OPT.call(OPT.module("opt_utils").load_dataset)
    test_X, test_Y = classifier.read_data(CHECKS["adam"].test)
    for seed, (X, Y) in ((3, (train_X, train_Y)), (4, (test_X, test_Y))):
        np.random.seed(seed)
        moons_X, moons_y = sklearn.datasets.make_moons(n_samples=300, noise=.2)
        np.testing.assert_array_equal(X, moons_X.T)
        np.testing.assert_array_equal(Y, moons_y.reshape((1, 300)))
    assert not np.isin(test_X[0], train_X[0]).any()


def test_build_dataset_rebuilds_both_files_byte_for_byte(tmp_path):
    for seed, prefix, path in ((build_dataset.TRAIN_SEED, "train", build_dataset.TRAIN_PATH),
                               (build_dataset.TEST_SEED, "test", build_dataset.TEST_PATH)):
        rebuilt = tmp_path / path.name
        build_dataset.write(rebuilt, prefix, *build_dataset.draw_moons(seed))
        assert rebuilt.read_bytes() == (BUNDLE.folder / path.name).read_bytes()


# supplied.py: the notebook's model and the driver of the model checks

def test_supplied_code_gives_model_unless_the_upload_has_one_and_the_driver_always_after_it():
    source, supplied = supplied_code(BUNDLE.text("supplied"), "")
    assert supplied == ["model"] and "def model(" in source and "def gradebox_train_model(" not in source
    source, supplied = supplied_code(BUNDLE.text("supplied"), "def model(X, Y, layers_dims, optimizer):\n    pass\n")
    assert supplied == [] and "def model(" not in source
    drivers = driver_code(BUNDLE.text("supplied"))
    assert "def gradebox_train_model(" in drivers and "def model(" not in drivers and "import opt_utils" in drivers
    assert {check.driver for check in BUNDLE.model_checks} == {"gradebox_train_model"}


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adam"])
def test_driver_returns_a_cost_every_100_epochs_starting_from_the_published_one(optimizer):
    parameters, costs = OPT.call(OPT.drivers()["gradebox_train_model"], *OPT.brief_args(CHECKS[optimizer], 201))
    assert len(costs) == 3 and all(type(cost) is float for cost in costs)
    assert costs[0] == pytest.approx(PUBLISHED_MODELS[optimizer][0][0], abs=5e-7)


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adam"])
def test_model_trains_the_same_parameters_as_the_driver_and_is_silent_without_print_cost(optimizer):
    namespace = OPT.drivers()
    X, Y, layers_dims, *_ = OPT.inputs(CHECKS[optimizer])
    with OPT.active() as out:
        parameters = namespace["model"](X, Y, layers_dims, optimizer, num_epochs=30, print_cost=False)
        assert out.getvalue() == ""
        driven, _ = namespace["gradebox_train_model"](X, Y, layers_dims, optimizer, 30)
        namespace["model"](X, Y, layers_dims, optimizer, num_epochs=1)
        assert out.getvalue().startswith("Cost after epoch 0: 0.690")
    for name in driven:
        np.testing.assert_array_equal(parameters[name], driven[name])


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adam"])
def test_model_check_trains_the_notebook_model_on_the_training_set_for_10000_epochs(optimizer):
    check = CHECKS[optimizer]
    X, Y, layers_dims, trained_with, num_epochs = OPT.inputs(check)
    np.testing.assert_array_equal(X, classifier.read_data(check.train)[0])
    np.testing.assert_array_equal(Y, classifier.read_data(check.train)[1])
    assert (layers_dims, trained_with, num_epochs) == ([2, 5, 2, 1], optimizer, 10000)
    assert {threshold.metric for threshold in check.thresholds} == {"train_accuracy", "test_accuracy"}
    assert check.wall_s >= 60


@pytest.mark.slow
@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adam"])
def test_the_reference_reproduces_the_published_costs_and_training_accuracy_and_passes_the_check(optimizer):
    parameters, costs = trained_by_the_reference("optimization", optimizer)
    published_costs, published_accuracy = PUBLISHED_MODELS[optimizer]
    assert len(costs) == 100
    np.testing.assert_allclose(costs[::10], published_costs, rtol=0, atol=5e-7)  # printed with %f
    metrics = classifier.evaluate(CHECKS[optimizer], parameters)
    assert metrics["train_accuracy"] == pytest.approx(published_accuracy, abs=1e-12)
    for threshold in CHECKS[optimizer].thresholds:
        assert threshold.holds(metrics[threshold.metric]), (threshold, metrics)


# The starter notebook

def test_starter_imports_the_course_helpers():
    assert_starter_imports(
        BUNDLE, ("import numpy as np", "import math", "import sklearn.datasets", "from testCases import *",
                 "%matplotlib inline"),
        ("load_params_and_grads", "initialize_parameters", "forward_propagation", "backward_propagation",
         "compute_cost", "predict", "load_dataset", "plot_decision_boundary", "predict_dec"), "opt_utils")


def test_starter_ends_with_the_model_and_its_three_training_cells():
    cells = code_cells(BUNDLE)
    last_graded = max(i for i, source in enumerate(cells) if source.startswith("# GRADED FUNCTION"))
    assert any(source.startswith("def model(") for source in cells[last_graded:])
    assert sum("parameters = model(train_X, train_Y" in source for source in cells[last_graded:]) == 3
