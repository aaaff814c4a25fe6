"""Rows as grading stores them, made directly (no sandbox): the insight tests' seeded course."""
from __future__ import annotations

from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

from django.contrib.auth import get_user_model

from grader.authoring.models import AssignmentVersion
from grader.courses.models import Assignment, Course, Enrollment
from grader.submissions.grades import update_grade
from grader.submissions.models import FunctionResult, Submission

T0 = datetime(2026, 3, 2, 9, 15, tzinfo=dt_timezone.utc)
V1 = {"functions": [
    {"name": "f1", "points": 1, "cases": [{"id": "published"}, {"id": "deep", "hidden": True}]},
    {"name": "f2", "points": 1, "cases": [{"id": "published"}]},
]}
V2 = {"functions": [
    {"name": "f1", "points": 1, "cases": [{"id": "published"}, {"id": "deep", "hidden": True},
                                          {"id": "wide", "hidden": True}]},
]}


def verdicts(*passed: bool, hidden_from: int = 1) -> list[dict]:
    return [{"hidden": i >= hidden_from, "reveal": "now", "passed": p} for i, p in enumerate(passed)]


def result(submission, name, status, score, cases, hint=None, mistake="", order=0):
    return FunctionResult.objects.create(submission=submission, name=name, status=status, score=score, max_score=1,
                                         cases=cases, hint=hint, mistake=mistake, order=order)


def upload(user, assignment, version, at, status=Submission.Status.GRADED, score=None, feedback_s=None, **fields):
    row = Submission.objects.create(user=user, assignment=assignment, version=version, original_name="a.py",
                                    size_bytes=1, status=status, score=score, max_score=version.max_score, **fields)
    Submission.objects.filter(pk=row.pk).update(  # created_at is auto_now_add: set it as the clock had
        created_at=at, first_feedback_at=at + timedelta(seconds=feedback_s) if feedback_s is not None else None)
    row.refresh_from_db()
    return row


def seed():
    """Three students' uploads on two versions: one regraded, one failed on our side, one still queued."""
    User = get_user_model()
    a, b, c, teacher = (User.objects.create_user(n, password="pw-" + n) for n in ("a", "b", "c", "teacher"))
    course = Course.objects.create(slug="dnn", title="DNN")
    for user in (a, b, c):
        Enrollment.objects.create(user=user, course=course)
    Enrollment.objects.create(user=teacher, course=course, role=Enrollment.Role.STAFF)
    assignment = Assignment.objects.create(course=course, slug="init", title="Initialization", max_score=2)
    v1 = AssignmentVersion.objects.create(assignment=assignment, number=1, slug="init", title="I", manifest=V1,
                                          digest="1", max_score=2)
    v2 = AssignmentVersion.objects.create(assignment=assignment, number=2, slug="init", title="I", manifest=V2,
                                          digest="2", max_score=1)
    P, F, M = FunctionResult.Status.PASSED, FunctionResult.Status.FAILED, FunctionResult.Status.MISSING
    k1 = "Use sqrt(2 / n) for He initialization."

    s1 = upload(a, assignment, v1, T0, score=2.0, feedback_s=1)
    result(s1, "f1", P, 1.0, verdicts(True, True))
    result(s1, "f2", P, 1.0, verdicts(True), order=1)
    s2 = upload(b, assignment, v1, T0 + timedelta(hours=1), score=0.5, feedback_s=3)
    result(s2, "f1", F, 0.5, verdicts(True, False), hint=k1, mistake="mistake:he_scale")
    result(s2, "f2", M, 0.0, [], hint="Keep the line `def f2(...)`.", mistake="message:missing", order=1)
    s3 = upload(c, assignment, v1, T0 + timedelta(hours=2), score=1.0, feedback_s=10)
    result(s3, "f1", F, 0.0, verdicts(False, False), hint=k1, mistake="mistake:he_scale")
    result(s3, "f2", P, 1.0, verdicts(True), order=1)
    s4 = upload(b, assignment, v1, T0 + timedelta(hours=3), score=0.0, feedback_s=5, superseded=True)
    result(s4, "f1", F, 0.0, verdicts(False, False), hint=k1, mistake="mistake:he_scale")  # replaced: never counted
    result(s4, "f2", F, 0.0, verdicts(False), order=1)
    s5 = upload(b, assignment, v1, T0 + timedelta(hours=3), score=1.5, feedback_s=600, regrade_of=s4)
    result(s5, "f1", P, 1.0, verdicts(True, True))
    result(s5, "f2", F, 0.5, verdicts(False), hint="An older hint, stored without its key.", order=1)
    upload(c, assignment, v1, T0 + timedelta(hours=4), status=Submission.Status.FAILED)
    s9 = upload(c, assignment, v2, T0 + timedelta(hours=6), score=1.0, feedback_s=2)
    result(s9, "f1", P, 1.0, verdicts(True, True, True))
    upload(a, assignment, v1, T0 + timedelta(hours=7), status=Submission.Status.QUEUED)
    for user in (a, b, c):
        update_grade(user, assignment)
    return assignment, v1, v2, teacher, a
