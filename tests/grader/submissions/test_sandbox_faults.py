"""Fault tests against a real Docker daemon: a worker's sandbox containers killed from outside and its daemon
stopped in the middle of grading. The submission ends `failed` (a platform fault, after the retries), is not
charged to the student, and, once the daemon is back, staff's requeue grades it with the same worker.

The daemon stopped is one of this test's own (its own data root, socket and containerd), loaded with the
sandbox image, so the suite's daemon and the workers on it are untouched.
"""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction

from grader.courses.models import Assignment
from grader.submissions import services
from grader.submissions.models import FunctionResult, Submission
from sandbox.backends.docker import LABEL, LABEL_OWNER
from tests import student_files as files
from tests.conftest import worker_env
from tests.grader.submissions.test_faults import Stack, descendants
from tests.sandbox.conftest import require_docker

pytestmark = [pytest.mark.slow, pytest.mark.sandbox, pytest.mark.docker, pytest.mark.django_db(transaction=True)]

# The course's update_parameters_with_gd, right but slow (its 3 cases within the 5 s a function has): the
# sandbox is busy for seconds, so the daemon is stopped while a grading is surely under way.
SLOW_GD = files.reference_functions("optimization")["update_parameters_with_gd"].replace(
    "):\n", "):\n    import time\n    time.sleep(1.2)\n", 1)


