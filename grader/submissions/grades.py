"""The grade that counts: due dates with extensions, lateness, the late penalty, best or latest.

One rule for every reader (DESIGN.md "Statuses and grades"): the gradebook,
the student's pages, the API and LTI passback read the stored `Grade` row,
and `update_grade` is the only writer. Failed, queued and running rows never
count; a result replaced by a regrade (`superseded`) is kept but never counts.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction

from grader.courses.models import Assignment, Extension
from grader.lti import passback as lti_passback
from grader.submissions.models import Grade, Submission

DAY_SECONDS = 86400


def extension_due(assignment: Assignment, user) -> datetime | None:
    """The due date staff granted this student (None: no extension)."""
    return Extension.objects.filter(assignment=assignment, user=user).values_list("due_at", flat=True).first()


def extended(due_at: datetime | None, extension: datetime | None) -> datetime | None:
    """The due date an extension gives: only ever more time (one dated before `due_at` changes nothing)."""
    if extension is None or due_at is None:
        return extension or due_at
    return max(extension, due_at)


def effective_due(assignment: Assignment, user) -> datetime | None:
    """The due date for this student: the extension's when staff granted one, else the assignment's."""
    return extended(assignment.due_at, extension_due(assignment, user))


def upload_deadline(assignment: Assignment, user) -> datetime | None:
    """The last moment an upload is taken (None: always); only the 'refuse' policy has one.

    The hard deadline (the due date when none is set) moves by as much as the student's extension
    moves the due date.
    """
    if assignment.late_policy != Assignment.LatePolicy.REFUSE:
        return None
    deadline = assignment.hard_deadline or assignment.due_at
    if deadline is None:
        return None
    extension = extension_due(assignment, user)
    if extension is not None and assignment.due_at is not None:
        deadline = max(deadline, deadline + (extension - assignment.due_at))
    elif extension is not None:
        deadline = max(deadline, extension)
    return deadline


def days_late(submitted_at: datetime, due: datetime | None) -> int:
    """Started days after the due date (0: on time). One second late is one day late."""
    if due is None or submitted_at <= due:
        return 0
    return math.ceil((submitted_at - due).total_seconds() / DAY_SECONDS)


@dataclass(frozen=True)
class Counted:
    """A graded submission as it counts: its score after the late penalty (points), and why."""

    submission: Submission
    raw_score: float
    score: float
    days_late: int
    penalty_percent: float


def counted(submission: Submission, due: datetime | None) -> Counted:
    """The submission's score after the assignment's late penalty (never below 0).

    Lateness is the upload's (a regrade keeps its upload's time): `penalty` takes
    `late_penalty_percent` of the score off per started day late.
    """
    assignment = submission.assignment
    late = days_late(submission.created_at, due)
    raw = float(submission.score or 0.0)
    penalty = 0.0
    if late and assignment.late_policy == Assignment.LatePolicy.PENALTY:
        penalty = min(100.0, late * assignment.late_penalty_percent)
    return Counted(submission, raw, round(max(0.0, raw * (1 - penalty / 100)), 6), late, penalty)


def counting_candidates(assignment: Assignment, user):
    """The graded, current results of a student's uploads (one per upload), oldest upload first.

    One per upload because a regrade, once graded, marks every earlier grading of its upload superseded,
    queued ones included: a regrade that finishes after a later one stays superseded.
    """
    return (Submission.objects.filter(assignment=assignment, user=user, status=Submission.Status.GRADED,
                                      superseded=False)
            .select_related("assignment").order_by("created_at", "id"))


def choose(assignment: Assignment, candidates: list[Counted]) -> Counted | None:
    """Best (highest score after penalty; the later upload on a tie) or latest, per the assignment."""
    if not candidates:
        return None
    if assignment.counting == Assignment.Counting.LATEST:
        return candidates[-1]
    return max(reversed(candidates), key=lambda c: c.score)


def update_grade(user, assignment: Assignment) -> Grade:
    """Recomputes and stores the student's counting grade for the assignment; returns the row."""
    with transaction.atomic():
        # The student's row, then the grade's, always in that order (an upload takes the same two in the same
        # order in services.submit): a grading that ends while the student uploads again waits for the upload
        # instead of deadlocking with it. Two gradings ending together write one after the other, the last
        # one with every result in view.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        grade, created = Grade.objects.select_for_update().get_or_create(user=user, assignment=assignment)
        due = effective_due(assignment, user)
        candidates = [counted(s, due) for s in counting_candidates(assignment, user)]
        chosen = choose(assignment, candidates)
        uploads = Submission.objects.filter(assignment=assignment, user=user, regrade_of__isnull=True).exclude(
            status__in=(Submission.Status.FAILED, Submission.Status.REJECTED)).count()
        values = {
            "submission_id": chosen.submission.pk if chosen else None,
            "score": chosen.score if chosen else None,
            "raw_score": chosen.raw_score if chosen else None,
            "max_score": chosen.submission.max_score if chosen else assignment.max_score,
            "late": bool(chosen and chosen.days_late),
            "days_late": chosen.days_late if chosen else 0,
            "penalty_percent": chosen.penalty_percent if chosen else 0.0,
            "submissions_count": uploads,
        }
        if created or any(getattr(grade, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(grade, key, value)
            grade.save()  # `updated_at` moves only here: when a value changed
            lti_passback.grade_changed(grade)
        return grade


def update_grades(assignment: Assignment) -> int:
    """Recomputes every student's grade of the assignment (after a policy change); returns how many rows."""
    users = set(Submission.objects.filter(assignment=assignment).values_list("user", flat=True))
    users |= set(Grade.objects.filter(assignment=assignment).values_list("user", flat=True))
    count = 0
    for user in get_user_model().objects.filter(pk__in=users):
        update_grade(user, assignment)
        count += 1
    return count
