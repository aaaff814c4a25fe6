"""Runs a job under bubblewrap, for one machine without Docker."""
from __future__ import annotations

import logging
import os
import resource
import shutil
import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path

from sandbox.backends.base import Backend, BackendUnavailable
from sandbox.backends.cgroup import CgroupV1
from sandbox.backends.runner_files import install_runner, unreachable_part
from sandbox.channel import PUBLIC_DIR, is_parse_job, pack_job
from sandbox.outcome import MEMORY, SANDBOX_ERROR, RunOutcome
from sandbox.rootfs import HOSTNAME, numpy_version

log = logging.getLogger(__name__)


_bwrap_options: dict[str, str] = {}  # bwrap path -> its --help text, read once per process
_bwrap_options_lock = threading.Lock()


class BwrapBackend(Backend):
    """Read-only Debian root, tmpfs /tmp, no network, uid 65534, no capabilities, seccomp filter, cgroup limits."""

    name = "bwrap"
    wall_s = 60.0
    cpu_s = 10.0
    memory_mb = 1024  # each function's address space; the cgroup adds the runner and /tmp on top
    runner_memory_mb = 256
    max_processes = 64
    output_bytes = 64 * 2**20
    tmpfs_mb = 256
    cpu_quota = 1.0  # CPUs of the whole run: the cgroup's CFS quota
    rootfs: Path | None = None  # from sandbox.rootfs.ensure_rootfs
    runner_dir: Path | None = None  # a world-readable copy of the runner; installed beside the rootfs by default
    seccomp_filter: Path | None = None  # compiled BPF (sandbox.backends.syscall_filter); built beside the rootfs by default
    hostname = HOSTNAME  # inside; never the build host's or the worker's
    uid = 65534  # inside the sandbox
    host_uid = 65534  # outside: bwrap itself runs unprivileged, so nothing inside is host root
    bwrap_path = "bwrap"

    @property
    def image_id(self) -> str:
        """Names the root filesystem, so cached expected outputs follow a change of NumPy."""
        return Path(self.rootfs).name if self.rootfs else ""

    @property
    def numpy_version(self) -> str:
        return numpy_version(Path(self.rootfs)) if self.rootfs else ""

    def command(self, job_dir: Path, seccomp_fd: int, parse_only: bool = False) -> list[str]:
        """Every isolation flag in one place, next to the limit it enforces. seccomp_fd: an open fd of the filter;
        parse_only: the job reads an upload, so the runner need not load NumPy (runner.py --parse)."""
        return [
            self.bwrap_path,
            "--ro-bind", str(self.rootfs), "/",
            "--proc", "/proc",
            "--dev", "/dev",
            "--remount-ro", "/dev",  # nothing written there (or in /dev/shm) outlives a case
            "--size", str(self.tmpfs_mb * 2**20), "--tmpfs", "/tmp",
            "--ro-bind", str(job_dir / PUBLIC_DIR), "/job",  # job.json and inputs.h5 come over stdin
            "--ro-bind", str(self.runner_dir), "/opt/gradebox",
            "--unshare-all",  # network too: only lo exists inside
            "--unshare-user", "--uid", str(self.uid), "--gid", str(self.uid),
            *self.userns_flags(),
            "--unshare-uts", "--hostname", self.hostname,
            "--seccomp", str(seccomp_fd),  # loaded last, just before the runner starts: see syscall_filter.py
            "--die-with-parent",
            "--as-pid-1",  # the runner is init: student code can neither kill it nor escape its reaping
            "--new-session",
            "--cap-drop", "ALL",
            "--clearenv",
            "--setenv", "PATH", "/usr/bin:/bin",
            "--setenv", "HOME", "/tmp",
            "--setenv", "TMPDIR", "/tmp",
            "--setenv", "LANG", "C.UTF-8",
            "--setenv", "GRADEBOX_KILL_STRAYS", "1",  # the runner owns this PID namespace
            "--chdir", "/tmp",
            "/usr/bin/python3", "-I", "/opt/gradebox/runner.py", *(["--parse"] if parse_only else []), "/job",
        ]

    def run(self, job_dir: Path) -> RunOutcome:
        if self.rootfs is None or not Path(self.rootfs, "usr/bin/python3").exists():
            return RunOutcome(SANDBOX_ERROR, 0.0, stderr=f"no sandbox root filesystem at {self.rootfs}")
        if shutil.which(self.bwrap_path) is None:
            raise BackendUnavailable("bubblewrap (bwrap) is not installed")
        if self.runner_dir is None:
            self.runner_dir = install_runner(Path(self.rootfs).parents[1])
        if self.seccomp_filter is None:
            from sandbox.backends.syscall_filter import FilterError, ensure_filter  # also a script: imported late

            try:
                self.seccomp_filter = ensure_filter(Path(self.rootfs).parents[1])
            except FilterError as exc:  # never run without it
                raise BackendUnavailable(str(exc)) from exc
        if os.geteuid() == 0 and (blocked := unreachable_part(Path(job_dir) / PUBLIC_DIR)):
            return RunOutcome(SANDBOX_ERROR, 0.0, stderr=f"the sandbox user cannot enter {blocked}: "
                                                          "put job directories where every user can reach them")
        cgroup = CgroupV1(f"run-{uuid.uuid4().hex[:12]}") if CgroupV1.available() else None
        started = time.monotonic()
        seccomp_fd = None
        try:
            if cgroup:
                cgroup.create(self.max_processes, self.cgroup_memory_bytes(), self.cpu_quota)
                if not cgroup.cpu_limited:
                    log.warning("no writable cpu cgroup controller: running without a CPU quota (RLIMIT_CPU only)")
            else:
                log.warning("cgroups not writable: limiting processes and memory with rlimits only")
            job_stream = pack_job(job_dir)
            seccomp_fd = os.open(self.seccomp_filter, os.O_RDONLY | os.O_CLOEXEC)  # bwrap reads the program from it
            process = subprocess.Popen(
                self.command(Path(job_dir).resolve(), seccomp_fd, is_parse_job(job_dir)), stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, start_new_session=True, preexec_fn=self.confine(cgroup), pass_fds=(seccomp_fd,),
            )
        except OSError as exc:
            if cgroup:
                cgroup.remove()
            return RunOutcome(SANDBOX_ERROR, time.monotonic() - started, stderr=f"could not start bwrap: {exc}")
        except BaseException:  # nothing started: the run's cgroups must not outlive it
            if cgroup:
                cgroup.remove()
            raise
        finally:
            if seccomp_fd is not None:
                os.close(seccomp_fd)
        try:
            archive, stderr, stopped = self.collect(process, started, job_stream)
        finally:
            self.kill(process, cgroup)
        oom_killed = bool(cgroup and cgroup.oom_killed())
        if cgroup:
            cgroup.remove()
        outcome = self.outcome(process, started, archive, stderr, stopped)
        outcome.oom_killed = oom_killed
        if outcome.status == SANDBOX_ERROR and oom_killed and stopped is None:
            outcome.status = MEMORY  # the runner itself was killed by the memory limit
        return outcome

    def userns_flags(self) -> list[str]:
        """--disable-userns (bwrap >= 0.8): no nested user namespace even past the seccomp filter."""
        if "--disable-userns" in bwrap_help(self.bwrap_path):
            return ["--disable-userns"]
        log.warning("this bwrap has no --disable-userns: only the seccomp filter refuses nested user namespaces")
        return []

    def cgroup_memory_bytes(self) -> int:
        """/tmp pages are charged to the cgroup too, and the runner parent needs its own share."""
        return (self.memory_mb + self.runner_memory_mb + self.tmpfs_mb) * 2**20

    def confine(self, cgroup: CgroupV1 | None):
        """Runs between fork and exec: join the cgroup, or fall back to per-process rlimits."""
        memory_bytes = self.cgroup_memory_bytes()
        cpu_s = int(self.cpu_s)

        def preexec() -> None:
            if cgroup:
                cgroup.enter()
            else:
                resource.setrlimit(resource.RLIMIT_NPROC, (self.max_processes, self.max_processes))
                resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s))  # backstop; per function the runner is tighter
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            if os.geteuid() == 0:  # after joining the cgroup, which needs root
                os.setgroups([])
                os.setgid(self.host_uid)
                os.setuid(self.host_uid)

        return preexec

    @staticmethod
    def kill(process: subprocess.Popen, cgroup: CgroupV1 | None) -> None:
        """Idempotent: everything in the session and the cgroup dies, then bwrap is reaped."""
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if cgroup:
            cgroup.kill_all()
        process.wait()
        for stream in (process.stdin, process.stdout, process.stderr):
            if stream is not None:
                try:
                    stream.close()
                except OSError:  # stdin: the runner left before taking all of the job
                    pass


def bwrap_help(bwrap_path: str) -> str:
    """The options this bwrap offers (its --help text), read once per process."""
    with _bwrap_options_lock:
        if bwrap_path not in _bwrap_options:
            try:
                done = subprocess.run([bwrap_path, "--help"], capture_output=True, text=True, timeout=10)
                _bwrap_options[bwrap_path] = done.stdout + done.stderr
            except (OSError, subprocess.SubprocessError):
                return ""  # not cached: bwrap may be installed later
        return _bwrap_options[bwrap_path]
