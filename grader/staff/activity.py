"""When students upload and how long they wait for feedback, counted in the database.

Both read the uploads themselves, whatever their status (regrade rows are
left out: a regrade carries its upload's time, so its wait would mean
nothing).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

from django.db.models import Count, FloatField, Func, Max, Min, Q
from django.db.models.functions import Trunc

from grader.authoring.models import AssignmentVersion
from grader.courses.models import Assignment
from grader.submissions.models import Submission


@dataclass(frozen=True)
class Timeline:
    unit: str  # "hour", "day" or "week"
    buckets: list[tuple[datetime, int]]  # start of each bucket (current time zone), uploads in it

    @property
    def total(self) -> int:
        return sum(n for _, n in self.buckets)


@dataclass(frozen=True)
class FeedbackTimes:
    """Seconds from upload to the first function cards (median and 90th percentile, interpolated)."""

    count: int
    median_s: float | None
    p90_s: float | None
    unknown: int  # graded uploads whose first-card time was not recorded


def uploads(assignment: Assignment, version: AssignmentVersion | None = None):
    """Every upload a student made (regrade rows excluded), whatever its status."""
    rows = Submission.objects.filter(assignment=assignment, regrade_of__isnull=True)
    return rows.filter(version=version) if version is not None else rows


def timeline(assignment: Assignment, version: AssignmentVersion | None = None) -> Timeline:
    """Uploads per hour over a span of two days or less, per day up to 180 days, per week beyond."""
    rows = uploads(assignment, version)
    span = rows.aggregate(first=Min("created_at"), last=Max("created_at"))
    if span["first"] is None:
        return Timeline("day", [])
    length = span["last"] - span["first"]
    unit = "hour" if length <= timedelta(days=2) else "day" if length <= timedelta(days=180) else "week"
    counted = dict(rows.annotate(bucket=Trunc("created_at", unit)).values_list("bucket")
                   .annotate(n=Count("id")).order_by())
    step = {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(weeks=1)}[unit]
    start, last = min(counted), max(counted)
    buckets = []
    while start <= last:  # every bucket, empty ones too, so the line's gaps show
        buckets.append((start, counted.get(start, 0)))
        start = _next(start, step)
    return Timeline(unit, buckets)


def _next(start: datetime, step: timedelta) -> datetime:
    """The next bucket's start: an hour later in absolute time; a day or week later on the local clock (adding
    to an aware datetime keeps its wall time, so a day where clocks change still starts at midnight)."""
    if step < timedelta(days=1) and start.tzinfo is not None:
        return (start.astimezone(dt_timezone.utc) + step).astimezone(start.tzinfo)
    return start + step


class Seconds(Func):
    """`end - start` in seconds, computed by the database (no per-row Python function, as Django's own datetime
    subtraction is on SQLite). SQLite's date functions keep milliseconds."""

    output_field = FloatField()
    template = "CAST(EXTRACT(EPOCH FROM (%(expressions)s)) AS double precision)"  # PostgreSQL, standard SQL
    arg_joiner = " - "

    def __init__(self, end, start):
        super().__init__(end, start)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="((julianday(%(expressions)s)) * 86400.0)",
                           arg_joiner=") - julianday(", **extra)


def feedback_times(assignment: Assignment, version: AssignmentVersion | None = None) -> FeedbackTimes:
    """Median and 90th percentile of upload -> first cards, each read as two rows of a sort in the database
    (linear interpolation between the closest ranks, as numpy.percentile does by default), to the millisecond."""
    graded = uploads(assignment, version).filter(status=Submission.Status.GRADED).order_by()
    counts = graded.aggregate(known=Count("id", filter=Q(first_feedback_at__isnull=False)),
                              unknown=Count("id", filter=Q(first_feedback_at__isnull=True)))
    count = counts["known"]
    known = graded.filter(first_feedback_at__isnull=False).annotate(wait=Seconds("first_feedback_at", "created_at"))

    def percentile(fraction: float) -> float | None:
        if not count:
            return None
        position = fraction * (count - 1)
        low = math.floor(position)
        waits = [round(w, 3) for w in known.order_by("wait", "id").values_list("wait", flat=True)[low:low + 2]]
        if len(waits) == 1:
            return waits[0]
        return waits[0] + (waits[1] - waits[0]) * (position - low)

    return FeedbackTimes(count, percentile(0.5), percentile(0.9), counts["unknown"])
