"""Turn sandbox runs and comparisons into per-function verdicts, scores and student messages."""
from __future__ import annotations

import builtins
import re
from dataclasses import dataclass, field

from assignments.bundle import Bundle, Case, GradedFunction, Mistake
from grader.grading import diagnosis, environment, messages
from grader.grading.checks import value_checks
from grader.grading.diagnosis import Diagnosis, MistakeOutputs
from grader.grading.extract import Extraction

PASSED, FAILED, ERROR, TIMEOUT, MISSING = "passed", "failed", "error", "timeout", "missing"
_NAME_ERROR = re.compile(r"name '(\w+)' is not defined")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CLASS_NAME = re.compile(r"^[ \t]*class[ \t]+([A-Za-z_][A-Za-z0-9_]*)", re.M)
# Exceptions NumPy raises, shown by name like the builtin ones
_LIBRARY_EXCEPTIONS = frozenset({"LinAlgError", "AxisError", "ComplexWarning", "DTypePromotionError", "TooHardError"})
_BUILTIN_EXCEPTIONS = frozenset(name for name, value in vars(builtins).items()
                                if isinstance(value, type) and issubclass(value, BaseException))


@dataclass
class FunctionReport:
    name: str
    status: str
    score: float
    max_score: float
    checks: list[dict] = field(default_factory=list)
    hint: str | None = None
    mistake: str = ""  # the stable key of what the hint diagnoses (diagnosis.Diagnosis), for staff's counts
    summary: str = ""
    output: str = ""
    traceback: str = ""
    metrics: dict = field(default_factory=dict)  # model checks only: measured accuracies
    about: str = ""  # model checks only: what the check is and what it is worth, in plain words
    plot_alt: dict = field(default_factory=dict)  # model checks only: "cost"/"boundary" -> the plot's facts as text
    staff_notes: list[str] = field(default_factory=list)  # withheld from the student: hidden cases' errors, prints
    # Per case, in order: {"hidden", "reveal", "passed"}; in the document only when a hidden case's verdict
    # is revealed later than now (reveal "after_due" or "never"), so pages can withhold it until then.
    cases: list[dict] = field(default_factory=list)

    def document(self) -> dict:
        document = {
            "status": self.status,
            "score": self.score,
            "max_score": self.max_score,
            "checks": self.checks,
            "hint": self.hint,
            "summary": self.summary,
        }
        if self.metrics:
            document["metrics"] = self.metrics
        if self.about:
            document["about"] = self.about
        if self.plot_alt:
            document["plot_alt"] = self.plot_alt
        if any(case["reveal"] != "now" for case in self.cases):
            document["cases"] = self.cases
        return document


@dataclass
class Report:
    assignment: str
    functions: list[FunctionReport]
    notes: list[str] = field(default_factory=list)
    models: list[FunctionReport] = field(default_factory=list)  # model-level checks, after the functions
    images: dict[tuple[str, str], bytes] = field(default_factory=dict)  # (model check id, "cost"|"boundary") -> PNG
    rejected: str = ""  # why the file could not be read at all (DESIGN.md "rejected"): then nothing was graded

    @property
    def score(self) -> float:
        return round(sum(f.score for f in self.functions + self.models), 6)

    @property
    def max_score(self) -> float:
        return round(sum(f.max_score for f in self.functions + self.models), 6)

    def failed_functions(self) -> set[str]:
        return {f.name for f in self.functions if f.status != PASSED}

    def document(self) -> dict:
        document = {
            "assignment": self.assignment,
            "score": self.score,
            "max_score": self.max_score,
            "functions": {f.name: f.document() for f in self.functions},
            "notes": self.notes,
        }
        if self.rejected:
            document["rejected"] = self.rejected
        if self.models:
            document["models"] = {m.name: m.document() for m in self.models}
        return document


def file_problem_report(assignment: Bundle, message: str) -> Report:
    """The upload could not be read at all: the submission is rejected with `message`; every function lists it
    too, for readers of the result document that look only at functions."""
    functions = [
        FunctionReport(
            name=f.name,
            status=ERROR,
            score=0.0,
            max_score=float(f.points),
            checks=[{"name": "file", "passed": False, "message": message}],
            summary="Your file could not be read, so this function was not graded.",
        )
        for f in assignment.functions
    ]
    return Report(assignment.slug, functions, notes=[], rejected=message)


