"""Shared fixtures: student files built from the reference, and a real Celery worker process."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def pytest_sessionfinish(session, exitstatus):
    """A session's own data dir (database, uploads, broker folders) goes when the session ends."""
    from django.conf import settings

    data_dir = Path(settings.DATA_DIR)
    if data_dir.name.startswith("session-") and data_dir.parent == ROOT / "var" / "test":
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(autouse=True)
def _no_upload_rate_limit(settings):
    """Tests upload many files as one student within seconds; the rate limit has tests of its own."""
    settings.GRADER_UPLOAD_RATE = None


# Two worker processes, as deploy/run-local.sh starts them: one only ever takes students' function phases, the
# other (niced) takes model checks (training), regrades and previews (bulk), and function phases when it is idle.
WORKERS = (("interactive", "interactive"), ("bulk", "training,bulk,interactive"))


def _start_worker(name: str, queues: str, env: dict, log) -> subprocess.Popen:
    low = name == "bulk"
    return subprocess.Popen(
        [*(["nice", "-n", "10"] if low else []),
         sys.executable, "-m", "celery", "-A", "grader", "worker", "--loglevel=INFO", "--concurrency=1",
         "-n", f"{name}@%h", "-Q", queues, "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )


def worker_env(**extra) -> dict:
    """The environment of a real worker process on the test database (call with database access)."""
    from django.conf import settings
    from django.db import connection

    test_db = connection.settings_dict["NAME"]
    # Tests' webhook receivers and LMS platforms listen on loopback only; retries come seconds apart, not minutes.
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="grader.settings", GRADER_DATA_DIR=str(settings.DATA_DIR),
               GRADER_WEBHOOK_ALLOWED_NETWORKS="127.0.0.0/8", GRADER_WEBHOOK_BACKOFF_S="1", GRADER_LTI_BACKOFF_S="1")
    url = settings.DATABASES["default"]
    if url["ENGINE"].endswith("sqlite3"):
        env["DATABASE_URL"] = f"sqlite:///{test_db}"
    else:
        env["DATABASE_URL"] = f"postgres://{url['USER']}:{url['PASSWORD']}@{url['HOST']}:{url['PORT'] or 5432}/{test_db}"
    return {**env, **extra}


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """Real `celery worker` processes on the test database and the configured broker (see WORKERS)."""
    from django.conf import settings

    with django_db_blocker.unblock():
        env = worker_env()
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        shutil.rmtree(settings.BROKER_DIR, ignore_errors=True)
        for sub in ("queue", "processed"):
            (settings.BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    logs = {name: Path(settings.DATA_DIR) / f"worker-{name}.log" for name, _ in WORKERS}
    handles = {name: path.open("w") for name, path in logs.items()}
    workers = {name: _start_worker(name, queues, env, handles[name]) for name, queues in WORKERS}
    deadline = time.monotonic() + 60
    for name, worker in workers.items():
        while "ready." not in logs[name].read_text():
            if worker.poll() is not None or time.monotonic() > deadline:
                for other in workers.values():
                    other.kill()
                pytest.fail(f"celery worker {name} did not start:\n{logs[name].read_text()[-3000:]}")
            time.sleep(0.1)
    yield workers["interactive"]
    for worker in workers.values():
        worker.terminate()
    for worker in workers.values():
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
    for handle in handles.values():
        handle.close()
