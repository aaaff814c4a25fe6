"""deploy/compose.yaml: the file validates, and the whole stack (PostgreSQL, Redis, migrate, web, two workers,
beat and nginx, all from the offline app image) comes up and grades a student's upload sent through nginx."""
from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bench.latency import Browser, submission_id, wait_like_the_page
from tests import student_files as files
from tests.conftest import ROOT

COMPOSE_FILE = ROOT / "deploy" / "compose.yaml"
CACHE_DIR = Path(os.environ.get("GRADER_CACHE_DIR", "/var/cache/gradebox"))
REQUIRE_DOCKER = os.environ.get("GRADEBOX_REQUIRE_DOCKER") == "1"  # CI: the stack test fails, never skips


def docker_compose() -> str:
    found = shutil.which("docker-compose")
    if found is None:
        message = "docker-compose is not installed (make test-services installs Debian's)"
        pytest.fail(message, pytrace=False) if REQUIRE_DOCKER else pytest.skip(message)
    return found


def stack_env(**extra) -> dict:
    return dict(os.environ, DJANGO_SECRET_KEY=secrets.token_urlsafe(50), POSTGRES_PASSWORD=secrets.token_urlsafe(16),
                **extra)


def test_the_compose_file_validates_and_names_every_service():
    done = subprocess.run([docker_compose(), "-f", str(COMPOSE_FILE), "config"], env=stack_env(),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    config = done.stdout
    for service in ("postgres", "redis", "migrate", "web", "worker", "bulk", "beat", "nginx"):
        assert f"\n  {service}:\n" in config
    assert "/var/run/docker.sock:/var/run/docker.sock" in config  # the workers start sandboxes on the host's daemon


def test_the_compose_file_refuses_to_run_without_a_secret_key():
    env = {name: value for name, value in stack_env().items() if name != "DJANGO_SECRET_KEY"}
    done = subprocess.run([docker_compose(), "-f", str(COMPOSE_FILE), "config", "-q"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "set DJANGO_SECRET_KEY" in done.stderr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_ready(base: str, timeout_s: float = 180) -> dict:
    """/readyz through nginx until it says ready (the web asks the workers for a sandbox)."""
    deadline, last = time.monotonic() + timeout_s, None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=10) as response:
                return json.loads(response.read())
        except (OSError, urllib.error.HTTPError) as error:
            last = error
            time.sleep(1)
    raise AssertionError(f"the stack was not ready within {timeout_s} s: {last}")


@pytest.fixture(scope="module")
def stack():
    """The stack up under a project name of its own on a free loopback port; removed with its volumes after."""
    compose = docker_compose()
    from sandbox.backends import docker_answers

    if not docker_answers(timeout_s=5.0):
        message = "NO DOCKER DAEMON ANSWERS: the compose stack was not tested (start it: make docker)"
        pytest.fail(message, pytrace=False) if REQUIRE_DOCKER else pytest.skip(message)
    from deploy.app_image import ensure_app_image

    port = free_port()
    env = stack_env(GRADEBOX_IMAGE=ensure_app_image(CACHE_DIR), GRADEBOX_HTTP=f"127.0.0.1:{port}",
                    GRADER_CACHE_DIR=str(CACHE_DIR), GRADER_MODEL_CHECKS="0",
                    GRADER_SANDBOX_HOST=socket.gethostname())  # its workers see this host's pids (pid: host)
    command = [compose, "-p", f"gradeboxtest{os.getpid()}", "-f", str(COMPOSE_FILE)]

    def run(*args: str, timeout_s: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run([*command, *args], env=env, capture_output=True, text=True, timeout=timeout_s)

    try:
        started = run("up", "-d")
        assert started.returncode == 0, started.stderr[-3000:] + run("logs", "--no-color", "--tail", "40").stdout[-6000:]
        base = f"http://127.0.0.1:{port}"
        ready = wait_ready(base)
        seeded = run("exec", "-T", "web", "python", "manage.py", "seed_demo", "--skip-contract")
        assert seeded.returncode == 0, seeded.stderr[-3000:]
        yield base, run, ready
    finally:
        run("down", "-v", "--remove-orphans", "-t", "20")


@pytest.mark.slow
@pytest.mark.docker
def test_the_stack_grades_an_upload_sent_through_nginx_and_serves_it_only_to_its_owner(stack):
    base, run, ready = stack
    assert ready["status"] == "ready" and ready["checks"]["sandbox"] == "ok: 2 of 2 workers (docker)"

    student = Browser(base)
    student.login("student", "student")
    assignment = "/courses/improving-dnn/optimization/"
    data = files.notebook()
    started = time.perf_counter()
    page = student.upload(assignment + "submit", student.csrf(student.get(assignment)), "Optimization_methods.ipynb",
                          data)
    _, _, state = wait_like_the_page(student, page.rstrip("/")[len(base):] + "/status", started, timeout_s=240)
    assert state["status"] == "graded" and state["score"] == state["max_score"] > 0, state

    download = f"/submissions/{submission_id(page)}/file"
    with student.opener.open(base + download, timeout=30) as response:  # the app checked, nginx sent the bytes
        assert response.read() == data and "X-Accel-Redirect" not in response.headers
        assert response.headers.get("Accept-Ranges") == "bytes"

    made = run("exec", "-T", "web", "python", "manage.py", "shell", "-c",
               "from django.contrib.auth import get_user_model; "
               "get_user_model().objects.create_user('someone-else', password='another-password-9')")
    assert made.returncode == 0, made.stderr[-2000:]
    other = Browser(base)
    other.login("someone-else", "another-password-9")
    with pytest.raises(urllib.error.HTTPError) as refused:
        other.opener.open(base + download, timeout=30).read()
    assert refused.value.code in (403, 404) and data not in refused.value.read()
    with pytest.raises(urllib.error.HTTPError) as internal:  # nginx's internal location answers nobody directly
        student.opener.open(f"{base}/protected-media/submissions/", timeout=30).read()
    assert internal.value.code == 404
