"""Webhooks: registered with the manage scope, signed per Standard Webhooks, retried, logged, never inward."""
from __future__ import annotations

import json

import pytest
from standardwebhooks.webhooks import Webhook

from grader.api import webhooks
from grader.api.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from grader.api.tasks import deliver_webhook
from grader.celery import app
from tests.grader.api.receivers import Receiver
from tests.grader.api.results import fail, grade, relu_report
from tests.grader.api.test_submit import send_json


@pytest.fixture
def receiver(settings):
    settings.GRADER_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.GRADER_WEBHOOK_BACKOFF_S = 0
    found = Receiver()
    yield found
    found.close()


@pytest.fixture
def eager(monkeypatch, django_capture_on_commit_callbacks):
    """Tasks run in this process when sent (retries at once); the grading task is left unsent."""
    from grader.submissions import tasks

    monkeypatch.setattr(app.conf, "task_always_eager", True)
    monkeypatch.setattr(tasks.grade_submission, "apply_async", lambda *args, **kwargs: None)


def register(api, url, events=("submission.graded",)):
    return api.post("/api/v1/webhooks/", {"url": url, "events": list(events)}, format="json")


def test_registering_shows_the_secret_once(api, receiver):
    response = register(api, receiver.url)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["secret"].startswith("whsec_") and body["events"] == ["submission.graded"] and body["enabled"]
    listed = api.get("/api/v1/webhooks/").json()
    assert [w["id"] for w in listed] == [body["id"]] and "secret" not in listed[0]
    assert "secret" not in api.get(f"/api/v1/webhooks/{body['id']}/").json()


@pytest.mark.parametrize("url", ["ftp://example.org/hook", "http://127.0.0.1:8000/hook", "http://localhost/hook",
                                 "http://10.1.2.3/hook", "http://169.254.169.254/latest", "http://[::1]/hook",
                                 "http://192.168.0.10/", "https://user:pass@example.org/hook"])
def test_non_http_and_inward_urls_are_refused(api, url):
    response = register(api, url)
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json" and "url" in response.json()["errors"]
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("data", [{"url": "not a url", "events": ["submission.graded"]},
                                  {"url": "https://example.org/h", "events": ["submission.deleted"]},
                                  {"url": "https://example.org/h", "events": []}, {"events": ["submission.graded"]}])
def test_bad_registrations_are_400(api, data):
    response = api.post("/api/v1/webhooks/", data, format="json")
    assert response.status_code == 400 and response.json()["type"] == "/api/problems/validation"


def test_deleting_and_other_courses_endpoints(api, client_with, other_assignment, receiver):
    mine = register(api, receiver.url).json()["id"]
    theirs = register(client_with(other_assignment.course), receiver.url).json()["id"]
    assert api.get(f"/api/v1/webhooks/{theirs}/").status_code == 404
    assert api.delete(f"/api/v1/webhooks/{theirs}/").status_code == 404
    assert api.delete(f"/api/v1/webhooks/{mine}/").status_code == 204
    assert list(WebhookEndpoint.objects.values_list("id", flat=True)) == [theirs]


def test_a_graded_submission_is_delivered_signed_to_endpoints_that_take_it(api, assignment, receiver, eager,
                                                                           django_capture_on_commit_callbacks):
    secret = register(api, receiver.url).json()["secret"]
    register(api, receiver.url + "/failures-only", events=["submission.failed"])
    submission_id = send_json(api, assignment, external_user_id="lms-7").json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        grade(submission_id, relu_report(hidden_passed=True))
    assert len(receiver.requests) == 1
    headers, body = receiver.requests[0]
    payload = Webhook(secret).verify(body, headers)  # raises unless the signature holds
    assert payload["type"] == "submission.graded"
    assert payload["data"]["submission"] == submission_id
    assert payload["data"]["external_user_id"] == "lms-7" and payload["data"]["score"] == 3.0
    assert headers["webhook-id"].startswith("msg_") and headers["content-type"] == "application/json"
    event = WebhookEvent.objects.get()
    assert event.status == "delivered" and event.message_id == headers["webhook-id"]
    log = api.get(f"/api/v1/webhooks/{event.endpoint_id}/").json()["deliveries"]
    assert [(d["attempt"], d["status_code"], d["webhook_id"]) for d in log] == [(1, 200, event.message_id)]


