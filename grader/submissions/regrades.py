"""Regrade batches: every counted upload of an assignment graded on one version, for real or as a dry run.

A dry run grades the function phase of each upload on the version (in a
worker, bulk queue) and stores nothing but each item's old and new score, so
staff see how many scores a new version would change before publishing it.
A real regrade makes one new Submission row per upload through
`services.regrade` (bulk queue; the old result is kept, and superseded only
once the new one is graded); the grading task reports each row's end here
(`record_item`). A batch is finished when none of its items is pending.
"""
from __future__ import annotations

import contextlib
import logging
import time
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from grader.courses.models import Assignment
from grader.submissions import services
from grader.submissions.models import FunctionResult, RegradeBatch, RegradeItem, Submission

log = logging.getLogger(__name__)
SCORE_DIGITS = 6  # as grader.grading.feedback.Report rounds its score


def counted_results(assignment: Assignment) -> list[Submission]:
    """The current graded result of every upload (one per upload, oldest first): what a batch grades again.

    Uploads whose grading failed on our side, or is still under way, have no result to compare and are left
    out; the row kept per upload is its latest non-superseded graded one.
    """
    rows = (Submission.objects.filter(assignment=assignment, status=Submission.Status.GRADED, superseded=False)
            .select_related("regrade_of").order_by("id"))
    latest: dict[int, Submission] = {}
    for row in rows:
        latest[row.regrade_of_id or row.pk] = row
    return sorted(latest.values(), key=lambda row: row.regrade_of_id or row.pk)


def function_score(submission: Submission) -> float:
    """The score of a result's graded functions only (its model checks left out): what a dry run compares."""
    total = submission.function_results.filter(kind=FunctionResult.Kind.FUNCTION).aggregate(s=Sum("score"))["s"]
    return round(float(total or 0.0), SCORE_DIGITS)


def unfinished(assignment: Assignment, kind: str | None = None):
    batches = RegradeBatch.objects.filter(assignment=assignment, finished_at__isnull=True)
    return batches.filter(kind=kind) if kind else batches


@transaction.atomic
def start(version, kind: str, user=None) -> RegradeBatch:
    """Makes the batch and one item per counted upload; the tasks are sent after the commit (bulk queue).

    A real regrade needs a published version (students are graded on published versions only): raises
    ValueError for another.
    """
    if kind == RegradeBatch.Kind.REGRADE and not version.is_published:
        raise ValueError(f"v{version.number} is not published: only a published version can grade students' work")
    batch = RegradeBatch.objects.create(assignment=version.assignment, version=version, kind=kind, created_by=user)
    sources = counted_results(version.assignment)
    if kind == RegradeBatch.Kind.REGRADE:
        for source in sources:
            row = services.regrade(source, version, batch)
            RegradeItem.objects.create(batch=batch, source=source, regrade=row, old_score=source.score)
    else:
        from grader.submissions.tasks import dry_run_regrade

        items = RegradeItem.objects.bulk_create(
            [RegradeItem(batch=batch, source=source, old_score=function_score(source)) for source in sources])
        for item in items:
            transaction.on_commit(lambda pk=item.pk: dry_run_regrade.apply_async((pk,), queue="bulk"))
    if not sources:
        batch.finished_at = timezone.now()
        batch.save(update_fields=["finished_at"])
    log.info("regrade batch started", extra={"batch": batch.pk, "kind": kind, "items": len(sources),
                                             "assignment": version.assignment.slug, "version": version.number})
    return batch


def dry_run_item(item: RegradeItem, grader) -> None:
    """Grades the item's upload (function phase) on the batch's version and stores the new score only."""
    from grader.authoring.services import bundle_of

    upload = item.source.upload
    with upload.file.open("rb") as handle:
        data = handle.read()
    graded = grader.grade_functions(bundle_of(item.batch.version), upload.original_name, data, upload.pk)
    end_item(item, RegradeItem.Status.DONE, new_score=round(graded.report.score, SCORE_DIGITS))


