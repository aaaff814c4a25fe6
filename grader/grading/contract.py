"""The contract every bundle version must meet before students see it (DESIGN.md, "Assignments are data").

The reference scores full marks; every catalogued mistake loses points on its
own function only and carries its own hint (a mistake's source pattern, if
it has one, does not match the reference); the model checks' thresholds hold
for the reference's own training; and for every function that takes
arguments, a constant answer, the published answer hard-coded and an answer
that ignores any one argument or answered callee each lose points
(grader/grading/variants.py). (Every function having a hidden case, and the
manifest naming what the files define, is the loader's part.)
"""
from __future__ import annotations

from dataclasses import dataclass, field

from assignments.bundle import Bundle
from grader.grading import classifier, variants
from grader.grading.expected import ReferenceFailed
from grader.grading.inputs import FUNCTIONS, BundleProblem, prepare_inputs
from grader.grading.model_checks import unpack
from sandbox.source_patterns import shows  # on the reference: bundle code


@dataclass
class ContractResult:
    rows: list[tuple[str, str, str, bool, str]] = field(default_factory=list)  # variant, function, score, ok, problem

    @property
    def failures(self) -> int:
        return sum(1 for row in self.rows if not row[3])

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.failures


def check_contract(bundle: Bundle, grader) -> ContractResult:
    """Grades the reference, every mistake and every variant through the pipeline; never raises for a broken bundle."""
    result = ContractResult()
    source = bundle.text("reference")
    try:
        expected = grader.expected_for(bundle)
        report = grader.grade_functions(bundle, "reference.py", source.encode()).report
    except (BundleProblem, ReferenceFailed) as error:
        result.rows.append(("reference", "(all)", "-", False, str(error)))
        return result
    not_passed = ", ".join(f"{f.name}: {f.status}" for f in report.functions if f.status != "passed")
    result.rows.append(("reference", "(all)", f"{report.score:g}/{report.max_score:g}",
                        report.score == report.max_score and not not_passed, not_passed or "-"))
    for check in bundle.model_checks if grader.model_checks else ():
        parameters, _ = unpack(expected.models.get(check.id))
        try:
            metrics = classifier.evaluate(check, parameters or {})
        except classifier.ParametersRejected as error:
            result.rows.append((f"model {check.id}", "(reference)", "-", False, str(error)))
            continue
        broken = [f"{t.metric} {metrics.get(t.metric, float('nan')):.4f} not {t.op} {t.value:g}"
                  for t in check.thresholds if not t.holds(metrics.get(t.metric, float("nan")))]
        shown = ", ".join(f"{k} {v:.4f}" for k, v in metrics.items())
        result.rows.append((f"model {check.id}", "(reference)", shown, not broken, "; ".join(broken) or "-"))
    for mistake in bundle.mistakes:
        graded = grader.grade_functions(bundle, f"{mistake.key}.py", (source + "\n\n" + mistake.source).encode())
        functions = {f.name: f for f in graded.report.functions}
        target = functions[mistake.function]
        others = [name for name, f in functions.items() if name != mistake.function and f.status != "passed"]
        # A pattern the reference shows would give its hint to any failing student who wrote it the course's way.
        on_reference = mistake.pattern is not None and shows(mistake.pattern, source, mistake.function)
        ok = target.status != "passed" and target.score < target.max_score and not others \
            and target.hint == mistake.hint and not on_reference
        problem = "; ".join(filter(None, [
            "not caught" if target.status == "passed" else "",
            f"also fails {', '.join(others)}" if others else "",
            f"hint shown: {target.hint!r}" if target.hint != mistake.hint else "",
            "its pattern matches the reference's own def" if on_reference else "",
        ])) or "-"
        result.rows.append((mistake.key, mistake.function, f"{target.score:g}/{target.max_score:g}", ok, problem))
    extraction = grader.submission(bundle, "reference.py", source.encode())
    limits = grader.limits(grader.backend_for(bundle.environment), 0)
    result.rows.extend(variants.rows(bundle, grader, extraction, prepare_inputs(bundle, grader, FUNCTIONS), expected,
                                     limits))
    return result


def table(result: ContractResult) -> list[str]:
    """The rows as aligned text lines, for the command line."""
    header = ("variant", "function", "score", "", "")
    widths = [max(len(str(row[i])) for row in result.rows + [header]) for i in range(3)]
    lines = [f"  {'variant':{widths[0]}}  {'function':{widths[1]}}  {'score':{widths[2]}}  ok    problem"]
    for key, function, score, ok, problem in result.rows:
        lines.append(f"  {key:{widths[0]}}  {function:{widths[1]}}  {score:{widths[2]}}  {'yes' if ok else 'NO ':3}   {problem}")
    return lines
