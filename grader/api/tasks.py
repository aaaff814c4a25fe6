"""Delivering webhook events from the worker: one task per event, retried with exponential backoff."""
from __future__ import annotations

from celery import shared_task
from django.conf import settings

from grader.api import webhooks
from grader.api.models import WebhookEvent


@shared_task(bind=True, acks_late=True, max_retries=None)
def deliver_webhook(self, event_id: int) -> str:
    """Safe to run twice: a delivered or abandoned event is not sent again."""
    event = WebhookEvent.objects.select_related("endpoint").filter(pk=event_id).first()
    if event is None or event.status != WebhookEvent.Status.PENDING:
        return "done"
    number = event.attempts.count() + 1
    outcome = webhooks.attempt(event, number)
    if outcome == "retry":
        if number >= settings.GRADER_WEBHOOK_MAX_ATTEMPTS:
            webhooks.give_up(event)
            return "failed"
        raise self.retry(countdown=webhooks.backoff_s(number))
    if outcome == "stop":
        webhooks.give_up(event)
    return outcome
