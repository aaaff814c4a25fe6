"""Submitting and recording grades: the one place the web form, the API and LTI go through."""
from __future__ import annotations

import logging
import math
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from grader import metrics
from grader.api import webhooks
from grader.courses.models import Assignment
from grader.grading.feedback import Report
from grader.submissions import leases
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
    too_fast = rate_refusal(user, now)
    if too_fast is not None:
        return too_fast
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


def rate_refusal(user, now=None) -> str | None:
    """Why `user` may not upload again yet (None: they may): GRADER_UPLOAD_RATE uploads per window, counted
    over every assignment from the stored rows, so every web process sees the same count."""
    from django.conf import settings

    rate = settings.GRADER_UPLOAD_RATE
    if rate is None:
        return None
    count, window_s = rate
    now = now or timezone.now()
    recent = list(Submission.objects.filter(user=user, regrade_of__isnull=True,
                                            created_at__gt=now - timedelta(seconds=window_s))
                  .order_by("-created_at").values_list("created_at", flat=True)[:count])
    if len(recent) < count:
        return None
    wait_s = max(1, math.ceil((recent[-1] + timedelta(seconds=window_s) - now).total_seconds()))
    files = f"{count} file{'s' if count != 1 else ''}"
    return (f"You have uploaded {files} in the last {_span(window_s, counted=False)}, the most this grader takes "
            f"from one student in that time. Try again in {_span(wait_s)}.")


def _span(seconds: int, counted: bool = True) -> str:
    """60 -> "1 minute" ("minute" when not `counted`), 120 -> "2 minutes", 90 -> "90 seconds"."""
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        if seconds >= size and seconds % size == 0:
            n = seconds // size
            return (f"1 {unit}" if counted else unit) if n == 1 else f"{n} {unit}s"
    return f"{seconds} seconds"


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
        _enqueue_after_commit(row.pk, queue=queue_for(row, FUNCTIONS))  # regrades wait behind fresh uploads
    row.refresh_from_db()
    return row


def requeue(submission: Submission) -> bool:
    """Grades a `failed` submission again (staff's action after a platform fault); False if it is not failed."""
    with transaction.atomic():
        updated = Submission.objects.filter(pk=submission.pk, status=Submission.Status.FAILED).update(
            status=Submission.Status.QUEUED, error_message="", failure_detail="", started_at=None, graded_at=None)
        if updated:
            _enqueue_after_commit(submission.pk, queue=queue_for(submission, FUNCTIONS))
    if updated:
        _grade_changed(submission)  # a failed upload did not count; queued again, it does
    return bool(updated)


def finish_failed(submission: Submission, message: str, detail: str = "", owner: str | None = None) -> None:
    """Ends a grading that failed on our side: no score, no cards, never counted against the student.

    `message` is what the student reads; `detail` (what the worker logged) is shown to staff only. With
    `owner`, raises leases.LeaseLost unless that worker still holds the submission's lease.
    """
    with transaction.atomic():
        leases.check(submission.pk, owner)
        submission.function_results.all().delete()  # phase one's cards and score must not outlive a failure
        submission.advance(Submission.Status.FAILED, score=None, result=None, error_message=message,
                           failure_detail=detail[-8000:])
    _grade_changed(submission)
    metrics.OUTCOMES.labels("failed").inc()
    webhooks.submission_finished(submission)


def finish_rejected(submission: Submission, report: Report, owner: str | None = None) -> None:
    """Ends a grading whose file could not be read at all (`report.rejected` says why, in one message): no
    score and no cards, so no "0 of N" is shown and the score that counts is untouched. With `owner`,
    raises leases.LeaseLost unless that worker still holds the submission's lease."""
    with transaction.atomic():
        leases.check(submission.pk, owner)
        submission.function_results.all().delete()
        submission.advance(Submission.Status.REJECTED, score=None, max_score=report.max_score,
                           result=report.document(), notes=report.notes, error_message=report.rejected)
    _grade_changed(submission)
    metrics.OUTCOMES.labels("rejected").inc()


def _grade_changed(submission: Submission) -> None:
    from grader.submissions.grades import update_grade

    update_grade(submission.user, submission.assignment)


# The two grading phases: the function cards (seconds at most), then the model checks (training).
FUNCTIONS, MODELS = "functions", "models"


def queue_for(submission: Submission, phase: str) -> str:
    """The queue a phase of this submission's grading goes to (deploy/run-local.sh names the workers').

    A student's upload: its function phase on `interactive`, its model checks on `training`, so one
    student's feedback never waits behind another's training. Regrades (both phases) on `bulk`.
    """
    if submission.regrade_of_id:
        return "bulk"
    return "interactive" if phase == FUNCTIONS else "training"


def send(submission_id: int, phase: str, queue: str, at=None) -> None:
    """Sends the phase's task now and stamps the row's `enqueued_at` (the sweeper's clock; default: now)."""
    from grader.submissions.tasks import grade_submission, train_models

    Submission.objects.filter(pk=submission_id).update(enqueued_at=at or timezone.now())
    (grade_submission if phase == FUNCTIONS else train_models).apply_async((submission_id,), queue=queue)


def _enqueue_after_commit(submission_id: int, queue: str = "interactive") -> None:
    """Sends the function phase once the transaction commits; the row's `enqueued_at` is stamped with it."""
    from grader.submissions.tasks import grade_submission

    Submission.objects.filter(pk=submission_id).update(enqueued_at=timezone.now())
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
    now = timezone.now()
    if Submission.objects.filter(pk=submission.pk, first_feedback_at__isnull=True).update(first_feedback_at=now):
        if submission.regrade_of_id is None:
            metrics.FIRST_FEEDBACK.observe((now - submission.created_at).total_seconds())


@transaction.atomic
def record_functions(submission: Submission, report: Report, owner: str | None = None) -> None:
    """Phase one: the function cards appear while the model checks still train.

    With `owner`, raises leases.LeaseLost unless that worker still holds the submission's lease."""
    leases.check(submission.pk, owner)
    submission.function_results.all().delete()
    FunctionResult.objects.bulk_create(_rows(submission, report.functions, FunctionResult.Kind.FUNCTION))
    Submission.objects.filter(pk=submission.pk).update(
        score=report.score, max_score=report.max_score, result=report.document(), notes=report.notes
    )
    _first_feedback(submission)


@transaction.atomic
def record_report(submission: Submission, report: Report, owner: str | None = None) -> None:
    """Both phases done: every card stored, the submission graded.

    With `owner`, raises leases.LeaseLost unless that worker still holds the submission's lease (a worker
    that lost it must not write a second set of results)."""
    leases.check(submission.pk, owner)
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
    metrics.OUTCOMES.labels("graded").inc()
    webhooks.submission_finished(submission)
