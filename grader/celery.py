"""The Celery app: one per process, configured from Django settings (CELERY_* names).

On the embedded default (GRADER_SWEEP_IN_WORKER, on with the filesystem broker) each worker runs the
sweeper on its own timer, since no beat process runs there; with Redis, `celery -A grader beat` sends
`sweep_stuck` on the schedule in settings.CELERY_BEAT_SCHEDULE.
"""
import logging
import os

from celery import Celery, bootsteps

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grader.settings")

app = Celery("grader")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
log = logging.getLogger(__name__)


def _sweep() -> None:
    from django.db import close_old_connections, connection

    from grader.submissions import sweeper

    try:
        sweeper.sweep()
    except Exception:  # the database away for a moment: the next tick tries again
        log.exception("sweep failed")
        close_old_connections()
    finally:
        connection.close()


class Sweeper(bootsteps.StartStopStep):
    """Runs the sweeper every GRADER_SWEEP_INTERVAL_S on the worker's timer (GRADER_SWEEP_IN_WORKER)."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.tref = None

    def start(self, worker):
        from django.conf import settings

        if settings.GRADER_SWEEP_IN_WORKER:
            self.tref = worker.timer.call_repeatedly(settings.GRADER_SWEEP_INTERVAL_S, _sweep, priority=10)

    def stop(self, worker):
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None


app.steps["worker"].add(Sweeper)
