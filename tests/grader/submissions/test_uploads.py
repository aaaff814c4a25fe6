"""Uploads refused at the server: too many too fast, content that is no notebook, closed assignments."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from grader.courses.models import Assignment
from grader.env import env_rate
from grader.submissions import services, tasks
from grader.submissions.models import Submission
from tests.grader.submissions import grading_rows as rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(client, monkeypatch):
    monkeypatch.setattr(tasks.grade_submission, "apply_async", lambda args, queue: None)
    course = rows.course()
    student = rows.person("ada", course)
    adam = rows.assignment(course)
    client.force_login(student)
    return client, course, student, adam


def post(client, course, assignment, name="a.py", data=b"x = 2\n"):
    return client.post(f"/courses/{course.slug}/{assignment.slug}/submit", {"file": SimpleUploadedFile(name, data)})


def refused(client, response) -> str:
    """The refusal's message on the form the refused upload is sent back to (post/redirect/get)."""
    assert response.status_code == 303
    return client.get(response["Location"]).content.decode()


def test_uploads_past_the_rate_are_refused_with_the_wait_named(setup, settings):
    client, course, student, adam = setup
    settings.GRADER_UPLOAD_RATE = (2, 60)
    other = rows.assignment(course, slug="other", order=1)
    assert post(client, course, adam).status_code == 302
    assert post(client, course, other).status_code == 302  # counted over every assignment
    page = refused(client, post(client, course, adam))
    assert "You have uploaded 2 files in the last minute" in page and "Try again in" in page
    assert Submission.objects.filter(user=student).count() == 2
    Submission.objects.filter(user=student).update(created_at=timezone.now() - timedelta(seconds=61))
    assert post(client, course, adam).status_code == 302  # the window moved on


def test_the_rate_names_the_seconds_left(setup, settings):
    client, course, student, adam = setup
    settings.GRADER_UPLOAD_RATE = (1, 3600)
    rows.upload(student, adam, at=timezone.now() - timedelta(minutes=58, seconds=30))
    message = services.rate_refusal(student)
    assert message.startswith("You have uploaded 1 file in the last hour")
    assert message.endswith("Try again in 90 seconds.")
    with pytest.raises(ValueError, match="Try again"):
        rows.upload(student, adam)  # the service refuses too (the API's path)


@pytest.mark.parametrize("raw, parsed", [("10/min", (10, 60)), ("3/h", (3, 3600)), ("off", None), ("0", None)])
def test_the_rate_setting_reads(monkeypatch, raw, parsed):
    monkeypatch.setenv("GRADER_UPLOAD_RATE", raw)
    assert env_rate("GRADER_UPLOAD_RATE", "10/min") == parsed


@pytest.mark.parametrize("raw", ["10", "ten/min", "10/fortnight", "-1/min"])
def test_a_rate_setting_that_means_nothing_stops_the_start(monkeypatch, raw):
    monkeypatch.setenv("GRADER_UPLOAD_RATE", raw)
    with pytest.raises(ImproperlyConfigured):
        env_rate("GRADER_UPLOAD_RATE", "10/min")


@pytest.mark.parametrize("name, data, kind", [
    ("Optimization_methods.ipynb", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF data (application/pdf)"),
    ("Optimization_methods.ipynb", b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(40), "ZIP data (application/zip)"),
    ("opt.py", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(20), "PNG data (image/png)"),
])
def test_content_that_is_no_notebook_is_refused_whatever_its_name(setup, name, data, kind):
    client, course, student, adam = setup
    assert kind in refused(client, post(client, course, adam, name, data))
    assert not Submission.objects.exists()


@pytest.mark.parametrize("data", [b'{"cells": [', bytes(range(256)) * 4, b""])
def test_broken_text_is_taken_and_explained_on_the_feedback_page(setup, data):
    client, course, student, adam = setup
    assert post(client, course, adam, "a.py", data).status_code == 302


def test_a_closed_assignment_refuses_at_the_server(setup):
    client, course, student, adam = setup
    Assignment.objects.filter(pk=adam.pk).update(is_open=False)
    assert "This assignment is closed" in refused(client, post(client, course, adam))
    assert not Submission.objects.exists()


def test_an_upload_past_the_hard_deadline_refuses_at_the_server(setup):
    client, course, student, adam = setup
    now = timezone.now()
    Assignment.objects.filter(pk=adam.pk).update(due_at=now - timedelta(days=2), hard_deadline=now - timedelta(days=1),
                                                 late_policy=Assignment.LatePolicy.REFUSE)
    assert "deadline" in refused(client, post(client, course, adam))
    assert not Submission.objects.exists()