def function_report(
    graded: GradedFunction,
    run,  # sandbox.results.FunctionRun | None
    expected: dict[str, object],
    extraction: Extraction,
    mistakes: list[MistakeOutputs],
    limits: dict,
    *,
    patterns: list[Mistake] = (),  # catalogued mistakes with a source pattern
    terms: dict[str, dict] | None = None,  # this function's explanation terms: term name -> case id -> value
) -> FunctionReport:
    name, points = graded.name, float(graded.points)
    if name in extraction.syntax_errors:
        message = messages.say("syntax_error", function=name, message=extraction.syntax_errors[name])
        return FunctionReport(name, ERROR, 0.0, points, [{"name": "syntax", "passed": False, "message": message}],
                              hint=messages.hint("syntax_error"), mistake="message:syntax_error",
                              summary=messages.say("syntax_error_summary", function=name))
    if name in extraction.misplaced:
        message = messages.say("not_in_code_cell", function=name, cell=extraction.misplaced[name])
        return FunctionReport(name, MISSING, 0.0, points, [{"name": "defined", "passed": False, "message": message}],
                              hint=messages.hint("not_in_code_cell"), mistake="message:not_in_code_cell",
                              summary=message)
    if name in extraction.missing or run is None:
        message = messages.say("missing", function=name)
        return FunctionReport(name, MISSING, 0.0, points, [{"name": "defined", "passed": False, "message": message}],
                              hint=messages.hint("missing", function=name), mistake="message:missing", summary=message)

    builder = _CaseChecks(graded, run, extraction, limits)
    for number, case in enumerate(graded.cases, start=1):
        builder.check_case(case, number, expected.get(case.id))
    passed_cases = builder.passed_cases
    score = round(points * passed_cases / len(graded.cases), 6)
    status = PASSED if passed_cases == len(graded.cases) else builder.worst_status
    report = FunctionReport(name, status, score, points, builder.checks, output=_visible_output(graded, run),
                            traceback=builder.traceback)
    report.staff_notes = builder.staff_notes + ([f"Everything the function printed:\n{run.output}"]
                                                if report.output != run.output else [])
    report.staff_notes += [f"Line {failure.get('line')} `{failure.get('source', '')}` failed while a hidden case "
                           f"loaded the file: {failure.get('error', '')}" for failure in run.hidden_setup_errors]
    diagnosed = _hint(graded, run, status, builder.hint, expected, extraction, mistakes, patterns, terms or {})
    report.hint, report.mistake = (diagnosed.hint, diagnosed.key) if diagnosed else (None, "")
    if any("session_open" in getattr(case, "notes", ()) for case in run.cases):  # right or wrong, the student should hear it
        note = f"{messages.say('session_open', function=name)} {messages.hint('session_open')}"
        report.hint = f"{report.hint}\n{note}" if report.hint else note
        report.mistake = report.mistake or "message:session_open"
    report.summary = builder.summary()
    report.cases = builder.verdicts
    if status != PASSED and (builder.unfinished == len(graded.cases) or name in extraction.unfinished):  # the starter as handed out: one line, not one per case or key
        message = messages.say("unfinished", function=name)
        report.checks = [{"name": "unfinished", "passed": False, "message": message}]
        report.hint, report.mistake, report.summary, report.traceback = None, "message:unfinished", message, ""
    return report


