"""Which known mistake a failed function shows, so its card can say what to fix.

Three kinds, tried in this order, each stating only what it found:

- outputs: the student's outputs equal a catalogued mistake's on every case
  that ran (the mistake's outputs come from a sandbox run of the reference
  with that mistake's def);
- differences: for some keys of one output, student - expected equals a
  known term times a factor on every case ("dW2 is off by exactly
  -lambd / m * W2"); the terms are computed in the sandbox with the expected
  outputs, here only subtracted and compared;
- source patterns: the student's function shows a mistake's pattern (read
  with `ast`, never run), for mistakes no recorded output can identify.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assignments.bundle import GradedFunction, Mistake
from grader.grading.compare import outputs_match


@dataclass(frozen=True)
class Diagnosis:
    """A hint and the stable key of what it diagnoses, so staff can count a mistake across submissions.

    Keys: `mistake:<catalogue key>` (mistakes.toml), `difference:<explanation id>` (several joined by "+"),
    `message:<key>` (grader/grading/messages.py).
    """

    key: str
    hint: str


@dataclass
class MistakeOutputs:
    """A known wrong answer: the outputs a catalogued variant of the reference gives on each case."""

    key: str
    function: str
    hint: str
    outputs: dict[str, object]  # case id -> value


def by_outputs(graded: GradedFunction, run, mistakes: list[MistakeOutputs]) -> str | None:
    """The hint of the catalogued mistake whose outputs the student's match on every case that ran; where the
    student's code raised, the mistake must raise too (a loop variable read after a loop that never ran)."""
    found = outputs_diagnosis(graded, run, mistakes)
    return found.hint if found else None


def outputs_diagnosis(graded: GradedFunction, run, mistakes: list[MistakeOutputs]) -> Diagnosis | None:
    """`by_outputs` with the mistake's catalogue key."""
    returned = _returned(run)
    raised = {c.id for c in run.cases if c.status == "error"}
    if not returned:
        return None
    cases = {c.id: c for c in graded.cases}
    for mistake in mistakes:
        if mistake.function != graded.name or raised & set(mistake.outputs):
            continue
        if all(
            case_id in mistake.outputs
            and outputs_match(mistake.outputs[case_id], value, graded.outputs, cases[case_id].rtol, cases[case_id].atol)
            for case_id, value in returned.items()
        ):
            return Diagnosis(f"mistake:{mistake.key}", mistake.hint)
    return None


def by_differences(graded: GradedFunction, run, expected: dict[str, object], terms: dict[str, dict]) -> str | None:
    """The hints of the function's explanations that hold for some wrong keys on every case that ran.

    `terms`: term name -> case id -> the term's value on that case's arguments.
    A key is explained when it is wrong on some case and, on every case whose
    term has it (a one-layer case has no "dW2"), student == expected + factor
    * term within the case's tolerances.
    """
    found = differences_diagnosis(graded, run, expected, terms)
    return found.hint if found else None


def differences_diagnosis(graded: GradedFunction, run, expected: dict[str, object],
                          terms: dict[str, dict]) -> Diagnosis | None:
    """`by_differences` with the ids of the explanations that hold."""
    returned = _returned(run)
    cases = {c.id: c for c in graded.cases}
    hints, ids = [], []
    for explanation in graded.explanations:
        index = graded.outputs.index(explanation.output)
        holds: dict[str, bool] = {}  # label -> the relation held on every case so far
        wrong: set[str] = set()
        for case_id, value in returned.items():
            case, term = cases[case_id], terms.get(explanation.term, {}).get(case_id)
            if case.threshold is not None or term is None or case_id not in expected:
                holds = {}
                break
            student = _output(value, index, len(graded.outputs))
            reference = _output(expected[case_id], index, len(graded.outputs))
            for label, parts in _parts(explanation.output, student, reference, term):
                relation = _relation(*parts, explanation.factor, case.rtol, case.atol)
                holds[label] = holds.get(label, True) and relation is not None
                if relation:
                    wrong.add(label)
        explained = [label for label, held in holds.items() if held and label in wrong]
        if explained:
            hints.append(explanation.hint.format(keys=_joined(explained)))
            ids.append(explanation.id)
    return Diagnosis("difference:" + "+".join(ids), " ".join(hints)) if hints else None


def by_source(graded: GradedFunction, shown: list[str], mistakes: list[Mistake]) -> str | None:
    """The hint of the first catalogued mistake of this function whose pattern the student's source shows
    (`shown`: the keys the parse job found, sandbox/source_patterns.py)."""
    found = source_diagnosis(graded, shown, mistakes)
    return found.hint if found else None


def source_diagnosis(graded: GradedFunction, shown: list[str], mistakes: list[Mistake]) -> Diagnosis | None:
    """`by_source` with the mistake's catalogue key."""
    for mistake in mistakes:
        if mistake.function == graded.name and mistake.pattern is not None and mistake.key in shown:
            return Diagnosis(f"mistake:{mistake.key}", mistake.hint)
    return None


def _returned(run) -> dict[str, object]:
    return {c.id: c.value for c in run.cases if c.status == "ok"}


def _output(value, index: int, count: int):
    """One named output of a returned value (a tuple when the function has several); None when it is not there."""
    if count == 1:
        return value
    if isinstance(value, (tuple, list)) and len(value) == count:
        return value[index]
    return None


def _parts(output: str, student, reference, term) -> list[tuple[str, tuple]]:
    """(label, (student's, reference's, term's value)) per key of a dict term, or once for the whole output."""
    if not isinstance(term, dict):
        return [(output, (student, reference, term))]
    def part(tree, key):
        return tree.get(key) if isinstance(tree, dict) else None
    return [(key, (part(student, key), part(reference, key), value)) for key, value in term.items()]


def _relation(student, reference, term, factor: float, rtol: float, atol: float) -> bool | None:
    """None: student != reference + factor * term; else whether the student's value is wrong at all."""
    arrays = []
    for value in (student, reference, term):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.ndarray)):
            return None
        array = np.asarray(value)
        if array.dtype.kind not in "biuf":
            return None
        arrays.append(array.astype(np.float64))
    student_f, reference_f, term_f = arrays
    if not student_f.shape == reference_f.shape == term_f.shape:
        return None
    with np.errstate(all="ignore"):
        if not np.allclose(student_f, reference_f + factor * term_f, rtol=rtol, atol=atol):
            return None
        return not np.allclose(student_f, reference_f, rtol=rtol, atol=atol)


def _joined(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
