"""Courses, assignments and graded submissions made directly in the database, for grade and gradebook tests.

Scores are stored through `services.record_report` / `finish_failed`, the path the worker takes, with
a one-function report; no sandbox runs.
"""
from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from grader.authoring.models import AssignmentVersion
from grader.courses.models import Assignment, Course, Enrollment
from grader.grading.feedback import FunctionReport, Report
from grader.submissions import services
from grader.submissions.models import Submission

MAX_SCORE = 10.0


def course(slug: str = "dnn", title: str = "Deep nets") -> Course:
    return Course.objects.create(slug=slug, title=title)


def person(username: str, course: Course | None = None, role: str = Enrollment.Role.STUDENT, **fields):
    user = get_user_model().objects.create_user(username, **fields)  # no password: tests log in with force_login
    if course is not None:
        Enrollment.objects.create(user=user, course=course, role=role)
    return user


def assignment(course: Course, slug: str = "adam", order: int = 0, **fields) -> Assignment:
    """A published assignment worth MAX_SCORE points (its version holds a manifest only)."""
    fields.setdefault("title", slug.title())
    row = Assignment.objects.create(course=course, slug=slug, order=order, max_score=MAX_SCORE, **fields)
    version = AssignmentVersion.objects.create(
        assignment=row, number=1, slug=slug, title=row.title, manifest={"slug": slug, "functions": []},
        digest=f"digest-{course.slug}-{slug}", state=AssignmentVersion.State.PUBLISHED, max_score=MAX_SCORE)
    Assignment.objects.filter(pk=row.pk).update(current_version=version)
    row.refresh_from_db()
    return row


def upload(user, assignment: Assignment, at: datetime | None = None, content: bytes = b"x = 1\n",
           name: str = "adam.py") -> Submission:
    """A student's upload through `services.submit`, dated `at` (it stays queued)."""
    row = services.submit(user, assignment, SimpleUploadedFile(name, content))
    if at is not None:
        Submission.objects.filter(pk=row.pk).update(created_at=at)
        row.refresh_from_db()
    return row


def graded(row: Submission, score: float) -> Submission:
    """Ends the row's grading with `score` of MAX_SCORE points, as the worker does."""
    status = "passed" if score == MAX_SCORE else "failed"
    report = Report(assignment=row.assignment.slug,
                    functions=[FunctionReport(name="update_parameters_with_adam", status=status, score=score,
                                              max_score=MAX_SCORE)])
    row.advance(Submission.Status.RUNNING)
    services.record_report(row, report)
    row.refresh_from_db()
    return row


def failed(row: Submission) -> Submission:
    row.advance(Submission.Status.RUNNING)
    services.finish_failed(row, "the sandbox did not start")
    row.refresh_from_db()
    return row


def rejected(row: Submission, message: str = "The file is empty.") -> Submission:
    """Ends the row's grading as the worker does for a file it cannot read."""
    row.advance(Submission.Status.RUNNING)
    services.finish_rejected(row, Report(assignment=row.assignment.slug, functions=[], rejected=message))
    row.refresh_from_db()
    return row


def submitted(user, assignment: Assignment, score: float, at: datetime | None = None) -> Submission:
    return graded(upload(user, assignment, at), score)
