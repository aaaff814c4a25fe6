"""Failed submissions: staff see why and requeue them; the student's message says what really happens next."""
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from grader.authoring.services import load_folder
from grader.courses.models import Assignment, Course, Enrollment
from grader.grading import messages
from grader.submissions import services, tasks
from grader.submissions.models import Submission
from tests.grader.authoring.bundles import CORRECT, write_bundle

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world():
    User = get_user_model()
    course, other = Course.objects.create(slug="dnn", title="Deep nets"), Course.objects.create(slug="o", title="O")
    teacher, student = User.objects.create_user("teacher"), User.objects.create_user("stu")
    Enrollment.objects.create(user=teacher, course=course, role=Enrollment.Role.STAFF)
    Enrollment.objects.create(user=student, course=course)
    assignment = Assignment.objects.create(course=course, slug="a", title="Activations")
    elsewhere = Assignment.objects.create(course=other, slug="a", title="Elsewhere")
    return course, teacher, student, assignment, elsewhere


def failed_row(user, assignment, message="It broke.", detail="") -> Submission:
    row = Submission.objects.create(user=user, assignment=assignment, original_name="s.py", size_bytes=1)
    services.finish_failed(row, message, detail=detail)
    row.refresh_from_db()
    return row


def test_the_worker_failing_stores_the_students_message_and_the_log_for_staff_only(client, world):
    course, teacher, student, assignment, _ = world
    row = Submission.objects.create(user=student, assignment=assignment, original_name="s.py", size_bytes=8)
    row.file.save("s.py", ContentFile(b"x = 1\n"))
    tasks.grade_submission(row.pk)  # no published version to grade with: our fault, not the student's
    row.refresh_from_db()
    assert row.status == "failed" and row.error_message == messages.say("platform_failed")
    assert "Traceback" in row.failure_detail and "Error" in row.failure_detail
    client.force_login(student)
    page = client.get(f"/submissions/{row.pk}/").content.decode()
    assert "problem on our side, not in your code" in page and "Traceback" not in page
    client.force_login(teacher)
    assert "what the worker logged" in client.get(f"/submissions/{row.pk}/").content.decode()
    page = client.get("/courses/dnn/staff/failed/").content.decode()
    assert f'id="failed-{row.pk}"' in page and "stu" in page and "Traceback" in page


def test_the_page_lists_the_courses_failed_submissions_only_and_the_home_counts_them(client, world):
    course, teacher, student, assignment, elsewhere = world
    mine = failed_row(student, assignment, "Sandbox did not start.")
    theirs = failed_row(student, elsewhere)
    graded = Submission.objects.create(user=student, assignment=assignment, original_name="g.py", size_bytes=1,
                                       status="graded")
    client.force_login(teacher)
    page = client.get("/courses/dnn/staff/failed/").content.decode()
    assert f'id="failed-{mine.pk}"' in page and "Sandbox did not start." in page
    assert f'id="failed-{theirs.pk}"' not in page and f'id="failed-{graded.pk}"' not in page
    home = client.get("/courses/dnn/staff/").content.decode()
    assert "1 submission could not be graded" in home and "/courses/dnn/staff/failed/" in home


def test_requeue_queues_the_same_row_again_and_another_courses_row_is_not_found(client, world,
                                                                               django_capture_on_commit_callbacks):
    course, teacher, student, assignment, elsewhere = world
    row, theirs = failed_row(student, assignment, detail="Traceback ..."), failed_row(student, elsewhere)
    client.force_login(teacher)
    with django_capture_on_commit_callbacks() as sent:
        response = client.post(f"/courses/dnn/staff/failed/{row.pk}/requeue")
    assert response.status_code == 302 and len(sent) == 1
    row.refresh_from_db()
    assert (row.status, row.error_message, row.failure_detail) == ("queued", "", "")
    assert "not failed: nothing to do" in client.post(f"/courses/dnn/staff/failed/{row.pk}/requeue", follow=True).content.decode()
    assert client.post(f"/courses/dnn/staff/failed/{theirs.pk}/requeue").status_code == 404
    assert client.get(f"/courses/dnn/staff/failed/{row.pk}/requeue").status_code == 405


def test_requeue_all_queues_every_failed_submission_of_the_course(client, world, django_capture_on_commit_callbacks):
    course, teacher, student, assignment, elsewhere = world
    rows = [failed_row(student, assignment) for _ in range(3)]
    theirs = failed_row(student, elsewhere)
    client.force_login(teacher)
    with django_capture_on_commit_callbacks() as sent:
        page = client.post("/courses/dnn/staff/failed/requeue-all", follow=True).content.decode()
    assert "3 failed submissions queued to be graded again" in page and len(sent) == 3
    assert {r.status for r in Submission.objects.filter(pk__in=[r.pk for r in rows])} == {"queued"}
    theirs.refresh_from_db()
    assert theirs.status == "failed"


def test_a_failed_upload_does_not_count_against_the_upload_limit_as_the_message_says(world, tmp_path):
    course, teacher, student, *_ = world
    assignment = load_folder(course, write_bundle(tmp_path / "bundle"), contract=False).version.assignment
    Assignment.objects.filter(pk=assignment.pk).update(max_submissions=1)
    assignment.refresh_from_db()
    row = failed_row(student, assignment)
    assert "upload limit" in messages.say("platform_failed") and services.refusal(assignment, student) is None
    Submission.objects.filter(pk=row.pk).update(status="graded")
    assert "all 1 uploads" in services.refusal(assignment, student)


@pytest.mark.sandbox
def test_after_a_requeue_the_student_sees_the_result_on_the_same_page(client, world, tmp_path, monkeypatch,
                                                                       django_capture_on_commit_callbacks):
    """What the failure message promises: staff grade it again, and the result appears on the student's page."""
    course, teacher, student, *_ = world
    version = load_folder(course, write_bundle(tmp_path / "bundle"), contract=False).version
    assignment = version.assignment
    Assignment.objects.filter(pk=assignment.pk).update(due_at=timezone.now() + timedelta(days=1))
    row = Submission.objects.create(user=student, assignment=assignment, original_name="s.py", size_bytes=len(CORRECT),
                                    version=version)
    row.file.save("s.py", ContentFile(CORRECT))
    services.finish_failed(row, messages.say("platform_failed"), detail="SandboxFailure: the daemon did not answer")
    sent = []
    monkeypatch.setattr(tasks.grade_submission, "apply_async", lambda args, **options: sent.append((args, options)))
    client.force_login(teacher)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/courses/dnn/staff/failed/{row.pk}/requeue")
    assert sent == [((row.pk,), {"queue": "interactive"})]
    tasks.grade_submission(row.pk)  # what the worker runs
    client.force_login(student)
    page = client.get(f"/submissions/{row.pk}/").content.decode()
    assert "Score: 3.00 / 3.00" in page and "problem on our side" not in page
