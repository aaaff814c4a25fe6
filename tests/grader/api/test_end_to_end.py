"""An LMS's path: submit through the API -> database -> broker -> real Celery worker -> sandbox -> graded result."""
from __future__ import annotations

import time

import pytest
from rest_framework.test import APIClient

from grader.api.keys import create_key
from grader.authoring.services import load_folder
from grader.courses.models import Assignment, Course
from tests.grader.authoring.bundles import CORRECT, write_bundle

pytestmark = [pytest.mark.slow, pytest.mark.sandbox, pytest.mark.django_db(transaction=True)]


def test_a_submission_made_through_the_api_is_graded_by_the_worker(celery_worker_process, tmp_path):
    course = Course.objects.create(slug="lms-course", title="LMS course")
    load_folder(course, write_bundle(tmp_path / "activations"), contract=False)
    assignment = Assignment.objects.get(course=course)
    _, key = create_key(course, "LMS", "read,submit")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    created = api.post(f"/api/v1/assignments/{assignment.pk}/submissions/",
                       {"external_user_id": "lms-1", "filename": "act.py", "content": CORRECT.decode()},
                       format="json", headers={"Idempotency-Key": "e2e"})
    assert created.status_code == 201, created.content
    seen, deadline = [], time.monotonic() + 120
    while time.monotonic() < deadline:
        body = api.get(created["Location"]).json()
        if not seen or seen[-1] != body["status"]:
            seen.append(body["status"])
        if body["status"] in ("graded", "failed"):
            break
        time.sleep(0.1)
    assert seen[-1] == "graded", (seen, body)
    assert body["score"] == body["max_score"] == 3.0 and body["version"] == 1
    assert {name: f["status"] for name, f in body["result"]["functions"].items()} == {"relu": "passed",
                                                                                      "leaky_relu": "passed"}
    grades = api.get(f"/api/v1/assignments/{assignment.pk}/grades/").json()["results"]
    assert [(g["external_user_id"], g["score"]) for g in grades] == [("lms-1", 3.0)]
