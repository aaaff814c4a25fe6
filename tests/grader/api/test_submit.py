"""POST /api/v1/assignments/{id}/submissions/: multipart or JSON, replayable, refused whole or stored whole."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from grader.api.models import ExternalIdentity, IdempotentRequest
from grader.courses.models import Assignment, Enrollment
from grader.submissions.models import Submission
from tests.grader.authoring.bundles import CORRECT

PROBLEM = "application/problem+json"


def url(assignment) -> str:
    return f"/api/v1/assignments/{assignment.pk}/submissions/"


def send_json(api, assignment, external_user_id="lms-42", filename="act.py", content=CORRECT.decode(), **headers):
    return api.post(url(assignment), {"external_user_id": external_user_id, "filename": filename, "content": content},
                    format="json", headers=headers)


def send_file(api, assignment, data=CORRECT, name="act.py", external_user_id="lms-42", **headers):
    return api.post(url(assignment), {"external_user_id": external_user_id, "file": SimpleUploadedFile(name, data)},
                    format="multipart", headers=headers)


def test_a_multipart_upload_is_stored_queued_for_a_new_enrolled_student(api, assignment):
    response = send_file(api, assignment)
    assert response.status_code == 201, response.content
    body = response.json()
    submission = Submission.objects.get()
    assert body["id"] == submission.pk and body["status"] == "queued" and body["external_user_id"] == "lms-42"
    assert response["Location"] == body["url"] == f"http://testserver/api/v1/submissions/{submission.pk}/"
    assert submission.file.read() == CORRECT and submission.original_name == "act.py"
    identity = ExternalIdentity.objects.get()
    assert (identity.kind, identity.namespace, identity.subject) == ("api", str(assignment.course_id), "lms-42")
    assert submission.user == identity.user and identity.user.username == "lms-42@dnn"
    assert not identity.user.has_usable_password()
    assert Enrollment.objects.get(user=identity.user).role == Enrollment.Role.STUDENT


def test_json_content_is_stored_as_the_file_and_the_same_user_is_found_again(api, assignment):
    first = send_json(api, assignment).json()
    second = send_json(api, assignment, content="print('again')\n").json()
    assert first["id"] != second["id"]
    rows = Submission.objects.order_by("id")
    assert rows[1].file.read() == b"print('again')\n"
    assert rows[0].user_id == rows[1].user_id and ExternalIdentity.objects.count() == 1


def test_the_submit_task_is_sent_once_after_the_commit(api, assignment, django_capture_on_commit_callbacks, monkeypatch):
    from grader.submissions import tasks

    sent = []
    monkeypatch.setattr(tasks.grade_submission, "apply_async", lambda args, queue: sent.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        submission_id = send_json(api, assignment).json()["id"]
    assert sent == [(submission_id,)]


def test_the_same_idempotency_key_and_request_return_the_original(api, assignment):
    first = send_file(api, assignment, **{"Idempotency-Key": "attempt-1"})
    again = send_file(api, assignment, **{"Idempotency-Key": "attempt-1"})
    as_json = send_json(api, assignment, **{"Idempotency-Key": "attempt-1"})  # same fields, same file content
    assert first.status_code == 201 and again.status_code == 200 and as_json.status_code == 200
    assert first.json()["id"] == again.json()["id"] == as_json.json()["id"]
    assert Submission.objects.count() == 1 and IdempotentRequest.objects.count() == 1


def test_the_same_idempotency_key_with_another_request_is_422(api, assignment):
    assert send_json(api, assignment, **{"Idempotency-Key": "k"}).status_code == 201
    for changed in ({"content": "x = 2\n"}, {"external_user_id": "someone-else"}, {"filename": "other.py"}):
        response = send_json(api, assignment, **{"Idempotency-Key": "k"}, **changed)
        assert response.status_code == 422 and response.json()["type"] == "/api/problems/idempotency-key-reused"
    assert Submission.objects.count() == 1


def test_idempotency_keys_belong_to_their_api_key(course, assignment, client_with):
    one, two = client_with(course, "submit,read"), client_with(course, "submit,read")
    assert send_json(one, assignment, **{"Idempotency-Key": "k"}).status_code == 201
    assert send_json(two, assignment, **{"Idempotency-Key": "k"}).status_code == 201
    assert Submission.objects.count() == 2


@pytest.mark.parametrize("change, message", [
    ({"is_open": False}, "closed"),
    ({"max_submissions": 0}, "You have used all 0 uploads"),
    ({"late_policy": "refuse", "due_at": timezone.now() - timedelta(days=1)}, "deadline for this assignment passed"),
])
def test_a_refused_submission_is_409_and_stores_nothing(api, assignment, change, message):
    Assignment.objects.filter(pk=assignment.pk).update(**change)
    users = get_user_model().objects.count()
    response = send_json(api, assignment, **{"Idempotency-Key": "k"})
    assert response.status_code == 409 and response["Content-Type"] == PROBLEM
    assert response.json()["type"] == "/api/problems/submission-refused" and message in response.json()["detail"]
    assert not Submission.objects.exists() and not ExternalIdentity.objects.exists()
    assert not IdempotentRequest.objects.exists() and get_user_model().objects.count() == users


def test_over_the_upload_limit_is_413_named_in_the_message(api, assignment, settings):
    settings.GRADER_MAX_UPLOAD_BYTES = 2000
    for response in (send_file(api, assignment, data=b"#" * 5000),       # stopped while the body streams in
                     send_json(api, assignment, content="#" * 5000),       # decoded content over the limit
                     send_file(api, assignment, data=b"#" * 200_000)):     # declared Content-Length over it
        assert response.status_code == 413, response.content
        assert response["Content-Type"] == PROBLEM and "2.0 KiB" in response.json()["detail"]
    assert not Submission.objects.exists()


def test_other_content_types_are_415(api, assignment):
    for content_type, data in (("application/x-www-form-urlencoded", "external_user_id=a"), ("text/plain", "x")):
        response = api.generic("POST", url(assignment), data, content_type=content_type)
        assert response.status_code == 415 and response.json()["type"] == "/api/problems/unsupported-media-type"


@pytest.mark.parametrize("body", ['{"external_user_id": ', "[1, 2]", '"text"', "\xff"])
def test_malformed_json_is_400(api, assignment, body):
    response = api.generic("POST", url(assignment), body.encode("latin-1"), content_type="application/json")
    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    assert not Submission.objects.exists()


@pytest.mark.parametrize("data, field", [
    ({"filename": "a.py", "content": "x"}, "external_user_id"),
    ({"external_user_id": "  ", "filename": "a.py", "content": "x"}, "external_user_id"),
    ({"external_user_id": "a\x00b", "filename": "a.py", "content": "x"}, "external_user_id"),
    ({"external_user_id": "x" * 300, "filename": "a.py", "content": "x"}, "external_user_id"),
    ({"external_user_id": ["u"], "filename": "a.py", "content": "x"}, "external_user_id"),
    ({"external_user_id": "u", "content": "x"}, "filename"),
    ({"external_user_id": "u"}, "file"),
    ({"external_user_id": "u", "filename": "notes.txt", "content": "x"}, "filename"),
    ({"external_user_id": "u", "filename": "../../etc/a.py", "content": "x"}, "filename"),
    ({"external_user_id": "u", "filename": "a.py", "content": {"not": "text"}}, "content"),
])
def test_missing_or_wrong_fields_are_400_naming_the_field(api, assignment, data, field):
    response = api.post(url(assignment), data, format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["type"] == "/api/problems/validation" and field in body["errors"]
    assert not Submission.objects.exists() and not ExternalIdentity.objects.exists()


def test_a_file_and_content_together_are_refused(api, assignment):
    response = api.post(url(assignment), {"external_user_id": "u", "file": SimpleUploadedFile("a.py", b"x"),
                                          "content": "y"}, format="multipart")
    assert response.status_code == 400


def test_an_over_long_idempotency_key_is_400(api, assignment):
    response = send_json(api, assignment, **{"Idempotency-Key": "k" * 300})
    assert response.status_code == 400 and not Submission.objects.exists()


def test_authentication_and_scope_come_before_the_size_check(course, assignment, client_with, settings):
    from rest_framework.test import APIClient

    settings.GRADER_MAX_UPLOAD_BYTES = 2000
    assert send_file(APIClient(), assignment, data=b"#" * 200_000).status_code == 401
    assert send_file(client_with(course, "read"), assignment, data=b"#" * 200_000).status_code == 403
