"""One grading run: extract -> job -> sandbox -> compare -> feedback. The web, the API and the CLI all call this.

Grading has two phases: the graded functions on their test cases (about a
second), then the model-level checks, which train with the student's
functions (seconds). Callers can show the first phase before the second ends.
"""
from __future__ import annotations

import logging
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from assignments.registry import get_assignment
from assignments.spec import Assignment
from grader.grading import messages
from grader.grading.expected import ExpectedOutputs, load_expected
from grader.grading.extract import Extraction, FileProblem, extract
from grader.grading.feedback import Report, file_problem_report, function_report
from grader.grading.job import FUNCTIONS, MODELS, PreparedInputs, prepare_inputs, write_job
from grader.grading.models import model_report
from grader.grading.supplied import defined_names, supplied_code
from sandbox.results import FunctionRun, ResultsError, read_results

log = logging.getLogger(__name__)
SANDBOX_MARGIN_S = 10.0  # start-up and archiving on top of the functions' own limits


class SandboxFailure(RuntimeError):
    """Our infrastructure failed (not the student's code): retry, never blame the student."""


@dataclass
class Graded:
    """What phase one leaves for phase two."""

    assignment: Assignment
    report: Report
    extraction: Extraction | None  # None when the file could not be read


@dataclass
class Grader:
    backend: object  # a sandbox backend: .run(job_dir) -> RunOutcome
    cache_dir: Path
    jobs_dir: Path
    max_upload_bytes: int
    keep_jobs: bool = False
    model_checks: bool = True  # off: the functions are graded, nothing is trained
    _expected: dict = field(default_factory=dict)

    def limits(self, budget_s: float) -> dict:
        b = self.backend
        return {"memory_mb": b.memory_mb, "cpu_s": max(b.cpu_s, budget_s), "output_bytes": b.output_bytes}

    def grade(self, slug: str, filename: str, data: bytes, submission_id: int | None = None) -> Report:
        """Both phases, for callers that wait for everything (the CLI)."""
        return self.grade_models(self.grade_functions(slug, filename, data, submission_id), submission_id)

    def grade_functions(self, slug: str, filename: str, data: bytes, submission_id: int | None = None) -> Graded:
        assignment = get_assignment(slug)
        if len(data) > self.max_upload_bytes:
            message = messages.say("too_large", size=messages.human_bytes(len(data)), limit=messages.human_bytes(self.max_upload_bytes))
            return Graded(assignment, file_problem_report(assignment, message), None)
        names = [f.name for f in assignment.functions]
        helpers = tuple(Path(h).stem for h in assignment.helper_modules if h.endswith(".py"))
        try:
            extraction = extract(data, filename, names, helpers)
        except FileProblem as problem:
            log.info("file rejected", extra={"submission": submission_id, "reason": problem.message[:80]})
            return Graded(assignment, file_problem_report(assignment, problem.message), None)
        prefix, supplied = supplied_code(assignment, defined_names(extraction.source))
        used = [name for name in supplied if re.search(rf"\b{name}\b", extraction.source)]
        extraction = extraction.with_prefix(prefix)
        if used:
            extraction.notes.append(f"Your functions call {', '.join(used)}, which your file does not define; "
                                    "the course's version was used.")

        prepared = prepare_inputs(assignment, self.cache_dir, FUNCTIONS)
        expected = self.expected_for(assignment)
        runs = self.run_source(assignment, prepared, extraction.source, submission_id, only=set(extraction.found))
        functions = [
            function_report(graded, runs.get(graded.name), expected.outputs[graded.name], extraction,
                            expected.mistakes, self.limits(0))
            for graded in assignment.functions
        ]
        return Graded(assignment, Report(assignment.slug, functions, notes=extraction.notes + _setup_notes(runs)), extraction)

    def grade_models(self, graded: Graded, submission_id: int | None = None) -> Report:
        assignment, report = graded.assignment, graded.report
        if not (self.model_checks and assignment.model_checks) or graded.extraction is None or not graded.extraction.found:
            return report  # nothing of the student's to train with
        prepared = prepare_inputs(assignment, self.cache_dir, MODELS)
        runs = self.run_source(assignment, prepared, graded.extraction.source, submission_id)
        expected = self.expected_for(assignment)
        failed = report.failed_functions()
        for check in assignment.model_checks:
            model, images = model_report(check, runs.get(check.driver), expected.models.get(check.id), failed)
            report.models.append(model)
            report.images.update({(check.id, name): png for name, png in images.items()})
        return report

    def expected_for(self, assignment: Assignment) -> ExpectedOutputs:
        prepared = prepare_inputs(assignment, self.cache_dir, FUNCTIONS)
        models = prepare_inputs(assignment, self.cache_dir, MODELS) if assignment.model_checks else None
        key = (assignment.slug, prepared.version, models.version if models else "")
        if key not in self._expected:
            self._expected[key] = load_expected(assignment, prepared, models, self)
        return self._expected[key]

    def run_source(self, assignment: Assignment, prepared: PreparedInputs, source: str,
                   submission_id: int | None = None, only: set[str] | None = None) -> dict[str, FunctionRun]:
        """Runs `source` as submission.py over the prepared calls (or only the named functions)."""
        if only is not None:
            prepared = PreparedInputs(prepared.assignment, [f for f in prepared.functions if f["name"] in only],
                                      prepared.inputs_path, prepared.version)
        if not prepared.functions:
            return {}
        budget_s = sum(f["wall_s"] for f in prepared.functions)
        self.jobs_dir.mkdir(parents=True, exist_ok=True)
        job_dir = Path(tempfile.mkdtemp(prefix=f"job-{submission_id or 'cli'}-", dir=self.jobs_dir))
        started = time.monotonic()
        wall_s, cpu_s = self.backend.wall_s, self.backend.cpu_s
        try:
            job = write_job(job_dir, assignment, prepared, source, self.limits(max(f["wall_s"] for f in prepared.functions)))
            # A run may take as long as its functions' limits allow (model training takes longer than unit cases).
            self.backend.wall_s = max(wall_s, budget_s + SANDBOX_MARGIN_S)
            self.backend.cpu_s = max(cpu_s, budget_s + SANDBOX_MARGIN_S)
            outcome = self.backend.run(job_dir)
        finally:
            self.backend.wall_s, self.backend.cpu_s = wall_s, cpu_s
            if not self.keep_jobs:
                _remove(job_dir)
        log.info("sandbox finished", extra={"submission": submission_id, "status": outcome.status,
                                            "wall_s": round(time.monotonic() - started, 3)})
        if outcome.status == "sandbox_error":
            raise SandboxFailure(f"sandbox failed: {outcome.stderr[-500:]}")
        if outcome.archive is None:  # the whole run hit the wall-time or memory limit
            return {f["name"]: FunctionRun(f["name"], outcome.status) for f in job["functions"]}
        try:
            runs = read_results(outcome.archive, job)
        except ResultsError as error:
            raise SandboxFailure(f"unreadable sandbox archive: {error}") from error
        if outcome.oom_killed:
            for run in runs.values():
                if run.status == "crashed" and run.signal == 9:
                    run.status = "memory"
        return runs


def _setup_notes(runs: dict[str, FunctionRun]) -> list[str]:
    """Top-level statements of the upload that failed in the sandbox, once each."""
    seen: dict[str, str] = {}
    for run in runs.values():
        for failure in run.setup_errors:
            seen.setdefault(failure.get("source", "?"), failure.get("error", ""))
    return [f"`{source.strip()}` failed in the grader: {error}" for source, error in seen.items()]


def _remove(path: Path) -> None:
    """Job dirs are read-only for the sandbox; make the dir writable again so it can be emptied."""
    try:
        path.chmod(0o755)
    except OSError:
        pass
    shutil.rmtree(path, ignore_errors=True)
