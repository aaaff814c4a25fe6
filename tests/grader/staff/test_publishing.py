"""Preview, validate, publish and regrade pages: the staff door, the refusals, the dry-run gate, the polled state."""
from __future__ import annotations

import json
import time

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from grader.authoring import preview as previews
from grader.authoring import tasks as authoring_tasks
from grader.authoring import version_jobs
from grader.authoring.models import AssignmentVersion
from grader.courses.models import Assignment, Course, Enrollment
from grader.submissions.models import RegradeBatch, Submission
from tests.grader.staff import publishing_setup

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(tmp_path):
    return publishing_setup.make(tmp_path)


@pytest.fixture
def sent(monkeypatch, client, django_capture_on_commit_callbacks):
    """The tasks the pages send (the broker is the outside world here), as (task name, args, queue).

    Every request of the test client runs its after-commit callbacks, as it would outside the test's transaction.
    """
    calls = []
    for method in ("get", "post"):
        def committed(*args, _send=getattr(client, method), **kwargs):
            with django_capture_on_commit_callbacks(execute=True):
                return _send(*args, **kwargs)
        monkeypatch.setattr(client, method, committed)
    from grader.submissions import tasks as submission_tasks

    for task in (authoring_tasks.preview_version, authoring_tasks.validate_version, submission_tasks.dry_run_regrade,
                 submission_tasks.grade_submission):
        monkeypatch.setattr(task, "apply_async",
                            lambda args, queue, name=task.name.rsplit(".", 1)[-1]: calls.append((name, args, queue)))
    return calls


def url(name, setup, version=None, **extra):
    version = version or setup.v2
    return reverse(f"staff:{name}", args=[setup.course.slug, version.assignment.slug, version.number, *extra.values()])


def graded_upload(setup, score: float) -> Submission:
    assignment = setup.v1.assignment
    return Submission.objects.create(user=setup.student, assignment=assignment, version=setup.v1, file="x.py",
                                     original_name="x.py", size_bytes=1, status=Submission.Status.GRADED,
                                     score=score, max_score=3.0)


def passed_validation(version, ok: bool = True):
    rows = [["reference", "(all)", "4/4", True, "-"],
            ["relu_minimum", "relu", "0/2" if ok else "2/2", ok, "-" if ok else "not caught"]]
    version_jobs.write("validate", version.digest, version_jobs.DONE,
                       result={"ok": ok, "failures": 0 if ok else 1, "rows": rows, "cached": False})


@pytest.mark.parametrize("name", ["preview", "validate", "publish"])
def test_version_pages_are_for_the_courses_staff_only(client, setup, name, sent):
    target = url(name, setup)
    assert client.get(target).status_code == 302  # anonymous: log in
    client.force_login(setup.student)
    assert client.get(target).status_code == 404
    other = get_user_model().objects.create_user("other-teacher")
    Enrollment.objects.create(user=other, course=Course.objects.create(slug="other", title="Other"),
                              role=Enrollment.Role.STAFF)
    client.force_login(other)
    assert client.get(target).status_code == 404
    assert client.get(reverse(f"staff:{name}", args=["other", setup.v2.assignment.slug, 2])).status_code == 404
    client.force_login(setup.teacher)
    assert client.get(target).status_code == 200
    missing = reverse(f"staff:{name}", args=[setup.course.slug, setup.v2.assignment.slug, 9])
    assert client.get(missing).status_code == 404


def test_a_batch_of_another_course_is_not_found(client, setup, tmp_path, sent):
    elsewhere = publishing_setup.make(tmp_path, slug="elsewhere")
    batch = RegradeBatch.objects.create(assignment=elsewhere.v1.assignment, version=elsewhere.v1, kind="regrade")
    client.force_login(setup.teacher)
    assert client.get(reverse("staff:batch", args=[setup.course.slug, batch.pk])).status_code == 404
    assert client.get(reverse("staff:batch_progress", args=[setup.course.slug, batch.pk])).status_code == 404
    client.force_login(elsewhere.teacher)
    assert client.get(reverse("staff:batch_progress", args=[elsewhere.course.slug, batch.pk])).json()["total"] == 0


