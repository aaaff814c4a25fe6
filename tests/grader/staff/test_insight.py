"""The insight page's numbers, each asserted on seeded rows; the page itself is for the course's staff only."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import numpy as np
import pytest
from django.contrib.auth import get_user_model

from grader.authoring.models import AssignmentVersion
from grader.courses.models import Assignment, Course, Enrollment
from grader.staff import insight
from grader.submissions.grades import update_grade
from grader.submissions.models import FunctionResult, Submission

pytestmark = pytest.mark.django_db
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


@pytest.fixture
def seeded():
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


def test_pass_rates_per_function_count_each_upload_s_current_result_once(seeded):
    assignment, v1, *_ = seeded
    rates = {r.name: r for r in insight.function_rates(assignment, v1)}
    assert list(rates) == ["f1", "f2"]
    assert (rates["f1"].total, rates["f1"].passed, rates["f1"].statuses["failed"]) == (4, 2, 2)
    assert rates["f1"].pass_percent == 50.0 and rates["f1"].score_percent == 62.5  # 2.5 of 4 points
    assert rates["f2"].statuses == {"passed": 2, "failed": 1, "missing": 1}
    every = {r.name: r for r in insight.function_rates(assignment)}
    assert (every["f1"].total, every["f1"].passed) == (5, 3)  # v2's upload joins


def test_pass_rates_per_case_are_named_from_each_version_s_manifest(seeded):
    assignment, v1, *_ = seeded
    rows = [(c.version, c.function, c.number, c.case_id, c.hidden, c.passed, c.total)
            for c in insight.case_rates(assignment)]
    assert rows == [
        (2, "f1", 1, "published", False, 1, 1), (2, "f1", 2, "deep", True, 1, 1), (2, "f1", 3, "wide", True, 1, 1),
        (1, "f1", 1, "published", False, 3, 4), (1, "f1", 2, "deep", True, 2, 4),
        (1, "f2", 1, "published", False, 2, 4),  # the missing f2 fails its case
    ]
    assert [c.version for c in insight.case_rates(assignment, v1)] == [1, 1, 1]


def test_mistakes_are_counted_by_key_and_older_results_by_their_hint(seeded):
    assignment, v1, *_ = seeded
    found = [(m.function, m.key, m.results, m.students, m.of_results, m.kind)
             for m in insight.mistake_counts(assignment)]
    assert found == [
        ("f1", "mistake:he_scale", 2, 2, 5, "catalogued mistake"),  # the superseded result's is not counted
        ("f2", "", 1, 1, 4, "hint text (graded before keys were stored)"),
        ("f2", "message:missing", 1, 1, 4, "check's hint"),
    ]
    assert insight.mistake_counts(assignment, v1)[0].percent == 50.0


def test_score_distributions_of_uploads_and_of_counting_grades(seeded):
    assignment, v1, v2, *_ = seeded
    uploads = insight.upload_scores(assignment, v1)
    assert [b.count for b in uploads.bins] == [0, 0, 1, 0, 0, 1, 0, 1, 0, 1]  # 25 %, 50 %, 75 %, 100 %
    assert (uploads.count, uploads.mean_percent, uploads.bins[9].label) == (4, 62.5, "90-100%")
    assert insight.upload_scores(assignment).bins[9].count == 2  # v2's 1 of 1
    grades = insight.grade_scores(assignment)  # a: 2/2; b: best of 0.5 and 1.5; c: 1/1 on v2 (the later on a tie)
    assert [b.count for b in grades.bins] == [0, 0, 0, 0, 0, 0, 0, 1, 0, 2]
    assert [b.count for b in insight.grade_scores(assignment, v2).bins] == [0] * 9 + [1]


def test_a_distribution_bins_by_percent_of_the_maximum():
    dist = insight.distribution([(0.0, 1.0, 3), (0.1, 1.0, 1), (0.0999, 1.0, 1), (1.0, 1.0, 2), (2.0, 0.0, 4)])
    assert [b.count for b in dist.bins][:2] == [4, 1] and dist.bins[9].count == 2
    assert (dist.count, dist.without_maximum) == (7, 4)
    assert insight.distribution([]).mean_percent is None


def test_uploads_per_hour_fill_empty_hours(seeded):
    assignment, v1, *_ = seeded
    hourly = insight.timeline(assignment)
    assert hourly.unit == "hour"
    assert [(start.hour, n) for start, n in hourly.buckets] == [(9, 1), (10, 1), (11, 1), (12, 1), (13, 1), (14, 0),
                                                                (15, 1), (16, 1)]
    assert [n for _, n in insight.timeline(assignment, v1).buckets] == [1, 1, 1, 1, 1, 0, 0, 1]


def test_uploads_per_day_over_longer_spans(seeded):
    assignment, v1, _, _, a = seeded
    upload(a, assignment, v1, T0 + timedelta(days=3, hours=20), status=Submission.Status.QUEUED)
    daily = insight.timeline(assignment)
    assert daily.unit == "day"
    assert [(start.day, n) for start, n in daily.buckets] == [(2, 7), (3, 0), (4, 0), (5, 0), (6, 1)]
    assert daily.buckets[0][0].hour == 0


def test_time_to_feedback_median_and_90th_percentile(seeded):
    assignment, v1, _, _, a = seeded
    times = insight.feedback_times(assignment, v1)  # uploads only: the regrade's 600 s is no student's wait
    expected = np.percentile([1, 3, 5, 10], [50, 90])
    assert (times.count, times.median_s, times.p90_s, times.unknown) == (4, expected[0], expected[1], 0)
    assert (times.median_s, times.p90_s) == (4.0, 8.5)
    upload(a, assignment, v1, T0, score=1.0)  # graded before the first-card time was stored
    every = insight.feedback_times(assignment)
    assert (every.count, every.median_s, every.p90_s, every.unknown) == (5, 3.0, 8.0, 1)
    assert insight.feedback_times(Assignment.objects.create(course=assignment.course, slug="x", title="X")) == \
        insight.FeedbackTimes(0, None, None, 0)


def test_the_page_costs_a_fixed_number_of_queries(seeded, client, django_assert_max_num_queries):
    assignment, v1, _, teacher, a = seeded
    client.force_login(teacher)
    with django_assert_max_num_queries(30) as few:
        assert client.get("/courses/dnn/staff/assignments/init/insight/").status_code == 200
    for hour in range(50):  # more rows, the same queries
        more = upload(a, assignment, v1, T0 + timedelta(hours=hour), score=1.0, feedback_s=1)
        result(more, "f1", FunctionResult.Status.PASSED, 1.0, verdicts(True, True))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/courses/dnn/staff/assignments/init/insight/").status_code == 200


def test_the_page_shows_each_chart_with_its_numbers(seeded, client):
    *_, teacher, _ = seeded
    client.force_login(teacher)
    page = client.get("/courses/dnn/staff/assignments/init/insight/?version=1").content.decode()
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"') == 6
    assert '<title id="chart-functions-title">Pass rate per graded function</title>' in page
    assert re.search(r'<td>f1</td>\s*<td class="n">4</td><td class="n">2</td>', page)  # 4 results, 2 passed
    assert "2. deep <span class=\"muted\">(hidden)</span>" in page and "Use sqrt(2 / n) for He initialization." in page
    assert "<strong>4.00 s</strong> median time to feedback" in page and "<strong>8.50 s</strong>" in page
    assert "<td>2026-03-02 14:00</td><td class=\"n\">0</td>" in page
    home = client.get("/courses/dnn/staff/").content.decode()
    assert 'href="/courses/dnn/staff/assignments/init/insight/"' in home


def test_an_unknown_version_is_refused_next_to_its_field(seeded, client):
    *_, teacher, _ = seeded
    client.force_login(teacher)
    response = client.get("/courses/dnn/staff/assignments/init/insight/?version=7")
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_version-errors"' in page and "Select a valid choice. 7 is not one of the available choices." in page
    assert "<svg" not in page


def test_only_the_course_s_staff_see_the_page(seeded, client):
    assignment, _, _, teacher, a = seeded
    url = "/courses/dnn/staff/assignments/init/insight/"
    assert client.get(url).status_code == 302  # to log in
    client.force_login(a)
    assert client.get(url).status_code == 404
    other = Course.objects.create(slug="other", title="Other")
    Assignment.objects.create(course=other, slug="elsewhere", title="Elsewhere")
    client.force_login(teacher)
    assert client.get("/courses/dnn/staff/assignments/elsewhere/insight/").status_code == 404
    assert client.get("/courses/other/staff/assignments/elsewhere/insight/").status_code == 404
