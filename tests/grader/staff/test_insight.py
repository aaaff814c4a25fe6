"""The insight page's numbers, each asserted on seeded rows; the page itself is for the course's staff only."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from grader.courses.models import Assignment, Course
from grader.staff import insight
from grader.submissions.models import FunctionResult
from tests.grader.staff.insight_rows import T0, result, seed, upload, verdicts

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    return seed()


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
    assert "<strong>4</strong> current graded results" in page and "<strong>6</strong> uploads (any status)" in page
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


def test_an_assignment_without_uploads_shows_empty_sections(seeded, client):
    assignment, *_, teacher, _ = seeded
    Assignment.objects.create(course=assignment.course, slug="fresh", title="Fresh")
    client.force_login(teacher)
    page = client.get("/courses/dnn/staff/assignments/fresh/insight/").content.decode()
    for empty in ("No graded result yet.", "No per-case verdict stored yet.", "No hint given yet.", "No upload yet.",
                  "<strong>-</strong> median time to feedback"):
        assert empty in page
