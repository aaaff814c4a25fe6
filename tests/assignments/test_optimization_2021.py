"""What is particular to "Optimization methods (2021 notebook)" (assignments/optimization_2021); test_bundles.py checks the rest.

The reference reproduces the numbers the course's 2021 notebook prints and
its public tests assert, and, trained by the supplied driver (slow), the
costs and training accuracies its model runs print; the learning-rate decay
cases tell update_lr, schedule_lr_decay and their usual confusions apart; a
constant, the published answer or an ignored argument loses points on every
function; a student's 2021 notebook (tests/data/students/optimization_2021.ipynb)
scores full marks here and loses Adam's points on the earlier bundle.
"""
from __future__ import annotations

import dataclasses
import json
from io import StringIO
from pathlib import Path

import numpy as np
import pytest

from assignments.source import def_source
from grader.grading import classifier
from grader.grading.setup import get_grader
from grader.grading.supplied import driver_code, supplied_code
from tests.assignments import variants
from tests.assignments.bundle_code import (
    assert_published, assert_starter_imports, code, matches, trained_by_the_reference,
)

OPT = code("optimization-2021")
EARLIER = code("optimization")
BUNDLE = OPT.bundle
GRADED = ("update_parameters_with_gd", "random_mini_batches", "initialize_velocity",
          "update_parameters_with_momentum", "initialize_adam", "update_parameters_with_adam",
          "update_lr", "schedule_lr_decay")
CHECKS = {check.id: check for check in BUNDLE.model_checks}
STUDENT = Path(__file__).resolve().parents[1] / "data" / "students" / "optimization_2021.ipynb"

# The 2021 notebook's printed outputs and its public tests' expected values.
PUBLISHED_GD = {
    "W1": [[1.63312395, -0.61217855, -0.5339999], [-1.06196243, 0.85396039, -2.3105546]],
    "b1": [[1.73978682], [-0.77021546]],
    "W2": [[0.32587637, -0.24814147], [1.47146563, -2.05746183], [-0.32772076, -0.37713775]],
    "b2": [[1.13773698], [-1.09301954], [-0.16397615]],
}
PUBLISHED_MOMENTUM = {
    "W1": [[1.62522322, -0.61179863, -0.52875457], [-1.071868, 0.86426291, -2.30244029]],
    "b1": [[1.74430927], [-0.76210776]],
    "W2": [[0.31972282, -0.24924749], [1.46304371, -2.05987282], [-0.32294756, -0.38336269]],
    "b2": [[1.1341662], [-1.09920409], [-0.171583]],
}
PUBLISHED_MOMENTUM_V = {
    "dW1": [[-0.08778584, 0.00422137, 0.05828152], [-0.11006192, 0.11447237, 0.09015907]],
    "db1": [[0.05024943], [0.09008559]],
    "dW2": [[-0.06837279, -0.01228902], [-0.09357694, -0.02678881], [0.05303555, -0.06916608]],
    "db2": [[-0.03967535], [-0.06871727], [-0.08452056]],
}
PUBLISHED_ADAM = {
    "W1": [[1.63937725, -0.62327448, -0.54308727], [-1.0578897, 0.85032154, -2.31657668]],
    "W2": [[0.33400549, -0.23563857], [1.47715417, -2.04561842], [-0.33729882, -0.36908457]],
    "b1": [[1.72995096], [-0.7762447]],
    "b2": [[1.14852557], [-1.08492339], [-0.15740527]],
}
# The public test checks the first row of each moment, and the corrections as v / (1 - beta1**t), s / (1 - beta2**t).
PUBLISHED_ADAM_V_ROW = {"dW1": [-0.17557168, 0.00844275, 0.11656304], "dW2": [-0.13674557, -0.02457805],
                        "db1": [0.10049887], "db2": [-0.07935071]}
PUBLISHED_ADAM_S_ROW = {"dW1": [0.08631117, 0.00019958, 0.03804344], "dW2": [0.05235818, 0.00169142],
                        "db1": [0.02828006], "db2": [0.0176303]}
