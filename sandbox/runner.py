"""In-sandbox runner: one forked child per graded function, one zip archive on stdout.

Usage: python3 -I /opt/gradebox/runner.py [--wait] /job
With --wait (a warm-pool container) it loads NumPy, then waits for "go" on stdin before reading /job.
Imports only the standard library, NumPy and h5py: it runs inside the sandbox root filesystem.
"""
import os
import sys

for _threads in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_threads] = "1"  # set before NumPy loads: extra threads only fight over one core
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, _HERE)  # -I leaves the script's own directory off sys.path

import json  # noqa: E402
import select  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import stat  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
import zipfile  # noqa: E402

import h5py  # noqa: E402, F401  (imported once here, so every forked child starts with it loaded)
import numpy as np  # noqa: E402

import wire  # noqa: E402, F401
from runner_child import (  # noqa: E402
    ARCHIVE_RESERVE_BYTES, JSON_BYTES_MAX, OUT_BYTES_MAX, FunctionChild, describe,
)

sys.path.remove(_HERE)  # student code must not import our modules by accident

DEFAULT_LIMITS = {"memory_mb": 1024, "cpu_s": 10, "output_bytes": 64 * 2**20}
READY_LINE = b"gradebox-runner-ready\n"  # on stderr, in --wait mode, once NumPy and h5py are loaded
GO_LINE = b"go\n"
STRAYS_REAP_S = 2.0
FORK_RETRY_S = 1.0  # killed processes of the previous function may still hold the process limit briefly


