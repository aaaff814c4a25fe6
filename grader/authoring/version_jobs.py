"""Staff's long looks at a version (its preview, its validation) run on the bulk queue, never in the web process.

Their state and result are one small JSON file per (kind, version digest,
grading code) under the data dir, written atomically, so the web process and
any worker read the same thing and a version is computed once however many
pages ask: `queued` (sent), `running`, `done` (with `result`) or `failed`
(with `error`, the trimmed traceback staff see).
"""
from __future__ import annotations

import json
import os
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from grader.grading.contract_cache import code_digest

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STALE_S = 15 * 60  # a queued or running record older than this is taken as lost (worker died) and sent again
TRACEBACK_LINES = 40
TRACEBACK_CHARS = 8000


@dataclass(frozen=True)
class Record:
    kind: str
    state: str  # QUEUED | RUNNING | DONE | FAILED
    at: float  # when the state was written (time.time())
    result: dict = field(default_factory=dict)
    error: str = ""

    @property
    def finished(self) -> bool:
        return self.state in (DONE, FAILED)

    @property
    def stale(self) -> bool:
        return not self.finished and time.time() - self.at > STALE_S


def path_for(kind: str, digest: str) -> Path:
    """The record's file: the grading code's digest is in the name, so new grading code computes it afresh."""
    return Path(settings.DATA_DIR) / "version-jobs" / f"{kind}-{digest[:32]}-{code_digest()}.json"


def read(kind: str, digest: str) -> Record | None:
    try:
        saved = json.loads(path_for(kind, digest).read_text())
        return Record(kind, saved["state"], float(saved["at"]), saved.get("result") or {}, saved.get("error", ""))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write(kind: str, digest: str, state: str, result: dict | None = None, error: str = "") -> Record:
    path = path_for(kind, digest)
    path.parent.mkdir(parents=True, exist_ok=True)
    record = Record(kind, state, time.time(), result or {}, error)
    partial = path.with_suffix(f".{os.getpid()}.partial")
    partial.write_text(json.dumps({"state": state, "at": record.at, "result": record.result, "error": error}))
    os.replace(partial, path)
    return record


def forget(kind: str, digest: str) -> None:
    path_for(kind, digest).unlink(missing_ok=True)


def request(kind: str, digest: str, task, version_id: int, again: bool = False) -> Record:
    """The record, after sending `task(version_id)` to the bulk queue unless one is done or under way.

    `again` sends it even when a result is stored (staff's "compute again" after fixing the bundle's storage
    or the sandbox); a record that is queued or running and not stale is never sent twice.
    """
    record = read(kind, digest)
    if record is not None and not record.stale and (not record.finished or not again):
        return record
    record = write(kind, digest, QUEUED)
    transaction.on_commit(lambda: task.apply_async((version_id,), queue="bulk"))
    return record


def trimmed_traceback() -> str:
    """The current exception's traceback, its last lines only (staff see it on the page)."""
    lines = traceback.format_exc().rstrip().splitlines()
    text = "\n".join(lines[-TRACEBACK_LINES:])
    return text[-TRACEBACK_CHARS:]
