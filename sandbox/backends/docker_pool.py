"""Warm pool of pre-started one-shot containers (NumPy loaded, waiting for a job), and the reaper of leftovers."""
from __future__ import annotations

import atexit
import collections
import contextlib
import logging
import os
import queue
import shutil
import threading
import time
import uuid
import weakref
from pathlib import Path

from sandbox.backends.docker import LABEL, LABEL_JOB_DIR, LABEL_OWNER, Sandbox, process_start_ticks, sandbox_host

log = logging.getLogger(__name__)

REFILL_THREADS_MAX = 2  # container start-up is mostly dockerd and runc work: more threads only queue there
RETRY_S_MAX = 30.0
QUIET_S = 0.3  # a refill or removal waits this long after the last job ended: a submission's jobs come in a row
REFILL_NOTICE_S = 0.05  # an empty pool's refill thread takes up a start within this (it wakes on the last take)
SUBMISSION_JOBS = 2  # warm containers a submission's function phase takes: the parse job, then the functions
REMOVAL_DELAY_S_MAX = 10.0  # a finished container is removed by then even if jobs never stop coming


class WarmPool:
    """Keeps `pool_size` warm containers; each serves exactly one job and is then destroyed in the background."""

    def __init__(self, backend):
        self.backend = backend
        self.ready: collections.deque[Sandbox] = collections.deque()
        self.starting = 0
        self.in_flight = 0  # jobs running in containers taken from this pool
        self.last_busy = 0.0  # time.monotonic() when a job last started or ended
        self.holds = 0  # held (hold()): no start and no removal, e.g. while another worker's job has the cores
        self.started_cold_at = 0.0  # time.monotonic() when a job's own container last started (started_cold)
        self.closed = False
        self.changed = threading.Condition()
        self.refillers: list[threading.Thread] = []
        self.removals: queue.Queue = queue.Queue()
        self.remover = threading.Thread(target=self._remove_loop, name="gradebox-docker-remover", daemon=True)
        self.remover.start()
        atexit.register(_close_if_alive, weakref.ref(self))

    def start(self) -> None:
        """Idempotent; with pool_size 0 there is no pool and every job runs cold."""
        with self.changed:
            self.closed = False
            wanted = min(REFILL_THREADS_MAX, int(self.backend.pool_size))
            self.refillers = [thread for thread in self.refillers if thread.is_alive()]
            while len(self.refillers) < wanted:
                thread = threading.Thread(target=self._refill_loop, name="gradebox-docker-refill", daemon=True)
                thread.start()
                self.refillers.append(thread)

    def take(self) -> Sandbox | None:
        """The oldest ready container still young enough, or None: the caller then starts one cold. With none
        ready but one starting, waits for that one (up to the backend's start timeout): it is further along than
        a cold start would be."""
        now = time.monotonic()
        deadline, noticed_by = now + self.backend.start_timeout_s, now + REFILL_NOTICE_S
        with self.changed:
            while True:
                while self.ready:
                    sandbox = self.ready.popleft()
                    self.changed.notify_all()
                    if time.monotonic() - sandbox.created <= self.backend.pool_max_age_s:
                        self.in_flight += 1
                        self.last_busy = time.monotonic()
                        return sandbox
                    self.destroy(sandbox)
                now = time.monotonic()
                if self.closed or now >= deadline or not (self.starting or (self.refillers and now < noticed_by)):
                    return None
                self.changed.wait(min(deadline, noticed_by if not self.starting else deadline) - now)

    def done(self) -> None:
        """A job taken from the pool finished: refilling may use the CPU again."""
        with self.changed:
            self.in_flight = max(self.in_flight - 1, 0)
            self.last_busy = time.monotonic()
            self.changed.notify_all()

    @contextlib.contextmanager
    def hold(self):
        """While held, this pool starts and removes no container: its owner waits for a more urgent job
        elsewhere on the host (a bulk worker stepping aside for a student's upload), and dockerd, runc and a
        NumPy import would take the cores that job needs. Holds nest."""
        with self.changed:
            self.holds += 1
        try:
            yield self
        finally:
            with self.changed:
                self.holds -= 1
                self.changed.notify_all()

    def quiet_in(self) -> float:
        """Called with the lock held: seconds until the pool counts as idle (no job running and none ended in the
        last QUIET_S); 0.0 when it is. A submission's parse job and function job follow each other within
        milliseconds, so work started between them would share the CPU with the second."""
        if self.in_flight > 0 or self.holds:
            return QUIET_S
        return max(0.0, self.last_busy + QUIET_S - time.monotonic())

    def must_wait(self) -> bool:
        """Called with the lock held. A start (runc, dockerd, a NumPy import: hundreds of milliseconds of CPU)
        never steals a running job's cores while a warm container is left for the next job. Full: nothing to do.
        Empty: start one now, or the next job starts cold. A job running: wait. Idle with fewer ready than the
        next submission takes (SUBMISSION_JOBS): start now, before it arrives. Otherwise wait until no job has
        run for QUIET_S (a submission's jobs follow each other within milliseconds)."""
        ready = len(self.ready)
        if ready + self.starting >= self.backend.pool_size or self.holds:
            return True
        if ready == 0:
            return False
        if self.in_flight > 0:
            return True
        return ready >= min(SUBMISSION_JOBS, self.backend.pool_size) and self.quiet_in() > 0

    def wait_until_full(self, timeout_s: float = 60.0) -> bool:
        """For benchmarks and tests: block until every slot holds a warm container."""
        deadline = time.monotonic() + timeout_s
        with self.changed:
            while len(self.ready) < self.backend.pool_size:
                left_s = deadline - time.monotonic()
                if left_s <= 0 or self.closed:
                    return False
                self.changed.wait(left_s)
        return True

    def discard(self, sandbox: Sandbox) -> None:
        self.destroy(sandbox)

    def destroy(self, sandbox: Sandbox, finished: bool = False) -> None:
        """Never blocks the caller: removal runs in the background (drain() waits for it). `finished`: its runner
        wrote the archive's end record and exits by itself, so nothing runs in it any more and its removal (dockerd
        and overlay work) waits for a quiet moment, up to REMOVAL_DELAY_S_MAX; anything else is removed, and so
        killed, at once."""
        sandbox.stream.close()
        self.removals.put((sandbox, time.monotonic() + REMOVAL_DELAY_S_MAX if finished else 0.0))

    def drain(self) -> None:
        self.removals.join()

    def close(self) -> None:
        """Stops refilling, destroys every ready container and waits until they are gone; safe to call twice."""
        with self.changed:
            self.closed = True
            self.changed.notify_all()
        for thread in self.refillers:
            thread.join(self.backend.start_timeout_s + 5)
        with self.changed:
            while self.ready:
                self.destroy(self.ready.popleft())
        self.drain()

    def _refill_loop(self) -> None:
        retry_s = 0.5
        while True:
            with self.changed:
                while not self.closed and self.must_wait():
                    self._recycle_old()
                    quiet_in = self.quiet_in()
                    self.changed.wait(timeout=min(quiet_in or self.backend.pool_max_age_s / 4, 30.0))
                if self.closed:
                    return
                self.starting += 1
            sandbox, failure = None, None
            try:
                sandbox = self._start_one()
                retry_s = 0.5
            except Exception as exc:  # the daemon is down or overloaded: back off, keep the cold path
                failure = exc
            finally:
                with self.changed:
                    self.starting -= 1  # before any back-off: take() never waits for a start that is not happening
                    if sandbox is not None and not self.closed:
                        self.ready.append(sandbox)
                        sandbox = None
                    self.changed.notify_all()
            if sandbox is not None:  # closed while it started
                self.destroy(sandbox)
            if failure is not None:
                log.warning("warm container failed to start: %s", str(failure)[:300], extra={"retry_s": retry_s})
                with self.changed:  # a cold start that works (the daemon is back) or close() ends the back-off
                    failed_at = time.monotonic()
                    self.changed.wait_for(lambda: self.closed or self.started_cold_at > failed_at, timeout=retry_s)
                    retry_s = 0.5 if self.started_cold_at > failed_at else min(retry_s * 2, RETRY_S_MAX)

    def started_cold(self) -> None:
        """A job's own (cold) container started: the daemon answers, so a refill backing off tries again now."""
        with self.changed:
            self.started_cold_at = time.monotonic()
            self.changed.notify_all()

    def _start_one(self) -> Sandbox:
        job_dir = Path(self.backend.work_dir) / uuid.uuid4().hex[:16]
        job_dir.mkdir(mode=0o755)
        job_dir.chmod(0o755)
        try:
            return self.backend.start_container(job_dir, wait=True)
        except BaseException:
            shutil.rmtree(job_dir, ignore_errors=True)
            raise

    def _recycle_old(self) -> None:
        """Called with the lock held: an idle container past its age is replaced, e.g. after an image rebuild."""
        now = time.monotonic()
        for sandbox in [s for s in self.ready if now - s.created > self.backend.pool_max_age_s]:
            self.ready.remove(sandbox)
            self.destroy(sandbox)

    def _remove_loop(self) -> None:
        while True:
            sandbox, not_after = self.removals.get()
            with self.changed:
                while not self.closed and (quiet_in := self.quiet_in()) > 0 and time.monotonic() < not_after:
                    self.changed.wait(timeout=min(quiet_in, max(not_after - time.monotonic(), 0.001)))
            try:
                remove_container(self.backend.client(), sandbox.id, sandbox.job_dir)
            except Exception as exc:  # the reaper of the next worker start gets it
                log.warning("could not remove a sandbox container", extra={"container": sandbox.id[:12],
                                                                           "error": str(exc)[:300]})
            finally:
                self.removals.task_done()