def fork_when_room() -> int:
    deadline = time.monotonic() + FORK_RETRY_S
    while True:
        try:
            return os.fork()
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def read_capped(path: str, cap: int) -> bytes | None:
    """At most cap + 1 bytes of a regular file, never through a symlink; None when absent or odd."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            return handle.read(cap + 1)
    except OSError:
        return None


class Runner:
    """The parent: forks a child per function, enforces its wall limit, archives what came back."""

    def __init__(self, job_dir: str, out_dir: str):
        self.job_dir = job_dir
        self.out_dir = out_dir
        with open(os.path.join(job_dir, "job.json"), encoding="utf-8") as handle:
            job = json.load(handle)
        self.functions = job["functions"]
        self.callee_sources = job.get("callee_sources", {})
        self.limits = {**DEFAULT_LIMITS, **job.get("limits", {})}
        # Every function's members together stay within its share, so no function (nor all of them filling
        # every cap) can push the archive past output_bytes: the reserve holds runner.json and the zip headers.
        usable_bytes = max(int(self.limits["output_bytes"]) - ARCHIVE_RESERVE_BYTES, 0)
        self.function_budget_bytes = usable_bytes // max(len(self.functions), 1)
        self.array_budget_bytes = max(self.function_budget_bytes - JSON_BYTES_MAX - OUT_BYTES_MAX, 0)
        self.caps = {".json": JSON_BYTES_MAX, ".out": OUT_BYTES_MAX}
        self.members: dict = {}  # archive member name -> bytes, taken in as soon as each child is gone
        # Inside a sandbox the runner owns /tmp: what one function leaves there (a full disk, a fake result
        # file, a deleted or replaced output dir) is cleared before the next function starts.
        self.owns_tmp = os.environ.get("GRADEBOX_KILL_STRAYS") == "1" and os.getpid() <= 2

    def run(self, archive_fd: int) -> None:
        summary = {"version": 1, "numpy": np.__version__, "python": sys.version.split()[0], "functions": []}
        for index, function in enumerate(self.functions):
            summary["functions"].append(self.run_function(index, function, archive_fd))
        self.write_archive(summary, archive_fd)

    def run_function(self, index: int, function: dict, archive_fd: int) -> dict:
        wall_limit_s = float(function.get("wall_s", 10.0))
        started = time.monotonic()
        try:
            self.clear_scratch()
            child_dir = tempfile.mkdtemp(prefix=f"f{index}-", dir=self.out_dir)
            pid = fork_when_room()
        except OSError as exc:  # the process limit, e.g. while an earlier function's strays die
            return {"index": index, "name": function["name"], "status": "crashed", "exit": None, "signal": None,
                    "wall_s": 0.0, "error": describe(exc)}
        if pid == 0:
            code = 70
            try:
                os.setpgid(0, 0)
                os.close(archive_fd)  # the student's code must not reach the real stdout
                needed = {key for case in function.get("cases", []) for key, _ in case.get("callees", {}).values()}
                sources = {key: self.callee_sources[key] for key in needed if key in self.callee_sources}
                child = FunctionChild(self.job_dir, child_dir, index, function, self.limits, self.array_budget_bytes,
                                      sources)
                child.run()
                code = 0
            except BaseException:
                traceback.print_exc()  # lands in the function's .out file
            finally:
                os._exit(code)
        try:
            os.setpgid(pid, pid)  # also here: killpg must work even before the child gets to run
        except OSError:
            pass
        pidfd = os.pidfd_open(pid)
        timed_out = not select.select([pidfd], [], [], wall_limit_s)[0]
        if timed_out:
            self.kill_group(pid)
        _, status = os.waitpid(pid, 0)
        os.close(pidfd)
        wall_s = time.monotonic() - started
        self.kill_group(pid)  # grandchildren left behind in the function's process group
        if self.owns_tmp:  # never on a host
            self.kill_strays()
        self.take_in(index, child_dir)
        self.clear_scratch()
        report = {"index": index, "name": function["name"], "status": "ok", "exit": None, "signal": None,
                  "wall_s": round(wall_s, 6)}
        if os.WIFSIGNALED(status):
            report["signal"] = os.WTERMSIG(status)
        else:
            report["exit"] = os.WEXITSTATUS(status)
        if timed_out or report["signal"] == signal.SIGXCPU:
            report["status"] = "timeout"
        elif report["signal"] or report["exit"] or not self.child_completed(index):
            report["status"] = "crashed"
        return report

    @staticmethod
    def kill_group(pid: int) -> None:
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    @staticmethod
    def kill_strays() -> None:
        """Inside a sandbox's own PID namespace, anything else still alive escaped its group via setsid.
        Reaps them too (as PID 1 they are all ours), so the next function finds the process limit free."""
        deadline = time.monotonic() + STRAYS_REAP_S
        while time.monotonic() < deadline:
            try:
                os.kill(-1, signal.SIGKILL)  # never reaches us or the namespace's init
            except ProcessLookupError:
                pass
            try:
                while os.waitpid(-1, os.WNOHANG)[0] != 0:
                    pass
            except ChildProcessError:
                return
            time.sleep(0.002)

    def take_in(self, index: int, child_dir: str) -> None:
        """Read each result file once, capped and never through a symlink, before any other student code runs."""
        budget = self.function_budget_bytes  # one cap over all of the function's members
        for suffix, cap in self.caps.items():
            data = read_capped(os.path.join(child_dir, f"f{index}{suffix}"), min(cap, budget))
            if data is not None and (len(data) <= min(cap, budget) or suffix == ".out"):
                self.members[f"f{index}{suffix}"] = data[:min(cap, budget)]
                budget -= len(self.members[f"f{index}{suffix}"])
        for case in range(len(self.functions[index].get("cases", []))):
            name = f"f{index}.c{case}.npz"
            data = read_capped(os.path.join(child_dir, name), budget)
            if data is not None and len(data) <= budget:
                self.members[name] = data
                budget -= len(data)

    def clear_scratch(self) -> None:
        """Leaves an empty output dir (recreated if a student removed or replaced it) and, in a sandbox, empty /tmp."""
        if self.owns_tmp:
            scratch = tempfile.gettempdir()
            for name in os.listdir(scratch):
                remove_tree(os.path.join(scratch, name))
        else:
            remove_tree(self.out_dir)
        os.makedirs(self.out_dir, mode=0o700, exist_ok=True)

    def child_completed(self, index: int) -> bool:
        """A child that called os._exit(0) mid-way exits 0 too; only a finished one marks its results complete."""
        try:
            return json.loads(self.members.get(f"f{index}.json", b"")).get("complete") is True
        except (ValueError, AttributeError, RecursionError, MemoryError):  # the student's code may have written it
            return False

    def write_archive(self, summary: dict, archive_fd: int) -> None:
        """One uncompressed zip, streamed; each member was capped when it was taken in."""
        with os.fdopen(archive_fd, "wb") as stream, zipfile.ZipFile(stream, "w", zipfile.ZIP_STORED) as archive:
            archive.writestr("runner.json", json.dumps(summary))
            for name, data in self.members.items():
                archive.writestr(name, data)


def remove_tree(path: str) -> None:
    """Iterative (a student may nest dirs deeper than our stack) and forceful (mode 000 dirs are ours to open)."""
    stack = [(path, False)]
    while stack:
        top, emptied = stack.pop()
        try:
            if not os.path.isdir(top) or os.path.islink(top):
                os.unlink(top)
            elif emptied:
                os.rmdir(top)
            else:
                os.chmod(top, 0o700)
                stack.append((top, True))
                stack.extend((entry.path, False) for entry in os.scandir(top))
        except OSError:
            pass


def wait_for_job() -> bool:
    """Warm-pool mode: the imports are paid for; the host fills /job, then writes "go" once."""
    os.write(2, READY_LINE)
    line = b""
    while len(line) < len(GO_LINE):
        chunk = os.read(0, len(GO_LINE) - len(line))
        if not chunk:
            break
        line += chunk
    devnull = os.open(os.devnull, os.O_RDONLY)  # student code must not read what the host sends
    os.dup2(devnull, 0)
    os.close(devnull)
    return line == GO_LINE


def make_undumpable() -> None:
    """Student code in a forked child runs as our uid; without this it could open /proc/<runner>/fd/<archive>
    and write a fake archive, or ptrace us. Children inherit it (they may undo it only for themselves)."""
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE, 0
    except (OSError, AttributeError):
        pass


def main(argv: list) -> int:
    make_undumpable()
    args = argv[1:]
    wait = args[:1] == ["--wait"]
    if wait:
        args = args[1:]
    if len(args) != 1:
        print("usage: runner.py [--wait] JOB_DIR", file=sys.stderr)
        return 2
    if wait and not wait_for_job():
        print("runner: no job was sent", file=sys.stderr)
        return 3
    archive_fd = os.dup(1)  # ours alone: fd 1 now goes nowhere, whatever anyone prints
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    out_dir = tempfile.mkdtemp(prefix="gradebox-")
    try:
        Runner(os.path.abspath(args[0]), out_dir).run(archive_fd)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"runner: {describe(exc)}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    exit_code = main(sys.argv)
    sys.stderr.flush()
    os._exit(exit_code)  # the archive is out: skip tearing down NumPy, which the host would wait for

