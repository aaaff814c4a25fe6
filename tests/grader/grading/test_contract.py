"""The contract over every bundle folder, and what it says about bundles that break it."""
from __future__ import annotations

import pytest

from assignments import bundle_folders
from assignments.bundle import load_bundle
from grader.grading.contract import check_contract
from grader.grading.contract_cache import cached_contract
from grader.grading.setup import get_grader
from tests.grader.authoring.bundles import CASES, MISTAKES, REFERENCE, activations, manifest, write_bundle

pytestmark = pytest.mark.sandbox


@pytest.mark.slow
@pytest.mark.parametrize("slug", sorted(bundle_folders()))
def test_every_bundle_meets_the_contract(slug):
    result, _ = cached_contract(load_bundle(bundle_folders()[slug]), get_grader())  # checked once per code and image
    assert result.ok, [row for row in result.rows if not row[3]]
    assert result.rows[0][0] == "reference" and len(result.rows) > 2


def test_a_small_bundle_meets_it_row_by_row(tmp_path):
    result = check_contract(load_bundle(write_bundle(tmp_path / "b")), get_grader())
    assert [(row[0], row[1], row[3]) for row in result.rows] == [
        ("reference", "(all)", True), ("relu_minimum", "relu", True), ("leaky_slope_ignored", "leaky_relu", True),
        ("constant", "relu", True), ("published answer", "relu", True), ("ignores Z", "relu", True),
        ("constant", "leaky_relu", True), ("published answer", "leaky_relu", True), ("ignores Z", "leaky_relu", True),
        ("ignores slope", "leaky_relu", True)]


def relu_with_hidden(*hidden_args) -> str:
    """The small bundle's manifest, relu's cases replaced: a published one of no positive input, then `hidden_args`."""
    relu, leaky = activations()
    relu["cases"] = [{"id": "published", "args": [{"array": [[-1.0, 0.0, -2.0]]}]}] + [
        {"id": f"hidden_{number}", "args": [{"array": args}], "hidden": True} for number, args in enumerate(hidden_args)]
    return manifest(functions=[relu, leaky])


def failures(tmp_path, **files) -> list[tuple]:
    result = check_contract(load_bundle(write_bundle(tmp_path / "b", **files)), get_grader())
    return [row for row in result.rows if not row[3]]


def test_cases_a_constant_passes_fail_the_contract_with_a_row_for_each_answer_that_skips_the_work(tmp_path):
    """Every relu input is <= 0, so its every output is zeros: a constant, a hard-coded and a Z-ignoring answer pass."""
    rows = failures(tmp_path, **{"assignment.toml": relu_with_hidden([[-3.0, -0.5, 0.0]])})
    assert [row[:4] for row in rows] == [("constant", "relu", "1/1", False), ("published answer", "relu", "1/1", False),
                                         ("ignores Z", "relu", "1/1", False)]
    assert rows[0][4] == ("a constant answer (zeros shaped like the published output) passes every case: add a hidden "
                          "case whose expected output is far from zero")
    assert rows[2][4].startswith("an answer that ignores Z (always the published case's value, as in the published "
                                 "case) passes every case: add a hidden case where Z changes the expected output")


def test_one_hidden_case_the_answers_fail_closes_the_hole(tmp_path):
    folder = write_bundle(tmp_path / "b", **{"assignment.toml": relu_with_hidden([[-3.0, -0.5, 0.0]], [[1.5, -1.0, 4.0]])})
    result = check_contract(load_bundle(folder), get_grader())
    assert result.ok, [row for row in result.rows if not row[3]]
    assert ("constant", "relu", "0.666667/1", True, "-") in result.rows


def test_an_argument_no_case_changes_is_named_before_anything_runs(tmp_path):
    relu, leaky = activations()
    leaky["cases"][1]["args"] = "cases.py:same_slope"
    cases = CASES.format(prefix="") + "\n\ndef same_slope():\n    return (act_utils.grid(2, 5), 0.1)\n"
    rows = failures(tmp_path, **{"assignment.toml": manifest(functions=[relu, leaky]), "cases.py": cases})
    assert rows == [("ignores slope", "leaky_relu", "-", False,
                     "an answer that ignores slope (always 0.1, as in the published case) makes every case's own call, "
                     "so no case can tell: add a hidden case where slope changes the expected output beyond the "
                     "tolerance (or list slope in printing_only if it only changes what is printed)")]


def test_an_argument_declared_without_effect_must_have_none(tmp_path):
    """unused_arguments excepts slope from 'must lose points', and the contract checks the claim: here it is false."""
    relu, leaky = activations()
    leaky["unused_arguments"] = {"slope": "claimed, wrongly, to change nothing"}
    rows = failures(tmp_path, **{"assignment.toml": manifest(functions=[relu, leaky])})
    assert rows == [("ignores slope (unused_arguments)", "leaky_relu", "1/2", False,
                     "unused_arguments says the output does not depend on it, but an answer that ignores slope "
                     "(always 0.1, as in the published case) fails case hidden")]


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
