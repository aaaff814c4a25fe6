"""Workers and their sandbox containers (grader/celery.py): a worker that stops takes its warm containers with it,
and the containers of a worker that was killed are removed by the reaper on another worker's timer."""
from __future__ import annotations

import os
import signal
import time

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from grader.courses.models import Assignment
from grader.submissions import services
from grader.submissions.models import Submission
from sandbox.backends.docker import LABEL, LABEL_OWNER
from tests import student_files as files
from tests.conftest import worker_env
from tests.grader.submissions.test_faults import Stack, descendants
from tests.sandbox.conftest import require_docker

pytestmark = [pytest.mark.slow, pytest.mark.sandbox, pytest.mark.docker, pytest.mark.django_db(transaction=True)]
DOCKER = {"GRADER_SANDBOX": "docker", "GRADER_MODEL_CHECKS": "false", "GRADER_DOCKER_POOL_SIZE": "2"}


def containers_of(pids: set[int]) -> list[str]:
    """Ids of the sandbox containers (running or exited) whose owner is one of these processes on this host."""
    import docker

    client = docker.from_env(timeout=30)
    try:
        found = []
        for container in client.api.containers(all=True, filters={"label": LABEL}):
            _, pid, *_ = (container.get("Labels") or {}).get(LABEL_OWNER, "").split(":") + ["", ""]
            if pid.isdigit() and int(pid) in pids:
                found.append(container["Id"])
        return found
    finally:
        client.close()


def graded_by_a_new_worker(stack: Stack, monkeypatch) -> tuple:
    """A worker that graded one upload on Docker, its process ids, and its warm containers (waited for). The
    upload goes to a queue of this worker's own, so no other worker of the suite grades it instead."""
    student = get_user_model().objects.get(username="student")
    queue = f"containers-{time.monotonic_ns()}"
    with monkeypatch.context() as patched:
        patched.setattr(services, "_enqueue_after_commit", lambda submission_id: None)
        row = services.submit(student, Assignment.objects.get(slug="optimization"),
                              SimpleUploadedFile("opt.ipynb", files.notebook()))
    worker = stack.start("worker", "worker", "--loglevel=INFO", "--concurrency=1", "-n", f"{queue}@%h", "-Q", queue,
                         "--without-gossip", "--without-mingle", "--without-heartbeat")
    services.send(row.pk, services.FUNCTIONS, queue)
    deadline = time.monotonic() + 240
    while Submission.objects.get(pk=row.pk).status != Submission.Status.GRADED:
        assert worker.poll() is None, "the worker stopped by itself"
        assert time.monotonic() < deadline, "not graded within 240 s"
        time.sleep(0.2)
    pids = {worker.pid} | {pid for pid, _ in descendants(worker.pid)}
    while not containers_of(pids):  # the pool refills once the worker is idle
        assert time.monotonic() < deadline, "the worker keeps no warm container"
        time.sleep(0.2)
    return worker, pids


@pytest.fixture
def demo():
    require_docker()
    call_command("seed_demo", "--skip-contract", stdout=open(os.devnull, "w"))


def test_a_worker_that_stops_removes_its_warm_containers(demo, tmp_path, monkeypatch):
    stack = Stack(worker_env(**DOCKER), tmp_path / "logs")
    try:
        worker, pids = graded_by_a_new_worker(stack, monkeypatch)
        os.killpg(worker.pid, signal.SIGTERM)  # Celery's warm shutdown, as systemd or docker stop sends it
        assert worker.wait(timeout=60) == 0
        assert containers_of(pids) == []
        live = {path.name for path in settings.GRADER_METRICS_DIR.glob("gauge_live*_*.db")}
        assert not {f"gauge_livesum_{pid}.db" for pid in pids} & live  # its pool no longer counts as ready
    finally:
        stack.stop()


def test_the_containers_of_a_killed_worker_are_reaped_by_another_workers_timer(demo, tmp_path, monkeypatch):
    stack = Stack(worker_env(**DOCKER, GRADER_REAP_INTERVAL_S="1"), tmp_path / "logs")
    try:
        worker, pids = graded_by_a_new_worker(stack, monkeypatch)
        stack.kill(worker)  # SIGKILL: no hook runs
        left = containers_of(pids)
        assert left, "a killed worker's warm containers outlive it until something removes them"
        survivor = stack.start("worker", "worker", "--loglevel=INFO", "--concurrency=1", "-n",
                               f"survivor-{time.monotonic_ns()}@%h", "-Q", f"idle-{time.monotonic_ns()}",
                               "--without-gossip", "--without-mingle", "--without-heartbeat")
        deadline = time.monotonic() + 60
        while containers_of(pids):
            assert survivor.poll() is None
            assert time.monotonic() < deadline, "the killed worker's containers were not reaped within 60 s"
            time.sleep(0.5)
    finally:
        stack.stop()
