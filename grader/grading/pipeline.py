"""One grading run: extract -> job -> sandbox -> compare -> feedback. The web, the API and the CLI all call this.

Grading has two phases: the graded functions on their test cases (about a
second), then the model-level checks, which train with the student's
functions (seconds). Callers can show the first phase before the second ends.
Everything an assignment is comes from its bundle; its code runs only in the
sandbox.
"""
from __future__ import annotations

import dataclasses
import logging
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from assignments.bundle import Bundle
from grader.grading import environment, messages
from grader.grading.expected import ExpectedOutputs, load_expected
from grader.grading.extract import PARSE_WALL_S, Extraction, FileProblem, from_parse, parse_limits
from grader.grading.feedback import Report, file_problem_report, function_report
from grader.grading.inputs import FUNCTIONS, MODELS, PreparedInputs, prepare_inputs
from grader.grading.job import write_job
from grader.grading.model_checks import model_report
from grader.grading.supplied import driver_code, overridden_drivers, supplied_for
from sandbox.channel import PUBLIC_DIR
from sandbox.environments import EnvironmentBackends
from sandbox.outcome import SANDBOX_ERROR
from sandbox.parsing import read_parse, write_parse_job
from sandbox.results import FunctionRun, ResultsError, read_results

log = logging.getLogger(__name__)
SANDBOX_MARGIN_S = 10.0  # start-up and archiving on top of the functions' own limits


class SandboxFailure(RuntimeError):
    """Our infrastructure failed (not the student's code): retry, never blame the student."""


@dataclass
class Graded:
    """What phase one leaves for phase two."""

    bundle: Bundle
    report: Report
    extraction: Extraction | None  # None when the file could not be read