# The public test of random_mini_batches: 7 examples of 5 features after np.random.seed(1), batches of 2.
PUBLISHED_SMALL_BATCHES = [
    ([[1.74481176, -0.52817175], [-0.38405435, -0.24937038], [-1.10061918, -0.17242821],
      [-0.93576943, 0.50249434], [-0.67124613, -0.69166075]], [[True, True]]),
    ([[-0.61175641, -1.07296862], [0.3190391, 1.46210794], [-1.09989127, -0.87785842],
      [0.90159072, 0.90085595], [0.53035547, -0.39675353]], [[True, False]]),
    ([[1.62434536, -2.3015387], [-0.7612069, -0.3224172], [1.13376944, 0.58281521],
      [1.14472371, -0.12289023], [-0.26788808, -0.84520564]], [[True, True]]),
    ([[0.86540763], [-2.06014071], [0.04221375], [-0.68372786], [-0.6871727]], [[False]]),
]
# "Cost after epoch 0, 1000, ..., 4000" and "Accuracy" of the 2021 notebook's model runs with a correct solution.
PUBLISHED_MODELS = {
    "adam": ([0.702166, 0.167845, 0.141316, 0.138788, 0.136066], 0.9433333333333334),
    "gd_schedule_lr_decay": ([0.701091, 0.127161, 0.120304, 0.117033, 0.117512], 0.9433333333333334),
    "momentum_schedule_lr_decay": ([0.702226, 0.128974, 0.125965, 0.123375, 0.123218], 0.9533333333333334),
    "adam_schedule_lr_decay": ([0.699346, 0.130074, 0.129826, 0.129282, 0.128361], 0.94),
}
# Section 7.1: gradient descent from 0.1 decayed every epoch by update_lr stops learning (not a model check).
PUBLISHED_UPDATE_LR_RUN = ([0.701091, 0.661884, 0.658620, 0.656765, 0.655486], 0.6533333333333333)


def published(name: str, case_id: str = "published"):
    return OPT.expected(name, OPT.case(name, case_id))


def shapes(moments: dict) -> dict:
    return {name: value.shape for name, value in moments.items()}


def test_the_eight_2021_functions_are_graded_for_twelve_points_each_on_its_notebook_test_and_hidden_cases():
    assert tuple(graded.name for graded in BUNDLE.functions) == GRADED
    assert BUNDLE.max_score == 12
    for graded in BUNDLE.functions:
        public = [case.id for case in graded.cases if not case.hidden]
        assert public[0] == "published" and all(case_id.startswith("published") for case_id in public)
        assert sum(case.hidden for case in graded.cases) >= 2, graded.name
    assert BUNDLE.function("update_parameters_with_adam").outputs == (
        "parameters", "v", "s", "v_corrected", "s_corrected")


def test_jobs_share_the_earlier_bundles_helpers_and_moons_and_never_receive_the_held_out_set():
    jobs = {path.name: path for path in BUNDLE.job_files}
    assert set(jobs) == {"dnn_utils.py", "opt_utils.py", "opt_utils_v1a.py", "testCases.py", "moons_train.h5"}
    earlier = {path.name: path for path in EARLIER.bundle.job_files}
    for name in ("dnn_utils.py", "opt_utils.py", "moons_train.h5"):
        assert jobs[name] == earlier[name], name  # the same file, not a copy
    assert jobs["testCases.py"] != earlier["testCases.py"]
    assert BUNDLE.private_files == EARLIER.bundle.private_files
    for check in BUNDLE.model_checks:
        assert (check.train.file, check.test.file) == (jobs["moons_train.h5"], BUNDLE.private_files[0])


# The 2021 notebook's tests (graded case "published", rtol 1e-5)

def test_2021_test_cases_draw_other_shapes_and_return_their_hyperparameters():
    test_cases = OPT.module("testCases")
    parameters, grads, learning_rate = OPT.call(test_cases.update_parameters_with_gd_test_case)
    assert learning_rate == 0.01 and shapes(parameters) == {"W1": (2, 3), "b1": (2, 1), "W2": (3, 2), "b2": (3, 1)}
    assert shapes(OPT.call(test_cases.initialize_velocity_test_case)) == {
        "W1": (3, 2), "b1": (3, 1), "W2": (3, 3), "b2": (3, 1)}
    *_, t, learning_rate, beta1, beta2, epsilon = OPT.call(test_cases.update_parameters_with_adam_test_case)
    assert (t, learning_rate, beta1, beta2, epsilon) == (2, 0.02, 0.8, 0.888, 1e-2)
    X, Y, mini_batch_size = OPT.call(test_cases.random_mini_batches_test_case)
    assert X.shape == (12288, 148) and Y.dtype == bool and mini_batch_size == 64


def test_update_parameters_with_gd_reproduces_published_parameters():
    assert_published(published("update_parameters_with_gd"), PUBLISHED_GD)


