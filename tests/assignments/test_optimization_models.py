"""The moons data set is the course's, supplied.py trains the notebook's model, and the model checks hold."""
import ast
import sys
from functools import lru_cache

import h5py
import numpy as np
import pytest

from assignments.optimization import build_dataset, evaluate, opt_utils
from assignments.registry import get_assignment
from grader.grading.supplied import supplied_code
from reference import optimization as ref

ASSIGNMENT = get_assignment("optimization")
CHECKS = {check.id: check for check in ASSIGNMENT.model_checks}
GRADED = {graded.name for graded in ASSIGNMENT.functions}
PARAMETER_SHAPES = {"W1": (5, 2), "b1": (5, 1), "W2": (2, 5), "b2": (2, 1), "W3": (1, 2), "b3": (1, 1)}

# "Cost after epoch 0, 1000, ..., 9000" and "Accuracy" of the notebook's three runs (seed 000:2642-2742).
PUBLISHED = {
    "gd": ([0.690736, 0.685273, 0.647072, 0.619525, 0.576584,
            0.607243, 0.529403, 0.460768, 0.465586, 0.464518], 0.7966666666666666),
    "momentum": ([0.690741, 0.685341, 0.647145, 0.619594, 0.576665,
                  0.607324, 0.529476, 0.460936, 0.465780, 0.464740], 0.7966666666666666),
    "adam": ([0.690552, 0.185567, 0.150852, 0.074454, 0.125936,
              0.104235, 0.100552, 0.031601, 0.111709, 0.197648], 0.94),
}


def supplied_namespace(functions):
    """supplied.py defined among the given graded functions, as the sandbox puts it before a submission."""
    namespace = dict(functions)
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(sys.modules, "opt_utils", opt_utils)
        source = (ASSIGNMENT.folder / ASSIGNMENT.supplied_module).read_text()
        exec(compile(source, "supplied.py", "exec"), namespace)
    return namespace


def reference_functions():
    return {name: getattr(ref, name) for name in GRADED}


@lru_cache(maxsize=None)
def trained_by_the_reference(check_id):
    """The full 10000-epoch run of one check, shared by the slow tests."""
    check = CHECKS[check_id]
    return supplied_namespace(reference_functions())[check.driver](*check.build())


def test_the_training_set_is_make_moons_with_the_course_seed():
    import sklearn.datasets  # pinned in .venv; a missing scikit-learn fails this test, it never skips

    np.random.seed(3)
    X, y = sklearn.datasets.make_moons(n_samples=300, noise=.2)
    train_X, train_Y = opt_utils.load_dataset()
    np.testing.assert_array_equal(train_X, X.T)
    np.testing.assert_array_equal(train_Y, y.reshape((1, 300)))
    assert train_X.shape == (2, 300) and train_Y.shape == (1, 300)


def test_the_held_out_set_is_drawn_the_same_way_with_seed_4():
    import sklearn.datasets

    np.random.seed(4)
    X, y = sklearn.datasets.make_moons(n_samples=300, noise=.2)
    test_X, test_Y = evaluate.held_out_set()
    np.testing.assert_array_equal(test_X, X.T)
    np.testing.assert_array_equal(test_Y, y.reshape((1, 300)))
    train_X, _ = evaluate.training_set()
    assert not np.isin(test_X[0], train_X[0]).any()


def test_build_dataset_rebuilds_both_files_byte_for_byte(tmp_path):
    for seed, prefix, path in ((build_dataset.TRAIN_SEED, "train", build_dataset.TRAIN_PATH),
                               (build_dataset.TEST_SEED, "test", build_dataset.TEST_PATH)):
        rebuilt = tmp_path / path.name
        build_dataset.write(rebuilt, prefix, *build_dataset.draw_moons(seed))
        assert rebuilt.read_bytes() == path.read_bytes()


def test_jobs_receive_the_training_set_but_never_the_held_out_set():
    assert "moons_train.h5" in ASSIGNMENT.helper_modules
    assert not any(name.startswith("moons_test") or name == "evaluate.py" for name in ASSIGNMENT.helper_modules)
    assert all(path.exists() for path in ASSIGNMENT.helper_paths())
    assert opt_utils.DATASET_PATH == str(ASSIGNMENT.folder / "moons_train.h5")
    with h5py.File(ASSIGNMENT.folder / "moons_train.h5", "r") as f:
        assert sorted(f) == ["train_X", "train_Y"]


def test_supplied_module_imports_nothing_the_sandbox_lacks():
    tree = ast.parse((ASSIGNMENT.folder / "supplied.py").read_text())
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported <= {"numpy", "opt_utils"}
    assert not imported & {"matplotlib", "sklearn", "scipy"}


