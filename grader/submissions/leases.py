"""Leases: at most one worker grades a submission at a time, and a dead worker's grading is taken over.

A worker claims a submission with one conditional UPDATE: it succeeds only while the row is queued or
running and nobody holds an unexpired lease on it, and it writes the worker's owner token and an
expiry `GRADER_LEASE_S` seconds ahead. While the worker grades, a thread renews the lease every third
of that time; a worker that dies stops renewing, so its lease runs out and the sweeper
(`grader.submissions.sweeper`) sends the grading again, which the next worker's claim then takes over.
Results are written only by the lease's holder (`services.record_*` check the owner under the row
lock), so a worker that lost its lease while it was stalled cannot write a second set of results.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connection
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from grader.submissions.models import Submission

log = logging.getLogger(__name__)
ACTIVE = (Submission.Status.QUEUED, Submission.Status.RUNNING)


class LeaseLost(RuntimeError):
    """The worker no longer holds the submission's lease: another worker took the grading over."""


def new_owner() -> str:
    """A token naming this worker process and this one grading (host:pid:random)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def lease_s() -> float:
    return float(settings.GRADER_LEASE_S)


def claim(submission_id: int, owner: str, now=None) -> bool:
    """Takes the lease when the row is queued or running and its lease is free or expired; the row becomes
    `running` (its start time kept from an earlier claim). False: finished, or another worker holds it."""
    now = now or timezone.now()
    return bool(
        Submission.objects.filter(pk=submission_id, status__in=ACTIVE)
        .filter(Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=now) | Q(lease_owner=owner))
        .update(lease_owner=owner, lease_expires_at=now + timedelta(seconds=lease_s()),
                status=Submission.Status.RUNNING, started_at=Coalesce("started_at", now))
    )


def renew(submission_id: int, owner: str) -> bool:
    """Pushes the expiry on; False when the lease was lost (expired and taken, or the row finished)."""
    return bool(Submission.objects.filter(pk=submission_id, lease_owner=owner, status__in=ACTIVE).update(
        lease_expires_at=timezone.now() + timedelta(seconds=lease_s())))


def release(submission_id: int, owner: str) -> None:
    """Gives the lease up (no-op when another worker holds it by now)."""
    Submission.objects.filter(pk=submission_id, lease_owner=owner).update(lease_owner="", lease_expires_at=None)


def check(submission_id: int, owner: str | None) -> None:
    """Raises LeaseLost unless `owner` holds the lease; call inside a transaction that locked the row."""
    if owner is None:
        return
    held = Submission.objects.select_for_update().filter(pk=submission_id, lease_owner=owner).exists()
    if not held:
        raise LeaseLost(f"submission {submission_id}: lease of {owner} lost")


class Held:
    """The lease kept alive for the length of a `with` block (renewed by a thread), released at its end."""

    def __init__(self, submission_id: int, owner: str):
        self.submission_id, self.owner = submission_id, owner
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._renew, name=f"lease-{submission_id}", daemon=True)
        self.lost = False

    def _renew(self) -> None:
        try:
            while not self._stop.wait(lease_s() / 3):
                try:
                    if not renew(self.submission_id, self.owner):
                        self.lost = True
                        log.warning("lease lost", extra={"submission": self.submission_id, "owner": self.owner})
                        return
                except Exception:  # the database away for a moment: try again at the next tick
                    log.exception("lease renewal failed", extra={"submission": self.submission_id})
                    close_old_connections()
        finally:
            connection.close()  # this thread's own connection

    def __enter__(self) -> "Held":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        release(self.submission_id, self.owner)