class Dockerd:
    """A Docker daemon of the test's own under `root`: no bridge, its own containerd; start() and stop() it."""

    def __init__(self, root: Path):
        self.root = root
        self.socket = root / "docker.sock"
        self.url = f"unix://{self.socket}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        log = (self.root / "dockerd.log").open("a")
        self.process = subprocess.Popen(
            ["dockerd", "--data-root", str(self.root / "data"), "--exec-root", str(self.root / "exec"),
             "--pidfile", str(self.root / "dockerd.pid"), "-H", self.url, "--bridge=none", "--iptables=false",
             "--ip-masq=false", "--storage-driver=overlay2"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while not self.answers():
            assert self.process.poll() is None, (self.root / "dockerd.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the test's dockerd did not answer within 60 s"
            time.sleep(0.2)

    def answers(self) -> bool:
        return subprocess.run(["docker", "-H", self.url, "version"], capture_output=True).returncode == 0

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def client(self):
        import docker

        return docker.DockerClient(base_url=self.url, timeout=30)


@pytest.fixture
def dockerd(tmp_path_factory):
    """The test's own daemon, running, with this checkout's numpy sandbox image copied in from the suite's."""
    require_docker()
    from sandbox.image.build import ensure_image
    from sandbox.rootfs import ensure_rootfs

    image = ensure_image(ensure_rootfs(Path(os.environ.get("GRADER_CACHE_DIR", "/var/cache/gradebox"))))
    daemon = Dockerd(Path(f"/tmp/gradebox-dockerd-{os.getpid()}-{time.monotonic_ns()}"))
    daemon.start()
    try:
        saved = subprocess.Popen(["docker", "save", image], stdout=subprocess.PIPE)
        loaded = subprocess.run(["docker", "-H", daemon.url, "load"], stdin=saved.stdout, capture_output=True)
        saved.stdout.close()
        assert saved.wait() == 0 and loaded.returncode == 0, loaded.stderr[-2000:]
        yield daemon
    finally:
        daemon.stop()
        subprocess.run(["rm", "-rf", str(daemon.root)], check=False)


def sandboxes_running(daemon: Dockerd, pids: set[int]) -> list[str]:
    """Ids of the running sandbox containers on `daemon` whose owner is one of these processes."""
    client = daemon.client()
    try:
        return [c["Id"] for c in client.api.containers(filters={"label": LABEL, "status": "running"})
                if int(((c.get("Labels") or {}).get(LABEL_OWNER, "") + "::").split(":")[1] or 0) in pids]
    finally:
        client.close()


def wait_for(condition, timeout_s: float, what: str, worker: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert worker.poll() is None, "the worker stopped by itself"
        assert time.monotonic() < deadline, f"{what} within {timeout_s} s"
        time.sleep(0.05)


def test_a_stopped_daemon_fails_the_grading_uncharged_and_a_requeue_grades_it_once_it_is_back(
        dockerd, tmp_path, monkeypatch):
    call_command("seed_demo", "--skip-contract", stdout=open(os.devnull, "w"))
    student = get_user_model().objects.get(username="student")
    optimization = Assignment.objects.get(slug="optimization")
    optimization.max_submissions = 1  # an upload that counted would leave the student none
    optimization.save()
    queue = f"daemon-faults-{time.monotonic_ns()}"  # this worker's own: no worker of the suite grades it instead
    monkeypatch.setattr(services, "_enqueue_after_commit", lambda submission_id, **_: transaction.on_commit(
        lambda: services.send(submission_id, services.FUNCTIONS, queue)))
    row = services.submit(student, optimization, SimpleUploadedFile(
        "Optimization_methods.ipynb", files.notebook(replace={"update_parameters_with_gd": SLOW_GD})))

    stack = Stack(worker_env(GRADER_SANDBOX="docker", GRADER_MODEL_CHECKS="false", GRADER_LOG_FORMAT="json",
                             GRADER_DOCKER_POOL_SIZE="2", DOCKER_HOST=dockerd.url), tmp_path / "logs")
    worker = stack.start("worker", "worker", "--loglevel=INFO", "--concurrency=1", "-n", f"{queue}@%h", "-Q", queue,
                         "--without-gossip", "--without-mingle", "--without-heartbeat")
    try:
        def grading_in_a_sandbox() -> bool:
            pids = {worker.pid} | {pid for pid, _ in descendants(worker.pid)}
            return (Submission.objects.get(pk=row.pk).status == Submission.Status.RUNNING
                    and bool(sandboxes_running(dockerd, pids)))

        wait_for(grading_in_a_sandbox, 240, "no grading under way in a sandbox of the test's daemon", worker)
        time.sleep(1.0)  # the functions' job is in its container (the slow cases take seconds)
        assert Submission.objects.get(pk=row.pk).status == Submission.Status.RUNNING
        client = dockerd.client()
        try:  # the containers killed from outside, then the daemon gone
            for container in client.api.containers(filters={"label": LABEL}):
                client.api.kill(container["Id"])
        finally:
            client.close()
        dockerd.stop()

        wait_for(lambda: Submission.objects.get(pk=row.pk).status == Submission.Status.FAILED, 180,
                 "the grading did not end failed after its retries", worker)
        row.refresh_from_db()
        assert row.score is None and not FunctionResult.objects.filter(submission=row).exists()
        assert "problem on our side" in row.error_message and row.failure_detail
        assert services.refusal(optimization, student) is None  # not charged: the one upload allowed is still free
        errors = [r for _, r in stack.logged("grading failed") if r.get("level") == "ERROR"]
        assert [r["submission"] for r in errors] == [row.pk]  # an operator is told, with the submission's id

        dockerd.start()  # the daemon back, with the image it had
        assert services.requeue(row)
        wait_for(lambda: Submission.objects.get(pk=row.pk).status == Submission.Status.GRADED, 240,
                 "the requeued submission was not graded", worker)
    finally:
        stack.stop()
    row.refresh_from_db()
    names = list(FunctionResult.objects.filter(submission=row).values_list("name", flat=True))
    functions = {f["name"] for f in optimization.current_version.manifest["functions"]}
    assert row.score == row.max_score and sorted(names) == sorted(functions)  # every card, once
    assert not Submission.objects.filter(user=student, status=Submission.Status.FAILED).exists()
    assert Submission.objects.filter(user=student, assignment=optimization).count() == 1
    assert services.refusal(optimization, student) is not None  # the graded upload counts, once
