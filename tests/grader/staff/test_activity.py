"""Uploads over time and time to feedback, asserted on seeded rows."""
from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from grader.courses.models import Assignment
from grader.staff import activity
from grader.submissions.models import Submission
from tests.grader.staff.insight_rows import T0, seed, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    return seed()


def test_uploads_per_hour_fill_empty_hours(seeded):
    assignment, v1, *_ = seeded
    hourly = activity.timeline(assignment)
    assert hourly.unit == "hour"
    assert [(start.hour, n) for start, n in hourly.buckets] == [(9, 1), (10, 1), (11, 1), (12, 1), (13, 1), (14, 0),
                                                                (15, 1), (16, 1)]
    assert [n for _, n in activity.timeline(assignment, v1).buckets] == [1, 1, 1, 1, 1, 0, 0, 1]

def test_uploads_per_day_over_longer_spans(seeded):
    assignment, v1, _, _, a = seeded
    upload(a, assignment, v1, T0 + timedelta(days=3, hours=20), status=Submission.Status.QUEUED)
    daily = activity.timeline(assignment)
    assert daily.unit == "day"
    assert [(start.day, n) for start, n in daily.buckets] == [(2, 7), (3, 0), (4, 0), (5, 0), (6, 1)]
    assert daily.buckets[0][0].hour == 0

def test_time_to_feedback_median_and_90th_percentile(seeded):
    assignment, v1, _, _, a = seeded
    times = activity.feedback_times(assignment, v1)  # uploads only: the regrade's 600 s is no student's wait
    expected = np.percentile([1, 3, 5, 10], [50, 90])
    assert (times.count, times.median_s, times.p90_s, times.unknown) == (4, expected[0], expected[1], 0)
    assert (times.median_s, times.p90_s) == (4.0, 8.5)
    upload(a, assignment, v1, T0, score=1.0)  # graded before the first-card time was stored
    every = activity.feedback_times(assignment)
    assert (every.count, every.median_s, every.p90_s, every.unknown) == (5, 3.0, 8.0, 1)
    assert activity.feedback_times(Assignment.objects.create(course=assignment.course, slug="x", title="X")) == \
        activity.FeedbackTimes(0, None, None, 0)


def test_days_start_at_local_midnight_where_clocks_change(seeded):
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    assignment, v1, _, _, a = seeded
    other = Assignment.objects.create(course=assignment.course, slug="dst", title="DST")
    for day in (27, 30):  # Berlin moves its clocks forward on 29 March 2026
        upload(a, other, v1, T0.replace(day=day, hour=10), status=Submission.Status.QUEUED)
    with timezone.override(ZoneInfo("Europe/Berlin")):
        daily = activity.timeline(other)
    assert [(start.day, start.hour, n) for start, n in daily.buckets] == [(27, 0, 1), (28, 0, 0), (29, 0, 0),
                                                                          (30, 0, 1)]


def test_uploads_per_week_over_half_a_year(seeded):
    assignment, v1, _, _, a = seeded
    other = Assignment.objects.create(course=assignment.course, slug="long", title="Long")
    for days in (0, 1, 200):
        upload(a, other, v1, T0 + timedelta(days=days), status=Submission.Status.QUEUED)
    weekly = activity.timeline(other)
    assert weekly.unit == "week" and weekly.total == 3 and len(weekly.buckets) == 29
    assert weekly.buckets[0] == (T0.replace(hour=0, minute=0), 2) and all(s.weekday() == 0 for s, _ in weekly.buckets)