def remove_container(client, container_id: str, job_dir: Path | None) -> None:
    import docker.errors

    try:
        client.api.remove_container(container_id, force=True)
    except docker.errors.NotFound:
        pass
    if job_dir is not None:
        shutil.rmtree(job_dir, ignore_errors=True)


def reap(client, work_dir: Path) -> int:
    """Removes the containers of workers on this host that are gone (crashed, killed); returns how many."""
    host = sandbox_host()
    removed = 0
    for container in client.api.containers(all=True, filters={"label": LABEL}):
        labels = container.get("Labels") or {}
        owner_host, pid, ticks, *_ = labels.get(LABEL_OWNER, "").split(":") + ["", "", ""]
        if owner_host != host or (pid.isdigit() and owner_alive(int(pid), ticks)):
            continue
        job_dir = Path(labels.get(LABEL_JOB_DIR) or "") if labels.get(LABEL_JOB_DIR) else None
        if job_dir is not None and Path(work_dir).resolve() not in job_dir.resolve().parents:
            job_dir = None  # only ever delete inside our own work dir
        remove_container(client, container["Id"], job_dir)
        removed += 1
    if removed:
        log.warning("removed sandbox containers left behind by a crashed worker", extra={"containers": removed})
    return removed


def reap_host(work_dir: Path, timeout_s: float = 10.0) -> int:
    """reap() with a client of its own, for a process that has no Docker backend (a worker's timer); returns how
    many containers it removed. Raises docker.errors.DockerException when no daemon answers."""
    import docker

    client = docker.from_env(timeout=timeout_s)
    try:
        client.ping()
        return reap(client, Path(work_dir))
    finally:
        client.close()


def owner_alive(pid: int, ticks: str) -> bool:
    return os.path.exists(f"/proc/{pid}") and process_start_ticks(pid) == ticks


def _close_if_alive(pool_ref) -> None:
    pool = pool_ref()
    if pool is not None:
        pool.close()
