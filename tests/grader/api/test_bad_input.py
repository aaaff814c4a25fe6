"""docs/api.md's bad input, case by case: the right 4xx problem document, and nothing stored half-way.

Nothing half-way: no user, enrollment, external identity, submission, replay record, webhook endpoint or event
appears (or goes) because of a refused request.
"""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from grader.api.keys import find_key, revoke
from grader.api.models import ExternalIdentity, IdempotentRequest, WebhookEndpoint, WebhookEvent
from grader.courses.models import Enrollment
from grader.submissions.models import Submission
from tests.grader.authoring.bundles import CORRECT

PROBLEM = "application/problem+json"
STORED = (get_user_model(), Enrollment, ExternalIdentity, Submission, IdempotentRequest, WebhookEndpoint, WebhookEvent)
VALID = {"external_user_id": "lms-9", "filename": "act.py", "content": CORRECT.decode()}


def stored() -> dict[str, list]:
    return {model.__name__: sorted(model.objects.values_list("pk", flat=True)) for model in STORED}


def submissions(assignment) -> str:
    return f"/api/v1/assignments/{assignment.pk}/submissions/"


def assert_problem(response, status: int, name: str):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert (body["type"], body["status"]) == (f"/api/problems/{name}", status) and body["title"] and body["detail"]
    return body


# (case, status, problem type, request): each request is made by a key with every scope unless it says otherwise.
CASES = [
    ("malformed JSON", 400, "bad-request",
     lambda c, a, o: c.generic("POST", submissions(a), b'{"external_user_id": "u", ', content_type="application/json")),
    ("malformed JSON to webhooks", 400, "bad-request",
     lambda c, a, o: c.generic("POST", "/api/v1/webhooks/", b'{"url": ', content_type="application/json")),
    ("a form-encoded body", 415, "unsupported-media-type",
     lambda c, a, o: c.generic("POST", submissions(a), "external_user_id=u&filename=a.py&content=x",
                               content_type="application/x-www-form-urlencoded")),
    ("a text/plain body", 415, "unsupported-media-type",
     lambda c, a, o: c.generic("POST", submissions(a), CORRECT, content_type="text/plain")),
    ("a multipart webhook registration", 415, "unsupported-media-type",
     lambda c, a, o: c.post("/api/v1/webhooks/", {"url": "https://example.org/h", "events": "submission.graded"},
                            format="multipart")),
    ("a file over the upload limit", 413, "payload-too-large",
     lambda c, a, o: c.post(submissions(a), {"external_user_id": "u", "file": SimpleUploadedFile("a.py", b"#" * 5000)},
                            format="multipart")),
    ("JSON content over the upload limit", 413, "payload-too-large",
     lambda c, a, o: c.post(submissions(a), VALID | {"content": "#" * 5000}, format="json")),
    ("a declared body over the upload limit", 413, "payload-too-large",
     lambda c, a, o: c.post(submissions(a), {"external_user_id": "u",
                                             "file": SimpleUploadedFile("a.py", b"#" * 200_000)}, format="multipart")),
    ("an unknown assignment", 404, "not-found",
     lambda c, a, o: c.post("/api/v1/assignments/999999/submissions/", VALID, format="json")),
    ("a draft assignment", 404, "not-found",
     lambda c, a, o: c.post(submissions(o["draft"]), VALID, format="json")),
    ("another course's assignment", 404, "not-found",
     lambda c, a, o: c.post(submissions(o["other"]), VALID, format="json")),
    ("another course's webhook, deleted", 404, "not-found",
     lambda c, a, o: c.delete(f"/api/v1/webhooks/{o['other_webhook']}/")),
    ("a revoked key", 401, "unauthorized",
     lambda c, a, o: o["revoked"].post(submissions(a), VALID, format="json")),
    ("no key", 401, "unauthorized",
     lambda c, a, o: APIClient().post(submissions(a), VALID, format="json")),
    ("a read-only key submitting", 403, "forbidden",
     lambda c, a, o: o["read"].post(submissions(a), VALID, format="json")),
    ("a key without manage registering a webhook", 403, "forbidden",
     lambda c, a, o: o["read"].post("/api/v1/webhooks/", {"url": "https://example.org/h",
                                                          "events": ["submission.graded"]}, format="json")),
    ("a key without manage deleting a webhook", 403, "forbidden",
     lambda c, a, o: o["read"].delete(f"/api/v1/webhooks/{o['webhook']}/")),
    ("no external_user_id (JSON)", 400, "validation",
     lambda c, a, o: c.post(submissions(a), {"filename": "a.py", "content": "x"}, format="json")),
    ("no external_user_id (multipart)", 400, "validation",
     lambda c, a, o: c.post(submissions(a), {"file": SimpleUploadedFile("a.py", CORRECT)}, format="multipart")),
    ("a replayed Idempotency-Key with another user", 422, "idempotency-key-reused",
     lambda c, a, o: c.post(submissions(a), VALID | {"external_user_id": "someone-new"}, format="json",
                            headers={"Idempotency-Key": "attempt-1"})),
    ("a replayed Idempotency-Key with another file", 422, "idempotency-key-reused",
     lambda c, a, o: c.post(submissions(a), {"external_user_id": "lms-9", "file": SimpleUploadedFile("act.py", b"x=1")},
                            format="multipart", headers={"Idempotency-Key": "attempt-1"})),
    ("an ftp:// webhook URL", 422, "unprocessable",
     lambda c, a, o: c.post("/api/v1/webhooks/", {"url": "ftp://example.org/h", "events": ["submission.graded"]},
                            format="json")),
    ("a file:// webhook URL", 400, "validation",
     lambda c, a, o: c.post("/api/v1/webhooks/", {"url": "file:///etc/passwd", "events": ["submission.graded"]},
                            format="json")),
    ("a javascript: webhook URL", 400, "validation",
     lambda c, a, o: c.post("/api/v1/webhooks/", {"url": "javascript:alert(1)", "events": ["submission.graded"]},
                            format="json")),
]


