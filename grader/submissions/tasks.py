"""The Celery task: reload the row, grade it, store the results. Safe to run twice."""
from __future__ import annotations

import logging
import traceback

from celery import shared_task

from grader.authoring.services import bundle_of
from grader.grading import messages
from grader.grading.pipeline import SandboxFailure
from grader.grading.setup import get_grader
from grader.submissions import regrades
from grader.submissions.models import RegradeItem, Submission
from grader.submissions.services import finish_failed, finish_rejected, record_functions, record_report

log = logging.getLogger(__name__)
MAX_RETRIES = 3


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def grade_submission(self, submission_id: int) -> None:
    try:
        submission = Submission.objects.select_related("assignment", "version").get(pk=submission_id)
    except Submission.DoesNotExist:
        log.warning("submission vanished", extra={"submission": submission_id})
        return
    if submission.is_finished:
        if submission.batch_id:
            regrades.record_item(submission)  # the worker may have died between grading and this report
        return  # redelivered after a worker died; already done
    if submission.regrade_of_id:
        regrades.step_aside()  # a student's fresh upload goes first
    submission.advance(Submission.Status.RUNNING)
    with submission.file.open("rb") as handle:
        data = handle.read()
    try:
        grader = get_grader()
        if submission.version is None:  # submitted before versions existed: graded with the current one
            Submission.objects.filter(pk=submission.pk).update(version=submission.assignment.current_version)
            submission.refresh_from_db()
        bundle = bundle_of(submission.version)
        graded = grader.grade_functions(bundle, submission.original_name, data, submission_id)
        if bundle.model_checks and grader.model_checks and not graded.report.rejected:
            record_functions(submission, graded.report)
        report = grader.grade_models(graded, submission_id)
    except Exception as failure:  # SandboxFailure, or a bug of ours: never leave the row "running"
        log.exception("grading failed", extra={"submission": submission_id, "retries": self.request.retries})
        if self.request.retries < MAX_RETRIES and isinstance(failure, SandboxFailure):
            raise self.retry(exc=failure, countdown=2 ** self.request.retries)
        finish_failed(submission, messages.say("platform_failed"), detail=traceback.format_exc())
        if submission.batch_id:
            regrades.record_item(submission)
        return
    if report.rejected:
        finish_rejected(submission, report)
    else:
        record_report(submission, report)
    if submission.batch_id:
        regrades.record_item(submission)
    log.info("submission graded", extra={"submission": submission_id, "score": report.score})


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
        if self.request.retries < MAX_RETRIES and isinstance(failure, SandboxFailure):
            raise self.retry(exc=failure, countdown=2 ** self.request.retries)
        regrades.end_item(item, RegradeItem.Status.FAILED, error=f"{type(failure).__name__}: {failure}")
