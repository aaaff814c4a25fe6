"""The Celery tasks: the two grading phases of a submission, the sweeper, and dry-run items. Safe to run twice.

A submission's grading is idempotent and keyed by its id: each phase claims the submission's lease
(grader.submissions.leases) before it runs, so a redelivered or re-sent task never grades a row a live
worker holds, and only the lease's holder writes results. Phase one (`grade_submission`) stores the
function cards; when the assignment has model checks, phase two (`train_models`) trains them on its own
queue (`services.queue_for`), so another student's function feedback never waits behind training.
"""
from __future__ import annotations

import contextlib
import logging
import time
import traceback

from celery import shared_task

from grader import metrics
from grader.authoring.services import bundle_of
from grader.grading import messages
from grader.grading.extract import FileProblem
from grader.grading.feedback import FunctionReport, Report
from grader.grading.pipeline import Graded, SandboxFailure
from grader.grading.setup import get_grader
from grader.submissions import leases, regrades, services, sweeper
from grader.submissions.models import FunctionResult, RegradeItem, Submission
from grader.submissions.services import finish_failed, finish_rejected, record_functions, record_report
from sandbox.backends.base import BackendUnavailable

log = logging.getLogger(__name__)
MAX_RETRIES = 3
# Our infrastructure's faults (a sandbox that did not start, an unreadable runner archive, the Docker daemon
# gone): retried with backoff, then the submission ends `failed`, never charged to the student.
PLATFORM_FAULTS = (SandboxFailure, BackendUnavailable)


def _load(submission_id: int) -> Submission | None:
    try:
        return Submission.objects.select_related("assignment", "version").get(pk=submission_id)
    except Submission.DoesNotExist:
        log.warning("submission vanished", extra={"submission": submission_id})
        return None


def _finished(submission: Submission) -> bool:
    if submission.is_finished and submission.batch_id:
        regrades.record_item(submission)  # the worker may have died between grading and this report
    return submission.is_finished


def _fault(task, submission: Submission, failure: Exception, owner: str, phase: str) -> None:
    """A grading that raised: retried with backoff when the platform failed, else ended `failed` (not counted)."""
    extra = {"submission": submission.pk, "phase": phase, "retries": task.request.retries,
             "fault": type(failure).__name__}
    if isinstance(failure, leases.LeaseLost):
        log.warning("lease lost: another worker took the grading over", extra=extra)
        return
    if isinstance(failure, PLATFORM_FAULTS):
        metrics.SANDBOX_FAULTS.labels(type(failure).__name__).inc()
    if task.request.retries < MAX_RETRIES and isinstance(failure, PLATFORM_FAULTS):
        log.warning("platform fault, retrying", extra=extra, exc_info=failure)
        raise task.retry(exc=failure, countdown=2 ** task.request.retries)
    log.error("grading failed", extra=extra, exc_info=failure)  # an operator's attention: the reason is stored
    detail = "".join(traceback.format_exception(failure))
    try:
        finish_failed(submission, messages.say("platform_failed"), detail=detail, owner=owner)
    except leases.LeaseLost:
        return
    if submission.batch_id:
        regrades.record_item(submission)


@contextlib.contextmanager
def _phase(phase: str):
    """Times a grading phase into the metrics, and copies the warm pools' state after it."""
    started = time.monotonic()
    try:
        yield
    finally:
        metrics.GRADING.labels(phase).observe(time.monotonic() - started)
        backends = getattr(get_grader(), "backends", None)
        if backends is not None:
            metrics.observe_backends(backends)


