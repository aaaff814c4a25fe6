"""What a backend reports about one sandbox run, before anything in the archive is looked at."""
from __future__ import annotations

from dataclasses import dataclass

OK = "ok"
TIMEOUT = "timeout"
MEMORY = "memory"
# Our infrastructure failed: retry it, and never present it as the student's fault.
SANDBOX_ERROR = "sandbox_error"
STATUSES = (OK, TIMEOUT, MEMORY, SANDBOX_ERROR)


@dataclass
class RunOutcome:
    """`archive` is set only for status ok; `oom_killed` says the memory limit struck some process."""

    status: str
    wall_s: float
    archive: bytes | None = None
    stderr: str = ""
    oom_killed: bool = False

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"unknown sandbox status {self.status!r}")
