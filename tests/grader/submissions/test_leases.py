"""Leases, the sweeper and the two grading phases, with a stand-in grader (no sandbox runs)."""
from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from grader.grading.feedback import FunctionReport, Report
from grader.grading.pipeline import SandboxFailure
from grader.submissions import leases, services, sweeper, tasks
from grader.submissions.models import FunctionResult, Submission
from sandbox.backends.base import BackendUnavailable
from tests.grader.submissions import grading_rows as rows
from tests.grader.stand_in import StandInGrader

pytestmark = pytest.mark.django_db


def test_celery_acknowledges_late_and_requeues_when_a_worker_is_lost():
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    assert tasks.grade_submission.acks_late and tasks.train_models.acks_late


def test_a_held_lease_keeps_other_workers_out_until_it_expires(queued):
    assert leases.claim(queued.pk, "worker-a")
    assert not leases.claim(queued.pk, "worker-b")
    queued.refresh_from_db()
    assert queued.status == Submission.Status.RUNNING and queued.lease_owner == "worker-a"
    later = timezone.now() + timedelta(seconds=settings.GRADER_LEASE_S + 1)
    assert leases.claim(queued.pk, "worker-b", now=later)  # worker-a died: its lease ran out
    assert not leases.renew(queued.pk, "worker-a")
    queued.refresh_from_db()
    assert queued.lease_owner == "worker-b"


def test_only_the_lease_holder_writes_results(queued):
    assert leases.claim(queued.pk, "worker-a")
    Submission.objects.filter(pk=queued.pk).update(lease_owner="worker-b")  # taken over
    report = Report("adam", [FunctionReport("update_parameters_with_adam", "passed", 10.0, 10.0)])
    with pytest.raises(leases.LeaseLost):
        services.record_report(queued, report, owner="worker-a")
    with pytest.raises(leases.LeaseLost):
        services.finish_failed(queued, "no", owner="worker-a")
    queued.refresh_from_db()
    assert queued.status == Submission.Status.RUNNING and not queued.function_results.exists()
    services.record_report(queued, report, owner="worker-b")
    queued.refresh_from_db()
    assert queued.status == Submission.Status.GRADED and queued.lease_owner == "" and queued.score == 10.0


def test_a_finished_row_is_never_claimed(queued):
    rows.graded(queued, 10.0)
    assert not leases.claim(queued.pk, "worker-a")


def test_a_task_for_a_row_another_worker_holds_does_nothing(queued, grading):
    assert leases.claim(queued.pk, "live-worker")
    tasks.grade_submission.apply(args=(queued.pk,))
    assert grading.grader.calls == []
    queued.refresh_from_db()
    assert queued.lease_owner == "live-worker" and queued.status == Submission.Status.RUNNING


def test_a_redelivered_task_after_grading_writes_nothing_more(queued, grading):
    grading.model_checks = []
    tasks.grade_submission.apply(args=(queued.pk,))
    tasks.grade_submission.apply(args=(queued.pk,))
    assert grading.grader.calls == ["functions"]
    assert FunctionResult.objects.filter(submission=queued).count() == 1


def test_the_sweeper_sends_again_what_a_lost_message_or_a_dead_worker_left(queued, grading):
    now = timezone.now()
    assert sweeper.sweep(now) == []  # sent a moment ago: its message may still be waiting
    late = now + timedelta(seconds=settings.GRADER_SWEEP_AFTER_S + 1)
    assert sweeper.sweep(late) == [queued.pk]
    assert grading.sent == [("grade_submission", queued.pk, "interactive")]
    assert sweeper.sweep(late) == []  # sent again once, not at every sweep

    assert leases.claim(queued.pk, "dying-worker", now=late)
    assert sweeper.sweep(late + timedelta(seconds=1)) == []  # the lease is live
    expired = late + timedelta(seconds=settings.GRADER_LEASE_S + 1)
    assert sweeper.sweep(expired) == [queued.pk]
    assert grading.sent[-1] == ("grade_submission", queued.pk, "interactive")
    assert sweeper.sweep(expired + timedelta(seconds=1)) == []