def test_random_mini_batches_reproduces_the_published_shapes_sanity_check_and_unit_test():
    mini_batches = published("random_mini_batches")
    assert [(X.shape, Y.shape) for X, Y in mini_batches] == [((12288, 64), (1, 64))] * 2 + [((12288, 20), (1, 20))]
    np.testing.assert_allclose(mini_batches[0][0][0][0:3], [0.90085595, -0.7612069, 0.2344157], rtol=1e-5)
    small = published("random_mini_batches", "published_small")
    assert len(small) == len(PUBLISHED_SMALL_BATCHES)
    for (X, Y), (published_X, published_Y) in zip(small, PUBLISHED_SMALL_BATCHES):
        np.testing.assert_allclose(X, published_X, rtol=1e-5)
        assert Y.dtype == bool and Y.tolist() == published_Y


def test_random_mini_batches_passes_the_notebooks_numbered_check():
    """The notebook's check cell: X numbers the entries of 148 columns of 12288, so every value is exact."""
    np.random.seed(1)
    nx, m = 12288, 148
    X = np.arange(nx * m).reshape((m, nx)).T
    Y = np.random.randn(1, m) < 0.5
    mini_batches = OPT.call(OPT.reference.random_mini_batches, X, Y, 64)
    assert mini_batches[0][0][0][0:3].tolist() == [294912, 86016, 454656]
    assert mini_batches[-1][0][-1][0:3].tolist() == [1425407, 1769471, 897023]


def test_initializations_reproduce_the_published_zeros_of_the_2021_shapes():
    v = published("initialize_velocity")
    assert shapes(v) == {"dW1": (3, 2), "db1": (3, 1), "dW2": (3, 3), "db2": (3, 1)} and not any(a.any() for a in v.values())
    for moments in published("initialize_adam"):
        assert shapes(moments) == {"dW1": (2, 3), "db1": (2, 1), "dW2": (3, 2), "db2": (3, 1)}
        assert not any(a.any() for a in moments.values())


def test_update_parameters_with_momentum_reproduces_published_parameters_and_velocities():
    parameters, v = published("update_parameters_with_momentum")
    assert_published(parameters, PUBLISHED_MOMENTUM)
    assert_published(v, PUBLISHED_MOMENTUM_V)


def test_update_parameters_with_adam_reproduces_published_parameters_moments_and_corrections():
    parameters, v, s, v_corrected, s_corrected = published("update_parameters_with_adam")
    assert_published(parameters, PUBLISHED_ADAM)
    # Written with 8 decimals: within half of the last one.
    assert_published({name: value[0] for name, value in v.items()}, PUBLISHED_ADAM_V_ROW, rtol=0, atol=5e-9)
    assert_published({name: value[0] for name, value in s.items()}, PUBLISHED_ADAM_S_ROW, rtol=0, atol=5e-9)
    t, beta1, beta2 = 2, 0.8, 0.888
    for name in v:
        np.testing.assert_allclose(v_corrected[name], v[name] / (1 - beta1 ** t), rtol=1e-12)
        np.testing.assert_allclose(s_corrected[name], s[name] / (1 - beta2 ** t), rtol=1e-12)


def test_learning_rate_decay_reproduces_the_published_rates_and_the_public_tests():
    assert published("update_lr") == 0.16666666666666666
    assert published("schedule_lr_decay") == 0.3846153846153846
    assert published("schedule_lr_decay", "published_first_interval") == 0.5
    schedule = OPT.reference.schedule_lr_decay
    assert (schedule(0.5, 100, 1, 100), schedule(0.5, 10, 1, 100)) == (0.25, 0.5)
    np.testing.assert_allclose([schedule(0.3, 1000, 0.25, 100), schedule(0.3, 100, 0.25, 100)], [0.085714285, 0.24])


# What the cases are there for

def _formula(name: str, expression: str) -> dict:
    """A namespace where `name` returns `expression` of its own parameters."""
    parameters = ", ".join(variants.parameters_of(OPT, name)).replace("time_interval", "time_interval=1000")
    return variants.namespace_with(OPT, f"import math\n\ndef {name}({parameters}):\n    return {expression}\n")


