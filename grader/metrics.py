"""Prometheus metrics, served at /metrics (each one explained in docs/operations.md, "Metrics").

Grading happens in worker processes and pages in web processes, so the counters and histograms live in
prometheus_client's multiprocess mode: every process of a host writes them under GRADER_METRICS_DIR and
/metrics adds them up. What the database and the broker know (queue depth, submissions by status) is read
when /metrics is scraped, so it is right whichever host answers.
"""
from __future__ import annotations

import logging
import os

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

log = logging.getLogger(__name__)
QUEUES = ("interactive", "training", "bulk")
# Seconds: sub-second feedback is the target for the function phase, model checks train for seconds to minutes.
BUCKETS = (0.1, 0.2, 0.3, 0.5, 0.75, 1, 2, 5, 10, 30, 60, 120, 300, 600)

FIRST_FEEDBACK = Histogram("gradebox_first_feedback_seconds",
                           "From an upload's commit to its first stored cards (fresh uploads only)", buckets=BUCKETS)
GRADING = Histogram("gradebox_grading_seconds", "Time one grading phase took in a worker", ["phase"],
                    buckets=BUCKETS)
OUTCOMES = Counter("gradebox_gradings_total", "Gradings that ended, by outcome (graded, rejected or failed)", ["outcome"])
SANDBOX_FAULTS = Counter("gradebox_sandbox_faults_total",
                         "Platform faults met while grading (every attempt counts), by kind", ["fault"])
POOL_READY = Gauge("gradebox_pool_ready_containers", "Warm sandbox containers ready, summed over live workers",
                   multiprocess_mode="livesum")
POOL_MISSES = Counter("gradebox_pool_misses_total", "Sandbox runs that found no warm container and started cold")


def observe_backends(backends) -> None:
    """Copies the warm pools' size and new misses from a worker's started sandbox backends into the metrics."""
    ready = 0
    for backend in backends.started():
        misses = getattr(backend, "pool_misses", 0)
        seen = getattr(backend, "_metrics_misses_seen", 0)
        if misses > seen:
            POOL_MISSES.inc(misses - seen)
            backend._metrics_misses_seen = misses
        ready += getattr(backend, "pool_ready", 0)
    POOL_READY.set(ready)


def queue_depths(queues: tuple[str, ...] = QUEUES) -> dict[str, int]:
    """Messages waiting in each of `queues` in the broker (filesystem folder or Redis lists)."""
    from django.conf import settings

    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        folder = settings.BROKER_DIR / "queue"
        names = [entry.name for entry in os.scandir(folder)] if folder.exists() else []
        return {queue: sum(1 for name in names if name.endswith(f".{queue}.msg")) for queue in queues}
    from grader.celery import app

    with app.connection_for_read() as connection:
        client = connection.default_channel.client  # kombu's Redis channel: one list per queue
        return {queue: int(client.llen(queue)) for queue in queues}


class StateCollector:
    """Read at scrape time: queue depth per queue, and submissions by status."""

    def collect(self):
        from django.db.models import Count

        from grader.submissions.models import Submission

        depth = GaugeMetricFamily("gradebox_queue_depth", "Grading tasks waiting in the broker, by queue",
                                  labels=["queue"])
        try:
            for queue, count in queue_depths().items():
                depth.add_metric([queue], count)
        except Exception:
            log.exception("queue depth unreadable")
        yield depth
        rows = GaugeMetricFamily("gradebox_submissions", "Submissions by status", labels=["status"])
        counts = dict(Submission.objects.values_list("status").annotate(n=Count("id")).order_by())
        for status in Submission.Status.values:
            rows.add_metric([status], counts.get(status, 0))
        yield rows


def exposition() -> bytes:
    """The text /metrics serves: every process's metrics of this host, and the state read now."""
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    registry.register(StateCollector())
    return generate_latest(registry)