class _CaseChecks:
    """Accumulates the checks of one function over its cases, hiding what hidden cases must not show."""

    def __init__(self, graded: GradedFunction, run, extraction: Extraction, limits: dict):
        self.graded, self.run, self.extraction, self.limits = graded, run, extraction, limits
        self.checks: list[dict] = []
        self.passed_cases = 0
        self.worst_status = FAILED
        self.hint: Diagnosis | None = None  # the first failure's
        self.traceback = ""
        self.visible_total = self.visible_passed = self.hidden_total = self.hidden_failed = 0
        self.cases = {c.id: c for c in run.cases}
        self.verdicts: list[dict] = []
        self.staff_notes: list[str] = []  # what hidden cases raised, in full: for staff only
        self.reveal = "now"  # of the case being checked
        self.hidden = False  # whether the case being checked is hidden (its id may read "hidden" either way)
        self.unfinished = 0  # cases that got the starter's None back

    def suggest(self, key: str, hint: str | None) -> None:
        """Keeps the first failure's hint (a catalogue message's), with its key."""
        if self.hint is None and hint:
            self.hint = Diagnosis(f"message:{key}", hint)

    def add(self, name: str, passed: bool, message: str) -> None:
        check = {"name": name, "passed": passed, "message": message}
        if self.reveal != "now":
            check["reveal"] = self.reveal
        self.checks.append(check)
        if self.hidden:
            self.hidden_total += 1
            self.hidden_failed += not passed
        else:
            self.visible_total += 1
            self.visible_passed += passed

    def check_case(self, case: Case, number: int, expected) -> None:
        self.reveal = case.reveal if case.hidden else "now"
        self.hidden = case.hidden
        passed_before, self.case_status = self.passed_cases, FAILED
        self._check_case(case, number, expected)
        passed = self.passed_cases > passed_before
        # the case's own status, so a page withholding this verdict can give the card the status of the others
        self.verdicts.append({"hidden": case.hidden, "reveal": self.reveal, "passed": passed,
                              "status": PASSED if passed else self.case_status})

    def _check_case(self, case: Case, number: int, expected) -> None:
        label = f"hidden case {number}" if case.hidden else f"{case.id} case"
        case_run = self.cases.get(case.id)
        if case_run is None or case_run.status not in ("ok", "error"):
            self._no_result(label, case_run.status if case_run else self.run.status)
            return
        if case_run.status == "error":
            self._raised(label, case_run.error or {}, case.hidden)
            return
        self.add(f"{label}: runs", True, messages.say("ran", case=label))
        checks, hints = value_checks(label, case_run.value, expected, self.graded.outputs, case.rtol, case.atol,
                                     case.threshold, case.hidden)
        for check in checks:
            self.add(check["name"], check["passed"], check["message"])
        for key, text in hints:
            self.suggest(key, text)
        if hints:
            self.unfinished += [key for key, _ in hints] == ["still_none"]
            return  # a check failed
        self.passed_cases += 1

    def _no_result(self, label: str, status: str) -> None:
        if self.run.status in ("timeout", "memory") and status != "ok":
            status = self.run.status
        if status == "timeout":
            key, fields, self.worst_status = "timeout", {"wall_s": self.graded.wall_s}, TIMEOUT
        elif status == "memory":
            key, fields, self.worst_status = "memory", {"memory_mb": self.limits.get("memory_mb", "?")}, ERROR
        elif status == "crashed":
            how = f"signal {self.run.signal}" if self.run.signal else f"exit code {self.run.exit_code}"
            key, fields, self.worst_status = "crashed", {"how": how}, ERROR
        elif status == "not_run":
            key, fields = "not_run", {}
        elif self.run.status == "too_large":
            key, fields, self.worst_status = "too_large_result", {}, ERROR
        else:
            key, fields, self.worst_status = "no_result", {}, ERROR
        if key != "not_run":
            self.case_status = self.worst_status
        self.add(f"{label}: runs", False, messages.say(key, function=self.graded.name, **fields))
        self.suggest(key, messages.hint(key, function=self.graded.name))

    def _raised(self, label: str, error: dict, hidden: bool = False) -> None:
        """What a case raised. On a hidden case, the student sees only what the code could not have made from the
        inputs: the exception's name if it is a builtin's, NumPy's or a class the file defines; an undefined name
        only if the file spells it; never the message or the traceback (a frame's name and line can be chosen
        too). Staff see all of it."""
        self.case_status = ERROR
        if self.worst_status != TIMEOUT:
            self.worst_status = ERROR
        error_type, error_message = error.get("type", "Exception"), error.get("message", "")
        name_match = _NAME_ERROR.search(error_message) if error_type == "NameError" else None
        if hidden and name_match and name_match.group(1) not in self._source_names():
            name_match = None
        failed_import = self._failed_import(name_match.group(1)) if name_match else None
        versions = self.extraction.environment
        frames = error.get("traceback") or [{}]
        raised_at = str(frames[-1].get("source", "")) if isinstance(frames[-1], dict) else ""
        explained = None if hidden else environment.explain(error_type, error_message, versions, raised_at)
        if failed_import:
            text = messages.say("import_failed", case=label, function=self.graded.name, name=name_match.group(1),
                                statement=failed_import["source"], error=failed_import["error"])
            explained = environment.explain_setup_error(failed_import["error"], versions)
            if explained:
                text += "\n" + messages.say(explained[0], **explained[1])
            if explained:
                self.suggest(explained[0], messages.hint(explained[0], **explained[1]))
            else:
                self.suggest("import_failed", messages.hint("import_failed"))
        elif explained:  # the sandbox's versions explain it: say so, with them
            text = messages.say("explained", case=label, function=self.graded.name, error_type=error_type,
                                why=messages.say(explained[0], **explained[1]))
            self.suggest(explained[0], messages.hint(explained[0], **explained[1]))
        elif name_match:
            text = messages.say("name_error", case=label, function=self.graded.name, name=name_match.group(1))
            self.suggest("name_error", messages.hint("name_error", name=name_match.group(1)))
        elif hidden:  # an exception's text may quote the hidden inputs: staff see it, the student does not
            shown_type = error_type if self._shown_exception(error_type) else messages.say("withheld_type")
            text = messages.say("hidden_raised", case=label, function=self.graded.name, error_type=shown_type)
            self.staff_notes.append(messages.say("raised", case=label, function=self.graded.name,
                                                 error_type=error_type, error_message=error_message[:500]))
        else:
            text = messages.say("raised", case=label, function=self.graded.name, error_type=error_type,
                                error_message=error_message[:500])
        self.add(f"{label}: runs", False, text)
        if hidden:
            self.staff_notes.append(self._format_traceback(error, error_type, error_message))
        elif not self.traceback:
            self.traceback = self._format_traceback(error, error_type, error_message)

    def _source_names(self) -> frozenset:
        if not hasattr(self, "_names"):
            self._names = frozenset(_IDENTIFIER.findall(self.extraction.source))
        return self._names

    def _shown_exception(self, error_type: str) -> bool:
        return (error_type in _BUILTIN_EXCEPTIONS or error_type in _LIBRARY_EXCEPTIONS
                or error_type in _CLASS_NAME.findall(self.extraction.source))

    def _failed_import(self, name: str) -> dict | None:
        for failure in self.run.setup_errors:
            if re.search(rf"\b{re.escape(name)}\b", failure.get("source", "")):
                return failure
        return None

    def _format_traceback(self, error: dict, error_type: str, error_message: str) -> str:
        lines = ["Traceback (your code only):"]
        for frame in error.get("traceback", []):
            where = self.extraction.origin_of(int(frame.get("line", 0))) or f"line {frame.get('line')}"
            lines.append(f"  in {frame.get('function', '?')}, {where}")
            if frame.get("source"):
                lines.append(f"    {frame['source'].strip()}")
        lines.append(f"{error_type}: {error_message[:500]}")
        return "\n".join(lines)

    def summary(self) -> str:
        total = self.visible_total + self.hidden_total
        passed = self.visible_passed + (self.hidden_total - self.hidden_failed)
        text = f"{passed} of {total} checks passed"
        if self.hidden_failed:
            text += f"; {self.hidden_failed} hidden check{'s' if self.hidden_failed > 1 else ''} failed"
        return text + "."


