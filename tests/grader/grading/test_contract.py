"""The contract over every bundle folder, and what it says about bundles that break it."""
from __future__ import annotations

import pytest

from assignments import bundle_folders
from assignments.bundle import load_bundle
from grader.grading.contract import check_contract
from grader.grading.contract_cache import cached_contract
from grader.grading.setup import get_grader
from tests.grader.authoring.bundles import CASES, REFERENCE, activations, manifest, write_bundle

pytestmark = pytest.mark.sandbox


@pytest.mark.slow
@pytest.mark.parametrize("slug", sorted(bundle_folders()))
def test_every_bundle_meets_the_contract(slug):
    result, _ = cached_contract(load_bundle(bundle_folders()[slug]), get_grader())  # checked once per code and image
    assert result.ok, [row for row in result.rows if not row[3]]
    assert result.rows[0][0] == "reference" and len(result.rows) > 2


def test_a_small_bundle_meets_it_row_by_row(tmp_path):
    result = check_contract(load_bundle(write_bundle(tmp_path / "b")), get_grader())
    assert [(row[0], row[3]) for row in result.rows] == [
        ("reference", True), ("relu_minimum", True), ("leaky_slope_ignored", True)]


def failing_rows(tmp_path, **files):
    result = check_contract(load_bundle(write_bundle(tmp_path / "b", **files)), get_grader())
    assert not result.ok
    return " | ".join(str(row) for row in result.rows if not row[3])


def test_a_reference_that_raises_fails_with_its_trimmed_traceback(tmp_path):
    reference = REFERENCE.format(prefix="").replace("return np.where(Z > 0, Z, slope * Z)", "return Z[undefined_index]")
    problem = failing_rows(tmp_path, **{"reference.py": reference})
    assert "NameError: name 'undefined_index' is not defined" in problem and "return Z[undefined_index]" in problem
    assert "runner.py" not in problem


def test_a_reference_that_never_returns_fails_as_a_timeout(tmp_path):
    reference = REFERENCE.format(prefix="").replace("return np.where(Z > 0, Z, slope * Z)", "while True:\n        pass")
    problem = failing_rows(tmp_path, **{"reference.py": reference})
    assert "leaky_relu" in problem and "timeout" in problem


def test_outputs_that_do_not_match_what_the_reference_returns_are_named(tmp_path):
    reference = REFERENCE.format(prefix="").replace("return np.where(Z > 0, Z, slope * Z)", "return Z, slope")
    relu, leaky = activations()
    text = manifest(functions=[relu, {**leaky, "outputs": ["A", "B", "C"]}])
    problem = failing_rows(tmp_path, **{"reference.py": reference, "assignment.toml": text})
    assert "functions.leaky_relu.outputs names 3 values (A, B, C), but the reference returns a tuple of 2" in problem


@pytest.mark.parametrize("body, message", [
    ("return {1, 2}", "cases.py:wide returned a value the sandbox cannot carry: set"),
    ("return [1.0]", "cases.py:wide returned list, not a tuple of arguments"),
    ("return (object(),)", "cases.py:wide returned a value the sandbox cannot carry: object"),
    ("raise KeyError('no such file')", "cases.py:wide did not build its arguments: KeyError"),
])
def test_a_builder_that_returns_what_the_wire_cannot_carry_is_named(tmp_path, body, message):
    cases = CASES.format(prefix="").replace("return (act_utils.grid(3, 7),)", body)
    assert message in failing_rows(tmp_path, **{"cases.py": cases})