@pytest.mark.parametrize("name, expression", [
    ("update_lr", "learning_rate0 / (1 + decay_rate * math.floor(epoch_num / 1000))"),  # schedule_lr_decay's
    ("schedule_lr_decay", "learning_rate0 / (1 + decay_rate * epoch_num)"),  # update_lr's
    ("schedule_lr_decay", "learning_rate0 / (1 + decay_rate * math.floor(time_interval / epoch_num))"),  # mixed up
    ("schedule_lr_decay", "learning_rate0 / (1 + decay_rate * (epoch_num / time_interval))"),  # no floor
    ("schedule_lr_decay", "learning_rate0 / (1 + decay_rate * math.floor(epoch_num / 1000))"),  # interval ignored
    ("schedule_lr_decay", "learning_rate0 / (1 + decay_rate * math.ceil(epoch_num / time_interval))"),
    ("schedule_lr_decay", "learning_rate0 / (1 + decay_rate * ((epoch_num - 1) // time_interval))"),  # off by one
])
def test_decay_cases_tell_the_two_formulas_and_their_confusions_apart_on_hidden_cases(name, expression):
    failed = variants.loses_points(OPT, name, _formula(name, expression))
    hidden = {case.id for case in BUNDLE.function(name).cases if case.hidden}
    assert set(failed) & hidden, expression


def test_epsilon_inside_the_square_root_fails_the_2021_published_case():
    """The 2021 test runs Adam with epsilon 0.01, where its place shows; a 2021 notebook's Adam got W1[0][0] 1.63942888."""
    (mistake,) = [m for m in BUNDLE.mistakes if m.key == "adam_epsilon_inside_sqrt"]
    outputs = OPT.mistake_outputs(mistake)
    graded = BUNDLE.function("update_parameters_with_adam")
    assert not matches(published(graded.name), outputs["published"], graded.outputs, OPT.case(graded.name, "published"))
    np.testing.assert_allclose(outputs["published"][0]["W1"][0][0], 1.63942888, rtol=1e-8)


def test_catalogue_covers_the_2021_functions_and_the_earlier_notebooks_adam():
    keys = {mistake.key for mistake in BUNDLE.mistakes}
    assert {"adam_returns_three_values", "adam_correction_kept_in_v_and_s", "adam_epsilon_inside_sqrt",
            "update_lr_exponential", "update_lr_scheduled", "schedule_without_floor", "schedule_interval_over_epoch",
            "schedule_every_epoch"} <= keys
    assert {mistake.function for mistake in BUNDLE.mistakes} == set(GRADED)


@pytest.mark.parametrize("name", GRADED)
def test_the_published_answer_hard_coded_loses_points(name):
    assert variants.published_answer_fails(OPT, name)


@pytest.mark.parametrize("name", GRADED)
def test_any_constant_answer_loses_points(name):
    passing_everything = [case_id for case_id, failed in variants.constant_answers_fail(OPT, name).items() if not failed]
    assert not passing_everything


@pytest.mark.parametrize("name, parameter", [(name, parameter) for name in GRADED
                                             for parameter in variants.parameters_of(OPT, name)])
def test_ignoring_any_argument_loses_points(name, parameter):
    """The argument replaced by the value the published case gives it, as a file hard-coding it would."""
    assert variants.ignoring_fails(OPT, name, parameter)


# The course's opt_utils_v1a and the model

def test_opt_utils_v1a_sums_the_cost_and_is_the_earlier_opt_utils_otherwise():
    v1a, earlier = OPT.module("opt_utils_v1a"), OPT.module("opt_utils")
    a3 = np.array([[0.9, 0.2, 0.6, 0.3]])
    Y = np.array([[1, 0, 1, 1]])
    assert v1a.compute_cost(a3, Y) == pytest.approx(4 * earlier.compute_cost(a3, Y), rel=1e-12)
    for name in ("initialize_parameters", "forward_propagation", "backward_propagation", "load_dataset", "predict_dec"):
        assert getattr(v1a, name) is getattr(earlier, name), name


def test_supplied_code_gives_the_2021_model_unless_the_upload_has_one_and_the_driver_always_after_it():
    source, supplied = supplied_code(BUNDLE.text("supplied"), "")
    assert supplied == ["model"] and "decay=None, decay_rate=1" in source
    drivers = driver_code(BUNDLE.text("supplied"))
    assert "def gradebox_train_model(" in drivers and "import opt_utils_v1a" in drivers
    assert {check.driver for check in BUNDLE.model_checks} == {"gradebox_train_model"}


@pytest.mark.parametrize("optimizer, learning_rate, decay", [("adam", 0.0007, None), ("gd", 0.1, "update_lr"),
                                                              ("momentum", 0.1, "schedule_lr_decay")])
