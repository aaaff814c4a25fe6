"""What every backend shares: its limits as attributes and the capped reading of the runner's pipes."""
from __future__ import annotations

import os
import selectors
import subprocess
import time
from pathlib import Path

from sandbox.outcome import OK, SANDBOX_ERROR, TIMEOUT, RunOutcome

SANDBOX_SOURCE_DIR = Path(__file__).resolve().parents[1]  # holds runner.py and wire.py
STDERR_EXCERPT_BYTES = 64 * 2**10


class BackendUnavailable(RuntimeError):
    """The backend cannot run on this machine; pick another, it is not the submission's fault."""


class Backend:
    """Limits are plain attributes: grader.grading copies them from settings, sandbox never reads settings."""

    name = "base"
    wall_s = 60.0  # the whole run; the runner enforces each function's own wall_s inside it
    cpu_s = 10.0
    memory_mb = 1024
    runner_memory_mb = 256  # the runner's own share of the sandbox's memory, on top of a case's memory_mb
    max_processes = 64
    output_bytes = 64 * 2**20
    tmpfs_mb = 256
    cpu_quota = 1.0  # CPUs' worth of time the whole run may use at once (a cgroup quota), whatever it forks

    def __init__(self, **limits):
        for key, value in limits.items():
            if key.startswith("_") or not hasattr(type(self), key) or callable(getattr(type(self), key)):
                raise TypeError(f"{type(self).__name__} has no limit {key!r}")
            setattr(self, key, value)

    def run(self, job_dir: Path) -> RunOutcome:
        raise NotImplementedError

    def collect(self, process: subprocess.Popen, started: float,
                job_stream: bytes = b"") -> tuple[bytes, str, str | None]:
        """Writes the job stream to stdin (when the process has a pipe there), reads stdout up to output_bytes and
        a stderr excerpt; says 'timeout' or 'overflow' when it had to stop."""
        archive, stderr = bytearray(), bytearray()
        deadline = started + self.wall_s
        pending = memoryview(job_stream)
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            selector.register(process.stderr, selectors.EVENT_READ)
            if process.stdin is not None:
                os.set_blocking(process.stdin.fileno(), False)
                selector.register(process.stdin, selectors.EVENT_WRITE)
            while selector.get_map():
                left_s = deadline - time.monotonic()
                if left_s <= 0:
                    return bytes(archive), excerpt(stderr), "timeout"
                for key, _ in selector.select(left_s):
                    if key.fileobj is process.stdin:
                        try:
                            pending = pending[os.write(key.fd, pending[:2**16]):]
                        except BlockingIOError:
                            continue
                        except OSError:  # the runner is gone; its exit says why
                            pending = pending[:0]
                        if not pending:
                            selector.unregister(process.stdin)
                            process.stdin.close()
                        continue
                    chunk = os.read(key.fd, 2**16)
                    if not chunk:
                        selector.unregister(key.fileobj)
                    elif key.fileobj is process.stdout:
                        archive += chunk
                        if len(archive) > self.output_bytes:
                            return bytes(archive), excerpt(stderr), "overflow"
                    elif len(stderr) < STDERR_EXCERPT_BYTES:
                        stderr += chunk[: STDERR_EXCERPT_BYTES - len(stderr)]
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0.01))
        except subprocess.TimeoutExpired:
            return bytes(archive), excerpt(stderr), "timeout"
        return bytes(archive), excerpt(stderr), None

    def outcome(self, process: subprocess.Popen, started: float, archive: bytes, stderr: str,
                stopped: str | None) -> RunOutcome:
        """The closed set of statuses; anything but a clean runner exit is ours to retry."""
        wall_s = time.monotonic() - started
        if stopped == "timeout":
            return RunOutcome(TIMEOUT, wall_s, stderr=stderr)
        if stopped == "overflow":
            return RunOutcome(SANDBOX_ERROR, wall_s, stderr=f"archive larger than {self.output_bytes} bytes\n{stderr}")
        if process.returncode != 0:
            return RunOutcome(SANDBOX_ERROR, wall_s, stderr=f"runner exited with {process.returncode}\n{stderr}")
        return RunOutcome(OK, wall_s, archive=archive, stderr=stderr)


def excerpt(data: bytearray) -> str:
    return bytes(data).decode("utf-8", errors="replace")
