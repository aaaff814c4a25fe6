"""Diagnosis: a failed function's hint names the known mistake its outputs, their differences or its source show."""
from __future__ import annotations

import numpy as np
import pytest

from assignments.bundle import Args, Case, Explanation, GradedFunction, load_bundle
from grader.grading.diagnosis import (Diagnosis, MistakeOutputs, by_differences, by_outputs, differences_diagnosis,
                                      outputs_diagnosis)
from sandbox.results import CaseRun, FunctionRun
from sandbox.wire import Unsupported

MISSING = Explanation("l2_missing", "l2_terms", "gradients", -1.0, "The L2 term is missing for {keys}.")
TWICE = Explanation("l2_twice", "l2_terms", "gradients", 1.0, "The L2 term is added twice for {keys}.")
BACKWARD = GradedFunction("backward", 1.0, ("gradients",), (
    Case("published", Args("literal", ())), Case("deep", Args("literal", ()), hidden=True),
    Case("shallow", Args("literal", ()), hidden=True)), explanations=(MISSING, TWICE))
RNG = np.random.RandomState(0)
# The reference's gradients and the L2 term of each dW on three cases; the shallow network has one layer only.
EXPECTED = {case: {f"{g}{l}": RNG.randn(3, 2) for l in range(1, layers + 1) for g in ("dW", "db")}
            for case, layers in (("published", 3), ("deep", 3), ("shallow", 1))}
