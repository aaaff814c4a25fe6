"""Webhook events: made when a grading ends, signed per Standard Webhooks, delivered with retries.

One event row per (event, endpoint), made in the grading's own transaction and sent only after the
commit; its `message_id` is the `webhook-id` header of every attempt, so receivers deduplicate. An
attempt that gets no 2xx is retried with exponential backoff up to GRADER_WEBHOOK_MAX_ATTEMPTS; a 410
Gone disables the endpoint (the receiver says it is gone for good). Every attempt is logged.
"""
from __future__ import annotations

import base64
import logging
import secrets
import time
import uuid
from datetime import datetime, timezone as dt_timezone

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from grader.api import outbound
from grader.api.models import ExternalIdentity, WebhookDelivery, WebhookEndpoint, WebhookEvent

log = logging.getLogger(__name__)
_EVENT_OF_STATUS = {"graded": WebhookEndpoint.Event.GRADED, "failed": WebhookEndpoint.Event.FAILED}


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def backoff_s(attempt: int) -> float:
    """Seconds before attempt `attempt + 1`: base, 2 base, 4 base ... capped at an hour."""
    return min(3600.0, settings.GRADER_WEBHOOK_BACKOFF_S * 2 ** (attempt - 1))


def _payload(submission, event_type: str) -> dict:
    from grader.api.serializers import student_result

    external_id = (ExternalIdentity.objects.filter(kind=ExternalIdentity.Kind.API, user_id=submission.user_id,
                                                   namespace=str(submission.assignment.course_id))
                   .values_list("subject", flat=True).first())
    _, shown_score = student_result(submission)
    return {
        "type": event_type,
        "timestamp": timezone.now().isoformat(),
        "data": {
            "submission": submission.pk, "assignment": submission.assignment_id,
            "course": submission.assignment.course.slug, "external_user_id": external_id,
            "status": submission.status, "score": submission.score if shown_score is None else shown_score,
            "score_is_visible_checks_only": shown_score is not None, "max_score": submission.max_score,
            "regrade_of": submission.regrade_of_id,
            "url": f"/api/v1/submissions/{submission.pk}/",
        },
    }


def submission_finished(submission) -> list[WebhookEvent]:
    """Queues `submission.graded` / `submission.failed` for the course's endpoints that take it.

    Called by the grading services right after the status changed (the row as `advance` left it).
    """
    event_type = _EVENT_OF_STATUS.get(submission.status)
    if event_type is None:
        return []
    endpoints = [e for e in WebhookEndpoint.objects.filter(course_id=submission.assignment.course_id,
                                                           disabled_at__isnull=True) if event_type in e.events]
    if not endpoints:
        return []
    payload = _payload(submission, event_type)
    events = [WebhookEvent.objects.create(endpoint=endpoint, type=event_type, payload=payload,
                                          message_id=f"msg_{uuid.uuid4().hex}") for endpoint in endpoints]
    from grader.api.tasks import deliver_webhook

    for event in events:
        transaction.on_commit(lambda pk=event.pk: deliver_webhook.delay(pk))
    return events


def signed_headers(endpoint: WebhookEndpoint, event: WebhookEvent, body: str, now: datetime) -> dict[str, str]:
    return {
        "webhook-id": event.message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(endpoint.secret).sign(event.message_id, now, body),
    }


def attempt(event: WebhookEvent, number: int) -> str:
    """Sends the event once; returns "delivered", "retry", "gone" (endpoint disabled) or "stop" (refused target)."""
    endpoint = event.endpoint
    if endpoint.disabled_at is not None:
        return "stop"
    body = DjangoJSONEncoder(separators=(",", ":")).encode(event.payload)
    headers = signed_headers(endpoint, event, body, datetime.now(dt_timezone.utc))
    started = time.monotonic()
    status_code, error, refused_target = None, "", False
    try:
        status_code = outbound.post(endpoint.url, body.encode(), headers, settings.GRADER_WEBHOOK_TIMEOUT_S).status_code
    except outbound.RefusedTarget as refused:  # retrying would not help: the address is not one we send to
        error, refused_target = str(refused), True
    except Exception as failure:  # no answer: refused connection, timeout, TLS, a broken HTTP reply
        error = f"{type(failure).__name__}: {failure}"
    WebhookDelivery.objects.create(event=event, attempt=number, status_code=status_code, error=error[:300],
                                   duration_ms=int((time.monotonic() - started) * 1000))
    log.info("webhook attempt", extra={"event": event.message_id, "attempt": number, "status_code": status_code})
    if status_code is not None and 200 <= status_code < 300:
        WebhookEvent.objects.filter(pk=event.pk).update(status=WebhookEvent.Status.DELIVERED, finished_at=timezone.now())
        return "delivered"
    if status_code == 410:
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            disabled_at=timezone.now(), disabled_reason="the receiver answered 410 Gone")
        WebhookEvent.objects.filter(pk=event.pk).update(status=WebhookEvent.Status.FAILED, finished_at=timezone.now())
        return "gone"
    return "stop" if refused_target else "retry"


def give_up(event: WebhookEvent) -> None:
    WebhookEvent.objects.filter(pk=event.pk, status=WebhookEvent.Status.PENDING).update(
        status=WebhookEvent.Status.FAILED, finished_at=timezone.now())
