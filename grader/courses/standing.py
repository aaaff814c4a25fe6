"""What a student sees of their counting grade: which submission counts, its score, lateness and extension.

The numbers come from the stored `Grade` row (`grader.submissions.grades.update_grade` writes it). A score
whose hidden verdicts are not revealed yet is shown as the feedback page shows it: over the visible
checks only, labelled so (`grader.submissions.visibility`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from grader.courses.models import Assignment, Extension
from grader.submissions.grades import days_late, extended
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
    days_late: int = 0

    @property
    def late(self) -> bool:
        return self.days_late > 0


@dataclass(frozen=True)
class Standing:
    """The student's counting grade of one assignment, as their pages show it."""

    assignment: Assignment
    grade: Grade | None
    score: Shown | None
    extension: Extension | None
    due: datetime | None
    history: list[Entry]
    now: datetime | None = None

    @property
    def counting_rule(self) -> str:
        return "Your best submission counts" if self.assignment.counting == Assignment.Counting.BEST \
            else "Your latest submission counts"

    @property
    def counting_word(self) -> str:
        """"best" or "latest": which submission counts, as the history and the home page mark it."""
        return "latest" if self.assignment.counting == Assignment.Counting.LATEST else "best"

    @property
    def past_due(self) -> bool:
        return self.due is not None and self.now is not None and self.now > self.due

    @property
    def time_left(self) -> str:
        """"3 days 4 hours left", "due in 25 minutes" style text; "" without a due date."""
        if self.due is None or self.now is None:
            return ""
        if self.past_due:
            return f"due {duration_text(self.now - self.due)} ago"
        return f"{duration_text(self.due - self.now)} left"

    @property
    def status(self) -> str:
        """One word the home page shows: not submitted, waiting, graded, late, or not graded (our failure)."""
        if self.grade is not None and self.grade.submission_id:
            return "late" if self.grade.late else "graded"
        if self.pending:
            return "waiting"
        if self.grade is not None and self.grade.submissions_count:
            return "not graded"
        return "overdue" if self.past_due else "not submitted"

    @property
    def pending(self) -> bool:
        return self.latest is not None and not self.latest.is_finished

    @property
    def latest(self) -> Submission | None:
        """The newest upload of the student (a regrade is not an upload)."""
        return next((e.submission for e in self.history if not e.submission.regrade_of_id), None)

    @property
    def penalty_points(self) -> float:
        """Points the late penalty took off the counting score (0 when none)."""
        if self.grade is None or self.grade.raw_score is None or self.grade.score is None:
            return 0.0
        return round(self.grade.raw_score - self.grade.score, 6)


def duration_text(delta: timedelta) -> str:
    """A span in its two largest units ("2 days 3 hours", "40 minutes"); under a minute is "less than a minute"."""
    minutes = int(delta.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [(days, "day"), (hours, "hour"), (minutes, "minute")]
    words = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n]
    return " ".join(words[:2]) if words else "less than a minute"


def standing(user, assignment: Assignment, now: datetime, history=None) -> Standing:
    """The student's standing on the assignment; `history` (their submissions, newest first) gets marked.

    Each entry is marked late against the student's due date (their extension's when granted): a
    regrade keeps its upload's time, so it is as late as its upload.
    """
    grade = Grade.objects.filter(user=user, assignment=assignment).select_related("submission__assignment").first()
    extension = Extension.objects.filter(user=user, assignment=assignment).first()
    due = extended(assignment.due_at, extension.due_at if extension else None)
    counting = grade.submission if grade and grade.submission_id else None
    entries = [Entry(s, counting is not None and s.pk == counting.pk, shown(s, now), days_late(s.created_at, due))
               for s in (history or [])]
    return Standing(
        assignment=assignment,
        grade=grade,
        score=shown(counting, now) if counting is not None and grade.score is not None else None,
        extension=extension,
        due=due,
        history=entries,
        now=now,
    )