def test_supplied_code_gives_model_unless_the_upload_has_one_and_always_the_driver():
    source, supplied = supplied_code(ASSIGNMENT, set())
    assert supplied == ["model"] and "def gradebox_train_model(" in source
    source, supplied = supplied_code(ASSIGNMENT, {"model"})
    assert supplied == [] and "def model(" not in source and "def gradebox_train_model(" in source
    assert {check.driver for check in ASSIGNMENT.model_checks} == {"gradebox_train_model"}


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adam"])
def test_driver_returns_the_parameters_and_a_cost_every_100_epochs(optimizer):
    X, Y = evaluate.training_set()
    namespace = supplied_namespace(reference_functions())
    parameters, costs = namespace["gradebox_train_model"](X, Y, [2, 5, 2, 1], optimizer, 201)
    assert {name: value.shape for name, value in parameters.items()} == PARAMETER_SHAPES
    assert len(costs) == 3 and all(type(cost) is float for cost in costs)
    assert costs[0] == pytest.approx(PUBLISHED[optimizer][0][0], abs=5e-7)


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adam"])
def test_model_trains_the_same_parameters_as_the_driver_and_is_silent_without_print_cost(optimizer, capsys):
    X, Y = evaluate.training_set()
    namespace = supplied_namespace(reference_functions())
    parameters = namespace["model"](X, Y, [2, 5, 2, 1], optimizer, num_epochs=30, print_cost=False)
    assert capsys.readouterr().out == ""
    driven, _ = namespace["gradebox_train_model"](X, Y, [2, 5, 2, 1], optimizer, 30)
    for name in PARAMETER_SHAPES:
        np.testing.assert_array_equal(parameters[name], driven[name])
    namespace["model"](X, Y, [2, 5, 2, 1], optimizer, num_epochs=1)
    assert capsys.readouterr().out.startswith("Cost after epoch 0: 0.690")


@pytest.mark.parametrize("check", ASSIGNMENT.model_checks, ids=lambda check: check.id)
def test_model_check_trains_the_notebook_model_on_the_training_set_only(check):
    X, Y, layers_dims, optimizer, num_epochs = check.build()
    train_X, train_Y = opt_utils.load_dataset()
    np.testing.assert_array_equal(X, train_X)
    np.testing.assert_array_equal(Y, train_Y)
    assert (layers_dims, optimizer, num_epochs) == ([2, 5, 2, 1], check.id, 10000)
    assert {threshold.metric for threshold in check.thresholds} == {"train_accuracy", "test_accuracy"}
    assert check.wall_s >= 60


@pytest.mark.parametrize("check", ASSIGNMENT.model_checks, ids=lambda check: check.id)
def test_model_check_depends_on_exactly_the_graded_functions_its_training_calls(check):
    called = set()

    def recording(name):
        def call(*args, **kwargs):
            called.add(name)
            return getattr(ref, name)(*args, **kwargs)
        return call

    namespace = supplied_namespace({name: recording(name) for name in GRADED})
    X, Y, layers_dims, optimizer, _ = check.build()
    namespace[check.driver](X, Y, layers_dims, optimizer, 2)
    assert set(check.depends_on) == called


def test_host_predict_agrees_with_the_course_predict_and_names_missing_parameters():
    X, Y = evaluate.training_set()
    parameters, _ = supplied_namespace(reference_functions())["gradebox_train_model"](X, Y, [2, 5, 2, 1], "adam", 50)
    np.testing.assert_array_equal(evaluate.predict_labels(parameters, X), opt_utils.predict_dec(parameters, X))
    metrics = evaluate.evaluate(parameters)
    assert set(metrics) == {"train_accuracy", "test_accuracy"} and all(type(v) is float for v in metrics.values())
    del parameters["W3"]
    with pytest.raises(ValueError, match="W3"):
        evaluate.evaluate(parameters)


@pytest.mark.slow
@pytest.mark.parametrize("check", ASSIGNMENT.model_checks, ids=lambda check: check.id)
def test_the_reference_passes_every_model_check_threshold(check):
    parameters, costs = trained_by_the_reference(check.id)
    assert len(costs) == 100
    metrics = check.evaluate(parameters)
    for threshold in check.thresholds:
        assert threshold.holds(metrics[threshold.metric]), (threshold, metrics)


@pytest.mark.slow
@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adam"])
def test_the_reference_reproduces_the_published_costs_and_training_accuracy(optimizer):
    parameters, costs = trained_by_the_reference(optimizer)
    published_costs, published_accuracy = PUBLISHED[optimizer]
    np.testing.assert_allclose(costs[::10], published_costs, rtol=0, atol=5e-7)  # printed with %f
    assert CHECKS[optimizer].evaluate(parameters)["train_accuracy"] == pytest.approx(published_accuracy, abs=1e-12)