def test_model_trains_the_same_parameters_as_the_driver_and_prints_the_decayed_rate(optimizer, learning_rate, decay):
    namespace = OPT.drivers()
    X, Y = OPT.call(OPT.module("opt_utils_v1a").load_dataset)
    decay_function = namespace[decay] if decay else None
    with OPT.active() as out:
        parameters = namespace["model"](X, Y, [2, 5, 2, 1], optimizer, learning_rate, num_epochs=30, print_cost=False,
                                        decay=decay_function)
        assert out.getvalue() == ""
        driven, costs = namespace["gradebox_train_model"](X, Y, [2, 5, 2, 1], optimizer, 30, learning_rate, decay)
        namespace["model"](X, Y, [2, 5, 2, 1], optimizer, learning_rate, num_epochs=1, decay=decay_function)
    printed = out.getvalue()
    assert printed.startswith("Cost after epoch 0: ")
    assert ("learning rate after epoch 0:" in printed) == (decay is not None)
    for name in driven:
        np.testing.assert_array_equal(parameters[name], driven[name])
    with pytest.raises(ValueError, match="unknown decay"):
        OPT.call(namespace["gradebox_train_model"], X, Y, [2, 5, 2, 1], "gd", 1, 0.1, "exponential")


@pytest.mark.parametrize("check_id", sorted(PUBLISHED_MODELS))
def test_driver_starts_from_the_published_cost_of_each_model_check(check_id):
    check = CHECKS[check_id]
    parameters, costs = OPT.call(OPT.drivers()["gradebox_train_model"], *OPT.brief_args(check, 101))
    assert len(costs) == 2 and all(type(cost) is float for cost in costs)
    assert costs[0] == pytest.approx(PUBLISHED_MODELS[check_id][0][0], abs=5e-7)


def test_model_checks_train_the_notebook_runs_for_5000_epochs_on_the_moons():
    runs = {}
    for check in BUNDLE.model_checks:
        X, Y, layers_dims, optimizer, num_epochs, learning_rate, decay = OPT.inputs(check)
        np.testing.assert_array_equal(X, classifier.read_data(check.train)[0])
        assert (layers_dims, num_epochs) == ([2, 5, 2, 1], 5000)
        assert ("schedule_lr_decay" in check.depends_on) == (decay == "schedule_lr_decay")
        runs[check.id] = (optimizer, learning_rate, decay)
    assert runs == {"adam": ("adam", 0.0007, None), "gd_schedule_lr_decay": ("gd", 0.1, "schedule_lr_decay"),
                    "momentum_schedule_lr_decay": ("momentum", 0.1, "schedule_lr_decay"),
                    "adam_schedule_lr_decay": ("adam", 0.01, "schedule_lr_decay")}


@pytest.mark.slow
@pytest.mark.parametrize("check_id", sorted(PUBLISHED_MODELS))
def test_the_reference_reproduces_the_published_costs_and_training_accuracy_and_passes_the_check(check_id):
    parameters, costs = trained_by_the_reference("optimization-2021", check_id)
    published_costs, published_accuracy = PUBLISHED_MODELS[check_id]
    assert len(costs) == 50
    np.testing.assert_allclose(costs[::10], published_costs, rtol=0, atol=5e-7)  # printed with %f
    metrics = classifier.evaluate(CHECKS[check_id], parameters)
    assert metrics["train_accuracy"] == pytest.approx(published_accuracy, abs=1e-12)
    for threshold in CHECKS[check_id].thresholds:
        assert threshold.holds(metrics[threshold.metric]), (threshold, metrics)


@pytest.mark.slow
def test_decaying_every_epoch_stops_learning_as_the_notebook_shows():
    X, Y = OPT.call(OPT.module("opt_utils_v1a").load_dataset)
    parameters, costs = OPT.call(OPT.drivers()["gradebox_train_model"], X, Y, [2, 5, 2, 1], "gd", 5000, 0.1, "update_lr")
    np.testing.assert_allclose(costs[::10], PUBLISHED_UPDATE_LR_RUN[0], rtol=0, atol=5e-7)
    accuracy = classifier.evaluate(CHECKS["gd_schedule_lr_decay"], parameters)["train_accuracy"]
    assert accuracy == pytest.approx(PUBLISHED_UPDATE_LR_RUN[1], abs=1e-12)


# The starter notebook, and a student's 2021 notebook

