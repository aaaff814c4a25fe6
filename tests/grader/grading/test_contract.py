"""The contract over every bundle folder, and what it says about bundles that break it."""
from __future__ import annotations

import pytest

from assignments import bundle_folders
from assignments.bundle import load_bundle
from grader.grading.contract import check_contract
from grader.grading.setup import get_grader
from tests.grader.authoring.bundles import CASES, MISTAKES, REFERENCE, activations, manifest, write_bundle

pytestmark = pytest.mark.sandbox


@pytest.mark.slow
@pytest.mark.parametrize("slug", sorted(bundle_folders()))
def test_every_bundle_meets_the_contract(slug):
    result = check_contract(load_bundle(bundle_folders()[slug]), get_grader())
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


def with_explanation(term_body: str) -> dict:
    """Files of the small bundle with an explanation on leaky_relu whose term (in cases.py) returns `term_body`."""
    text = manifest()
    at = text.index("[[functions.cases]]", text.index('name = "leaky_relu"'))
    explanation = ('[[functions.explanations]]\nid = "slope_ignored"\nterm = "cases.py:negative_part"\nfactor = -1\n'
                   'hint = "{keys} drops the negative part."\n\n')
    cases = CASES.format(prefix="") + f"\n\ndef negative_part(Z, slope):\n    return {term_body}\n"
    return {"assignment.toml": text[:at] + explanation + text[at:], "cases.py": cases}


def test_an_explanation_term_that_cannot_explain_the_output_is_named(tmp_path):
    problem = failing_rows(tmp_path, **with_explanation('{"A": slope * np.minimum(Z, 0)}'))
    assert "functions.leaky_relu.explanations.slope_ignored: cases.py:negative_part on case published: returned a " \
           "dict, but ndarray is what it explains" in problem


def test_a_pattern_the_reference_itself_shows_breaks_the_contract(tmp_path):
    mistakes = MISTAKES.format(prefix="") + (
        '\n[[mistakes]]\nkey = "uses_where"\nfunction = "leaky_relu"\nhint = "Do not use np.where."\n'
        'pattern = { call = "numpy.where" }\nedits = [["np.where(Z > 0, Z, slope * Z)", "Z", 1]]\n')
    problem = failing_rows(tmp_path, **{"mistakes.toml": mistakes})
    assert "uses_where" in problem and "its pattern matches the reference's own def" in problem
