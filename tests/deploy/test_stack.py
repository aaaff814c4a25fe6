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


# Short leases and a quick sweeper in the stack under test, so a lost task is sent again within seconds.
QUICK_SWEEP = {"GRADER_LEASE_S": "8", "GRADER_SWEEP_AFTER_S": "10", "GRADER_SWEEP_INTERVAL_S": "2"}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
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
    override = tmp_path_factory.mktemp("compose") / "quick-sweep.yaml"
    override.write_text(json.dumps({"services": {name: {"environment": QUICK_SWEEP}
                                                 for name in ("web", "worker", "bulk", "beat")}}))
    command = [compose, "-p", f"gradeboxtest{os.getpid()}", "-f", str(COMPOSE_FILE), "-f", str(override)]

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


SLOW_GD = files.reference_functions("optimization")["update_parameters_with_gd"].replace(
    "):\n", "):\n    import time\n    time.sleep(1.2)\n", 1)  # right, but slow: 3 cases in the 5 s a function has


def upload(browser: Browser, data: bytes) -> tuple[int, str]:
    assignment = "/courses/improving-dnn/optimization/"
    page = browser.upload(assignment + "submit", browser.csrf(browser.get(assignment)), "Optimization_methods.ipynb", data)
    return submission_id(page), page.rstrip("/")[len(page.split("/submissions/")[0]):] + "/status"


def status(browser: Browser, path: str) -> dict | None:
    """The status endpoint's answer, or None while the platform cannot answer (its database restarting)."""
    try:
        return json.loads(browser.get(path))
    except (OSError, ValueError):
        return None


def rows(run, ids: list[int]) -> dict:
    """From the stack's own database: each submission's status, score and function result names."""
    code = ("import json; from grader.submissions.models import Submission; print(json.dumps({r.pk: "
            "{'status': r.status, 'score': r.score, 'max': r.max_score, 'results': sorted(r.function_results"
            f".values_list('name', flat=True))}} for r in Submission.objects.filter(pk__in={ids!r})}}))")
    done = run("exec", "-T", "web", "python", "manage.py", "shell", "-c", code)
    assert done.returncode == 0, done.stderr[-2000:]
    return {int(pk): row for pk, row in json.loads(done.stdout.strip().splitlines()[-1]).items()}


def wait_all_graded(browser: Browser, paths: list[str], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        states = [status(browser, path) for path in paths]
        if all(state and state["finished"] for state in states):
            assert all(state["status"] == "graded" for state in states), states
            return
        assert time.monotonic() < deadline, states
        time.sleep(0.5)


def graded_once_each(run, ids: list[int]) -> None:
    """Every submission graded, full marks, one set of result rows (no card twice)."""
    found = rows(run, ids)
    assert sorted(found) == sorted(ids)
    for row in found.values():
        assert row["status"] == "graded" and row["score"] == row["max"] and row["results"]
        assert len(row["results"]) == len(set(row["results"])), row


@pytest.mark.slow
@pytest.mark.docker
def test_redis_killed_and_started_again_while_submissions_are_queued_and_running_loses_none(stack):
    base, run, _ = stack
    student = Browser(base)
    student.login("student", "student")
    uploads = [upload(student, files.notebook(replace={"update_parameters_with_gd": SLOW_GD})) for _ in range(4)]
    deadline = time.monotonic() + 120
    while True:  # one running, the others queued behind it
        states = [status(student, path) for _, path in uploads]
        if any(s["status"] == "running" for s in states) and sum(s["status"] == "queued" for s in states) >= 2:
            break
        assert time.monotonic() < deadline, states
        time.sleep(0.1)
    assert run("kill", "-s", "SIGKILL", "redis").returncode == 0  # no clean shutdown: the broker just vanishes
    time.sleep(2)
    assert run("start", "redis").returncode == 0
    wait_all_graded(student, [path for _, path in uploads], timeout_s=240)
    graded_once_each(run, [pk for pk, _ in uploads])


@pytest.mark.slow
@pytest.mark.docker
def test_postgresql_restarted_while_a_worker_grades_and_the_grading_completes_after_it_returns(stack):
    base, run, _ = stack
    student = Browser(base)
    student.login("student", "student")
    pk, path = upload(student, files.notebook(replace={"update_parameters_with_gd": SLOW_GD}))
    deadline = time.monotonic() + 120
    while (status(student, path) or {}).get("status") != "running":
        assert time.monotonic() < deadline, "the grading did not start"
        time.sleep(0.1)
    restarted = run("restart", "-t", "10", "postgres")  # the worker's connection is cut while it grades
    assert restarted.returncode == 0, restarted.stderr[-2000:]
    wait_all_graded(student, [path], timeout_s=240)
    graded_once_each(run, [pk])
