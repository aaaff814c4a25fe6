"""The bare runner as a plain process, NO isolation: only for the benchmarks' floor measurement."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sandbox.backends.base import SANDBOX_SOURCE_DIR, Backend
from sandbox.outcome import SANDBOX_ERROR, RunOutcome


class ProcessBackend(Backend):
    """Measures what grading costs without a sandbox; never use it for submissions."""

    name = "process"
    python = sys.executable

    def run(self, job_dir: Path) -> RunOutcome:
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="gradebox-process-") as tmp:
            env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tmp, "TMPDIR": tmp, "LANG": "C.UTF-8"}
            try:
                process = subprocess.Popen(
                    [self.python, "-I", str(SANDBOX_SOURCE_DIR / "runner.py"), str(Path(job_dir).resolve())],
                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                    cwd=tmp, env=env, start_new_session=True,
                )
            except OSError as exc:
                return RunOutcome(SANDBOX_ERROR, time.monotonic() - started, stderr=f"could not start runner: {exc}")
            try:
                archive, stderr, stopped = self.collect(process, started)
            finally:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
                process.wait()
                process.stdout.close()
                process.stderr.close()
            return self.outcome(process, started, archive, stderr, stopped)
