"""What is particular to "Gradient checking" (assignments/gradient_checking); test_bundles.py checks the rest.

The reference reproduces the numbers the course printed (seeds 000 and 004;
docs/seed-numbers.md), the course's given code keeps its two deliberate bugs,
and the cases judge each function on its own: gradient_check's callees are
answered by stand-ins, gradient_check_n is given its gradients, and a
difference that is float rounding is judged by threshold.
"""
from __future__ import annotations

import ast
import math

import numpy as np
import pytest

from assignments.source import def_source, defined_names
from tests.assignments.bundle_code import (
    assert_course_functions, assert_job_files, assert_starter_imports, code, code_cells, matches, rebound,
)

GC = code("gradient-checking")
BUNDLE = GC.bundle
GRADED = ("forward_propagation", "backward_propagation", "gradient_check", "gradient_check_n")
STAND_INS = ("forward_propagation", "backward_propagation")
COURSE_CODE = ("forward_propagation_n", "backward_propagation_n")


def printed_and_returned(name: str, case_id: str):
    """What the reference prints and returns on a case."""
    with GC.active() as out:
        value = GC.run(name, GC.case(name, case_id))
    return out.getvalue(), value


def published_value(name: str):
    return GC.expected(name, GC.case(name, "published"))


def same_code(text: str, other: str, name: str) -> bool:
    """The two files' defs of `name` are the same code, whatever the spacing and docstrings."""
    return ast.dump(ast.parse(def_source(text, name, keep_docstring=False))) == \
        ast.dump(ast.parse(def_source(other, name, keep_docstring=False)))


def test_the_four_course_functions_are_graded_for_ten_points_and_no_model_is_trained():
    assert_course_functions(BUNDLE, GRADED, 10)
    assert_job_files(BUNDLE, {"gc_utils.py", "testCases.py"}, [])
    assert BUNDLE.model_checks == () and "supplied" in BUNDLE.files


def test_only_gradient_check_has_its_callees_answered_and_every_case_answers_both():
    """By the reference's stand-ins or by cases.py's, so every case judges the check alone, never the student's own
    forward or backward pass."""
    for graded in BUNDLE.functions:
        for case in graded.cases:
            answered = sorted(case.stand_ins + tuple(callee for callee, _ in case.callees))
            assert answered == (sorted(STAND_INS) if graded.name == "gradient_check" else []), (graded.name, case.id)


@pytest.mark.parametrize("case_id, difference", [
    ("backward_doubled", 1 / 3),  # |2x - x| / (|2x| + |x|)
    ("backward_plus_one", 1 / 7),  # x = 3: |x + 1 - x| / (|x + 1| + |x|)
    ("cubic_epsilon_0_1", 0.01 / (6 * 0.25 + 0.01)),  # J = x theta**3: gradapprox is off by x epsilon**2
])
def test_a_wrong_or_curved_callee_gives_gradient_check_a_large_difference_it_knows_in_advance(case_id, difference):
    printed, value = printed_and_returned("gradient_check", case_id)
    assert printed == "The gradient is wrong!\n"
    np.testing.assert_allclose(value, difference, rtol=1e-8)


@pytest.mark.parametrize("case_id, difference", [("gradients_doubled", 1 / 3), ("first_layer_shifted", 0.3931)])
def test_gradients_wrong_by_a_known_amount_give_a_difference_far_from_the_threshold(case_id, difference):
    printed, value = printed_and_returned("gradient_check_n", case_id)
    assert "There is a mistake in the backward propagation!" in printed
    np.testing.assert_allclose(value, difference, rtol=1e-4)


def test_a_check_of_the_last_parameter_alone_misses_a_wrong_first_layer():
    (mistake,) = [m for m in BUNDLE.mistakes if m.key == "check_n_last_parameter_only"]
    graded = BUNDLE.function("gradient_check_n")
    outputs = GC.mistake_outputs(mistake)
    case = GC.case("gradient_check_n", "first_layer_shifted")
    assert outputs["first_layer_shifted"] < 1e-6 < GC.expected(graded.name, case)


# The notebook's printed outputs

def test_forward_and_backward_propagation_reproduce_published_J_8_and_dtheta_2():
    assert published_value("forward_propagation") == 8 and published_value("backward_propagation") == 2


def test_gradient_check_reproduces_published_difference_and_verdict():
    printed, difference = printed_and_returned("gradient_check", "published")
    assert printed == "The gradient is correct!\n" and np.ndim(difference) == 0
    np.testing.assert_allclose(difference, 2.919335883291695e-10, rtol=1e-5)  # 004:477, the student's run
    np.testing.assert_allclose(difference, 2.9193358103083e-10, rtol=1e-5)  # 004:487, the course's expected output


def test_gradient_check_n_test_case_draws_the_course_inputs():
    X, Y, parameters = GC.call(GC.module("testCases").gradient_check_n_test_case)
    np.testing.assert_allclose(X[0], [1.62434536, -0.61175641, -0.52817175], rtol=1e-5)  # randn after seed(1)
    assert Y.tolist() == [1, 1, 0] and Y.shape == (3,)
    assert {name: value.shape for name, value in parameters.items()} == {
        "W1": (5, 4), "b1": (5, 1), "W2": (3, 5), "b2": (3, 1), "W3": (1, 3), "b3": (1, 1)}


def test_gradient_check_n_reproduces_published_difference_of_the_buggy_backprop():
    printed, difference = printed_and_returned("gradient_check_n", "published")
    assert "There is a mistake in the backward propagation!" in printed and np.ndim(difference) == 0
    np.testing.assert_allclose(difference, 0.2850931567761624, rtol=1e-5)  # 000:1625
    np.testing.assert_allclose(difference, 0.285093156780699, rtol=1e-5)  # 004:505
    np.testing.assert_allclose(difference, 0.285093156781, rtol=1e-5)  # 004:510, the course's expected output


