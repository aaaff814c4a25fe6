"""Pages: who may see a submission, the starter download, and the live status endpoint."""
import io
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from grader.courses.models import Assignment, Course, Enrollment
from grader.submissions import services

pytestmark = pytest.mark.django_db


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
