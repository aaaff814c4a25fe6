"""/healthz, /readyz, /metrics, and the JSON log lines."""
from __future__ import annotations

import json
import logging
import os

import pytest
from prometheus_client.parser import text_string_to_metric_families

from grader.logging import JsonFormatter
from grader.submissions import tasks
from tests.grader.submissions import grading_rows as rows
from tests.grader.stand_in import StandInGrader

pytestmark = pytest.mark.django_db


def scrape(client) -> dict:
    response = client.get("/metrics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def test_healthz_answers_without_touching_anything(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_checks_the_database_the_broker_and_the_sandbox(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    checks = response.json()["checks"]
    assert checks["database"] == "ok" and checks["broker"] == "ok" and checks["sandbox"].startswith("ok: ")


def test_readyz_says_which_check_failed(client, settings, tmp_path):
    if not settings.CELERY_BROKER_URL.startswith("filesystem://"):
        settings.CELERY_BROKER_URL = "filesystem://"
    settings.BROKER_DIR = tmp_path / "gone"
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready" and body["checks"]["broker"].startswith("failed: ")
    assert body["checks"]["database"] == "ok"


def test_metrics_count_outcomes_feedback_time_grading_time_and_faults(client, queued, grading):
    before = scrape(client)
    grading.model_checks = []
    tasks.grade_submission.apply(args=(queued.pk,))
    from sandbox.backends.base import BackendUnavailable

    course = queued.assignment.course
    failing = rows.upload(rows.person("bob", course), queued.assignment)
    grading.grader = StandInGrader(fault=BackendUnavailable("daemon gone"), faults=99)
    tasks.grade_submission.apply(args=(failing.pk,))
    after = scrape(client)

    def grew(name, **labels):
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    assert grew("gradebox_gradings_total", outcome="graded") == 1
    assert grew("gradebox_gradings_total", outcome="failed") == 1
    assert grew("gradebox_first_feedback_seconds_count") == 1
    assert grew("gradebox_grading_seconds_count", phase="functions") == 1 + tasks.MAX_RETRIES + 1
    assert grew("gradebox_sandbox_faults_total", fault="BackendUnavailable") == tasks.MAX_RETRIES + 1
    assert after[("gradebox_submissions", (("status", "graded"),))] == 1
    assert after[("gradebox_submissions", (("status", "failed"),))] == 1


def test_metrics_show_the_depth_of_each_queue(client, settings):
    if not settings.CELERY_BROKER_URL.startswith("filesystem://"):
        pytest.skip("on Redis: test_the_depth_of_a_redis_queue_is_its_list_length")
    folder = settings.BROKER_DIR / "queue"
    names = [folder / f"1_{n}.training.msg" for n in range(3)] + [folder / "2_x.bulk.msg"]
    for name in names:
        name.write_text("{}")
    try:
        samples = scrape(client)
    finally:
        for name in names:
            name.unlink()
    assert samples[("gradebox_queue_depth", (("queue", "training"),))] == 3
    assert samples[("gradebox_queue_depth", (("queue", "bulk"),))] == 1


def test_the_depth_of_a_redis_queue_is_its_list_length(settings):
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        pytest.skip("on the filesystem broker: test_metrics_show_the_depth_of_each_queue")
    from grader.celery import app
    from grader.metrics import queue_depths

    queue = f"depth-test-{os.getpid()}"  # no worker consumes it
    with app.connection_for_write() as connection:
        client = connection.default_channel.client
        client.lpush(queue, "a", "b")
        try:
            assert queue_depths((queue,)) == {queue: 2}
        finally:
            client.delete(queue)


def test_metrics_are_served_only_to_the_allowed_networks(client):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403


def test_log_lines_are_json_with_the_submission_id():
    logger = logging.getLogger("grader.test")
    record = logger.makeRecord("grader.test", logging.ERROR, __file__, 1, "grading failed", (), None,
                               extra={"submission": 42, "phase": "functions"})
    try:
        raise RuntimeError("daemon gone")
    except RuntimeError:
        import sys

        record.exc_info = sys.exc_info()
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "grading failed" and line["level"] == "ERROR" and line["submission"] == 42
    assert line["phase"] == "functions" and "RuntimeError: daemon gone" in line["exception"]
