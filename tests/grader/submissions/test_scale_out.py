"""Scale-out across hosts, simulated on this machine: two worker "hosts", each with its own data dir, cache (job
folders, materialized bundles, expected outputs), metrics and warm pool, and its own name for the reaper, share
one broker, one database and one media store (docs/operations.md, "Scaling workers across hosts"). Every
submission is graded exactly once across them, and both take a share. Two cores cannot show a speed-up, so the
test reports how many each host graded, not a ratio.

Needs Redis: the filesystem broker is for one machine only, so on the embedded default this test is skipped.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from grader.courses.models import Assignment
from grader.submissions import services
from grader.submissions.models import FunctionResult, Submission
from tests import student_files as files
from tests.conftest import worker_env
from tests.grader.submissions.test_faults import Stack
from tests.sandbox.conftest import require_docker

pytestmark = [pytest.mark.slow, pytest.mark.sandbox, pytest.mark.docker, pytest.mark.django_db(transaction=True)]
SUBMISSIONS = 16
HOSTS = ("host-a", "host-b")


def host_env(name: str, root: Path, queue: str) -> dict:
    """A worker host's environment: its own data dir, cache and metrics; the shared database, broker and media.
    Its cache holds a link to the root filesystems only (each real host builds the same trees itself)."""
    shared_cache = Path(settings.GRADER_CACHE_DIR)
    cache = root / name / "cache"
    cache.mkdir(parents=True)
    (root / name).chmod(0o755)
    for tree in ("rootfs", "seccomp"):
        (cache / tree).symlink_to(shared_cache / tree)
    return worker_env(GRADER_DATA_DIR=str(root / name / "data"), GRADER_CACHE_DIR=str(cache),
                      GRADER_METRICS_DIR=str(root / name / "metrics"), GRADER_MEDIA_DIR=str(settings.MEDIA_ROOT),
                      GRADER_SANDBOX_HOST=name, GRADER_SANDBOX="docker", GRADER_MODEL_CHECKS="false",
                      GRADER_LOG_FORMAT="json", GRADER_DOCKER_POOL_SIZE="2", GRADER_SWEEP_IN_WORKER="false")


def graded_by(stack: Stack) -> Counter:
    """(host, submission) -> how many times a worker logged "submission graded" for it (logs are <host>-<n>.log)."""
    return Counter((path.stem.rsplit("-", 1)[0], record["submission"])
                   for path, record in stack.logged("submission graded", pattern="host-*.log"))


def test_two_worker_hosts_share_the_load_and_grade_every_submission_exactly_once(tmp_path, monkeypatch):
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        pytest.skip("the filesystem broker serves one machine: scale-out runs on PostgreSQL and Redis")
    require_docker()
    call_command("seed_demo", "--skip-contract", stdout=open(os.devnull, "w"))
    student = get_user_model().objects.get(username="student")
    optimization = Assignment.objects.get(slug="optimization")
    queue = f"scale-out-{time.monotonic_ns()}"  # the two hosts' own: no worker of the suite grades these
    monkeypatch.setattr(services, "_enqueue_after_commit", lambda submission_id, **_: None)
    rows = [services.submit(student, optimization, SimpleUploadedFile(f"opt{n}.ipynb", files.notebook()))
            for n in range(SUBMISSIONS)]

    stack = Stack(worker_env(), tmp_path / "logs")
    # Beside the real cache, not under tmp_path: the sandbox user must be able to enter the hosts' job folders.
    hosts = Path(tempfile.mkdtemp(prefix=".scale-out-", dir=settings.GRADER_CACHE_DIR))
    hosts.chmod(0o755)
    workers = {}
    for host in HOSTS:
        stack.env = host_env(host, hosts, queue)
        workers[host] = stack.start(host, "worker", "--loglevel=INFO", "--concurrency=1", "-n", f"{queue}@{host}",
                                    "-Q", queue, "--prefetch-multiplier=1", "--without-gossip", "--without-mingle",
                                    "--without-heartbeat")
    try:
        deadline = time.monotonic() + 120
        while not all(any("ready." in line for line in (stack.logs / f"{host}-{n}.log").read_text().splitlines())
                      for n, host in enumerate(HOSTS)):
            assert all(worker.poll() is None for worker in workers.values()), "a worker host stopped by itself"
            assert time.monotonic() < deadline, "the worker hosts were not ready within 120 s"
            time.sleep(0.2)
        for row in rows:
            services.send(row.pk, services.FUNCTIONS, queue)
        ids = [row.pk for row in rows]
        deadline = time.monotonic() + 60 + 20 * SUBMISSIONS
        while Submission.objects.filter(pk__in=ids).exclude(status=Submission.Status.GRADED).exists():
            assert not Submission.objects.filter(pk__in=ids, status=Submission.Status.FAILED).exists()
            assert time.monotonic() < deadline, list(Submission.objects.filter(pk__in=ids).values_list("pk", "status"))
            time.sleep(0.2)
    finally:
        stack.stop()
        shutil.rmtree(hosts, ignore_errors=True)

    graded = graded_by(stack)
    per_host = Counter(host for host, _ in graded.elements())
    print(f"scale-out: {SUBMISSIONS} submissions graded, per host: {dict(sorted(per_host.items()))}")
    assert all(count == 1 for count in graded.values()), graded  # never graded twice, on one host or across two
    assert sorted(pk for _, pk in graded) == sorted(ids)  # every submission, by one host or the other
    assert set(per_host) == set(HOSTS)  # both hosts took a share
    for row in Submission.objects.filter(pk__in=ids):
        names = list(FunctionResult.objects.filter(submission=row).values_list("name", flat=True))
        assert row.score == row.max_score and len(names) == len(set(names)) > 0