def test_a_failed_grading_sends_submission_failed(api, assignment, receiver, eager, django_capture_on_commit_callbacks):
    register(api, receiver.url, events=["submission.failed"])
    submission_id = send_json(api, assignment).json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        fail(submission_id)
    assert [json.loads(body)["type"] for _, body in receiver.requests] == ["submission.failed"]


def test_retries_keep_one_webhook_id_and_log_every_attempt(api, assignment, receiver, eager,
                                                            django_capture_on_commit_callbacks):
    secret = register(api, receiver.url).json()["secret"]
    receiver.answers = [500, 503]
    with django_capture_on_commit_callbacks(execute=True):
        grade(send_json(api, assignment).json()["id"], relu_report(hidden_passed=True))
    assert len(receiver.requests) == 3
    assert len({headers["webhook-id"] for headers, _ in receiver.requests}) == 1
    for headers, body in receiver.requests:
        Webhook(secret).verify(body, headers)
    assert list(WebhookDelivery.objects.values_list("attempt", "status_code")) == [(1, 500), (2, 503), (3, 200)]
    assert WebhookEvent.objects.get().status == "delivered"


def test_after_the_last_attempt_the_event_is_given_up(api, assignment, receiver, eager, settings,
                                                       django_capture_on_commit_callbacks):
    settings.GRADER_WEBHOOK_MAX_ATTEMPTS = 3
    register(api, receiver.url)
    receiver.answers = [500] * 10
    with django_capture_on_commit_callbacks(execute=True):
        grade(send_json(api, assignment).json()["id"], relu_report(hidden_passed=True))
    assert len(receiver.requests) == 3 and WebhookEvent.objects.get().status == "failed"


def test_410_gone_disables_the_endpoint(api, assignment, receiver, eager, django_capture_on_commit_callbacks):
    endpoint_id = register(api, receiver.url).json()["id"]
    receiver.answers = [410]
    with django_capture_on_commit_callbacks(execute=True):
        grade(send_json(api, assignment).json()["id"], relu_report(hidden_passed=True))
    endpoint = WebhookEndpoint.objects.get(pk=endpoint_id)
    assert endpoint.disabled_at is not None and "410" in endpoint.disabled_reason
    assert len(receiver.requests) == 1 and not api.get(f"/api/v1/webhooks/{endpoint_id}/").json()["enabled"]
    with django_capture_on_commit_callbacks(execute=True):
        grade(send_json(api, assignment).json()["id"], relu_report(hidden_passed=True))
    assert len(receiver.requests) == 1 and WebhookEvent.objects.count() == 1


def test_a_connection_to_a_refused_address_is_stopped_before_sending(api, assignment, receiver, settings):
    endpoint = WebhookEndpoint.objects.create(course=assignment.course, url=receiver.url, events=["submission.graded"],
                                              secret=webhooks.new_secret())
    settings.GRADER_WEBHOOK_ALLOWED_NETWORKS = []  # e.g. a name that resolved publicly at registration, now 127.0.0.1
    event = WebhookEvent.objects.create(endpoint=endpoint, type="submission.graded", message_id="msg_x", payload={})
    assert deliver_webhook.apply((event.pk,)).get() == "stop"
    assert receiver.requests == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.status_code is None and "loopback" in delivery.error
    assert WebhookEvent.objects.get().status == "failed"


def test_no_answer_is_retried(api, assignment, settings):
    settings.GRADER_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    endpoint = WebhookEndpoint.objects.create(course=assignment.course, url="http://127.0.0.1:9/closed",
                                              events=["submission.graded"], secret=webhooks.new_secret())
    event = WebhookEvent.objects.create(endpoint=endpoint, type="submission.graded", message_id="msg_y", payload={})
    assert webhooks.attempt(event, 1) == "retry"
    assert WebhookDelivery.objects.get().error.startswith("ConnectionRefusedError")


def test_backoff_doubles_from_the_base_delay(settings):
    settings.GRADER_WEBHOOK_BACKOFF_S = 30
    assert [webhooks.backoff_s(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert webhooks.backoff_s(20) == 3600