def _visible_output(graded: GradedFunction, run) -> str:
    """What the function printed before its first hidden case began: a hidden case's prints may show its inputs."""
    if not run.output:
        return ""
    hidden = {case.id for case in graded.cases if case.hidden}
    starts = [c.output_start for c in run.cases if c.id in hidden and c.output_start is not None]
    ran_hidden = any(c.id in hidden and c.status not in ("not_run",) for c in run.cases)
    if not ran_hidden:
        return run.output
    cut = min(starts) if starts else 0
    visible = run.output.encode("utf-8", "replace")[:cut].decode("utf-8", "replace")
    return visible + ("\n[what your function printed during hidden cases is not shown]" if visible or cut == 0 else "")


def _hint(graded: GradedFunction, run, status: str, check_hint: Diagnosis | None, expected: dict,
          extraction: Extraction, mistakes: list[MistakeOutputs], patterns: list[Mistake],
          terms: dict) -> Diagnosis | None:
    """What came back names the mistake first (a catalogued mistake's outputs, a known difference), then the
    checks' own hint (a rank-1 shape, missing layers), then the student's source, for failures nothing else
    explains. A function that raised keeps the hint its error gets (a NameError's) before the source's.
    """
    def from_source():
        return diagnosis.source_diagnosis(graded, extraction.patterns_shown, patterns)

    if status == FAILED:
        return (diagnosis.outputs_diagnosis(graded, run, mistakes)
                or diagnosis.differences_diagnosis(graded, run, expected, terms) or check_hint or from_source())
    if status == ERROR:
        raised_only = all(c.status in ("ok", "error") for c in run.cases)  # a mistake that raises where it did
        return (raised_only and diagnosis.outputs_diagnosis(graded, run, mistakes)) or check_hint or from_source()
    return check_hint
