"""What a student sees of a graded submission: hidden verdicts wait for their `reveal` time.

A hidden case of a bundle reveals its verdict "now" (default), "after_due"
(once the student's due date has passed: the assignment's, or their extension's)
or "never". Until then the card counts those checks without saying whether they
passed, and its score, status and summary are over the checks the student can
see, labelled so ("all visible checks passed; 2 hidden checks count toward your
grade", never a bare "passed"); staff see everything. Inputs and values of
hidden cases are never shown in any case.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import formats


def is_revealed(reveal: str, due_at: datetime | None, now: datetime) -> bool:
    if reveal == "now":
        return True
    if reveal == "after_due":
        return due_at is not None and now >= due_at
    return False


@dataclass
class Card:
    """A FunctionResult as one student may see it; attributes not overridden come from the row."""

    result: object
    status: str
    score: float
    checks: list[dict]
    summary: str
    hint: str | None
    traceback: str
    output: str
    withheld: int = 0

    def __getattr__(self, name):
        return getattr(self.result, name)

    def get_status_display(self) -> str:
        if self.withheld and self.status == "passed":  # never a bare "Passed" over the visible checks only
            return "Visible checks passed"
        if self.status == WITHHELD:
            return "Verdict withheld"
        return dict(type(self.result).Status.choices).get(self.status, self.status)


WITHHELD = "withheld"  # a card whose every check is a hidden one not revealed yet


def _card(result, due_at: datetime | None, now: datetime) -> Card:
    hidden_now = [c for c in result.checks if c.get("reveal") and not is_revealed(c["reveal"], due_at, now)]
    if not hidden_now:
        return Card(result, result.status, result.score, result.checks, result.summary, result.hint,
                    result.traceback, result.output)
    shown = [c for c in result.checks if c not in hidden_now]
    cases = [v for v in result.cases if is_revealed(v["reveal"], due_at, now)]
    failing = [v for v in cases if not v["passed"]]
    score = round(result.max_score * (len(cases) - len(failing)) / len(cases), 6) if cases else 0.0
    pending = {c["reveal"] for c in hidden_now}
    when = (f"their verdicts show after your due date, {formats.date_format(due_at, 'DATETIME_FORMAT')}"
            if "after_due" in pending and due_at else "their verdicts are not shown")
    count = len(hidden_now)
    passed = sum(c["passed"] for c in shown)
    if not shown:
        seen = "No visible checks"
    elif passed == len(shown):
        seen = f"All {len(shown)} visible check{'s' if len(shown) > 1 else ''} passed"
    else:
        seen = f"{passed} of {len(shown)} visible checks passed"
    summary = f"{seen}; {count} hidden check{'s' if count > 1 else ''} count toward your grade ({when})."
    status = _worst([v.get("status") for v in failing], result.status) if failing else ("passed" if shown else WITHHELD)
    return Card(result, status, score, shown, summary,
                result.hint if failing else None, result.traceback if failing else "", "", withheld=count)


_RANK = {"failed": 0, "error": 1, "timeout": 2}


def _worst(statuses: list[str | None], stored: str) -> str:
    """The card's status over the revealed cases only: a withheld case's timeout must not show in the badge."""
    if not all(statuses):  # graded before each case kept its status
        return stored
    return max(statuses, key=lambda status: _RANK.get(status, 0))


def student_cards(submission, results, now: datetime) -> tuple[list[Card], float | None]:
    """The cards a student sees, and the score to show in place of the submission's (None: show it as stored).

    Hidden verdicts revealed "after_due" wait for the submitter's own due date (their extension's, if any).
    """
    from grader.submissions.grades import effective_due

    due_at = effective_due(submission.assignment, submission.user)
    cards = [_card(result, due_at, now) for result in results]
    if not any(card.withheld for card in cards):
        return cards, None
    return cards, round(sum(card.score for card in cards), 6)


def shown_score(submission, now: datetime) -> tuple[float | None, bool]:
    """The score a student's lists show for their submission, and whether it covers the visible checks only.

    A list (home, the assignment's history) must not reveal through a total what the cards withhold.
    """
    if submission.score is None:
        return None, False
    _, score = student_cards(submission, list(submission.function_results.all()), now)
    return (submission.score, False) if score is None else (score, True)
