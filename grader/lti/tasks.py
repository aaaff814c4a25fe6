"""LTI work done by the worker: grade passback (retried with exponential backoff) and roster sync."""
from __future__ import annotations

import requests
from celery import shared_task
from django.conf import settings
from pylti1p3.exception import LtiException

from grader.lti import passback, roster
from grader.lti.models import Context, Passback


@shared_task(bind=True, acks_late=True, max_retries=None)
def send_score(self, passback_id: int) -> str:
    """Safe to run twice: a score the platform already has is not sent again."""
    try:
        return passback.send(passback_id)
    except Passback.DoesNotExist:
        return "gone"
    except (LtiException, requests.RequestException, ValueError, KeyError) as error:
        row = Passback.objects.get(pk=passback_id)
        row.attempts += 1
        row.error = str(error)[:500]
        if row.attempts >= settings.GRADER_LTI_MAX_ATTEMPTS:
            row.status = Passback.Status.FAILED
            row.save(update_fields=["attempts", "error", "status", "updated_at"])
            return "failed"
        row.save(update_fields=["attempts", "error", "updated_at"])
        raise self.retry(countdown=settings.GRADER_LTI_BACKOFF_S * 2 ** (row.attempts - 1))


@shared_task(acks_late=True)
def sync_roster(context_id: int) -> dict | str:
    context = Context.objects.select_related("deployment__platform", "deployment__course").get(pk=context_id)
    try:
        return roster.sync(context)
    except (LtiException, requests.RequestException) as error:
        context.roster_status = f"failed: {error}"[:300]
        context.save(update_fields=["roster_status"])
        return "failed"
