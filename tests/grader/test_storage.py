"""Uploads, bundle files and grading on S3-compatible storage (grader/storage.py), against a real S3 server
process on loopback (moto's server mode): the web side stores the upload in the bucket, a real worker process
configured only by the GRADER_S3_* settings reads it from there and grades it, and the file comes back only
through the app, to those who may see it."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from grader.courses.models import Assignment
from grader.storage import storage_backend
from grader.submissions import services
from grader.submissions.models import Submission
from tests import student_files as files
from tests.conftest import worker_env
from tests.grader.submissions.test_faults import Stack

pytestmark = [pytest.mark.slow, pytest.mark.sandbox, pytest.mark.django_db(transaction=True)]
BUCKET, KEY_ID, SECRET = "gradebox-test", "gradebox-key", "gradebox-secret"


@pytest.fixture
def s3_server(tmp_path):
    """moto's S3 server on a free loopback port; its URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (tmp_path / "moto.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=1).read()
            break
        except OSError:
            assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "moto.log").read_text()
            time.sleep(0.1)
    yield url
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def bucket(s3_server, settings):
    """An empty private bucket, made the app's default storage (as GRADER_S3_* would make it); a boto3 client."""
    import boto3

    client = boto3.client("s3", endpoint_url=s3_server, aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET,
                          region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {**settings.STORAGES, "default": storage_backend(
        bucket=BUCKET, endpoint_url=s3_server, region="us-east-1", access_key_id=KEY_ID, secret_access_key=SECRET,
        prefix="media")}
    yield client
    settings.STORAGES = {**settings.STORAGES, "default": storage_backend()}


def keys(client) -> set[str]:
    return {item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


def test_an_upload_is_stored_in_the_bucket_graded_from_it_and_served_only_through_the_app(
        bucket, s3_server, client, tmp_path, settings, monkeypatch):
    assert type(storages["default"]).__name__ == "S3Storage"
    call_command("seed_demo", "--skip-contract", stdout=open(os.devnull, "w"))
    assert any(key.startswith("media/") for key in keys(bucket))  # the bundles' files
    student = get_user_model().objects.get(username="student")
    data = files.notebook()
    queue = f"storage-{time.monotonic_ns()}"  # this test's worker alone grades it: others read no bucket
    with monkeypatch.context() as patched:
        patched.setattr(services, "_enqueue_after_commit", lambda submission_id: None)
        row = services.submit(student, Assignment.objects.get(slug="optimization"),
                              SimpleUploadedFile("Optimization_methods.ipynb", data))
    assert f"media/{row.file.name}" in keys(bucket)
    assert not (settings.MEDIA_ROOT / row.file.name).exists()  # nothing on this host's disk

    stack = Stack(worker_env(GRADER_S3_BUCKET=BUCKET, GRADER_S3_ENDPOINT_URL=s3_server, GRADER_S3_REGION="us-east-1",
                             GRADER_S3_ACCESS_KEY_ID=KEY_ID, GRADER_S3_SECRET_ACCESS_KEY=SECRET,
                             GRADER_S3_PREFIX="media", GRADER_MODEL_CHECKS="false", GRADER_SANDBOX="bwrap"),
                  tmp_path / "logs")
    try:
        worker = stack.start("worker", "worker", "--loglevel=INFO", "--concurrency=1", "-n", f"{queue}@%h", "-Q",
                             queue, "--without-gossip", "--without-mingle", "--without-heartbeat")
        services.send(row.pk, services.FUNCTIONS, queue)
        deadline = time.monotonic() + 180
        while Submission.objects.get(pk=row.pk).status not in (Submission.Status.GRADED, Submission.Status.FAILED):
            assert worker.poll() is None, "the worker stopped by itself"
            assert time.monotonic() < deadline, "not graded within 180 s"
            time.sleep(0.2)
    finally:
        stack.stop()
    row.refresh_from_db()
    assert row.status == Submission.Status.GRADED and row.score == row.max_score

    client.force_login(student)
    response = client.get(f"/submissions/{row.pk}/file")
    assert response.status_code == 200 and b"".join(response.streaming_content) == data
    other = get_user_model().objects.create_user("someone-else", password="x")
    client.force_login(other)
    assert client.get(f"/submissions/{row.pk}/file").status_code in (403, 404)
    anonymous = urllib.request.Request(f"{s3_server}/{BUCKET}/media/{row.file.name}")
    with pytest.raises(urllib.error.HTTPError):  # the bucket itself answers only signed requests
        urllib.request.urlopen(anonymous, timeout=5)