@pytest.fixture
def objects(course, assignment, draft, other_assignment, client_with, api, settings):
    """What the cases name: a draft, another course's assignment and webhook, narrower and revoked keys, and one
    stored submission made with Idempotency-Key `attempt-1` (what the replays collide with)."""
    settings.GRADER_MAX_UPLOAD_BYTES = 2000
    revoked = client_with(course, "read,submit,manage")
    revoke(find_key(revoked.key))
    webhook = WebhookEndpoint.objects.create(course=course, url="https://lms.example.org/h", secret="whsec_x",
                                             events=["submission.graded"])
    other_webhook = WebhookEndpoint.objects.create(course=other_assignment.course, url="https://other.example.org/h",
                                                   secret="whsec_y", events=["submission.graded"])
    first = api.post(submissions(assignment), VALID, format="json", headers={"Idempotency-Key": "attempt-1"})
    assert first.status_code == 201, first.content
    return {"draft": draft, "other": other_assignment, "revoked": revoked, "read": client_with(course, "read"),
            "webhook": webhook.pk, "other_webhook": other_webhook.pk}


@pytest.mark.parametrize("case, status, name, send", CASES, ids=[case[0] for case in CASES])
def test_bad_input_is_a_problem_document_and_stores_nothing(api, assignment, objects, case, status, name, send):
    before = stored()
    assert_problem(send(api, assignment, objects), status, name)
    assert stored() == before


def test_the_cases_named_as_missing_fields_name_the_field(api, assignment, objects):
    sends = {case: send for case, _, _, send in CASES}
    for send in (sends["no external_user_id (JSON)"], sends["no external_user_id (multipart)"]):
        assert "external_user_id" in send(api, assignment, objects).json()["errors"]


def test_over_the_rate_a_submission_is_429_with_retry_after_and_stores_nothing(course, assignment, client_with,
                                                                            settings):
    settings.GRADER_API_RATE = "2/min"
    api = client_with(course, "submit")
    before = stored()
    answers = [api.post(submissions(assignment), VALID | {"external_user_id": f"rate-{n}"}, format="json")
               for n in range(3)]
    assert [a.status_code for a in answers] == [201, 201, 429]
    assert_problem(answers[2], 429, "rate-limited")
    assert 0 < int(answers[2]["Retry-After"]) <= 60
    after = stored()
    assert len(after["Submission"]) == len(before["Submission"]) + 2
    assert not ExternalIdentity.objects.filter(subject="rate-2").exists()
