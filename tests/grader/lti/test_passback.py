"""Grade passback to the simulated platform: one token, one line item, a score per changed grade only."""
from __future__ import annotations

import pytest
from celery import current_app

from grader.lti.models import Passback, ResourceLink
from grader.submissions.grades import update_grade, update_grades
from grader.submissions.models import Submission
from tests.grader.lti.platform import LINEITEM_SCOPE

N = 4


@pytest.fixture(autouse=True)
def eager(monkeypatch, settings):
    monkeypatch.setattr(current_app.conf, "task_always_eager", True)
    settings.GRADER_LTI_BACKOFF_S = 0
    settings.GRADER_LTI_MAX_ATTEMPTS = 2


@pytest.fixture
def students(registered, browser, assignment):
    users = []
    for number in range(N):
        visit = browser()
        assert visit.launch(sub=f"student-{number}").status_code == 200
        users.append(Passback.objects.get(lti_user_id=f"student-{number}").user)
    return users


def graded(user, assignment, score):
    Submission.objects.create(user=user, assignment=assignment, original_name="a.ipynb", size_bytes=1,
                              status=Submission.Status.GRADED, score=score, max_score=assignment.max_score)
    update_grade(user, assignment)


def test_grades_go_to_one_line_item_with_one_token(students, platform, assignment):
    for number, user in enumerate(students):
        graded(user, assignment, number)
    assert len(platform.token_requests) == 1
    assert len(platform.lineitems) == 1
    assert platform.lineitems[0]["scoreMaximum"] == assignment.max_score
    assert platform.lineitems[0]["resourceLinkId"] == "link-1"
    assert ResourceLink.objects.get().lineitem_url == platform.lineitems[0]["id"]
    assert sorted((s["userId"], s["scoreGiven"]) for s in platform.scores) == [
        (f"student-{n}", float(n)) for n in range(N)]
    first = platform.scores[0]
    assert first["scoreMaximum"] == assignment.max_score
    assert first["activityProgress"] == "Completed" and first["gradingProgress"] == "FullyGraded"
    assert first["timestamp"] and first["lineitem"] == platform.lineitems[0]["id"]
    assert set(Passback.objects.values_list("status", flat=True)) == {"sent"}


def test_bulk_regrade_posts_each_change_once_and_nothing_when_unchanged(students, platform, assignment):
    for user in students:
        graded(user, assignment, 1)
    platform.scores.clear()
    Submission.objects.filter(assignment=assignment).update(score=2)
    assert update_grades(assignment) == N
    assert len(platform.scores) == N and {s["scoreGiven"] for s in platform.scores} == {2.0}
    assert len(platform.token_requests) == 1
    platform.scores.clear()
    update_grades(assignment)
    assert platform.scores == []
    assert len(platform.lineitems) == 1


def test_an_expired_token_is_fetched_again(students, platform, assignment):
    graded(students[0], assignment, 1)
    platform.expire_tokens()
    graded(students[1], assignment, 2)
    assert ("/lineitems/1/scores", 401) in platform.refused
    assert len(platform.token_requests) == 2
    assert [s["userId"] for s in platform.scores] == ["student-0", "student-1"]


def test_wrong_scope_fails_and_staff_resend_sends_it(students, platform, assignment, client):
    link = ResourceLink.objects.get()
    link.context.ags_scopes = [LINEITEM_SCOPE]  # the platform's token then lacks the score scope
    link.context.save()
    graded(students[0], assignment, 1)
    row = Passback.objects.get(user=students[0])
    assert row.status == "failed" and row.attempts == 2 and "403" in row.error
    assert any(status == 403 for _, status in platform.refused)
    assert platform.scores == []

    from grader.courses.models import Enrollment

    Enrollment.objects.filter(user=students[1]).update(role="staff")
    client.force_login(students[1])
    page = client.get(f"/courses/{assignment.course.slug}/staff/lti/")
    assert "Failed" in page.content.decode()
    link.context.ags_scopes = []  # the launch's scopes again: line items and scores
    link.context.save()
    client.post(f"/courses/{assignment.course.slug}/staff/lti/passbacks/{row.pk}/resend")
    row.refresh_from_db()
    assert row.status == "sent" and row.sent_score == 1
    assert [s["userId"] for s in platform.scores] == ["student-0"]


def test_a_line_item_the_platform_has_is_reused(students, platform, assignment):
    platform.lineitems.append({"id": platform.url + "/lineitems/7", "resourceLinkId": "link-1", "scoreMaximum": 3})
    graded(students[0], assignment, 1)
    assert len(platform.lineitems) == 1
    assert platform.scores[0]["lineitem"] == platform.url + "/lineitems/7"


def test_simultaneous_callers_share_one_token_request(registered, platform):
    """Eight threads (as eight worker processes would, through the shared cache) ask for a token at once."""
    import threading

    from django.db import connection

    from grader.lti.services import Connector

    tokens, barrier = [], threading.Barrier(8)

    def ask():
        try:
            barrier.wait()
            tokens.append(Connector(registered).get_access_token([LINEITEM_SCOPE]))
        finally:
            connection.close()

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(tokens) == 8 and len(set(tokens)) == 1
    assert len(platform.token_requests) == 1


def test_grades_go_once_staff_choose_the_links_assignment(registered, browser, platform, assignment, client):
    from grader.courses.models import Enrollment

    visit = browser()
    visit.launch(sub="late-link", **{"https://purl.imsglobal.org/spec/lti/claim/custom": None})
    student = Passback.objects.get(lti_user_id="late-link").user
    graded(student, assignment, 2)
    assert platform.scores == []  # the link opens no assignment yet
    teacher = Enrollment.objects.create(user=type(student).objects.create(username="t"), course=assignment.course,
                                        role="staff").user
    client.force_login(teacher)
    link = ResourceLink.objects.get()
    client.post(f"/courses/{assignment.course.slug}/staff/lti/links/{link.pk}/assignment",
                {"assignment": assignment.slug})
    assert [(s["userId"], s["scoreGiven"]) for s in platform.scores] == [("late-link", 2.0)]


def test_operators_see_platforms_in_the_admin(registered, admin_client):
    page = admin_client.get("/admin/lti/platform/")
    assert page.status_code == 200 and registered.name in page.content.decode()


def test_the_simulated_scores_endpoint_refuses_a_missing_token(platform):
    import requests

    answer = requests.post(platform.url + "/lineitems/1/scores", json={"userId": "x"},
                           headers={"Content-Type": "application/vnd.ims.lis.v1.score+json"}, timeout=10)
    assert answer.status_code == 401 and platform.scores == []
