"""What a student sees of their counting grade: which submission counts, its score, lateness and extension.

The numbers come from the stored `Grade` row (`grader.submissions.grades.update_grade` writes it). A score
whose hidden verdicts are not revealed yet is shown as the feedback page shows it: over the visible
checks only, labelled so (`grader.submissions.visibility`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from grader.courses.models import Assignment, Extension
from grader.submissions.grades import extended
from grader.submissions.models import Grade, Submission
from grader.submissions.visibility import shown_score


@dataclass(frozen=True)
class Shown:
    """A score as the student may see it now; `visible_only` when hidden verdicts are still withheld."""

    score: float | None
    max_score: float
    visible_only: bool = False


def shown(submission: Submission, now: datetime) -> Shown:
    """The submission's score as its feedback page shows it to the student now."""
    score, visible_only = shown_score(submission, now)
    return Shown(score, submission.max_score, visible_only=visible_only)


@dataclass(frozen=True)
class Entry:
    """A row of the student's submission history."""

    submission: Submission
    counts: bool
    score: Shown


@dataclass(frozen=True)
class Standing:
    """The student's counting grade of one assignment, as their pages show it."""

    assignment: Assignment
    grade: Grade | None
    score: Shown | None
    extension: Extension | None
    due: datetime | None
    history: list[Entry]

    @property
    def counting_rule(self) -> str:
        return "Your best submission counts" if self.assignment.counting == Assignment.Counting.BEST \
            else "Your latest submission counts"

    @property
    def penalty_points(self) -> float:
        """Points the late penalty took off the counting score (0 when none)."""
        if self.grade is None or self.grade.raw_score is None or self.grade.score is None:
            return 0.0
        return round(self.grade.raw_score - self.grade.score, 6)


def standing(user, assignment: Assignment, now: datetime, history=None) -> Standing:
    """The student's standing on the assignment; `history` (their submissions, newest first) gets marked."""
    grade = Grade.objects.filter(user=user, assignment=assignment).select_related("submission__assignment").first()
    extension = Extension.objects.filter(user=user, assignment=assignment).first()
    counting = grade.submission if grade and grade.submission_id else None
    entries = [Entry(s, counting is not None and s.pk == counting.pk, shown(s, now)) for s in (history or [])]
    return Standing(
        assignment=assignment,
        grade=grade,
        score=shown(counting, now) if counting is not None and grade.score is not None else None,
        extension=extension,
        due=extended(assignment.due_at, extension.due_at if extension else None),
        history=entries,
    )