def _claim(submission_id: int) -> str | None:
    """This worker's lease owner id once it holds the submission's lease; None while another worker holds it."""
    owner = leases.new_owner()
    if leases.claim(submission_id, owner):
        return owner
    log.info("submission held by another worker", extra={"submission": submission_id})
    return None


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def grade_submission(self, submission_id: int) -> None:
    """Phase one: the upload's functions graded and their cards stored; the model phase sent after."""
    submission = _load(submission_id)
    if submission is None or _finished(submission):
        return  # redelivered after a worker died; already done
    if submission.regrade_of_id:
        regrades.step_aside()  # a student's fresh upload goes first
    owner = _claim(submission_id)
    if owner is None:
        return  # a live worker grades it; if that worker dies, the sweeper sends it again
    train = False
    with leases.Held(submission_id, owner), _phase(services.FUNCTIONS):
        submission.refresh_from_db()
        try:
            with submission.file.open("rb") as handle:
                data = handle.read()
            grader = get_grader()
            if submission.version is None:  # submitted before versions existed: graded with the current one
                Submission.objects.filter(pk=submission.pk).update(version=submission.assignment.current_version)
                submission.refresh_from_db()
            bundle = bundle_of(submission.version)
            graded = grader.grade_functions(bundle, submission.original_name, data, submission_id)
            train = bool(bundle.model_checks and grader.model_checks and graded.extraction is not None
                         and graded.extraction.found and not graded.report.rejected)
            if graded.report.rejected:  # not a notebook at all: one message, no score, nothing counted
                finish_rejected(submission, graded.report, owner=owner)
            elif train:
                record_functions(submission, graded.report, owner=owner)
            else:
                record_report(submission, graded.report, owner=owner)
        except Exception as failure:  # a platform fault, or a bug of ours: never leave the row "running"
            _fault(self, submission, failure, owner, services.FUNCTIONS)
            return
    if train:  # the lease is released: the model phase's worker claims it
        services.send(submission_id, services.MODELS, services.queue_for(submission, services.MODELS))
        log.info("function cards stored", extra={"submission": submission_id, "score": graded.report.score})
        return
    if submission.batch_id:
        regrades.record_item(submission)
    log.info("submission rejected" if graded.report.rejected else "submission graded",
             extra={"submission": submission_id, "score": graded.report.score})


def _stored_report(submission: Submission, bundle) -> Report:
    """Phase one's report rebuilt from its stored cards."""
    rows = submission.function_results.filter(kind=FunctionResult.Kind.FUNCTION).order_by("order")
    functions = [FunctionReport(name=r.name, status=r.status, score=r.score, max_score=r.max_score, checks=r.checks,
                                hint=r.hint, mistake=r.mistake, summary=r.summary, output=r.output,
                                traceback=r.traceback, metrics=r.metrics, staff_notes=r.staff_notes, cases=r.cases)
                 for r in rows]
    return Report(bundle.slug, functions, notes=list(submission.notes or []))


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def train_models(self, submission_id: int) -> None:
    """Phase two: the model checks trained with the student's functions; every card stored, the row graded."""
    submission = _load(submission_id)
    if submission is None or _finished(submission):
        return
    if not submission.function_results.filter(kind=FunctionResult.Kind.FUNCTION).exists():
        services.send(submission_id, services.FUNCTIONS, services.queue_for(submission, services.FUNCTIONS))
        return  # phase one's cards are missing (requeued since): grade from the start
    owner = _claim(submission_id)
    if owner is None:
        return
    with leases.Held(submission_id, owner), _phase(services.MODELS):
        submission.refresh_from_db()
        try:
            with submission.file.open("rb") as handle:
                data = handle.read()
            grader = get_grader()
            bundle = bundle_of(submission.version)
            report = _stored_report(submission, bundle)
            try:
                extraction = grader.submission(bundle, submission.original_name, data, submission_id)
            except FileProblem:
                extraction = None  # read in phase one; nothing to train with now
            report = grader.grade_models(Graded(bundle, report, extraction), submission_id)
            record_report(submission, report, owner=owner)
        except Exception as failure:
            _fault(self, submission, failure, owner, services.MODELS)
            return
    if submission.batch_id:
        regrades.record_item(submission)
    log.info("submission graded", extra={"submission": submission_id, "score": report.score})


@shared_task(ignore_result=True)
def sweep_stuck() -> int:
    """Celery beat's entry to the sweeper (grader.submissions.sweeper); returns how many it sent again."""
    return len(sweeper.sweep())


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def dry_run_regrade(self, item_id: int) -> None:
    """One item of a dry-run batch: the upload's function phase graded on the batch's version, nothing stored
    but the item's new score."""
    item = RegradeItem.objects.select_related("batch__version", "source__regrade_of").filter(pk=item_id).first()
    if item is None or item.status != RegradeItem.Status.PENDING:
        return  # gone, or redelivered after it ended
    regrades.step_aside()
    try:
        regrades.dry_run_item(item, get_grader())
    except Exception as failure:
        log.exception("dry run failed", extra={"submission": item.source.upload.pk, "batch": item.batch_id})
        if self.request.retries < MAX_RETRIES and isinstance(failure, PLATFORM_FAULTS):
            raise self.retry(exc=failure, countdown=2 ** self.request.retries)
        regrades.end_item(item, RegradeItem.Status.FAILED, error=f"{type(failure).__name__}: {failure}")
