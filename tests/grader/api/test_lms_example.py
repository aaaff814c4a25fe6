"""docs/lms-example.py, run as an integrator would, against a live server graded by the real worker."""
from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from datetime import datetime, timezone

import nbformat
import pytest
import requests
from standardwebhooks.webhooks import Webhook

from grader.api.keys import create_key
from grader.api.models import ExternalIdentity, IdempotentRequest, WebhookDelivery, WebhookEndpoint
from grader.authoring.services import load_folder
from grader.courses.models import Assignment, Course
from grader.submissions.models import Grade, Submission
from tests.conftest import ROOT
from tests.grader.authoring.bundles import CORRECT, write_bundle


GRADE_LINE = re.compile(r"^verified grade: external_user_id=(\S+) assignment=(\d+) score=(\S+) raw_score=(\S+) "
                        r"max_score=(\S+) submission=(\d+) late=(\S+)$", re.MULTILINE)


@pytest.mark.slow
@pytest.mark.sandbox
def test_the_example_script_prints_the_grade_it_verified_and_cleans_up(live_server, celery_worker_process, tmp_path,
                                                                       settings):
    settings.GRADER_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]  # the script's receiver is on loopback
    course = Course.objects.create(slug="lms-course", title="LMS course")
    load_folder(course, write_bundle(tmp_path / "activations"), contract=False)
    assignment = Assignment.objects.get(course=course)
    _, key = create_key(course, "example LMS", "read,submit,manage")
    notebook = tmp_path / "Activations.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Activations"),
                                                   nbformat.v4.new_code_cell(CORRECT.decode())]), notebook)

    run = subprocess.run([sys.executable, str(ROOT / "docs" / "lms-example.py"), live_server.url, key,
                          str(assignment.pk), str(notebook), "moodle-u-1234", "--timeout", "240"],
                         capture_output=True, text=True, timeout=300, cwd=tmp_path)
    print(run.stdout)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "signature verified" in run.stdout

    printed = GRADE_LINE.search(run.stdout)
    assert printed, run.stdout
    who, assignment_id, score, raw_score, max_score, submission_id, late = printed.groups()
    submission = Submission.objects.get()
    identity = ExternalIdentity.objects.get(subject="moodle-u-1234")
    stored = Grade.objects.get(assignment=assignment, user=identity.user)
    assert (who, int(assignment_id), int(submission_id)) == ("moodle-u-1234", assignment.pk, submission.pk)
    assert (float(score), float(raw_score), float(max_score), late) == (stored.score, stored.raw_score,
                                                                        stored.max_score, str(stored.late))
    assert submission.status == "graded" and submission.original_name == "Activations.ipynb"
    assert stored.score == submission.score == 3.0 and stored.submission_id == submission.pk
    assert IdempotentRequest.objects.get().submission == submission  # it sent an Idempotency-Key
    # The endpoint is gone with its log (deleted by the script); one delivery was all it took.
    assert not WebhookEndpoint.objects.exists() and not WebhookDelivery.objects.exists()


def load_example():
    spec = importlib.util.spec_from_file_location("lms_example", ROOT / "docs" / "lms-example.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def post_signed(url: str, secret: str, message_id: str, payload: str) -> int:
    now = datetime.now(timezone.utc)
    headers = {"webhook-id": message_id, "webhook-timestamp": str(int(now.timestamp())),
               "webhook-signature": Webhook(secret).sign(message_id, now, payload), "Content-Type": "application/json"}
    return requests.post(url, data=payload, headers=headers, timeout=5).status_code


def test_the_example_receiver_takes_only_verified_events_once():
    example = load_example()
    receiver = example.Receiver()
    secret, forged = "whsec_" + "a" * 44, "whsec_" + "b" * 44
    event = '{"type": "submission.graded", "data": {"submission": 7, "score": 3.0}}'
    try:
        assert post_signed(receiver.url, secret, "msg_early", event) == 503  # not registered yet: retried later
        receiver.secret = secret
        assert post_signed(receiver.url, forged, "msg_forged", event) == 400
        assert post_signed(receiver.url, secret, "msg_other", event.replace(": 7", ": 6")) == 204
        assert post_signed(receiver.url, secret, "msg_1", event) == 204
        assert post_signed(receiver.url, secret, "msg_1", event) == 204  # a retried delivery
        webhook_id, verified = receiver.wait_for(7, timeout_s=5)
        assert webhook_id == "msg_1" and verified["data"]["score"] == 3.0
        with pytest.raises(example.ApiError, match="no webhook about submission 7"):
            receiver.wait_for(7, timeout_s=0.5)  # the retried delivery of msg_1 is skipped
    finally:
        receiver.close()