def test_preview_is_sent_once_to_the_bulk_queue_and_the_page_polls(client, setup, sent):
    version_jobs.forget(previews.KIND, setup.v2.digest)
    client.force_login(setup.teacher)
    page = client.get(url("preview", setup)).content.decode()
    client.get(url("preview", setup))
    assert sent == [("preview_version", (setup.v2.pk,), "bulk")]
    assert 'data-state-url="' + url("preview_state", setup) in page
    assert client.get(url("preview_state", setup)).json() == {"state": "queued", "finished": False}


def test_a_failed_preview_shows_its_traceback_and_can_be_sent_again(client, setup, sent):
    version_jobs.write(previews.KIND, setup.v2.digest, version_jobs.FAILED,
                       error='Traceback (most recent call last):\nBundleProblem: cases.py:wide did not build')
    client.force_login(setup.teacher)
    page = client.get(url("preview", setup)).content.decode()
    assert "cases.py:wide did not build" in page and sent == []
    assert client.post(url("preview", setup)).status_code == 302
    assert sent == [("preview_version", (setup.v2.pk,), "bulk")]


def test_a_lost_preview_is_sent_again_once_stale(client, setup, sent):
    version_jobs.write(previews.KIND, setup.v2.digest, version_jobs.RUNNING)
    client.force_login(setup.teacher)
    client.get(url("preview", setup))
    assert sent == []
    path = version_jobs.path_for(previews.KIND, setup.v2.digest)
    saved = json.loads(path.read_text())
    path.write_text(json.dumps({**saved, "at": time.time() - version_jobs.STALE_S - 1}))  # its worker died
    client.get(url("preview", setup))
    assert len(sent) == 1


def test_validate_sends_the_contract_to_the_bulk_queue_and_lists_every_row(client, setup, sent):
    version_jobs.forget("validate", setup.v2.digest)
    client.force_login(setup.teacher)
    assert client.post(url("validate", setup)).status_code == 302
    assert sent == [("validate_version", (setup.v2.pk,), "bulk")]
    passed_validation(setup.v2, ok=False)
    page = client.get(url("validate", setup)).content.decode()
    assert "1 check failed" in page and "relu_minimum" in page and "not caught" in page and "reference" in page


def test_publish_refuses_with_the_failing_checks_listed(client, setup, sent):
    passed_validation(setup.v2, ok=False)
    client.force_login(setup.teacher)
    response = client.post(url("publish", setup), {"action": "publish"})
    assert response.status_code == 400
    assert "Contract check failed: relu_minimum on relu (2/2): not caught" in response.content.decode()
    setup.v2.refresh_from_db()
    assert setup.v2.state == AssignmentVersion.State.DRAFT
    assert Assignment.objects.get(pk=setup.v1.assignment_id).current_version_id == setup.v1.pk


def test_publish_refuses_a_version_never_validated(client, setup, sent):
    version_jobs.forget("validate", setup.v2.digest)
    client.force_login(setup.teacher)
    response = client.post(url("publish", setup), {"action": "publish"})
    assert response.status_code == 400 and "validate it first" in response.content.decode()