def test_with_the_bugs_fixed_the_difference_is_below_the_course_threshold_and_the_case_judges_by_it():
    """Published 1.1890417878779317e-07 (004:740); its last digits depend on the BLAS, so the case takes 0 to ~3e-7."""
    printed, difference = printed_and_returned("gradient_check_n", "fixed_backprop")
    assert "works perfectly fine" in printed and 1e-8 < difference < 2e-7
    case = GC.case("gradient_check_n", "fixed_backprop")
    assert (case.rtol, case.atol) == (0, 2e-7)
    for accepted in (1.1890417878779317e-07, 0.0):
        assert matches(difference, accepted, ("difference",), case)
    assert not matches(difference, 4e-7, ("difference",), case)


def _forward_propagation_n_exact(X, Y, parameters):
    """The course's forward_propagation_n with exactly rounded dot products, standing in for another BLAS."""
    def dot(A, B):
        return np.array([[math.fsum(A[i] * B[:, j]) for j in range(B.shape[1])] for i in range(A.shape[0])])

    relu, sigmoid = GC.reference.relu, GC.reference.sigmoid
    A1 = relu(dot(parameters["W1"], X) + parameters["b1"])
    A2 = relu(dot(parameters["W2"], A1) + parameters["b2"])
    A3 = sigmoid(dot(parameters["W3"], A2) + parameters["b3"])
    logprobs = np.multiply(-np.log(A3), Y) + np.multiply(-np.log(1 - A3), 1 - Y)
    return 1. / X.shape[1] * np.sum(logprobs), None


@pytest.mark.parametrize("case", [c for c in BUNDLE.function("gradient_check_n").cases if c.atol == 0],
                         ids=lambda case: case.id)
def test_by_value_cases_of_gradient_check_n_do_not_depend_on_the_summation_order(case):
    exact = rebound(GC.reference.gradient_check_n, forward_propagation_n=_forward_propagation_n_exact)
    difference = GC.call(exact, *GC.inputs(case))
    expected = GC.expected("gradient_check_n", case)
    assert difference != expected  # the summation order did change the rounding
    assert np.isclose(difference, expected, rtol=case.rtol / 10, atol=0)


# Stand-ins and mistakes

def test_a_wrong_forward_propagation_costs_points_on_forward_propagation_only():
    (mistake,) = [m for m in BUNDLE.mistakes if m.key == "forward_theta_plus_x"]
    namespace = GC.mistake(mistake)
    for case in BUNDLE.function("gradient_check").cases:
        expected = GC.expected("gradient_check", case)
        without_stand_ins = GC.call(namespace["gradient_check"], *GC.inputs(case))
        assert not matches(expected, without_stand_ins, ("difference",), case), case.id
        assert matches(expected, GC.run("gradient_check", case, namespace), ("difference",), case), case.id


def test_catalogue_covers_the_agreed_mistakes_with_one_for_every_function():
    assert {m.key for m in BUNDLE.mistakes} >= {
        "forward_theta_plus_x", "backward_returns_theta", "check_epsilon_not_doubled", "check_grad_not_from_backward",
        "check_n_one_sided", "check_n_epsilon_not_doubled", "check_n_not_normalised", "check_n_norm_squared",
        "check_n_all_parameters_shifted", "check_n_shift_not_undone", "check_n_last_parameter_only",
    }
    assert {m.function for m in BUNDLE.mistakes} == set(GRADED)


# The course's given code

def test_supplied_module_holds_the_course_given_code_with_its_two_bugs_and_plain_imports():
    source = BUNDLE.text("supplied")
    tree = ast.parse(source)
    assert [node.name for node in tree.body if isinstance(node, ast.FunctionDef)] == list(COURSE_CODE)
    assert "dW2 = 1. / m * np.dot(dZ2, A1.T) * 2" in source
    assert "db1 = 4. / m * np.sum(dZ1, axis=1, keepdims=True)" in source
    # Only plain imports: the platform carries those, not try/except blocks, into the sandbox.
    assert all(isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef)) for node in tree.body[1:])


def test_the_reference_takes_the_course_code_from_supplied_and_the_starter_cells_are_it():
    supplied = BUNDLE.text("supplied")
    assert not set(COURSE_CODE) & defined_names(BUNDLE.text("reference"))  # supplied.py's copy goes in front
    cells = {source.split("(")[0]: source for source in code_cells(BUNDLE)}
    for name in COURSE_CODE:
        assert same_code(cells[f"def {name}"], supplied, name), name


def test_gc_utils_rolls_and_unrolls_the_course_network():
    gc_utils = GC.module("gc_utils")
    _, _, parameters = GC.call(GC.module("testCases").gradient_check_n_test_case)
    theta, keys = gc_utils.dictionary_to_vector(parameters)
    assert theta.shape == (47, 1) and keys[:20] == ["W1"] * 20 and keys[-1] == "b3"
    rolled = gc_utils.vector_to_dictionary(theta)
    assert all(np.array_equal(rolled[name], value) for name, value in parameters.items())
    gradients = {"d" + name: value for name, value in parameters.items()}
    np.testing.assert_array_equal(gc_utils.gradients_to_vector(gradients), theta)


def test_starter_imports_the_course_helpers():
    assert_starter_imports(BUNDLE, ("import numpy as np", "from testCases import *"),
                           ("sigmoid", "relu", "dictionary_to_vector", "vector_to_dictionary", "gradients_to_vector"),
                           "gc_utils")