def end_item(item: RegradeItem, status: str, new_score: float | None = None, error: str = "") -> bool:
    """Ends a pending item (False when it had already ended: a redelivered task) and finishes its batch."""
    ended = RegradeItem.objects.filter(pk=item.pk, status=RegradeItem.Status.PENDING).update(
        status=status, new_score=new_score, error=error[:500])
    finish_if_done(item.batch_id)
    return bool(ended)


def record_item(submission: Submission) -> None:
    """The grading task's report on a batch's regrade row: its item takes the row's score, or its failure."""
    item = RegradeItem.objects.filter(regrade=submission).first()
    if item is None:
        return
    if submission.status == Submission.Status.GRADED:
        end_item(item, RegradeItem.Status.DONE, new_score=submission.score)
    elif submission.status in (Submission.Status.FAILED, Submission.Status.REJECTED):
        end_item(item, RegradeItem.Status.FAILED, error=submission.error_message)


def finish_if_done(batch_id: int) -> None:
    if not RegradeItem.objects.filter(batch_id=batch_id, status=RegradeItem.Status.PENDING).exists():
        RegradeBatch.objects.filter(pk=batch_id, finished_at__isnull=True).update(finished_at=timezone.now())


def progress(batch: RegradeBatch) -> dict:
    """What the batch page polls: done / total, failures, and how many scores changed (or would change)."""
    batch.refresh_from_db(fields=["finished_at"])
    counts = dict(batch.items.values_list("status").annotate(n=Count("id")))
    scores = batch.items.filter(status=RegradeItem.Status.DONE).values_list("old_score", "new_score")
    return {
        "id": batch.pk,
        "kind": batch.kind,
        "total": sum(counts.values()),
        "done": counts.get(RegradeItem.Status.DONE, 0),
        "failed": counts.get(RegradeItem.Status.FAILED, 0),
        "pending": counts.get(RegradeItem.Status.PENDING, 0),
        "changed": sum(1 for old, new in scores if old != new),
        "finished": batch.finished_at is not None,
        "finished_at": batch.finished_at.isoformat() if batch.finished_at else None,
    }


def step_aside(max_wait_s: float | None = None, poll_s: float = 0.05) -> float:
    """Bulk work waits while any student's upload is queued or running; returns the seconds it waited.

    Regrades, dry runs and fresh uploads share the machine's cores, and a fresh upload's first feedback
    is what a student waits for: before each bulk item the worker waits, up to `max_wait_s` (setting
    GRADER_BULK_STEP_ASIDE_S, default 20 s, 0: never), until no upload (a row that is not a regrade) made
    in the last 10 minutes is queued or running without its first feedback yet (its model checks, which
    follow the function cards, do not hold bulk work back). The check is one indexed query per poll. While
    it waits, this process's warm pools start and remove no container (WarmPool.hold), so their refills do
    not take the cores from the upload either.
    """
    from django.conf import settings

    limit = getattr(settings, "GRADER_BULK_STEP_ASIDE_S", 20.0) if max_wait_s is None else max_wait_s
    started = time.monotonic()
    recent = timezone.now() - timedelta(minutes=10)  # a row stuck longer is the sweeper's, not a reason to wait
    busy = Submission.objects.filter(regrade_of__isnull=True, first_feedback_at__isnull=True,
                                     created_at__gte=recent,
                                     status__in=(Submission.Status.QUEUED, Submission.Status.RUNNING))
    if limit <= 0 or not busy.exists():
        return time.monotonic() - started
    with contextlib.ExitStack() as held:
        for pool in _warm_pools():
            held.enter_context(pool.hold())
        while time.monotonic() - started < limit and busy.exists():
            time.sleep(poll_s)
    return time.monotonic() - started


def _warm_pools() -> list:
    """The warm pools this process's grader has started (none before it graded, none on bubblewrap)."""
    from grader.grading.setup import get_grader

    if not get_grader.cache_info().currsize:
        return []
    pools = (getattr(backend, "_pool", None) for backend in get_grader().backends.started())
    return [pool for pool in pools if pool is not None and hasattr(pool, "hold")]
