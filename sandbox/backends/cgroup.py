"""Per-run cgroup v1 (pids + memory): the kernel counts every process, however it was spawned."""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

CONTROLLERS = ("pids", "memory")


class CgroupV1:
    """Create, enter, inspect and remove one run's cgroups; removal can run twice without harm."""

    root = Path("/sys/fs/cgroup")
    parent = "gradebox"
    kill_rounds = 50

    def __init__(self, run_id: str):
        self.dirs = {name: self.root / name / self.parent / run_id for name in CONTROLLERS}

    @classmethod
    def available(cls) -> bool:
        return all(os.access(cls.root / name / "cgroup.procs", os.W_OK) for name in CONTROLLERS)

    def create(self, max_processes: int, memory_bytes: int) -> None:
        for path in self.dirs.values():
            path.mkdir(parents=True, exist_ok=True)
        (self.dirs["pids"] / "pids.max").write_text(str(max_processes))
        memory = self.dirs["memory"]
        (memory / "memory.limit_in_bytes").write_text(str(memory_bytes))
        swap_limit = memory / "memory.memsw.limit_in_bytes"
        if swap_limit.exists():  # memory + swap at the same limit: no swapping out of trouble
            swap_limit.write_text(str(memory_bytes))

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

    def _read_int(self, controller: str, name: str) -> int:
        try:
            return int((self.dirs[controller] / name).read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return 0
