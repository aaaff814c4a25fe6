"""Submitting commits the row before the task is sent; statuses never go backwards."""
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from grader.courses.models import Assignment
from grader.submissions import services
from grader.submissions.models import Submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def student_and_assignment():
    call_command("seed_demo", "--skip-contract", stdout=open("/dev/null", "w"))
    return get_user_model().objects.get(username="student"), Assignment.objects.get(slug="optimization")


def test_task_is_sent_only_after_the_commit(student_and_assignment, django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    from grader.submissions import tasks

    monkeypatch.setattr(tasks.grade_submission, "apply_async", lambda args, queue: sent.append((args, queue)))
    user, assignment = student_and_assignment
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        submission = services.submit(user, assignment, SimpleUploadedFile("a.py", b"x = 1\n"))
        assert sent == []  # nothing sent while the transaction is open
    assert len(callbacks) == 1
    assert sent == [((submission.pk,), "interactive")]
    assert Submission.objects.get(pk=submission.pk).status == Submission.Status.QUEUED


def test_status_never_goes_backwards(student_and_assignment):
    user, assignment = student_and_assignment
    submission = services.submit(user, assignment, SimpleUploadedFile("a.py", b"x = 1\n"))
    assert submission.advance(Submission.Status.RUNNING)
    assert submission.advance(Submission.Status.GRADED, score=1.0)
    assert not submission.advance(Submission.Status.RUNNING)
    assert not submission.advance(Submission.Status.QUEUED)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.GRADED and submission.score == 1.0


def test_regrade_goes_to_the_bulk_queue(student_and_assignment, django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    from grader.submissions import tasks

    monkeypatch.setattr(tasks.grade_submission, "apply_async", lambda args, queue: sent.append(queue))
    user, assignment = student_and_assignment
    with django_capture_on_commit_callbacks(execute=True):
        submission = services.submit(user, assignment, SimpleUploadedFile("a.py", b"x = 1\n"))
    with django_capture_on_commit_callbacks(execute=True):
        services.regrade(submission)
    assert sent == ["interactive", "bulk"]


def test_the_first_cards_time_and_the_diagnosed_mistake_are_stored(student_and_assignment):
    from grader.grading.feedback import FunctionReport, Report

    user, assignment = student_and_assignment
    submission = services.submit(user, assignment, SimpleUploadedFile("a.py", b"x = 1\n"))
    submission.advance(Submission.Status.RUNNING)
    wrong = FunctionReport("update_parameters_with_adam", "failed", 0.0, 1.0, hint="Divide by (1 - beta1**t).",
                           mistake="mistake:adam_no_bias_correction")
    report = Report(assignment.slug, [wrong], models=[FunctionReport("adam", "passed", 1.0, 1.0)])
    services.record_functions(submission, report)
    submission.refresh_from_db()
    first = submission.first_feedback_at
    assert first is not None and submission.status == Submission.Status.RUNNING
    services.record_report(submission, report)
    submission.refresh_from_db()
    assert submission.first_feedback_at == first <= submission.graded_at  # phase one's time is kept
    stored = submission.function_results.get(name="update_parameters_with_adam")
    assert (stored.mistake, stored.hint) == ("mistake:adam_no_bias_correction", "Divide by (1 - beta1**t).")
