"""One grading run: extract -> job -> sandbox -> compare -> feedback. The web, the API and the CLI all call this."""
from __future__ import annotations

import logging
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from assignments.registry import get_assignment
from assignments.spec import Assignment
from grader.grading import messages
from grader.grading.expected import ExpectedOutputs, load_expected
from grader.grading.extract import FileProblem, extract
from grader.grading.feedback import Report, file_problem_report, function_report
from grader.grading.job import PreparedInputs, prepare_inputs, write_job
from sandbox.results import FunctionRun, ResultsError, read_results

log = logging.getLogger(__name__)


class SandboxFailure(RuntimeError):
    """Our infrastructure failed (not the student's code): retry, never blame the student."""


@dataclass
class Grader:
    backend: object  # a sandbox backend: .run(job_dir) -> RunOutcome
    cache_dir: Path
    jobs_dir: Path
    max_upload_bytes: int
    keep_jobs: bool = False
    _expected: dict = field(default_factory=dict)

    @property
    def limits(self) -> dict:
        b = self.backend
        return {"memory_mb": b.memory_mb, "cpu_s": b.cpu_s, "output_bytes": b.output_bytes}

    def grade(self, slug: str, filename: str, data: bytes, submission_id: int | None = None) -> Report:
        assignment = get_assignment(slug)
        if len(data) > self.max_upload_bytes:
            message = messages.say("too_large", size=messages.human_bytes(len(data)), limit=messages.human_bytes(self.max_upload_bytes))
            return file_problem_report(assignment, message)
        names = [f.name for f in assignment.functions]
        helpers = tuple(Path(h).stem for h in assignment.helper_modules)
        try:
            extraction = extract(data, filename, names, helpers)
        except FileProblem as problem:
            log.info("file rejected", extra={"submission": submission_id, "reason": problem.message[:80]})
            return file_problem_report(assignment, problem.message)

        prepared = prepare_inputs(assignment, self.cache_dir)
        expected = self.expected_for(assignment, prepared)
        runs = self.run_source(assignment, prepared, extraction.source, submission_id,
                               only=set(extraction.found))
        functions = [
            function_report(graded, runs.get(graded.name), expected.outputs[graded.name], extraction,
                            expected.mistakes, self.limits)
            for graded in assignment.functions
        ]
        return Report(assignment.slug, functions, notes=extraction.notes + _setup_notes(runs))

    def expected_for(self, assignment: Assignment, prepared: PreparedInputs) -> ExpectedOutputs:
        key = (assignment.slug, prepared.version)
        if key not in self._expected:
            self._expected[key] = load_expected(assignment, prepared, self)
        return self._expected[key]

    def run_source(self, assignment: Assignment, prepared: PreparedInputs, source: str,
                   submission_id: int | None = None, only: set[str] | None = None) -> dict[str, FunctionRun]:
        """Runs `source` as submission.py over the assignment's cases (or only the named functions)."""
        if only is not None:
            prepared = PreparedInputs(prepared.assignment, [f for f in prepared.functions if f["name"] in only],
                                      prepared.inputs_path, prepared.version)
            if not prepared.functions:
                return {}
        self.jobs_dir.mkdir(parents=True, exist_ok=True)
        job_dir = Path(tempfile.mkdtemp(prefix=f"job-{submission_id or 'cli'}-", dir=self.jobs_dir))
        started = time.monotonic()
        try:
            job = write_job(job_dir, assignment, prepared, source, self.limits)
            outcome = self.backend.run(job_dir)
        finally:
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