@dataclass
class Grader:
    backends: EnvironmentBackends  # one sandbox backend per environment
    cache_dir: Path
    jobs_dir: Path
    max_upload_bytes: int
    keep_jobs: bool = False
    model_checks: bool = True  # off: the functions are graded, nothing is trained
    _expected: dict = field(default_factory=dict)

    def backend_for(self, environment: str):
        """Raises sandbox.environments.UnknownEnvironment for an environment this platform lacks."""
        return self.backends.get(environment)

    def limits(self, backend, budget_s: float) -> dict:
        return {"memory_mb": backend.memory_mb, "cpu_s": max(backend.cpu_s, budget_s), "output_bytes": backend.output_bytes}

    def grade(self, bundle: Bundle, filename: str, data: bytes, submission_id: int | None = None) -> Report:
        """Both phases, for callers that wait for everything (the CLI)."""
        return self.grade_models(self.grade_functions(bundle, filename, data, submission_id), submission_id)

    def grade_functions(self, bundle: Bundle, filename: str, data: bytes, submission_id: int | None = None) -> Graded:
        if len(data) > self.max_upload_bytes:
            message = messages.say("too_large", size=messages.human_bytes(len(data)), limit=messages.human_bytes(self.max_upload_bytes))
            return Graded(bundle, file_problem_report(bundle, message), None)
        try:
            extraction = self.submission(bundle, filename, data, submission_id)
        except FileProblem as problem:
            log.info("file rejected", extra={"submission": submission_id, "reason": problem.message[:80]})
            return Graded(bundle, file_problem_report(bundle, problem.message), None)
        prepared = prepare_inputs(bundle, self, FUNCTIONS)
        expected = self.expected_for(bundle)
        runs = self.run_source(bundle, prepared, extraction.source, submission_id, only=set(extraction.found))
        limits = self.limits(self.backend_for(bundle.environment), 0)
        patterns = [mistake for mistake in bundle.mistakes if mistake.pattern is not None]
        functions = [
            function_report(graded, runs.get(graded.name), expected.outputs[graded.name], extraction,
                            expected.mistakes, limits, patterns=patterns, terms=expected.terms.get(graded.name, {}))
            for graded in bundle.functions
        ]
        notes = extraction.notes + _setup_notes(runs, extraction.environment)
        return Graded(bundle, Report(bundle.slug, functions, notes=notes), extraction)

    def submission(self, bundle: Bundle, filename: str, data: bytes, submission_id: int | None = None) -> Extraction:
        """The graded functions of an upload as submission.py (read in the sandbox: `extract`): the course's given
        code before, the drivers after. Raises FileProblem when the file cannot be read."""
        extraction = self.extract(bundle, filename, data, submission_id)
        prefix, supplied = supplied_for(bundle.text("supplied"), set(extraction.defined))
        used = [name for name in supplied if name in set(extraction.referenced)]
        ignored = overridden_drivers(bundle.text("supplied"), set(extraction.defined))
        extraction = extraction.with_prefix(prefix).with_suffix(driver_code(bundle.text("supplied")))
        if ignored:
            extraction.notes.append(f"Your file defines {', '.join(ignored)}, a name the grader uses for its own "
                                    "training; your definition was ignored.")
        if used:
            extraction.notes.append(f"Your functions call {', '.join(used)}, which your file does not define; "
                                    "the course's version was used.")
        return extraction

    def extract(self, bundle: Bundle, filename: str, data: bytes, submission_id: int | None = None) -> Extraction:
        """The upload read, and its graded functions extracted, by the environment's own Python in the sandbox (a
        parse job: nothing of it runs). Raises FileProblem when the file cannot be read, SandboxFailure when our
        infrastructure failed."""
        backend = self.backend_for(bundle.environment)
        names = [f.name for f in bundle.functions]
        self.jobs_dir.mkdir(parents=True, exist_ok=True)
        job_dir = Path(tempfile.mkdtemp(prefix=f"parse-{submission_id or 'cli'}-", dir=self.jobs_dir))
        limits = parse_limits(backend)
        try:
            patterns = [{"key": m.key, "function": m.function, "pattern": dataclasses.asdict(m.pattern)}
                        for m in bundle.mistakes if m.pattern is not None]
            write_parse_job(job_dir, data, filename, names, bundle.job_module_names, limits, PARSE_WALL_S, patterns)
            outcome = backend.run(job_dir)
        finally:
            if not self.keep_jobs:
                _remove(job_dir)
        log.info("upload read", extra={"submission": submission_id, "status": outcome.status,
                                       "wall_s": round(outcome.wall_s, 3)})
        if outcome.status == SANDBOX_ERROR:
            raise SandboxFailure(f"sandbox failed reading the upload: {outcome.stderr[-500:]}")
        if outcome.archive is None:  # the whole run hit its wall-time or memory limit: what the file asked for
            raise FileProblem(messages.say("unreadable_run"))
        try:
            run = read_parse(outcome.archive, limits["output_bytes"])
        except ResultsError as error:
            raise SandboxFailure(f"unreadable sandbox archive of a parse job: {error}") from error
        return from_parse(run, names)

    def grade_models(self, graded: Graded, submission_id: int | None = None) -> Report:
        bundle, report = graded.bundle, graded.report
        if not (self.model_checks and bundle.model_checks) or graded.extraction is None or not graded.extraction.found:
            return report  # nothing of the student's to train with
        prepared = prepare_inputs(bundle, self, MODELS)
        runs = self.run_source(bundle, prepared, graded.extraction.source, submission_id)
        expected = self.expected_for(bundle)
        failed = report.failed_functions()
        for check in bundle.model_checks:
            model, images = model_report(check, runs.get(check.driver), expected.models.get(check.id), failed,
                                         graded.extraction.environment)
            report.models.append(model)
            report.images.update({(check.id, name): png for name, png in images.items()})
        return report

    def expected_for(self, bundle: Bundle) -> ExpectedOutputs:
        backend = self.backend_for(bundle.environment)
        key = (bundle.digest, getattr(backend, "image_id", ""), self.model_checks and bool(bundle.model_checks))
        if key not in self._expected:
            self._expected[key] = load_expected(bundle, self, with_models=key[2])
        return self._expected[key]

    def run_source(self, bundle: Bundle, prepared: PreparedInputs, source: str,
                   submission_id: int | None = None, only: set[str] | None = None) -> dict[str, FunctionRun]:
        """Runs `source` as submission.py over the prepared calls (or only the named functions)."""
        if only is not None:
            prepared = prepared.only(only)
        return self.run_job(bundle, prepared.functions, prepared.callee_sources, prepared.inputs_path, source,
                            submission_id)

    def run_job(self, bundle: Bundle, functions: list[dict], callee_sources: dict, inputs_path: Path | None,
                source: str, submission_id: int | None = None,
                extra_files: dict[str, Path] | None = None) -> dict[str, FunctionRun]:
        """One sandbox run in the bundle's environment. Raises SandboxFailure when our infrastructure failed."""
        if not functions:
            return {}
        backend = self.backend_for(bundle.environment)
        budget_s = sum(f["wall_s"] for f in functions)
        self.jobs_dir.mkdir(parents=True, exist_ok=True)
        job_dir = Path(tempfile.mkdtemp(prefix=f"job-{submission_id or 'cli'}-", dir=self.jobs_dir))
        started = time.monotonic()
        wall_s, cpu_s = backend.wall_s, backend.cpu_s
        try:
            limits = self.limits(backend, max(f["wall_s"] for f in functions))
            job = write_job(job_dir, bundle, functions, callee_sources, inputs_path, source, limits, extra_files)
            # A run may take as long as its functions' limits allow (model training takes longer than unit cases).
            backend.wall_s = max(wall_s, budget_s + SANDBOX_MARGIN_S)
            backend.cpu_s = max(cpu_s, budget_s + SANDBOX_MARGIN_S)
            outcome = backend.run(job_dir)
        finally:
            backend.wall_s, backend.cpu_s = wall_s, cpu_s
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


def _setup_notes(runs: dict[str, FunctionRun], versions: dict[str, str]) -> list[str]:
    """Top-level statements of the upload that failed in the sandbox, once each, with the reason where the
    sandbox's versions explain it."""
    seen: dict[str, str] = {}
    for run in runs.values():
        for failure in run.setup_errors:
            seen.setdefault(failure.get("source", "?"), failure.get("error", ""))
    notes = []
    for source, error in seen.items():
        note = messages.say("setup_failed", source=source.strip(), error=error)
        explained = environment.explain_setup_error(error, versions)
        notes.append(note + ("\n" + _sentence(messages.say(explained[0], **explained[1])) if explained else ""))
    return notes


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _remove(path: Path) -> None:
    """The mounted part of a job dir is read-only: make it writable again so it can be emptied."""
    for directory in (path, path / PUBLIC_DIR):
        try:
            directory.chmod(0o755)
        except OSError:
            pass
    shutil.rmtree(path, ignore_errors=True)
