"""Pages: who may see a submission, the starter download, the live status endpoint, the queue, the error pages."""
import io
import zipfile
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from grader.courses.models import Assignment, Course, Enrollment
from django.utils import timezone

from grader.submissions import services
from grader.submissions.models import Submission
from tests.grader.submissions import grading_rows as rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def course_rows():
    course = rows.course()
    return course, rows.person("ada", course), rows.assignment(course)


@pytest.fixture
def demo():
    call_command("seed_demo", "--skip-contract", stdout=open("/dev/null", "w"))
    User = get_user_model()
    other = User.objects.create_user("other", password="other-password")
    Enrollment.objects.create(user=other, course=Course.objects.get(slug="improving-dnn"))
    student = User.objects.get(username="student")
    submission = services.submit(student, Assignment.objects.get(slug="optimization"), SimpleUploadedFile("a.py", b"x = 1\n"))
    return student, other, User.objects.get(username="teacher"), submission


def test_pages_need_a_login(client):
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_students_see_only_their_own_submissions_and_staff_see_all(client, demo):
    student, other, teacher, submission = demo
    url = f"/submissions/{submission.pk}/"
    client.force_login(other)
    assert client.get(url).status_code == 404
    assert client.get(url + "status").status_code == 404
    client.force_login(student)
    assert client.get(url).status_code == 200
    assert client.get(url + "status").json()["status"] == "queued"
    client.force_login(teacher)
    assert "by student" in client.get(url).content.decode()


def test_assignment_page_lists_functions_and_offers_the_starter_notebook(client, demo):
    student, *_ = demo
    client.force_login(student)
    page = client.get("/courses/improving-dnn/optimization/").content.decode()
    assert "update_parameters_with_adam" in page and "starter-kit.zip" in page
    response = client.get("/courses/improving-dnn/optimization/starter-kit.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="optimization-starter-kit.zip"'
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as kit:
        names = kit.namelist()
        notebook = kit.read("optimization-starter-kit/optimization.ipynb")
    assert b"# GRADED FUNCTION: update_parameters_with_adam" in notebook
    assert {"optimization-starter-kit/gradebox_check.py", "optimization-starter-kit/opt_utils.py",
            "optimization-starter-kit/gradebox/published.json"} <= set(names)


def test_users_outside_the_course_cannot_open_its_assignments(client, demo):
    outsider = get_user_model().objects.create_user("outsider", password="outsider-password")
    client.force_login(outsider)
    assert client.get("/courses/improving-dnn/optimization/").status_code == 404
    assert "not enrolled" in client.get("/").content.decode()


def test_the_page_title_names_the_assignment_and_the_score(client, course_rows):
    course, ada, adam = course_rows
    row = rows.submitted(ada, adam, 7.5)
    client.force_login(ada)
    page = client.get(f"/submissions/{row.pk}/").content.decode()
    assert f"<title>Adam: 7.50 / 10.00 · Submission #{row.pk} · Gradebox</title>" in page
    queued = rows.upload(ada, adam)
    assert f"<title>Adam: Queued · Submission #{queued.pk} · Gradebox</title>" in client.get(
        f"/submissions/{queued.pk}/").content.decode()


def test_the_status_is_announced_and_scores_read_the_same_on_the_cards(client, course_rows):
    course, ada, adam = course_rows
    row = rows.submitted(ada, adam, 7.5)
    client.force_login(ada)
    page = client.get(f"/submissions/{row.pk}/").content.decode()
    assert 'id="status" class="badge graded" role="status" aria-live="polite"' in page
    assert "<h2>Score: 7.50 / 10.00</h2>" in page and "7.50 / 10.00 points" in page


def test_a_queued_upload_shows_its_place_in_line_and_an_estimate_from_recent_gradings(client, course_rows):
    course, ada, adam = course_rows
    bob = rows.person("bob", course)
    for seconds in (20, 40, 60):  # finished gradings: the median takes 40 s
        done = rows.submitted(bob, adam, 5)
        Submission.objects.filter(pk=done.pk).update(graded_at=done.started_at + timedelta(seconds=seconds))
    client.force_login(ada)
    first = rows.upload(bob, adam)
    mine = rows.upload(ada, adam)
    page = client.get(f"/submissions/{mine.pk}/").content.decode()
    assert "<strong>number 2 in line</strong> (1 upload ahead of yours)" in page
    assert "Expected to be graded in about 1 minute" in page  # two gradings of 40 s
    state = client.get(f"/submissions/{mine.pk}/status").json()
    assert state["position"] == 2 and state["estimate_s"] == 80
    first.advance(Submission.Status.RUNNING)
    assert client.get(f"/submissions/{mine.pk}/status").json()["position"] == 1
    assert "<strong>number 1 in line</strong> (next)" in client.get(f"/submissions/{mine.pk}/feedback").content.decode()
    Submission.objects.filter(status=Submission.Status.GRADED).update(graded_at=timezone.now() - timedelta(days=30))
    assert "no estimate yet" in client.get(f"/submissions/{mine.pk}/feedback").content.decode()


def test_a_platform_failure_is_told_as_ours_and_counts_nothing_against_the_student(client, course_rows):
    course, ada, adam = course_rows
    counting = rows.submitted(ada, adam, 6)
    broken = rows.failed(rows.upload(ada, adam))
    client.force_login(ada)
    page = client.get(f"/submissions/{broken.pk}/").content.decode()
    assert "Not graded: the platform failed, not your file" in page
    assert "does not replace the score that counts and does not use one of your uploads" in page
    assert "Score:" not in page
    assignment = client.get("/courses/dnn/adam/").content.decode()
    assert f"Counting score: <strong>6.00 / 10.00</strong>\n      from submission <a href=\"/submissions/{counting.pk}/\">" in assignment


def test_plots_are_sized_to_their_card(client, course_rows):
    course, ada, adam = course_rows
    client.force_login(ada)
    page = client.get(f"/submissions/{rows.upload(ada, adam).pk}/").content.decode()
    assert ".plots img { max-width: 100%; height: auto; }" in page


@pytest.mark.parametrize("path, heading", [("/no/such/page/", "Page not found (404)"),
                                            ("/submissions/999999/", "Page not found (404)"),
                                            ("/courses/dnn/adam/submit", "Not a page to open (405)")])
def test_error_pages_are_the_site_s_own(client, course_rows, path, heading, settings):
    settings.DEBUG = False
    course, ada, adam = course_rows
    client.force_login(ada)
    response = client.get(path)
    page = response.content.decode()
    assert response.status_code in (404, 405)
    assert f"<h1>{heading}</h1>" in page and '<strong>Gradebox</strong>' in page and "Back to your assignments" in page


def test_a_forbidden_form_post_gets_the_site_s_403_page(course_rows, settings):
    from django.test import Client

    settings.DEBUG = False
    course, ada, adam = course_rows
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(ada)
    response = strict.post("/courses/dnn/adam/submit", {"file": SimpleUploadedFile("a.py", b"x = 1\n")})
    assert response.status_code == 403 and "<h1>Not allowed (403)</h1>" in response.content.decode()


def test_a_server_error_gets_the_site_s_500_page(course_rows, settings):
    from django.test import Client

    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.grader.submissions.failing_urls"
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "<h1>Something failed on our side (500)</h1>" in response.content.decode()
