"""The Celery app: one per process, configured from Django settings (CELERY_* names).

On the embedded default (GRADER_SWEEP_IN_WORKER, on with the filesystem broker) each worker runs the
sweeper on its own timer, since no beat process runs there; with Redis, `celery -A grader beat` sends
`sweep_stuck` on the schedule in settings.CELERY_BEAT_SCHEDULE.

Sandbox containers never outlive their worker for long: a worker process that stops (a clean shutdown, or
the pool replacing it) removes its warm containers as it goes (`close_sandboxes`), and every worker removes,
every GRADER_REAP_INTERVAL_S, the containers on its host whose worker process is gone (killed, crashed:
`Reaper`), and the empty cgroups of bubblewrap runs such a worker left.
"""
import logging
import os

from celery import Celery, bootsteps
from celery.signals import worker_process_shutdown, worker_shutdown
from celery.worker.control import inspect_command

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


class Repeating(bootsteps.StartStopStep):
    """A job on the worker's own timer: `interval_s()` seconds apart (0 or less: not at all), `run` each time."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.tref = None

    def interval_s(self) -> float:
        raise NotImplementedError

    def run(self) -> None:
        raise NotImplementedError

    def start(self, worker):
        interval_s = self.interval_s()
        if interval_s > 0:
            self.tref = worker.timer.call_repeatedly(interval_s, self.run, priority=10)

    def stop(self, worker):
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None


class Sweeper(Repeating):
    """Runs the sweeper every GRADER_SWEEP_INTERVAL_S on the worker's timer (GRADER_SWEEP_IN_WORKER)."""

    def interval_s(self) -> float:
        from django.conf import settings

        return settings.GRADER_SWEEP_INTERVAL_S if settings.GRADER_SWEEP_IN_WORKER else 0.0

    def run(self) -> None:
        _sweep()


app.steps["worker"].add(Sweeper)


@worker_process_shutdown.connect
@worker_shutdown.connect
def close_sandboxes(**_) -> None:
    """This process's warm containers are removed before it exits (prefork children get
    worker_process_shutdown, a solo or threads worker worker_shutdown); a process that never graded has none."""
    from grader.grading.setup import get_grader

    if not get_grader.cache_info().currsize:
        return
    for backend in get_grader().backends.started():
        try:
            backend.close()
        except Exception:  # the daemon is gone: the next reaper on this host removes them
            log.exception("could not remove this worker's sandbox containers")


@worker_process_shutdown.connect
@worker_shutdown.connect
def forget_live_metrics(pid=None, **_) -> None:
    """A worker process that exits stops counting in the live gauges (the warm containers it held are gone)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(pid or os.getpid())


def _reap() -> None:
    from django.conf import settings

    from sandbox.backends.cgroup import CgroupV1
    from sandbox.backends.docker_pool import reap_host

    if CgroupV1.available():
        removed = CgroupV1.sweep_stale()
        if removed:
            log.warning("removed run cgroups left behind by a killed worker", extra={"cgroups": removed})
    if settings.GRADER_SANDBOX == "bwrap":
        return
    try:
        reap_host(settings.GRADER_CACHE_DIR / "docker-jobs")
    except Exception:  # no daemon here, or it is restarting: nothing of ours can run there either
        log.debug("reaper skipped", exc_info=True)


class Reaper(Repeating):
    """Removes, every GRADER_REAP_INTERVAL_S, sandbox containers on this host whose worker process is gone, and
    the bubblewrap runs' cgroups such a worker left."""

    def interval_s(self) -> float:
        from django.conf import settings

        return settings.GRADER_REAP_INTERVAL_S

    def run(self) -> None:
        _reap()


app.steps["worker"].add(Reaper)


@inspect_command()
def sandbox_ready(state) -> dict:
    """Remote control: can this worker's host start a sandbox? {"ok": "ok: docker"} or {"error": reason}. The
    web's readiness check asks this when it has no sandbox of its own (GRADER_READY_SANDBOX=workers)."""
    from grader.health import check_sandbox_here

    try:
        return {"ok": check_sandbox_here()}
    except Exception as error:
        return {"error": f"{type(error).__name__}: {error}"[:300]}
