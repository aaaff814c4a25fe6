"""Submitting and recording grades: the one place the web form, the API and LTI go through."""
from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from grader.api import webhooks
from grader.courses.models import Assignment
from grader.grading.feedback import Report
from grader.submissions.models import FunctionResult, Submission

log = logging.getLogger(__name__)


def refusal(assignment: Assignment, user=None, now=None) -> str | None:
    """Why the assignment takes no submission now (None: it takes them).

    With a user: also past the hard deadline of the 'refuse' late policy (extensions applied) and
    over the assignment's upload limit (uploads whose grading failed on our side never count).
    """
    from django.utils import formats, timezone

    from grader.submissions.grades import upload_deadline

    if not assignment.is_open:
        return "This assignment is closed: it no longer takes submissions."
    if assignment.current_version_id is None:
        return "This assignment has no published version yet, so it cannot be graded; try again later."
    if user is None:
        return None
    deadline = upload_deadline(assignment, user)
    if deadline is not None and (now or timezone.now()) > deadline:
        return (f"The deadline for this assignment passed on {formats.date_format(deadline, 'DATETIME_FORMAT')}: "
                "it no longer takes your uploads.")
    if assignment.max_submissions is not None:
        used = Submission.objects.filter(user=user, assignment=assignment, regrade_of__isnull=True).exclude(
            status__in=(Submission.Status.FAILED, Submission.Status.REJECTED)).count()
        if used >= assignment.max_submissions:
            return (f"You have used all {assignment.max_submissions} uploads this assignment allows "
                    "(uploads the platform failed to grade, and files it could not read, do not count).")
    return None


@transaction.atomic
def submit(user, assignment: Assignment, upload: UploadedFile) -> Submission:
    """Stores the upload as a queued submission; the grading task is sent only after the commit.

    Raises ValueError when the assignment takes no submission from this user (see `refusal`).
    """
    # One upload at a time per student (the user row locked), so two at once cannot pass the limit together.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    problem = refusal(assignment, user)
    if problem is not None:
        raise ValueError(problem)
    submission = Submission(
        user=user,
        assignment=assignment,
        original_name=upload.name[:255],
        size_bytes=upload.size,
        max_score=assignment.max_score,
        version=assignment.current_version,
    )
    submission.file.save(upload.name, upload, save=False)
    submission.save()
    _grade_changed(submission)  # the stored grade counts the upload at once
    _enqueue_after_commit(submission.pk)
    log.info("submission queued", extra={"submission": submission.pk, "assignment": assignment.slug})
    return submission


def regrade(submission: Submission, version=None, batch=None) -> Submission:
    """Grades the upload again on `version` (default: the current one) as a new row on the bulk queue.

    The old result is kept (and keeps counting) until the new one is graded; then it is marked
    superseded. The new row carries the upload's time, so lateness does not change. Returns the row.
    """
    upload = submission.upload
    with transaction.atomic():
        row = Submission.objects.create(
            user_id=upload.user_id, assignment_id=upload.assignment_id, file=upload.file.name,
            original_name=upload.original_name, size_bytes=upload.size_bytes, regrade_of=upload, batch=batch,
            version=version or submission.assignment.current_version or submission.version,
            max_score=(version or submission.assignment.current_version or submission.version).max_score)
        Submission.objects.filter(pk=row.pk).update(created_at=upload.created_at)
        _enqueue_after_commit(row.pk, queue="bulk")  # regrades wait behind students' fresh uploads
    row.refresh_from_db()
    return row


def requeue(submission: Submission) -> bool:
    """Grades a `failed` submission again (staff's action after a platform fault); False if it is not failed."""
    with transaction.atomic():
        updated = Submission.objects.filter(pk=submission.pk, status=Submission.Status.FAILED).update(
            status=Submission.Status.QUEUED, error_message="", failure_detail="", started_at=None, graded_at=None)
        if updated:
            _enqueue_after_commit(submission.pk, queue="interactive" if submission.regrade_of_id is None else "bulk")
    if updated:
        _grade_changed(submission)  # a failed upload did not count; queued again, it does
    return bool(updated)


