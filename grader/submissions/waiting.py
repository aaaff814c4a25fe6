"""Where a queued upload stands: its place in line and an estimate of the wait, from recent gradings.

Students' fresh uploads share the interactive queue in upload order; regrades wait on the bulk queue
behind them and never hold an upload back, so only queued uploads count as ahead.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q

from grader.submissions.models import Submission

RECENT_GRADINGS = 20  # how many finished gradings the estimate looks at
RECENT_WINDOW = timedelta(days=7)  # older gradings say little about today's load


@dataclass(frozen=True)
class Place:
    """`position` 1 is next in line; `estimate_s` is None until some grading finished recently."""

    position: int
    estimate_s: float | None

    @property
    def ahead(self) -> int:
        return self.position - 1

    @property
    def estimate_text(self) -> str:
        """"about 40 seconds", "about 3 minutes"; "" without an estimate."""
        if self.estimate_s is None:
            return ""
        if self.estimate_s < 60:
            return f"about {max(5, 5 * round(self.estimate_s / 5))} seconds"
        minutes = round(self.estimate_s / 60)
        return f"about {minutes} minute{'s' if minutes != 1 else ''}"


def recent_grading_s(now) -> float | None:
    """The median time from start to end of the last RECENT_GRADINGS gradings (seconds), None when none."""
    rows = (Submission.objects.filter(status=Submission.Status.GRADED, started_at__isnull=False,
                                      graded_at__gte=now - RECENT_WINDOW)
            .order_by("-graded_at").values_list("started_at", "graded_at")[:RECENT_GRADINGS])
    spans = [(end - start).total_seconds() for start, end in rows if end >= start]
    return statistics.median(spans) if spans else None


def place_in_line(submission: Submission, now) -> Place | None:
    """The queued upload's place among queued uploads (None once it left the queue).

    The estimate assumes one grading at a time ahead of it, plus its own: an upper bound when more
    workers run, which is the side a student waiting should be told.
    """
    if submission.status != Submission.Status.QUEUED:
        return None
    ahead = Submission.objects.filter(status=Submission.Status.QUEUED, regrade_of__isnull=True).filter(
        Q(created_at__lt=submission.created_at) | Q(created_at=submission.created_at, pk__lt=submission.pk)).count()
    if submission.regrade_of_id:  # a regrade waits behind every fresh upload
        ahead = Submission.objects.filter(status=Submission.Status.QUEUED, regrade_of__isnull=True).count()
    typical = recent_grading_s(now)
    return Place(ahead + 1, None if typical is None else typical * (ahead + 1))
