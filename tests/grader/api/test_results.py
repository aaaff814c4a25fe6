"""Submissions and grades as an LMS reads them: statuses, the student's view of results, cursor pages."""
from __future__ import annotations

import json
from datetime import timedelta

from django.utils import timezone

from grader.courses.models import Assignment
from grader.submissions.models import Grade, Submission
from tests.grader.api.results import fail, grade, relu_report
from tests.grader.api.test_submit import send_json


def test_a_queued_submission_has_no_score_and_no_result(api, assignment):
    created = send_json(api, assignment).json()
    body = api.get(created["url"]).json()
    assert body["status"] == "queued" and body["score"] is None and body["result"] is None and body["version"] == 1


def test_hidden_verdicts_are_withheld_until_the_due_date(api, assignment):
    Assignment.objects.filter(pk=assignment.pk).update(due_at=timezone.now() + timedelta(days=2))
    submission = grade(send_json(api, assignment).json()["id"], relu_report(hidden_passed=False))
    body = api.get(f"/api/v1/submissions/{submission.pk}/").json()
    assert body["status"] == "graded" and submission.score == 2.5
    assert body["score"] == 3.0 and body["score_is_visible_checks_only"] is True and body["max_score"] == 3.0
    relu = body["result"]["functions"]["relu"]
    assert relu["status"] == "passed" and relu["withheld_checks"] == 1 and relu["hint"] is None
    assert [c["name"] for c in relu["checks"]] == ["published case: values"]
    assert "count toward your grade" in relu["summary"]
    text = json.dumps(body)
    assert "wrong values" not in text and "secret staff note" not in text and "staff_notes" not in text
    assert body["result"]["functions"]["leaky_relu"]["score"] == 2.0 and body["result"]["notes"] == ["a note"]

    listed = api.get(f"/api/v1/assignments/{assignment.pk}/submissions/").json()["results"]
    assert listed[0]["score"] == 3.0 and listed[0]["result"] is None  # lists withhold too, and carry no result

    Assignment.objects.filter(pk=assignment.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    body = api.get(f"/api/v1/submissions/{submission.pk}/").json()
    relu = body["result"]["functions"]["relu"]
    assert body["score"] == 2.5 and body["score_is_visible_checks_only"] is False
    assert relu["status"] == "failed" and relu["checks"][1]["message"] == "hidden case 2: wrong values in A."


def test_never_revealed_verdicts_stay_withheld(api, assignment):
    submission = grade(send_json(api, assignment).json()["id"], relu_report(hidden_passed=True, reveal="never"))
    body = api.get(f"/api/v1/submissions/{submission.pk}/").json()
    assert body["result"]["functions"]["relu"]["withheld_checks"] == 1 and body["score_is_visible_checks_only"]


def test_a_failed_grading_says_so_without_a_score(api, assignment):
    submission = fail(send_json(api, assignment).json()["id"])
    body = api.get(f"/api/v1/submissions/{submission.pk}/").json()
    assert body["status"] == "failed" and body["score"] is None and body["result"] is None
    assert "problem on our side" in body["error"]


def test_another_courses_submission_is_404(api, client_with, other_assignment):
    theirs = send_json(client_with(other_assignment.course), other_assignment).json()["id"]
    assert api.get(f"/api/v1/submissions/{theirs}/").status_code == 404
    assert api.get("/api/v1/submissions/987654/").status_code == 404


def test_submissions_filter_by_external_user_and_page_by_cursor(api, assignment):
    ids = [send_json(api, assignment, external_user_id=who).json()["id"] for who in ("a", "b", "a", "a")]
    mine = api.get(f"/api/v1/assignments/{assignment.pk}/submissions/", {"external_user_id": "a", "limit": 2}).json()
    assert [s["id"] for s in mine["results"]] == [ids[3], ids[2]] and mine["previous"] is None
    rest = api.get(mine["next"]).json()
    assert [s["id"] for s in rest["results"]] == [ids[0]] and rest["next"] is None
    assert {s["external_user_id"] for s in mine["results"] + rest["results"]} == {"a"}
    everyone = api.get(f"/api/v1/assignments/{assignment.pk}/submissions/").json()["results"]
    assert [s["id"] for s in everyone] == ids[::-1]
    nobody = api.get(f"/api/v1/assignments/{assignment.pk}/submissions/", {"external_user_id": "nobody"}).json()
    assert nobody["results"] == []


def test_a_cursor_not_given_out_is_400(api, assignment):
    response = api.get(f"/api/v1/assignments/{assignment.pk}/submissions/", {"cursor": "garbage"})
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"


def test_grades_are_the_stored_counting_rows_changed_since(api, assignment):
    first = grade(send_json(api, assignment, external_user_id="a").json()["id"], relu_report(hidden_passed=True))
    second = grade(send_json(api, assignment, external_user_id="b").json()["id"], relu_report(hidden_passed=False))
    rows = {g.user_id: g for g in Grade.objects.all()}
    cut = timezone.now()
    Grade.objects.filter(user=first.user).update(updated_at=cut - timedelta(hours=1))
    Grade.objects.filter(user=second.user).update(updated_at=cut + timedelta(seconds=1))
    body = api.get(f"/api/v1/assignments/{assignment.pk}/grades/").json()
    assert [(g["external_user_id"], g["score"]) for g in body["results"]] == [("a", 3.0), ("b", 2.5)]
    assert body["results"][0]["submission"] == first.pk and body["results"][0]["submissions_count"] == 1
    assert rows[first.user_id].score == 3.0
    since = api.get(f"/api/v1/assignments/{assignment.pk}/grades/", {"updated_since": cut.isoformat()}).json()
    assert [g["external_user_id"] for g in since["results"]] == ["b"]
    unencoded_plus = cut.isoformat().replace("+", " ")  # a client that forgot to encode `+00:00`
    assert len(api.get(f"/api/v1/assignments/{assignment.pk}/grades/?updated_since={unencoded_plus}").json()["results"]) == 1
    naive = (cut.replace(tzinfo=None)).isoformat()
    assert len(api.get(f"/api/v1/assignments/{assignment.pk}/grades/", {"updated_since": naive}).json()["results"]) == 1


def test_grades_page_in_a_stable_order_by_update_time_then_id(api, assignment):
    users = [send_json(api, assignment, external_user_id=f"u{i}").json()["id"] for i in range(5)]
    for submission_id in users:
        grade(submission_id, relu_report(hidden_passed=True))
    same = timezone.now()
    Grade.objects.update(updated_at=same)  # ties: the id decides
    seen, page = [], api.get(f"/api/v1/assignments/{assignment.pk}/grades/", {"limit": 2}).json()
    while True:
        seen += [g["external_user_id"] for g in page["results"]]
        if not page["next"]:
            break
        page = api.get(page["next"]).json()
    assert seen == [f"u{i}" for i in range(5)]


def test_a_bad_updated_since_is_400(api, assignment):
    response = api.get(f"/api/v1/assignments/{assignment.pk}/grades/", {"updated_since": "yesterday"})
    assert response.status_code == 400 and "ISO 8601" in response.json()["detail"]


def test_a_regrade_is_listed_with_the_upload_it_grades(api, assignment):
    from grader.submissions.services import regrade

    upload = grade(send_json(api, assignment).json()["id"], relu_report(hidden_passed=True))
    again = regrade(upload)
    body = api.get(f"/api/v1/submissions/{again.pk}/").json()
    assert body["regrade_of"] == upload.pk and body["status"] == "queued"
    assert Submission.objects.count() == 2
