"""Per-run cgroup v1 (pids + memory, and cpu for a CPU quota): the kernel counts every process, however it was spawned."""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

CONTROLLERS = ("pids", "memory")  # required: without them the backend falls back to rlimits
OPTIONAL_CONTROLLERS = ("cpu",)  # the CPU quota; where it is missing the backend says so and runs without one
CFS_PERIOD_US = 100_000  # the scheduler's default period; the quota is a share of it
CFS_QUOTA_MIN_US = 1_000  # the kernel refuses less


class CgroupV1:
    """Create, enter, inspect and remove one run's cgroups; removal can run twice without harm."""

    root = Path("/sys/fs/cgroup")
    parent = "gradebox"
    kill_rounds = 50

    def __init__(self, run_id: str):
        names = CONTROLLERS + tuple(name for name in OPTIONAL_CONTROLLERS if self.writable(name))
        self.dirs = {name: self.root / name / self.parent / run_id for name in names}

    @classmethod
    def writable(cls, controller: str) -> bool:
        return os.access(cls.root / controller / "cgroup.procs", os.W_OK)

    @classmethod
    def available(cls) -> bool:
        return all(cls.writable(name) for name in CONTROLLERS)

    @property
    def cpu_limited(self) -> bool:
        return "cpu" in self.dirs

    def create(self, max_processes: int, memory_bytes: int, cpu_quota: float | None = None) -> None:
        """cpu_quota: CPUs' worth of time per scheduler period for the whole run (1.0: one core), None: no quota."""
        for path in self.dirs.values():
            path.mkdir(parents=True, exist_ok=True)
        (self.dirs["pids"] / "pids.max").write_text(str(max_processes))
        memory = self.dirs["memory"]
        (memory / "memory.limit_in_bytes").write_text(str(memory_bytes))
        swap_limit = memory / "memory.memsw.limit_in_bytes"
        if swap_limit.exists():  # memory + swap at the same limit: no swapping out of trouble
            swap_limit.write_text(str(memory_bytes))
        if cpu_quota is not None and self.cpu_limited:
            cpu = self.dirs["cpu"]
            (cpu / "cpu.cfs_period_us").write_text(str(CFS_PERIOD_US))
            (cpu / "cpu.cfs_quota_us").write_text(str(max(int(cpu_quota * CFS_PERIOD_US), CFS_QUOTA_MIN_US)))

    def cpu_quota(self) -> float | None:
        """The quota in force, in CPUs (None: unlimited or no cpu controller); read back for the tests."""
        quota_us, period_us = self._read_int("cpu", "cpu.cfs_quota_us"), self._read_int("cpu", "cpu.cfs_period_us")
        return quota_us / period_us if quota_us > 0 and period_us > 0 else None

    def enter(self) -> None:
        """Called in the child between fork and exec, before any student code exists."""
        for path in self.dirs.values():
            with open(path / "cgroup.procs", "w") as procs:
                procs.write(str(os.getpid()))

    def oom_killed(self) -> bool:
        try:
            control = (self.dirs["memory"] / "memory.oom_control").read_text()
        except OSError:
            return False
        for line in control.splitlines():
            if line.startswith("oom_kill "):
                return int(line.split()[1]) > 0
        return self._read_int("memory", "memory.failcnt") > 0  # old kernels count no kills

    def pids(self) -> list[int]:
        pids = set()
        for path in self.dirs.values():
            try:
                pids.update(int(pid) for pid in (path / "cgroup.procs").read_text().split())
            except OSError:
                pass
        return sorted(pids)

    def kill_all(self) -> None:
        """Repeats until empty: a forking process can add members between a read and a kill."""
        for _ in range(self.kill_rounds):
            pids = self.pids()
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.005)

    def remove(self) -> None:
        self.kill_all()
        for path in self.dirs.values():
            for _ in range(self.kill_rounds):
                try:
                    path.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:  # busy until the killed processes are reaped
                    time.sleep(0.01)

    @classmethod
    def sweep_stale(cls, older_than_s: float = 300.0) -> int:
        """Removes the run cgroups left behind by workers that were killed (a run removes its own; a SIGKILLed
        worker cannot): every gradebox/run-* directory with no process in it, made more than `older_than_s`
        seconds ago (a live run's cgroups are empty only for the moments before its first process enters and
        after its last exits). Returns how many directories it removed; never raises."""
        removed = 0
        now = time.time()
        for controller in CONTROLLERS + OPTIONAL_CONTROLLERS:
            try:
                runs = [path for path in (cls.root / controller / cls.parent).iterdir() if path.name.startswith("run-")]
            except OSError:
                continue
            for path in runs:
                try:
                    if (path / "cgroup.procs").read_text().strip() or now - path.stat().st_mtime < older_than_s:
                        continue
                    path.rmdir()
                    removed += 1
                except OSError:  # gone meanwhile, or a process entered it
                    continue
        return removed

    def _read_int(self, controller: str, name: str) -> int:
        try:
            return int((self.dirs[controller] / name).read_text().split()[0])
        except (OSError, ValueError, IndexError, KeyError):
            return 0