TERMS = {"l2_terms": {case: {f"dW{l}": RNG.randn(3, 2) for l in range(1, len(grads) // 2 + 1)}
                      for case, grads in EXPECTED.items()}}


def student(change) -> FunctionRun:
    """Every case's gradients with `change(case, key, expected, term)` applied to each dW."""
    cases = []
    for case, grads in EXPECTED.items():
        value = {key: change(case, key, array, TERMS["l2_terms"][case].get(key)) if key.startswith("dW") else array
                 for key, array in grads.items()}
        cases.append(CaseRun(case, "ok", value=value))
    return FunctionRun("backward", "ok", cases=cases)


def test_a_key_off_by_the_term_on_every_case_is_named():
    run = student(lambda case, key, expected, term: expected - term if key == "dW2" else expected)
    assert by_differences(BACKWARD, run, EXPECTED, TERMS) == "The L2 term is missing for dW2."


def test_every_key_off_by_the_term_is_named_even_one_a_smaller_case_lacks():
    run = student(lambda case, key, expected, term: expected - term if key in ("dW1", "dW3") else expected)
    assert by_differences(BACKWARD, run, EXPECTED, TERMS) == "The L2 term is missing for dW1 and dW3."


def test_keys_off_by_different_multiples_get_each_explanation():
    run = student(lambda case, key, expected, term: {"dW1": expected - term, "dW3": expected + term}.get(key, expected))
    assert by_differences(BACKWARD, run, EXPECTED, TERMS) == \
        "The L2 term is missing for dW1. The L2 term is added twice for dW3."
    assert differences_diagnosis(BACKWARD, run, EXPECTED, TERMS).key == "difference:l2_missing+l2_twice"


@pytest.mark.parametrize("change", [
    lambda case, key, expected, term: expected,  # right: nothing to explain
    lambda case, key, expected, term: expected - 2 * term if key == "dW2" else expected,  # another multiple
    lambda case, key, expected, term: expected - term if key == "dW2" and case != "deep" else expected * 3,
    lambda case, key, expected, term: expected - term + 1e-3 if key == "dW2" else expected,  # near, not exact
], ids=["correct", "another-factor", "one-case-off", "off-by-more"])
def test_a_key_is_explained_only_when_the_relation_holds_on_every_case(change):
    assert by_differences(BACKWARD, student(change), EXPECTED, TERMS) is None


@pytest.mark.parametrize("returned", [
    None, "dW2", 2**2000, Unsupported("set", "not supported"), np.zeros((2, 3)), np.array(["a"] * 6).reshape(3, 2),
    {"dW2": np.zeros((3, 2), dtype=complex)}, [1.0, 2.0],
])
def test_anything_a_submission_returns_gets_no_explanation_and_no_error(returned):
    run = FunctionRun("backward", "ok", cases=[CaseRun(case, "ok", value=returned) for case in EXPECTED])
    assert by_differences(BACKWARD, run, EXPECTED, TERMS) is None


def test_a_case_that_raised_or_has_no_term_decides_nothing_alone():
    run = student(lambda case, key, expected, term: expected - term if key == "dW2" else expected)
    run.cases[1] = CaseRun("deep", "error", error={"type": "ValueError", "message": "x"})
    assert by_differences(BACKWARD, run, EXPECTED, TERMS) == "The L2 term is missing for dW2."
    without_deep = {"l2_terms": {k: v for k, v in TERMS["l2_terms"].items() if k != "published"}}
    assert by_differences(BACKWARD, run, EXPECTED, without_deep) is None


def test_a_whole_output_is_explained_under_its_name():
    cost = GradedFunction("cost", 1.0, ("cost",), (Case("published", Args("literal", ())),),
                          explanations=(Explanation("left_out", "l2", "cost", -1.0, "The L2 part of {keys} is missing."),))
    run = FunctionRun("cost", "ok", cases=[CaseRun("published", "ok", value=0.75)])
    assert by_differences(cost, run, {"published": 1.0}, {"l2": {"published": 0.25}}) == "The L2 part of cost is missing."


def test_one_output_of_several_is_explained():
    momentum = GradedFunction("momentum", 1.0, ("parameters", "v"), (Case("published", Args("literal", ())),),
                              explanations=(Explanation("v_unchanged", "steps", "v", 1.0, "{keys} did not move."),))
    expected = ({"W1": np.ones(2)}, {"dW1": np.zeros(2), "db1": np.zeros(2)})
    run = FunctionRun("momentum", "ok", cases=[CaseRun("published", "ok", value=(
        {"W1": np.ones(2)}, {"dW1": np.full(2, 0.5), "db1": np.zeros(2)}))])
    terms = {"steps": {"published": {"dW1": np.full(2, 0.5), "db1": np.full(2, 0.25)}}}
    assert by_differences(momentum, run, {"published": expected}, terms) == "dW1 did not move."


def test_a_threshold_case_explains_nothing():
    graded = GradedFunction("check", 1.0, ("difference",), (Case("published", Args("literal", ()), threshold=("<", 1e-7)),),
                            explanations=(Explanation("e", "t", "difference", -1.0, "{keys}"),))
    run = FunctionRun("check", "ok", cases=[CaseRun("published", "ok", value=0.5)])
    assert by_differences(graded, run, {"published": 1.0}, {"t": {"published": 0.5}}) is None


def test_outputs_matching_a_catalogued_mistake_on_every_case_get_its_hint():
    graded = GradedFunction("relu", 1.0, ("A",), (Case("published", Args("literal", ())),
                                                  Case("hidden", Args("literal", ()), hidden=True)))
    minimum = MistakeOutputs("relu_min", "relu", "Use np.maximum.", {"published": np.zeros(2), "hidden": np.ones(2)})
    other_function = MistakeOutputs("x", "softmax", "Not this one.", {"published": np.zeros(2), "hidden": np.ones(2)})
    run = FunctionRun("relu", "ok", cases=[CaseRun("published", "ok", value=np.zeros(2)),
                                          CaseRun("hidden", "ok", value=np.ones(2))])
    assert by_outputs(graded, run, [other_function, minimum]) == "Use np.maximum."
    assert outputs_diagnosis(graded, run, [other_function, minimum]) == Diagnosis("mistake:relu_min", "Use np.maximum.")
    run.cases[1] = CaseRun("hidden", "ok", value=np.zeros(2))
    assert by_outputs(graded, run, [minimum]) is None
    assert by_outputs(graded, FunctionRun("relu", "ok", cases=[CaseRun("published", "error")]), [minimum]) is None


# Through the pipeline and the sandbox: terms computed with the expected outputs, patterns read on this side.

LEAKY = '''  [[functions.explanations]]
  id = "slope_ignored"
  term = "cases.py:negative_part"
  factor = -1
  hint = "{keys} drops the negative part: keep slope * Z where Z < 0."
'''
CASES_TERM = '''

def negative_part(Z, slope):
    return slope * np.minimum(Z, 0)
'''
MAX_MISTAKE = '''
[[mistakes]]
key = "relu_builtin_max"
function = "relu"
hint = "Python's max compares whole arrays; use np.maximum(0, Z)."
pattern = { call = "max" }
edits = [["np.maximum(0, Z)", "max(0, Z)", 1]]
'''


@pytest.fixture(scope="module")
def explained_bundle(tmp_path_factory):
    from tests.grader.authoring.bundles import CASES, MISTAKES, manifest, write_bundle

    text = manifest()
    head = '[[functions]]\nname = "leaky_relu"\n'
    at = text.index("[[functions.cases]]", text.index(head))
    return load_bundle(write_bundle(tmp_path_factory.mktemp("b") / "b", **{
        "assignment.toml": text[:at] + LEAKY + "\n" + text[at:],
        "cases.py": CASES.format(prefix="") + CASES_TERM,
        "mistakes.toml": MISTAKES.format(prefix="") + MAX_MISTAKE,
    }))


@pytest.mark.sandbox
def test_a_difference_and_a_pattern_reach_the_student_s_card(explained_bundle):
    from grader.grading.setup import get_grader

    upload = (b"import numpy as np\n\ndef relu(Z):\n    return max(0, Z)\n\n"
              b"def leaky_relu(Z, slope):\n    return np.maximum(Z, 0)\n")
    report = get_grader().grade_functions(explained_bundle, "student.py", upload).report
    cards = {card.name: card for card in report.functions}
    assert cards["relu"].status == "error"
    assert cards["relu"].hint == "Python's max compares whole arrays; use np.maximum(0, Z)."
    assert cards["leaky_relu"].status == "failed"
    assert cards["leaky_relu"].hint == "A drops the negative part: keep slope * Z where Z < 0."


# The measurement of bench/diagnosis.py, held to its target: single-mistake files of every bundle.

def _every_mistake_file():
    from assignments import bundle_folders
    from tests.mistake_files import mistake_files

    return [(load_bundle(folder), file) for folder in bundle_folders().values()
            for file in mistake_files(load_bundle(folder))]


def test_every_variant_names_its_function_and_how_its_hint_is_recognised():
    import ast

    for bundle, file in _every_mistake_file():
        keys = {m.key for m in bundle.mistakes}
        assert file.function in {f.name for f in bundle.functions}, file.name
        assert file.hint_contains or set(file.mistakes) & keys, f"{file.name}: no catalogued key or fragment names it"
        assert set(file.mistakes) <= keys, f"{file.name}: unknown keys {set(file.mistakes) - keys}"
        defined = {n.name for n in ast.parse(file.source).body if isinstance(n, ast.FunctionDef)}
        assert file.function in defined, file.name
        student = file.student_file(bundle)
        ast.parse(student)
        assert student != bundle.text("reference").encode(), file.name


@pytest.mark.slow
@pytest.mark.sandbox
def test_nine_in_ten_single_mistake_files_get_a_hint_naming_their_mistake_and_none_a_contradicting_one():
    from grader.grading.setup import get_grader
    from tests.mistake_files import CONTRADICTING, NAMED, NONE, grade_file, rate

    grader = get_grader()
    outcomes = [grade_file(grader, bundle, file) for bundle, file in _every_mistake_file()]
    assert [o.file.name for o in outcomes if o.verdict not in (NAMED, NONE, CONTRADICTING)] == []  # a sound file set
    assert [(o.file.name, o.hint) for o in outcomes if o.verdict == CONTRADICTING] == []
    assert rate(outcomes) >= 0.9, [o.file.name for o in outcomes if o.verdict != NAMED]
    assert all(o.verdict == NAMED for o in outcomes if o.file.name.startswith("catalogue:"))
