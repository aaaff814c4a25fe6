"""The sweeper: sends again the gradings a lost message or a dead worker left behind.

A grading task can vanish: the embedded filesystem broker does not redeliver a message a killed worker
had taken, Redis holds an unacknowledged one back for its visibility timeout, and a worker can die
between storing the function cards and sending the model phase. Every `GRADER_SWEEP_INTERVAL_S` (Celery
beat, or the worker's own timer on the embedded default) the sweeper sends again, on the phase's own
queue, every submission that is

- queued, with no task sent for `GRADER_SWEEP_AFTER_S` seconds;
- running under a lease that expired (its worker died) and not sent again since;
- running without a lease (between the two phases) with no task sent for `GRADER_SWEEP_AFTER_S`.

A duplicate is harmless: the task claims the row's lease (grader.submissions.leases) and does nothing
when the row is finished or held. The re-send is stamped with a conditional UPDATE, so two sweepers
running at once send a row once.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from grader.submissions import services
from grader.submissions.models import FunctionResult, Submission

log = logging.getLogger(__name__)
BATCH = 500  # rows per sweep; the next sweep takes the rest


def stuck(now=None, after_s: float | None = None):
    """The submissions a sweep at `now` sends again (see the module's docstring)."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.GRADER_SWEEP_AFTER_S if after_s is None else after_s)
    not_sent_since = Q(enqueued_at__lte=cutoff) | Q(enqueued_at__isnull=True, created_at__lte=cutoff)
    free = Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=now)
    queued = Q(status=Submission.Status.QUEUED) & free & not_sent_since
    dead = (Q(status=Submission.Status.RUNNING, lease_expires_at__lte=now)
            & (Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=F("lease_expires_at")) | not_sent_since))
    between = Q(status=Submission.Status.RUNNING, lease_expires_at__isnull=True) & not_sent_since
    return Submission.objects.filter(queued | dead | between).order_by("id")


def sweep(now=None) -> list[int]:
    """Sends the stuck submissions' tasks again; returns their ids."""
    now = now or timezone.now()
    sent = []
    for row in stuck(now)[:BATCH]:
        if not Submission.objects.filter(pk=row.pk, enqueued_at=row.enqueued_at).update(enqueued_at=now):
            continue  # another sweeper sent it a moment ago
        phase = services.FUNCTIONS
        if row.status == Submission.Status.RUNNING and FunctionResult.objects.filter(
                submission=row, kind=FunctionResult.Kind.FUNCTION).exists():
            phase = services.MODELS  # the cards are stored: only the model checks are missing
        services.send(row.pk, phase, services.queue_for(row, phase), at=now)
        sent.append(row.pk)
    if sent:
        log.warning("stuck submissions sent again", extra={"submissions": sent})
    return sent
