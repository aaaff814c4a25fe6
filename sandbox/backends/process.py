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
from sandbox.channel import PUBLIC_DIR, pack_job
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
                job_stream = pack_job(job_dir)
                process = subprocess.Popen(
                    [self.python, "-I", str(SANDBOX_SOURCE_DIR / "runner.py"), str(Path(job_dir, PUBLIC_DIR).resolve())],
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                    cwd=tmp, env=env, start_new_session=True,
                )
            except OSError as exc:
                return RunOutcome(SANDBOX_ERROR, time.monotonic() - started, stderr=f"could not start runner: {exc}")
            try:
                archive, stderr, stopped = self.collect(process, started, job_stream)
            finally:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
                process.wait()
                for stream in (process.stdin, process.stdout, process.stderr):
                    try:
                        stream.close()
                    except OSError:
                        pass
            return self.outcome(process, started, archive, stderr, stopped)
