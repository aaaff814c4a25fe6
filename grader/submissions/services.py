"""Submitting and recording grades: the one place the web form, the API and LTI go through."""
from __future__ import annotations

import logging

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from grader.courses.models import Assignment
from grader.grading.feedback import Report
from grader.submissions.models import FunctionResult, Submission

log = logging.getLogger(__name__)


def refusal(assignment: Assignment) -> str | None:
    """Why the assignment takes no submission now (None: it takes them)."""
    if not assignment.is_open:
        return "This assignment is closed: it no longer takes submissions."
    if assignment.current_version_id is None:
        return "This assignment has no published version yet, so it cannot be graded; try again later."
    return None


@transaction.atomic
def submit(user, assignment: Assignment, upload: UploadedFile) -> Submission:
    """Stores the upload as a queued submission; the grading task is sent only after the commit.

    Raises ValueError when the assignment takes no submission (see `refusal`).
    """
    problem = refusal(assignment)
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
    _enqueue_after_commit(submission.pk)
    log.info("submission queued", extra={"submission": submission.pk, "assignment": assignment.slug})
    return submission


def regrade(submission: Submission) -> None:
    with transaction.atomic():
        Submission.objects.filter(pk=submission.pk).update(
            status=Submission.Status.QUEUED, score=None, result=None, error_message="", started_at=None, graded_at=None,
            version=submission.assignment.current_version or submission.version,
        )
        submission.function_results.all().delete()
        _enqueue_after_commit(submission.pk, queue="bulk")  # regrades wait behind students' fresh uploads


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
            summary=f.summary[:300],
            output=f.output[:4096],
            traceback=f.traceback[:8192],
            metrics=f.metrics,
            cases=f.cases,
            staff_notes=f.staff_notes,
        )
        for order, f in enumerate(reports)
    ]


@transaction.atomic
def record_functions(submission: Submission, report: Report) -> None:
    """Phase one: the function cards appear while the model checks still train."""
    submission.function_results.all().delete()
    FunctionResult.objects.bulk_create(_rows(submission, report.functions, FunctionResult.Kind.FUNCTION))
    Submission.objects.filter(pk=submission.pk).update(
        score=report.score, max_score=report.max_score, result=report.document(), notes=report.notes
    )


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
