"""Celery tasks of the staff's version pages: preview and validate, on the bulk queue. Safe to run twice."""
from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from grader.authoring import preview, version_jobs
from grader.authoring.models import AssignmentVersion
from grader.authoring.services import bundle_of

log = logging.getLogger(__name__)
VALIDATE = "validate"


@shared_task(acks_late=True)
def preview_version(version_id: int) -> None:
    """Computes and stores the preview of a version (inputs, expected outputs, mistakes' outputs)."""
    from grader.grading.setup import get_grader

    version = AssignmentVersion.objects.filter(pk=version_id).first()
    if version is None:
        return
    record = version_jobs.read(preview.KIND, version.digest)
    if record is not None and record.state == version_jobs.DONE:
        return  # redelivered: already computed
    version_jobs.write(preview.KIND, version.digest, version_jobs.RUNNING)
    try:
        document = preview.compute(bundle_of(version), get_grader())
    except Exception:  # a broken bundle (or our bug): staff see the traceback, the worker goes on
        log.exception("preview failed", extra={"assignment": version.slug, "version": version.number})
        version_jobs.write(preview.KIND, version.digest, version_jobs.FAILED, error=version_jobs.trimmed_traceback())
        return
    version_jobs.write(preview.KIND, version.digest, version_jobs.DONE, result=document)
    log.info("preview computed", extra={"assignment": version.slug, "version": version.number})


@shared_task(acks_late=True)
def validate_version(version_id: int) -> None:
    """Runs the bundle contract (cached per digest, image and code); a draft that passes becomes `validated`.

    The rows are stored with the version while it is not published (a published version never changes) and
    in the version's record either way.
    """
    from grader.grading.contract_cache import cached_contract
    from grader.grading.setup import get_grader

    version = AssignmentVersion.objects.filter(pk=version_id).first()
    if version is None:
        return
    version_jobs.write(VALIDATE, version.digest, version_jobs.RUNNING)
    try:
        result, cached = cached_contract(bundle_of(version), get_grader())
    except Exception:
        log.exception("validation failed to run", extra={"assignment": version.slug, "version": version.number})
        version_jobs.write(VALIDATE, version.digest, version_jobs.FAILED, error=version_jobs.trimmed_traceback())
        return
    rows = [list(row) for row in result.rows]
    if version.state == AssignmentVersion.State.DRAFT and result.ok:
        version.advance(AssignmentVersion.State.VALIDATED, validated_at=timezone.now(), validation_report=rows)
    elif not version.is_published:  # a validated version that fails now (new grading code) keeps its state
        AssignmentVersion.objects.filter(pk=version.pk).exclude(state=AssignmentVersion.State.PUBLISHED).update(
            validation_report=rows)
    version_jobs.write(VALIDATE, version.digest, version_jobs.DONE,
                       result={"ok": result.ok, "failures": result.failures, "rows": rows, "cached": cached})
    log.info("version validated", extra={"assignment": version.slug, "version": version.number, "ok": result.ok})