def test_the_sweeper_sends_the_model_phase_when_the_cards_are_stored(queued, grading):
    tasks.grade_submission.apply(args=(queued.pk,))
    assert grading.sent == [("train_models", queued.pk, "training")]  # the model-phase message then lost
    late = timezone.now() + timedelta(seconds=settings.GRADER_SWEEP_AFTER_S + 1)
    assert sweeper.sweep(late) == [queued.pk]
    assert grading.sent[-1] == ("train_models", queued.pk, "training")


def test_two_sweepers_at_once_send_a_row_once(queued, grading):
    late = timezone.now() + timedelta(seconds=settings.GRADER_SWEEP_AFTER_S + 1)
    seen = list(sweeper.stuck(late))  # what both sweepers read
    assert seen == [queued]
    assert sweeper.sweep(late) == [queued.pk]
    row = seen[0]
    assert not Submission.objects.filter(pk=row.pk, enqueued_at=row.enqueued_at).update(enqueued_at=late)


def test_the_function_phase_never_trains_and_sends_the_models_to_the_training_queue(queued, grading):
    tasks.grade_submission.apply(args=(queued.pk,))
    assert grading.grader.calls == ["functions"]
    assert grading.sent == [("train_models", queued.pk, "training")]
    queued.refresh_from_db()
    assert queued.status == Submission.Status.RUNNING and queued.first_feedback_at is not None
    assert queued.lease_owner == ""  # released for the training worker
    assert [r.name for r in queued.function_results.all()] == ["update_parameters_with_adam"]

    tasks.train_models.apply(args=(queued.pk,))
    assert grading.grader.calls == ["functions", "models"]
    queued.refresh_from_db()
    assert queued.status == Submission.Status.GRADED and queued.score == 10.0
    assert sorted((r.kind, r.name) for r in queued.function_results.all()) == [
        ("function", "update_parameters_with_adam"), ("model", "adam_model")]


def test_regrades_take_the_bulk_queue_in_both_phases(queued):
    rows.graded(queued, 10.0)
    again = services.regrade(queued)
    assert services.queue_for(again, services.FUNCTIONS) == services.queue_for(again, services.MODELS) == "bulk"
    assert services.queue_for(queued, services.MODELS) == "training"


def test_the_model_phase_without_stored_cards_starts_over(queued, grading):
    tasks.train_models.apply(args=(queued.pk,))
    assert grading.grader.calls == []
    assert grading.sent == [("grade_submission", queued.pk, "interactive")]


@pytest.mark.parametrize("fault", [SandboxFailure("sandbox failed: could not start a container"),
                                   BackendUnavailable("no Docker daemon answers: connection refused")])
def test_a_platform_fault_is_retried_then_ends_failed_uncounted_and_logged(queued, grading, fault, caplog):
    grading.grader = StandInGrader(fault=fault, faults=99)
    Submission.objects.filter(pk=queued.pk).update(score=3.0)  # whatever was there must not stay
    queued.assignment.max_submissions = 1
    queued.assignment.save()
    with caplog.at_level(logging.WARNING):
        tasks.grade_submission.apply(args=(queued.pk,))
    assert grading.grader.calls == ["functions"] * (tasks.MAX_RETRIES + 1)
    queued.refresh_from_db()
    assert queued.status == Submission.Status.FAILED and queued.score is None
    assert str(fault) in queued.failure_detail and "problem on our side" in queued.error_message
    assert not queued.function_results.exists() and queued.lease_owner == ""
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert [(r.getMessage(), r.submission) for r in errors] == [("grading failed", queued.pk)]
    assert services.refusal(queued.assignment, queued.user) is None  # the failed upload does not count


def test_a_platform_fault_that_passes_is_graded_after_a_retry(queued, grading):
    grading.grader = StandInGrader(fault=BackendUnavailable("daemon restarting"), faults=1)
    grading.model_checks = []
    tasks.grade_submission.apply(args=(queued.pk,))
    queued.refresh_from_db()
    assert queued.status == Submission.Status.GRADED and queued.score == 6.0
    assert grading.grader.calls == ["functions", "functions"]


def test_a_bug_of_ours_is_not_retried_but_ends_failed(queued, grading):
    grading.grader = StandInGrader(fault=KeyError("oops"), faults=99)
    tasks.grade_submission.apply(args=(queued.pk,))
    queued.refresh_from_db()
    assert queued.status == Submission.Status.FAILED and grading.grader.calls == ["functions"]