def finish_failed(submission: Submission, message: str, detail: str = "") -> None:
    """Ends a grading that failed on our side: no score, no cards, never counted against the student.

    `message` is what the student reads; `detail` (what the worker logged) is shown to staff only.
    """
    with transaction.atomic():
        submission.function_results.all().delete()  # phase one's cards and score must not outlive a failure
        submission.advance(Submission.Status.FAILED, score=None, result=None, error_message=message,
                           failure_detail=detail[-8000:])
    _grade_changed(submission)
    webhooks.submission_finished(submission)


def finish_rejected(submission: Submission, report: Report) -> None:
    """Ends a grading whose file could not be read at all (`report.rejected` says why, in one message): no
    score and no cards, so no "0 of N" is shown and the score that counts is untouched."""
    with transaction.atomic():
        submission.function_results.all().delete()
        submission.advance(Submission.Status.REJECTED, score=None, max_score=report.max_score,
                           result=report.document(), notes=report.notes, error_message=report.rejected)
    _grade_changed(submission)


def _grade_changed(submission: Submission) -> None:
    from grader.submissions.grades import update_grade

    update_grade(submission.user, submission.assignment)


def _enqueue_after_commit(submission_id: int, queue: str = "interactive") -> None:
    from grader.submissions.tasks import grade_submission

    transaction.on_commit(lambda: grade_submission.apply_async((submission_id,), queue=queue))


def _rows(submission: Submission, reports, kind: str, offset: int = 0) -> list[FunctionResult]:
    return [
        FunctionResult(
            submission=submission,
            kind=kind,
            name=f.name,
            order=offset + order,
            status=f.status,
            score=f.score,
            max_score=f.max_score,
            checks=f.checks,
            hint=f.hint,
            mistake=f.mistake[:200],
            summary=f.summary[:300],
            output=f.output[:4096],
            traceback=f.traceback[:8192],
            metrics=f.metrics,
            about=f.about,
            plot_alt=f.plot_alt,
            cases=f.cases,
            staff_notes=f.staff_notes,
        )
        for order, f in enumerate(reports)
    ]


def _first_feedback(submission: Submission) -> None:
    """The first cards' time, once: phase one's when the model checks train after it, else the grading's end."""
    Submission.objects.filter(pk=submission.pk, first_feedback_at__isnull=True).update(first_feedback_at=timezone.now())


@transaction.atomic
def record_functions(submission: Submission, report: Report) -> None:
    """Phase one: the function cards appear while the model checks still train."""
    submission.function_results.all().delete()
    FunctionResult.objects.bulk_create(_rows(submission, report.functions, FunctionResult.Kind.FUNCTION))
    Submission.objects.filter(pk=submission.pk).update(
        score=report.score, max_score=report.max_score, result=report.document(), notes=report.notes
    )
    _first_feedback(submission)


@transaction.atomic
def record_report(submission: Submission, report: Report) -> None:
    """Both phases done: every card stored, the submission graded."""
    submission.function_results.all().delete()
    FunctionResult.objects.bulk_create(_rows(submission, report.functions, FunctionResult.Kind.FUNCTION))
    for row in _rows(submission, report.models, FunctionResult.Kind.MODEL, offset=len(report.functions)):
        for name in ("cost", "boundary"):
            png = report.images.get((row.name, name))
            if png:
                getattr(row, f"{name}_plot").save(f"{row.name}-{name}.png", ContentFile(png), save=False)
        row.save()
    submission.advance(
        Submission.Status.GRADED,
        score=report.score,
        max_score=report.max_score,
        result=report.document(),
        notes=report.notes,
    )
    _first_feedback(submission)
    if submission.regrade_of_id:  # the new result replaces every earlier one of the same upload
        upload = submission.regrade_of_id
        (Submission.objects.filter(Q(pk=upload) | Q(regrade_of=upload)).exclude(pk=submission.pk)
         .filter(id__lt=submission.pk).update(superseded=True))
    _grade_changed(submission)
    webhooks.submission_finished(submission)
