"""What is particular to "Gradient checking (2021 notebook)" (assignments/gradient_checking_2021); test_bundles.py checks the rest.

The reference reproduces the numbers the course's 2021 notebook prints and
prints its verdict only when print_msg asks; the given functions that answer
gradient_check's callees in hidden cases give exact, epsilon-dependent
differences; a constant, the published answer or an ignored argument loses
points on every function (bar the two arguments a correct answer ignores); a
student's 2021 notebook (tests/data/students/gradient_checking_2021.ipynb)
scores full marks here, and an earlier notebook loses the checks' points.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from sandbox import wire
from grader.grading.setup import get_grader
from tests.assignments import variants
from tests.assignments.bundle_code import assert_starter_imports, code, code_cells, matches

GC = code("gradient-checking-2021")
EARLIER = code("gradient-checking")
BUNDLE = GC.bundle
GRADED = ("forward_propagation", "backward_propagation", "gradient_check", "gradient_check_n")
STUDENT = Path(__file__).resolve().parents[1] / "data" / "students" / "gradient_checking_2021.ipynb"
# Arguments a correct answer ignores: dJ/dtheta of theta * x is x, and print_msg only decides what is printed.
IGNORED_BY_THE_COURSE = {("backward_propagation", "theta"), ("gradient_check", "print_msg"),
                         ("gradient_check_n", "print_msg")}


def printed_and_returned(name: str, case_id: str):
    """What the reference prints and returns on a case."""
    with GC.active() as out:
        value = GC.run(name, GC.case(name, case_id))
    return out.getvalue(), value


def as_sent(value):
    """A value as it leaves the sandbox: NumPy scalars come back as Python numbers (np.dot(theta, x) is an np.int64)."""
    arrays: dict = {}
    return wire.decode(wire.encode(value, arrays), arrays)


def test_the_four_functions_are_graded_for_ten_points_with_the_2021_signatures():
    assert tuple(graded.name for graded in BUNDLE.functions) == GRADED and BUNDLE.max_score == 10
    assert variants.parameters_of(GC, "gradient_check") == ["x", "theta", "epsilon", "print_msg"]
    assert variants.parameters_of(GC, "gradient_check_n") == ["parameters", "gradients", "X", "Y", "epsilon", "print_msg"]
    for graded in BUNDLE.functions:
        assert [case.id for case in graded.cases if not case.hidden] == ["published"]
        assert sum(case.hidden for case in graded.cases) >= 2


def test_the_course_code_helpers_and_test_network_are_the_earlier_bundles_files():
    assert BUNDLE.files["supplied"] == EARLIER.bundle.files["supplied"]
    assert BUNDLE.job_files == EARLIER.bundle.job_files
    assert BUNDLE.model_checks == () and BUNDLE.private_files == ()


# The 2021 notebook's printed outputs

def test_forward_and_backward_propagation_reproduce_published_J_8_and_dtheta_3():
    assert GC.expected("forward_propagation", GC.case("forward_propagation", "published")) == 8
    assert GC.expected("backward_propagation", GC.case("backward_propagation", "published")) == 3


def test_gradient_check_reproduces_the_published_difference_and_prints_only_when_asked():
    printed, difference = printed_and_returned("gradient_check", "published")
    assert printed == "\033[92mYour backward propagation works perfectly fine! difference = " + str(difference) + "\033[0m\n"
    np.testing.assert_allclose(difference, 7.814075313343006e-11, rtol=1e-5)
    printed, _ = printed_and_returned("gradient_check", "negative_theta")
    assert printed == ""


def test_gradient_check_n_reproduces_the_published_difference_and_prints_only_when_asked():
    printed, difference = printed_and_returned("gradient_check_n", "published")
    assert "There is a mistake in the backward propagation! difference = 0.285093156776162" in printed
    np.testing.assert_allclose(difference, 0.2850931567761623, rtol=1e-12)
    assert printed_and_returned("gradient_check_n", "buggy_backprop_other_network")[0] == ""
    printed, difference = printed_and_returned("gradient_check_n", "fixed_backprop_epsilon_1e_3")
    assert "Your backward propagation works perfectly fine!" in printed and difference < 2e-7


def test_the_corrected_backward_pass_gives_the_2021_notebooks_second_expected_value():
    """The notebook accepts 0.2850931567761623 (the given bugs) or 1.1890913024229996e-07 (both fixed)."""
    printed, difference = printed_and_returned("gradient_check_n", "fixed_backprop")
    assert printed == "" and 1e-8 < difference < 2e-7
    assert matches(difference, 1.1890913024229996e-07, ("difference",), GC.case("gradient_check_n", "fixed_backprop"))


# The given callees of gradient_check's hidden cases

def test_hidden_cases_answer_gradient_check_with_a_wrong_derivative_and_a_cubic():
    cases = {case.id: case for case in BUNDLE.function("gradient_check").cases}
    assert cases["published"].stand_ins == ("forward_propagation", "backward_propagation")
    assert dict(cases["wrong_backward"].callees) == {"forward_propagation": "linear_forward",
                                                     "backward_propagation": "backward_off_by_half"}
    assert dict(cases["cubic"].callees) == {"forward_propagation": "cubic_forward",
                                            "backward_propagation": "cubic_backward"}
    # gradapprox of theta * x is exact up to rounding of about 1e-16 * |J| / epsilon.
    np.testing.assert_allclose(GC.expected("gradient_check", cases["wrong_backward"]), 0.5 / 6.5, rtol=1e-7)
    np.testing.assert_allclose(GC.expected("gradient_check", cases["wrong_backward_printed"]), 0.5 / 3.5, rtol=1e-7)
    x, theta, epsilon, _ = GC.inputs(cases["cubic"])
    exact = epsilon ** 2 / (2 * abs(3 * theta ** 2 + x) + epsilon ** 2)  # gradapprox = 3 theta**2 + x + epsilon**2
    np.testing.assert_allclose(GC.expected("gradient_check", cases["cubic"]), exact, rtol=1e-8)


def test_the_corrected_backward_pass_matches_centered_differences_of_the_course_cost():
    cases = GC.cases
    X, Y, parameters = GC.call(GC.module("testCases").gradient_check_n_test_case)
    forward = GC.reference.forward_propagation_n
    gradients = GC.call(cases.backward_propagation_n_corrected, X, Y, GC.call(forward, X, Y, parameters)[1])
    for name in parameters:
        for index in np.ndindex(parameters[name].shape):
            shifted = {key: value.copy() for key, value in parameters.items()}
            shifted[name][index] += 1e-6
            plus = GC.call(forward, X, Y, shifted)[0]
            shifted[name][index] -= 2e-6
            minus = GC.call(forward, X, Y, shifted)[0]
            assert gradients["d" + name][index] == pytest.approx((plus - minus) / 2e-6, abs=1e-7), (name, index)


def test_mistakes_of_the_formula_show_on_gradient_check_and_printing_only_when_asked_costs_the_quiet_cases():
    outputs = {m.key: GC.mistake_outputs(m) for m in BUNDLE.mistakes if m.function == "gradient_check"}
    graded = BUNDLE.function("gradient_check")
    for key, by_case in outputs.items():
        failed = {case.id for case in graded.cases
                  if not matches(GC.expected(graded.name, case), by_case[case.id], graded.outputs, case)}
        assert failed, key
        if key == "check_returns_only_when_printing":
            assert failed == {case.id for case in graded.cases if GC.inputs(case)[3] is False}
            assert all(by_case[case_id] is None for case_id in failed)


@pytest.mark.parametrize("name", GRADED)
def test_the_published_answer_hard_coded_loses_points(name):
    assert variants.published_answer_fails(GC, name)


@pytest.mark.parametrize("name", GRADED)
def test_any_constant_answer_loses_points(name):
    passing_everything = [case_id for case_id, failed in variants.constant_answers_fail(GC, name).items() if not failed]
    assert not passing_everything


@pytest.mark.parametrize("name, parameter", [(name, parameter) for name in GRADED
                                             for parameter in variants.parameters_of(GC, name)])
def test_ignoring_an_argument_loses_points_unless_a_correct_answer_ignores_it_too(name, parameter):
    failed = variants.ignoring_fails(GC, name, parameter)
    assert bool(failed) == ((name, parameter) not in IGNORED_BY_THE_COURSE)


# The starter notebook, and a student's 2021 notebook

def test_starter_has_the_2021_signatures_tests_and_expected_outputs():
    assert_starter_imports(BUNDLE, ("import numpy as np", "from testCases import *"),
                           ("sigmoid", "relu", "dictionary_to_vector", "vector_to_dictionary", "gradients_to_vector"),
                           "gc_utils")
    cells = code_cells(BUNDLE)
    assert "difference = gradient_check(x, theta, print_msg=True)" in "\n".join(cells)
    assert "gradient_check_n(parameters, gradients, X, Y, 1e-7, True)" in "\n".join(cells)


def test_a_students_2021_notebook_passes_every_case_here_and_on_the_earlier_bundle():
    """print_msg has a default, so the 2021 functions answer the earlier calls too."""
    extraction = get_grader().extract(BUNDLE, STUDENT.name, STUDENT.read_bytes())  # read in the sandbox
    assert extraction.found == list(GRADED) and not extraction.missing
    for bundle_code in (GC, EARLIER):
        namespace = bundle_code.namespace(extraction.source, str(STUDENT))
        for graded in bundle_code.bundle.functions:
            assert namespace[graded.name].__code__.co_filename == str(STUDENT)
            for case in graded.cases:
                value = as_sent(bundle_code.run(graded.name, case, namespace))
                assert matches(bundle_code.expected(graded.name, case), value, graded.outputs, case), (graded.name, case.id)


@pytest.fixture(scope="module")
def grader():
    from grader.grading.setup import get_grader

    return dataclasses.replace(get_grader(), model_checks=False)


@pytest.mark.sandbox
@pytest.mark.django_db
def test_a_students_2021_notebook_scores_full_marks_and_an_earlier_one_loses_the_checks_points(grader):
    student = grader.grade(BUNDLE, STUDENT.name, STUDENT.read_bytes()).document()
    assert (student["assignment"], student["score"], student["max_score"]) == ("gradient-checking-2021", 10.0, 10.0)
    from tests import student_files

    earlier = grader.grade(BUNDLE, "earlier.py", student_files.python_file("gradient-checking")).document()
    statuses = {name: function["status"] for name, function in earlier["functions"].items()}
    assert statuses == {"forward_propagation": "passed", "backward_propagation": "passed",
                        "gradient_check": "error", "gradient_check_n": "error"}
    message = earlier["functions"]["gradient_check"]["checks"][0]["message"]
    assert "TypeError" in message and "positional arguments but 4 were given" in message