def test_starter_imports_the_2021_helpers():
    assert_starter_imports(
        BUNDLE, ("import numpy as np", "import math", "from testCases import *", "%matplotlib inline"),
        ("load_params_and_grads", "initialize_parameters", "forward_propagation", "backward_propagation",
         "compute_cost", "predict", "load_dataset", "plot_decision_boundary", "predict_dec"), "opt_utils_v1a")


def _student_source() -> str:
    """The student's notebook as the platform extracts it: imports and the graded defs."""
    extraction = get_grader().extract(BUNDLE, STUDENT.name, STUDENT.read_bytes())  # read in the sandbox
    assert extraction.found == list(GRADED) and not extraction.missing
    return extraction.source


def test_a_students_2021_notebook_passes_every_case_here():
    namespace = OPT.namespace(_student_source(), str(STUDENT))
    for graded in BUNDLE.functions:
        assert namespace[graded.name].__code__.co_filename == str(STUDENT)  # the student's def, not the reference's
        for case in graded.cases:
            value = OPT.run(graded.name, case, namespace)
            assert matches(OPT.expected(graded.name, case), value, graded.outputs, case), (graded.name, case.id)


def test_a_students_2021_adam_fails_the_earlier_bundles_cases_on_the_number_of_returned_values():
    namespace = EARLIER.namespace(def_source(_student_source(), "update_parameters_with_adam"), str(STUDENT))
    graded = EARLIER.bundle.function("update_parameters_with_adam")
    for case in graded.cases:
        value = EARLIER.run(graded.name, case, namespace)
        assert len(value) == 5 and not matches(EARLIER.expected(graded.name, case), value, graded.outputs, case)


@pytest.fixture(scope="module")
def grader():
    from grader.grading.setup import get_grader

    return dataclasses.replace(get_grader(), model_checks=False)


@pytest.mark.sandbox
@pytest.mark.django_db
def test_a_students_2021_notebook_scores_full_marks_here_and_loses_adams_points_on_the_earlier_bundle(grader):
    here = grader.grade(BUNDLE, STUDENT.name, STUDENT.read_bytes()).document()
    assert (here["assignment"], here["score"], here["max_score"]) == ("optimization-2021", 12.0, 12.0)
    earlier = grader.grade(EARLIER.bundle, STUDENT.name, STUDENT.read_bytes()).document()
    scores = {name: function["score"] for name, function in earlier["functions"].items()}
    assert scores == {"update_parameters_with_gd": 1.0, "random_mini_batches": 2.0, "initialize_velocity": 1.0,
                      "update_parameters_with_momentum": 2.0, "initialize_adam": 1.0, "update_parameters_with_adam": 0.0}
    adam = earlier["functions"]["update_parameters_with_adam"]
    assert any("the returned tuple has 5 item(s); expected 3" in check["message"] for check in adam["checks"])


@pytest.mark.sandbox
@pytest.mark.django_db
def test_an_earlier_notebooks_adam_gets_the_five_values_hint_here(grader):
    from tests import student_files

    document = grader.grade(BUNDLE, "earlier.py", student_files.python_file("optimization")).document()
    adam = document["functions"]["update_parameters_with_adam"]
    assert adam["score"] == 0 and "returns five values" in adam["hint"]
    assert {document["functions"][name]["status"] for name in ("update_lr", "schedule_lr_decay")} == {"missing"}


@pytest.mark.slow
@pytest.mark.sandbox
@pytest.mark.django_db
def test_grade_command_gives_a_students_2021_notebook_full_marks_with_the_model_checks(tmp_path):
    from django.core.management import call_command

    out = StringIO()
    call_command("grade", str(STUDENT), "--bundle", str(BUNDLE.folder), "--json", stdout=out)
    document = json.loads(out.getvalue())
    assert document["score"] == document["max_score"] == 12.0
    assert {name: model["status"] for name, model in document["models"].items()} == dict.fromkeys(CHECKS, "passed")
    accuracy = {name: model["metrics"]["train_accuracy"] for name, model in document["models"].items()}
    assert accuracy == pytest.approx({name: PUBLISHED_MODELS[name][1] for name in CHECKS}, abs=1e-12)


def test_the_students_notebook_is_the_2021_layout():
    notebook = json.loads(STUDENT.read_text())
    sources = ["".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert "from public_tests import *" in sources[0] and "from opt_utils_v1a import" in sources[0]
    assert sum(source.startswith("# GRADED FUNCTION: ") for source in sources) == len(GRADED)
    assert any("update_parameters_with_adam_test(update_parameters_with_adam)" in source for source in sources)
