"""Submitting through the API: the LMS user's identity, the one submit service, and replay by Idempotency-Key."""
from __future__ import annotations

import hashlib
import json

from django.db import IntegrityError, transaction

from grader.api import identity
from grader.api.models import IdempotentRequest
from grader.api.problems import Problem
from grader.submissions import services
from grader.submissions.models import Submission

MAX_IDEMPOTENCY_KEY = 255


def fingerprint(assignment_id: int, external_id: str, name: str, data: bytes) -> str:
    """Of the parsed request, not its bytes: a multipart and a JSON send of the same file are the same request."""
    fields = {"assignment": assignment_id, "external_user_id": external_id, "filename": name,
              "content_sha256": hashlib.sha256(data).hexdigest()}
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()


def _replay(owner: str, key: str, print_: str) -> Submission | None:
    prior = IdempotentRequest.objects.select_related("submission").filter(owner=owner, key=key).first()
    if prior is None:
        return None
    if prior.fingerprint != print_:
        raise Problem("idempotency-key-reused", f"The Idempotency-Key {key!r} was used for a different request "
                      f"(submission {prior.submission_id}); use a new key for a new submission.")
    return prior.submission


def submit(assignment, external_id: str, upload, owner: str, idempotency_key: str | None) -> tuple[Submission, bool]:
    """Returns (submission, created). Nothing is stored unless the submission is: user, enrollment, replay record.

    Raises Problem: submission-refused (409) when the assignment takes nothing from this user now,
    idempotency-key-reused (422) when the key was used for another request.
    """
    data = upload.read()
    upload.seek(0)
    print_ = fingerprint(assignment.pk, external_id, upload.name, data)
    if idempotency_key is not None:
        if not idempotency_key.strip() or len(idempotency_key) > MAX_IDEMPOTENCY_KEY:
            raise Problem("bad-request", f"The Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY} characters.")
        replayed = _replay(owner, idempotency_key, print_)
        if replayed is not None:
            return replayed, False
    try:
        with transaction.atomic():
            user = identity.user_for(assignment.course, external_id)
            try:
                submission = services.submit(user, assignment, upload)
            except ValueError as refusal:
                raise Problem("submission-refused", str(refusal)) from None
            if idempotency_key is not None:
                IdempotentRequest.objects.create(owner=owner, key=idempotency_key, fingerprint=print_,
                                                 submission=submission)
    except IntegrityError:
        # The same key arrived twice at once; the other request stored it first.
        replayed = _replay(owner, idempotency_key, print_) if idempotency_key is not None else None
        if replayed is None:
            raise
        return replayed, False
    return submission, True
