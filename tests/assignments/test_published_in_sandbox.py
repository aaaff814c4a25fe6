"""The course's published numbers, reproduced in the sandbox environment that grades students.

The other tests here check the published numbers with the reference run in the test process (the host's NumPy).
Students and the expected outputs they are compared with run in the sandbox (Debian's Python and NumPy), so the
same numbers are held here against what the sandbox computed: the expected outputs of every "published" case and
the reference's training in every model check (grader.grading.expected, computed once per image). What was
measured, and where the sandbox differs from the host, is in docs/seed-numbers.md.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from grader.grading import classifier
from tests.assignments.bundle_code import code

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]
COURSE = ("gradient-checking", "initialization", "optimization", "regularization")


@pytest.fixture(scope="module")
def expected():
    from grader.grading.setup import get_grader

    grader = dataclasses.replace(get_grader(), model_checks=True)
    return {slug: grader.expected_for(code(slug).bundle) for slug in COURSE}


def leaves(value, path: str = ""):
    """(path, array or number) of everything inside dicts (by key), lists and tuples."""
    if isinstance(value, dict):
        for key in sorted(value):
            yield from leaves(value[key], f"{path}/{key}")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from leaves(item, f"{path}[{index}]")
    else:
        yield path, value


def published_cases():
    for slug in COURSE:
        for graded in code(slug).bundle.functions:
            for case in graded.cases:
                if case.id == "published":
                    yield pytest.param(slug, graded.name, case, id=f"{slug}/{graded.name}")


@pytest.mark.parametrize("slug, name, case", list(published_cases()))
def test_every_published_case_gives_in_the_sandbox_what_the_host_tests_hold_to_the_published_numbers(
        expected, slug, name, case):
    """rtol 1e-9: far inside the 1e-5 the published numbers are held to (they are printed with 8 digits)."""
    in_sandbox = dict(leaves(expected[slug].outputs[name][case.id]))
    on_host = dict(leaves(code(slug).expected(name, case)))
    assert in_sandbox.keys() == on_host.keys()
    for path, host_value in on_host.items():
        np.testing.assert_allclose(in_sandbox[path], host_value, rtol=1e-9, atol=1e-15, err_msg=path)


def test_gradient_check_n_gives_the_students_printed_runs_digit_for_digit(expected):
    """004:505 and 004:740 print what Debian trixie's NumPy computes (the host's NumPy differs in the 11th digit)."""
    outputs = expected["gradient-checking"].outputs["gradient_check_n"]
    np.testing.assert_allclose(outputs["published"], 0.285093156780699, rtol=1e-15)
    np.testing.assert_allclose(outputs["fixed_backprop"], 1.1890417878779317e-07, rtol=1e-15)


def test_initialization_models_reproduce_the_published_costs_and_accuracies(expected):
    from tests.assignments import test_initialization as published

    models = expected["initialization"].models
    np.testing.assert_allclose(models["zeros"][1], published.PUBLISHED_ZEROS_COSTS, rtol=1e-15)
    np.testing.assert_allclose(models["he"][1], published.PUBLISHED_HE_COSTS, rtol=1e-13)
    random_costs = np.asarray(models["random"][1])
    assert random_costs[0] == np.inf
    np.testing.assert_allclose(random_costs[1:], published.PUBLISHED_RANDOM_COSTS[1:], rtol=0.005)  # BLAS-steered
    accuracies = {check.id: classifier.evaluate(check, models[check.id][0]) for check in published.BUNDLE.model_checks}
    assert accuracies == {"zeros": {"train_accuracy": 0.5, "test_accuracy": 0.5},
                          "random": {"train_accuracy": 0.83, "test_accuracy": 0.86},
                          "he": {"train_accuracy": pytest.approx(0.9933333333333333), "test_accuracy": 0.96}}


def test_optimization_models_reproduce_the_printed_costs_and_accuracies(expected):
    from tests.assignments import test_optimization as published

    models = expected["optimization"].models
    for check in published.BUNDLE.model_checks:
        costs, accuracy = published.PUBLISHED_MODELS[check.id]
        np.testing.assert_allclose(np.asarray(models[check.id][1])[::10], costs, rtol=0, atol=5e-7)  # printed %f
        metrics = classifier.evaluate(check, models[check.id][0])
        assert metrics["train_accuracy"] == pytest.approx(accuracy, abs=1e-12)


def test_regularization_models_reach_the_measured_accuracies_exactly(expected):
    """The course's data.mat is not available: the accuracies are ours (docs/seed-numbers.md), measured on the host."""
    from tests.assignments import test_regularization as measured

    models = expected["regularization"].models
    for check in measured.BUNDLE.model_checks:
        train_accuracy, test_accuracy, first_cost, _ = measured.MEASURED[check.id]
        metrics = classifier.evaluate(check, models[check.id][0])
        assert metrics == {"train_accuracy": pytest.approx(train_accuracy, abs=1e-12),
                           "test_accuracy": pytest.approx(test_accuracy, abs=1e-12)}
        np.testing.assert_allclose(models[check.id][1][0], first_cost, rtol=1e-12)
