"""deploy/nginx.conf in front of a real gunicorn: a stored upload is sent by nginx (X-Accel-Redirect) only after
the app checked who asks (grader/storage.py `serve`), and nginx's internal location answers nobody directly."""
from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from grader.courses.models import Assignment
from grader.submissions import services
from tests import student_files as files
from tests.conftest import ROOT, worker_env

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()[-2000:]
            time.sleep(0.1)


@pytest.fixture
def behind_nginx(tmp_path):
    """gunicorn on the test database with X-Accel-Redirect on, nginx in front of it; nginx's base URL."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(nginx).exists(), "nginx is not installed (make test-services installs it)"
    app_port, web_port, prefix = free_port(), free_port(), tmp_path / "nginx"
    prefix.mkdir()
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    for name, value in (("@LISTEN@", f"127.0.0.1:{web_port}"), ("@APP@", f"127.0.0.1:{app_port}"),
                        ("@STATIC_ROOT@", str(settings.STATIC_ROOT)), ("@MEDIA_ROOT@", str(settings.MEDIA_ROOT)),
                        ("@PREFIX@", str(prefix))):
        conf = conf.replace(name, value)
    (prefix / "nginx.conf").write_text(conf)
    log = tmp_path / "web.log"
    env = worker_env(GRADER_ACCEL_REDIRECT_PREFIX="/protected-media/")
    app = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "grader.wsgi:application", "--bind",
                            f"127.0.0.1:{app_port}", "--workers", "1"], cwd=ROOT, env=env,
                           stdout=log.open("w"), stderr=subprocess.STDOUT)
    # nginx's workers read the media root themselves: as root, they run as the test's own user (not nobody), so
    # a data dir under a private temporary folder (a fresh clone's) is readable to them, as it must be in production
    # to nginx's user (docs/operations.md).
    workers_as = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
    web = subprocess.Popen([nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", f"daemon off; {workers_as}"],
                           stdout=log.open("a"), stderr=subprocess.STDOUT)
    try:
        wait_for(f"http://127.0.0.1:{app_port}/healthz", app, log)
        wait_for(f"http://127.0.0.1:{web_port}/healthz", web, log)
        yield f"http://127.0.0.1:{web_port}", f"http://127.0.0.1:{app_port}"
    finally:
        for process in (web, app):
            process.terminate()
            process.wait(timeout=20)


def get(url: str, session: str | None = None):
    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={session}"} if session else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def session_of(client, user) -> str:
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_nginx_sends_an_upload_only_to_whom_the_app_allows(behind_nginx, client):
    behind_nginx, app = behind_nginx
    call_command("seed_demo", "--skip-contract", stdout=open(os.devnull, "w"))
    users = get_user_model().objects
    student = users.get(username="student")
    data = files.notebook()
    row = services.submit(student, Assignment.objects.get(slug="optimization"),
                          SimpleUploadedFile("Optimization_methods.ipynb", data))

    status, headers, body = get(f"{app}/submissions/{row.pk}/file", session_of(client, student))
    assert (status, body) == (200, b"") and headers["X-Accel-Redirect"] == f"/protected-media/{row.file.name}"

    status, headers, body = get(f"{behind_nginx}/submissions/{row.pk}/file", session_of(client, student))
    assert status == 200 and body == data
    assert "X-Accel-Redirect" not in headers  # nginx acted on it and kept it to itself
    assert "Last-Modified" in headers and headers.get("Accept-Ranges") == "bytes"  # nginx sent the file
    assert 'attachment; filename="Optimization_methods.ipynb"' in headers.get("Content-Disposition", "")

    other = users.create_user("someone-else", password="x")
    status, _, body = get(f"{behind_nginx}/submissions/{row.pk}/file", session_of(client, other))
    assert status in (403, 404) and data not in body
    status, _, body = get(f"{behind_nginx}/submissions/{row.pk}/file")  # not logged in: to the login page
    assert data not in body
    status, _, body = get(f"{behind_nginx}/protected-media/{row.file.name}", session_of(client, student))
    assert status == 404 and data not in body  # the internal location answers nobody directly
