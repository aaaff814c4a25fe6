"""An LMS's path: submit through the API -> database -> broker -> real Celery worker -> sandbox -> graded result
-> a signed webhook from the worker to the LMS's receiver (on loopback, which the test workers may reach)."""
from __future__ import annotations

import json
import socket
import time

import pytest
from rest_framework.test import APIClient
from standardwebhooks.webhooks import Webhook

from grader.api.keys import create_key
from grader.api.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from grader.authoring.services import load_folder
from grader.courses.models import Assignment, Course
from tests.grader.api.receivers import Receiver
from tests.grader.authoring.bundles import CORRECT, write_bundle

pytestmark = [pytest.mark.slow, pytest.mark.sandbox, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def lms(celery_worker_process, tmp_path, settings):
    """(assignment, client) for a fresh course; this process may register loopback webhooks like the workers."""
    settings.GRADER_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    course = Course.objects.create(slug="lms-course", title="LMS course")
    load_folder(course, write_bundle(tmp_path / "activations"), contract=False)
    _, key = create_key(course, "LMS", "read,submit,manage")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return Assignment.objects.get(course=course), api


def submit(api, assignment, external_user_id="lms-1", key="e2e"):
    created = api.post(f"/api/v1/assignments/{assignment.pk}/submissions/",
                       {"external_user_id": external_user_id, "filename": "act.py", "content": CORRECT.decode()},
                       format="json", headers={"Idempotency-Key": key})
    assert created.status_code == 201, created.content
    return created


def until(condition, timeout_s: float, what: str):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"no {what} within {timeout_s} s")


def test_a_submission_made_through_the_api_is_graded_by_the_worker_and_the_webhook_verifies(lms):
    assignment, api = lms
    receiver = Receiver()
    registered = api.post("/api/v1/webhooks/", {"url": receiver.url, "events": ["submission.graded"]}, format="json")
    assert registered.status_code == 201, registered.content
    created = submit(api, assignment)
    seen, deadline = [], time.monotonic() + 120
    while time.monotonic() < deadline:
        body = api.get(created["Location"]).json()
        if not seen or seen[-1] != body["status"]:
            seen.append(body["status"])
        if body["status"] in ("graded", "failed"):
            break
        time.sleep(0.1)
    assert seen[-1] == "graded", (seen, body)
    assert body["score"] == body["max_score"] == 3.0 and body["version"] == 1
    assert {name: f["status"] for name, f in body["result"]["functions"].items()} == {"relu": "passed",
                                                                                      "leaky_relu": "passed"}
    grades = api.get(f"/api/v1/assignments/{assignment.pk}/grades/").json()["results"]
    assert [(g["external_user_id"], g["score"]) for g in grades] == [("lms-1", 3.0)]

    requests = receiver.wait_for(1, 30)
    time.sleep(1)  # a second delivery of the same event would arrive now
    receiver.close()
    assert len(receiver.requests) == 1, requests
    headers, raw = receiver.requests[0]
    payload = Webhook(registered.json()["secret"]).verify(raw, headers)  # raises unless the signature holds
    assert payload["type"] == "submission.graded"
    assert payload["data"]["submission"] == body["id"]
    assert (payload["data"]["external_user_id"], payload["data"]["score"]) == ("lms-1", 3.0)
    event = WebhookEvent.objects.get()
    assert event.message_id == headers["webhook-id"] and event.status == "delivered"
    assert list(WebhookDelivery.objects.values_list("attempt", "status_code")) == [(1, 200)]


def closed_port() -> int:
    """A loopback port nothing listens on (connections to it are refused) until a test starts a server there."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_receiver_that_was_down_gets_the_retried_delivery_when_it_comes_back(lms):
    assignment, api = lms
    port = closed_port()
    registered = api.post("/api/v1/webhooks/", {"url": f"http://127.0.0.1:{port}/hooks/gradebox",
                                                "events": ["submission.graded"]}, format="json").json()
    submission_id = submit(api, assignment).json()["id"]
    refused = until(lambda: WebhookDelivery.objects.filter(event__endpoint_id=registered["id"]).first(), 150,
                    "first delivery attempt")
    assert refused.status_code is None and refused.error.startswith("ConnectionRefusedError")
    receiver = Receiver(port=port)  # the receiver comes back; the worker retries GRADER_WEBHOOK_BACKOFF_S later
    try:
        requests = receiver.wait_for(1, 60)
    finally:
        receiver.close()
    assert len(requests) == 1
    headers, raw = requests[0]
    payload = Webhook(registered["secret"]).verify(raw, headers)
    assert payload["type"] == "submission.graded" and payload["data"]["submission"] == submission_id
    event = until(lambda: WebhookEvent.objects.filter(status="delivered").first(), 10, "delivered event")
    assert headers["webhook-id"] == event.message_id
    attempts = list(event.attempts.order_by("attempt").values_list("attempt", "status_code", "error"))
    assert [a[0] for a in attempts] == list(range(1, len(attempts) + 1)) and len(attempts) >= 2
    assert attempts[-1][1:] == (200, "")
    assert all(code is None and error.startswith("ConnectionRefusedError") for _, code, error in attempts[:-1])


def test_a_receiver_that_answers_410_is_disabled(lms):
    assignment, api = lms
    receiver = Receiver()
    receiver.answers = [410]
    registered = api.post("/api/v1/webhooks/", {"url": receiver.url, "events": ["submission.graded"]},
                          format="json").json()
    submit(api, assignment)
    until(lambda: WebhookEndpoint.objects.filter(pk=registered["id"], disabled_at__isnull=False).exists(), 150,
          "disabled endpoint")
    time.sleep(2)  # a retry would come GRADER_WEBHOOK_BACKOFF_S (1 s) later
    receiver.close()
    assert len(receiver.requests) == 1
    assert json.loads(receiver.requests[0][1])["type"] == "submission.graded"
    detail = api.get(f"/api/v1/webhooks/{registered['id']}/").json()
    assert detail["enabled"] is False and "410" in detail["disabled_reason"]
    assert [(d["attempt"], d["status_code"]) for d in detail["deliveries"]] == [(1, 410)]
    assert WebhookEvent.objects.get().status == "failed"
