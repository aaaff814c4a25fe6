"""Regrade batches: which results a batch grades again, how items end, and (with real workers) that a dry run
predicts exactly the scores a real regrade changes."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from grader.authoring import version_jobs
from grader.authoring.models import AssignmentVersion
from grader.submissions import regrades, services
from grader.submissions.models import FunctionResult, Grade, RegradeBatch, RegradeItem, Submission
from tests.grader.authoring.bundles import CORRECT
from tests.grader.staff import publishing_setup


@pytest.fixture
def setup(tmp_path):
    return publishing_setup.make(tmp_path)


def row(setup, score, upload=None, **fields) -> Submission:
    values = {"user": setup.student, "assignment": setup.v1.assignment, "version": setup.v1, "file": "x.py",
              "original_name": "x.py", "size_bytes": 1, "status": Submission.Status.GRADED, "score": score,
              "max_score": 3.0, "regrade_of": upload, **fields}
    return Submission.objects.create(**values)


@pytest.mark.django_db
def test_a_batch_grades_the_current_result_of_every_upload_once(setup):
    first = row(setup, 1.0)
    row(setup, 1.0, upload=first, superseded=True)
    current = row(setup, 2.0, upload=first)
    second = row(setup, 3.0)
    row(setup, None, status=Submission.Status.FAILED)
    row(setup, None, status=Submission.Status.QUEUED)
    assert regrades.counted_results(setup.v1.assignment) == [current, second]


@pytest.mark.django_db
def test_a_dry_run_compares_the_function_phase_only(setup):
    upload = row(setup, 5.0)
    for name, kind, score in (("relu", "function", 1.0), ("leaky_relu", "function", 2.0), ("adam", "model", 2.0)):
        FunctionResult.objects.create(submission=upload, kind=kind, name=name, status="passed", score=score,
                                      max_score=score)
    assert regrades.function_score(upload) == 3.0


@pytest.mark.django_db
def test_items_end_once_and_the_batch_finishes_with_its_last_item(setup, django_capture_on_commit_callbacks,
                                                                    monkeypatch):
    from grader.submissions import tasks

    monkeypatch.setattr(tasks.grade_submission, "apply_async", lambda args, queue: None)
    uploads = [row(setup, 3.0), row(setup, 2.0)]
    with django_capture_on_commit_callbacks(execute=True):
        batch = regrades.start(setup.v1, RegradeBatch.Kind.REGRADE)
    items = list(batch.items.order_by("id"))
    assert [(i.source_id, i.old_score, i.status) for i in items] == [(uploads[0].pk, 3.0, "pending"),
                                                                     (uploads[1].pk, 2.0, "pending")]
    new_rows = [i.regrade for i in items]
    assert all(r.regrade_of_id == u.pk and r.batch_id == batch.pk for r, u in zip(new_rows, uploads))

    new_rows[0].advance(Submission.Status.GRADED, score=4.0)
    regrades.record_item(new_rows[0])
    regrades.record_item(new_rows[0])  # a redelivered task changes nothing
    assert regrades.progress(batch) | {"finished_at": None} == {
        "id": batch.pk, "kind": "regrade", "total": 2, "done": 1, "failed": 0, "pending": 1, "changed": 1,
        "finished": False, "finished_at": None}
    new_rows[1].advance(Submission.Status.FAILED, error_message="sandbox down")
    regrades.record_item(new_rows[1])
    progress = regrades.progress(batch)
    assert (progress["done"], progress["failed"], progress["pending"], progress["finished"]) == (1, 1, 0, True)
    assert RegradeItem.objects.get(regrade=new_rows[1]).error == "sandbox down"


@pytest.mark.django_db
def test_a_batch_with_nothing_to_grade_is_finished_at_once(setup):
    assert regrades.start(setup.v1, RegradeBatch.Kind.REGRADE).finished_at is not None


@pytest.mark.django_db
def test_a_real_regrade_needs_a_published_version(setup):
    with pytest.raises(ValueError, match="not published"):
        regrades.start(setup.v2, RegradeBatch.Kind.REGRADE)


def wait(predicate, timeout_s: float, what: str):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"{what}: not within {timeout_s} s")


def poll_batch(client, course, batch_id: int, timeout_s: float = 180) -> dict:
    """Polls the JSON the batch page polls until the batch finishes."""
    url = reverse("staff:batch_progress", args=[course.slug, batch_id])
    return wait(lambda: (lambda p: p if p["finished"] else None)(client.get(url).json()), timeout_s, "batch")


@pytest.mark.slow
@pytest.mark.sandbox
@pytest.mark.django_db(transaction=True)
def test_the_dry_run_predicts_exactly_the_scores_the_real_regrade_changes(client, tmp_path, celery_worker_process):
    setup = publishing_setup.make(tmp_path, slug="regrade-course")
    uploads = [services.submit(setup.student, setup.v1.assignment, SimpleUploadedFile(name, data))
               for name, data in (("correct.py", CORRECT), ("relu_wrong.py", publishing_setup.RELU_WRONG))]
    wait(lambda: all(Submission.objects.get(pk=u.pk).is_finished for u in uploads), 120, "uploads graded")
    assert [Submission.objects.get(pk=u.pk).score for u in uploads] == [3.0, 2.0]

    client.force_login(setup.teacher)
    version_args = [setup.course.slug, setup.v2.assignment.slug, setup.v2.number]
    version_jobs.forget("validate", setup.v2.digest)
    client.post(reverse("staff:validate", args=version_args))
    state_url = reverse("staff:validate_state", args=version_args)
    wait(lambda: client.get(state_url).json()["finished"], 600, "validation")
    setup.v2.refresh_from_db()
    assert setup.v2.state == AssignmentVersion.State.VALIDATED

    client.post(reverse("staff:publish", args=version_args), {"action": "dry_run"})
    dry_run = RegradeBatch.objects.get(kind=RegradeBatch.Kind.DRY_RUN)
    predicted = poll_batch(client, setup.course, dry_run.pk)
    assert setup.v2.assignment.submissions.count() == 2  # a dry run stores no submission
    page = client.get(reverse("staff:publish", args=version_args)).content.decode()
    assert f"{predicted['changed']} of 2 submissions would change score" in page

    response = client.post(reverse("staff:publish", args=version_args), {"action": "publish", "regrade_all": "on"})
    real = RegradeBatch.objects.get(kind=RegradeBatch.Kind.REGRADE)
    assert response["Location"] == reverse("staff:batch", args=[setup.course.slug, real.pk])
    done = poll_batch(client, setup.course, real.pk)

    assert (predicted["total"], predicted["failed"], done["total"], done["failed"]) == (2, 0, 2, 0)
    assert predicted["changed"] == done["changed"] == 1
    changed = {i.source_id for i in dry_run.items.all() if i.changed}
    assert changed == {i.source_id for i in real.items.all() if i.changed} == {uploads[0].pk}
    for upload, new_score in zip(uploads, (4.0, 2.0)):
        upload.refresh_from_db()
        assert upload.superseded and upload.score == [3.0, 2.0][uploads.index(upload)]  # kept, with its old score
        regraded = Submission.objects.get(regrade_of=upload)
        assert (regraded.score, regraded.version_id, regraded.superseded) == (new_score, setup.v2.pk, False)
        assert client.get(reverse("submissions:detail", args=[upload.pk])).status_code == 200  # old one viewable
    grade = Grade.objects.get(user=setup.student, assignment=setup.v1.assignment)
    assert (grade.score, grade.submissions_count) == (4.0, 2)
    real.refresh_from_db()
    assert real.finished_at is not None


@pytest.mark.django_db
def test_bulk_work_steps_aside_while_an_upload_waits_and_goes_on_once_it_is_graded(monkeypatch):
    """A regrade item waits while a student's upload is queued or running, and only for as long as it is."""
    from tests.grader.submissions import grading_rows as rows

    course = rows.course()
    ada = rows.person("ada", course)
    adam = rows.assignment(course)
    waiting = rows.upload(ada, adam)  # queued: a student's fresh upload
    assert regrades.step_aside(max_wait_s=0.2, poll_s=0.01) >= 0.2  # waited the whole limit

    sleeps = []
    real_sleep = time.sleep

    def sleep(seconds):  # the upload is graded while the regrade waits
        sleeps.append(seconds)
        if len(sleeps) == 3:
            rows.graded(waiting, 1)
        real_sleep(seconds)

    monkeypatch.setattr(regrades.time, "sleep", sleep)
    regrades.step_aside(max_wait_s=5, poll_s=0.01)
    assert len(sleeps) == 3  # went on at the first look after the upload was graded
    sleeps.clear()
    rows.graded(services.regrade(waiting), 1)  # a regrade, queued or graded, is not an upload
    assert regrades.step_aside(max_wait_s=5) < 0.5 and sleeps == []

    running = rows.upload(ada, adam)
    Submission.objects.filter(pk=running.pk).update(status=Submission.Status.RUNNING,
                                                    first_feedback_at=timezone.now())
    assert regrades.step_aside(max_wait_s=5) < 0.5 and sleeps == []  # its cards are out: model checks do not hold
    Submission.objects.filter(pk=running.pk).update(first_feedback_at=None,
                                                    created_at=timezone.now() - timedelta(minutes=11))
    assert regrades.step_aside(max_wait_s=5) < 0.5 and sleeps == []  # stuck for long: the sweeper's, not ours