def test_publish_asks_for_a_dry_run_when_students_have_uploads(client, setup, sent):
    passed_validation(setup.v2)
    upload = graded_upload(setup, 3.0)
    client.force_login(setup.teacher)
    response = client.post(url("publish", setup), {"action": "publish"})
    assert response.status_code == 400 and "run the dry run first" in response.content.decode()

    assert client.post(url("publish", setup), {"action": "dry_run"}).status_code == 302
    batch = RegradeBatch.objects.get(kind=RegradeBatch.Kind.DRY_RUN)
    assert batch.version == setup.v2 and batch.finished_at is None
    assert [(i.source_id, i.old_score) for i in batch.items.all()] == [(upload.pk, 0.0)]  # no function cards stored
    assert sent == [("dry_run_regrade", (batch.items.get().pk,), "bulk")]
    page = client.get(url("publish", setup)).content.decode()
    assert "Dry run under way" in page and reverse("staff:batch_progress", args=[setup.course.slug, batch.pk]) in page
    assert client.post(url("publish", setup), {"action": "dry_run"}).status_code == 400  # one at a time

    batch.items.update(status="done", new_score=4.0)
    RegradeBatch.objects.filter(pk=batch.pk).update(finished_at="2026-01-01T00:00Z")
    assert "1 of 1 submission would change score" in client.get(url("publish", setup)).content.decode()
    response = client.post(url("publish", setup), {"action": "publish", "regrade_all": "on"})
    regrade = RegradeBatch.objects.get(kind=RegradeBatch.Kind.REGRADE)
    assert response["Location"] == reverse("staff:batch", args=[setup.course.slug, regrade.pk])
    setup.v2.refresh_from_db()
    assert setup.v2.is_published and setup.v2.validation_report[0][0] == "reference"
    assert Assignment.objects.get(pk=setup.v1.assignment_id).current_version_id == setup.v2.pk
    row = regrade.items.get().regrade
    assert (row.regrade_of_id, row.version_id, row.status) == (upload.pk, setup.v2.pk, "queued")
    assert sent[-1] == ("grade_submission", (row.pk,), "bulk")


def test_publish_without_uploads_needs_no_dry_run(client, setup, sent):
    passed_validation(setup.v2)
    client.force_login(setup.teacher)
    response = client.post(url("publish", setup), {"action": "publish"})
    assert response.status_code == 302
    setup.v2.refresh_from_db()
    assert setup.v2.is_published and not RegradeBatch.objects.exists()
    assert client.post(url("publish", setup), {"action": "publish"}).status_code == 400  # already published


def test_regrade_form_needs_a_published_version_and_a_confirmation(client, setup, sent):
    graded_upload(setup, 3.0)
    target = reverse("staff:regrade", args=[setup.course.slug, setup.v1.assignment.slug])
    client.force_login(setup.teacher)
    page = client.get(target).content.decode()
    assert f'value="{setup.v1.pk}"' in page and f'value="{setup.v2.pk}"' not in page  # drafts are not offered
    response = client.post(target, {"version": setup.v1.pk})
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    response = client.post(target, {"version": setup.v2.pk, "confirm": "on"})
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    assert not RegradeBatch.objects.exists()
    response = client.post(target, {"version": setup.v1.pk, "confirm": "on"})
    batch = RegradeBatch.objects.get()
    assert response["Location"] == reverse("staff:batch", args=[setup.course.slug, batch.pk])
    assert client.post(target, {"version": setup.v1.pk, "confirm": "on"}).status_code == 400  # one at a time
    progress = client.get(reverse("staff:batch_progress", args=[setup.course.slug, batch.pk])).json()
    assert (progress["total"], progress["done"], progress["pending"], progress["finished"]) == (1, 0, 1, False)
    assert "0</span> / <span data-key=\"total\">1" in client.get(response["Location"]).content.decode()


@pytest.mark.slow
@pytest.mark.sandbox
@pytest.mark.django_db(transaction=True)
def test_the_preview_page_polls_until_a_worker_has_computed_it(client, tmp_path, celery_worker_process):
    setup = publishing_setup.make(tmp_path, slug="preview-page")
    version_jobs.forget(previews.KIND, setup.v2.digest)
    client.force_login(setup.teacher)
    assert "A worker is running the case builders" in client.get(url("preview", setup)).content.decode()
    deadline = time.monotonic() + 120
    while not client.get(url("preview_state", setup)).json()["finished"]:
        assert time.monotonic() < deadline, "the preview was not computed"
        time.sleep(0.2)
    page = client.get(url("preview", setup)).content.decode()
    assert "float64 (3, 7)" in page  # the hidden case of relu: cases.py:wide, built in the sandbox
    assert "relu_minimum" in page and "relu keeps the positive part" in page
