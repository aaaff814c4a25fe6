"""In-sandbox runner: one process per case, forked by a zygote that never sees the job; one zip archive on stdout.

Usage: python3 -I /opt/gradebox/runner.py [--wait | --parse] /job   (the job stream, sandbox/channel.py, on stdin)
The runner loads NumPy, forks the zygote, then reads the job from stdin: the job (every case's inputs and the
bundle's given callees) lives only in the runner's memory, which is not dumpable. With --wait (a warm-pool
container) it announces on stderr that NumPy is loaded before it reads the job. A parse job (sandbox/parsing.py)
reads a student's upload instead of running code; with --parse, which a backend gives when it starts a sandbox
for one, the runner loads neither NumPy nor h5py (most of a cold start) and takes only a parse job.
Imports only the standard library, NumPy and h5py: it runs inside the sandbox root filesystem.
"""
import os
import sys

for _threads in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_threads] = "1"  # set before NumPy loads: extra threads only fight over one core
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, _HERE)  # -I leaves the script's own directory off sys.path

import collections  # noqa: E402
import fcntl  # noqa: E402
import glob  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import select  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import zipfile  # noqa: E402

import case_filter  # noqa: E402
import channel  # noqa: E402
from value_tree import array_refs  # noqa: E402
from runner_child import (  # noqa: E402
    ARCHIVE_RESERVE_BYTES, JSON_BYTES_MAX, MESSAGE_CHARS, OUT_BYTES_MAX, describe, serve_zygote,
)

PARSE_ONLY = "--parse" in sys.argv[1:-1]
if not PARSE_ONLY:  # imported once here, so every process the zygote forks starts with them loaded
    import h5py  # noqa: E402
    import numpy as np  # noqa: E402

    import case_process  # noqa: E402, F401  (the zygote's case processes and stand-in helpers)
    from case_process import SETUP_ERRORS_MAX, SOURCE_CHARS  # noqa: E402
    import frameworks  # noqa: E402
    import wire  # noqa: E402

    # The environment's framework (TensorFlow in `tensorflow`), imported before the zygote forks; no session yet.
    case_process.FRAMEWORK_VALUES = frameworks.load(frameworks.configured())

sys.path.remove(_HERE)  # student code must not import our modules by accident

DEFAULT_LIMITS = {"memory_mb": 1024, "cpu_s": 10, "output_bytes": 64 * 2**20}
PARSE_WALL_S = 10.0  # a parse job's own default; the job may set "wall_s"
READY_LINE = b"gradebox-runner-ready\n"  # on stderr, in --wait mode, once NumPy and h5py are loaded
STRAYS_REAP_S = 2.0
SPAWN_TIMEOUT_S = 5.0
REAP_WAIT_S = 2.0
PR_SET_DUMPABLE, PR_SET_CHILD_SUBREAPER = 4, 36
TRUNCATED = b"\n[output truncated]\n"
SETUP_BYTES_MAX = 128 * 2**10  # one function's setup errors, as JSON
PIPE_BYTES = 2**20  # a pipe's buffer, raised to the unprivileged maximum: fewer trips for large arguments
F_SETPIPE_SZ = 1031


class RunnerFailure(RuntimeError):
    """The runner itself cannot go on (the zygote died, a case could not be protected): a platform failure."""


class Zygote:
    """A process forked before the job is read; it forks every case's process and every stand-in helper."""

    def __init__(self, job_dir: str, archive_fd: int):
        self.sock, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.pid = os.fork()
        if self.pid == 0:
            try:
                self.sock.close()
                os.close(archive_fd)
                devnull = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1):
                    os.dup2(devnull, fd)  # the job arrives on fd 0 after this fork: never ours to read
                os.close(devnull)
                serve_zygote(theirs, job_dir)
            finally:
                os._exit(0)
        theirs.close()

    def spawn(self, request: dict, fds: list) -> int:
        """Starts a process for `request` with `fds` as its pipe ends; returns its pid (a child of ours)."""
        socket.send_fds(self.sock, [json.dumps(request).encode()], fds)
        if not select.select([self.sock], [], [], SPAWN_TIMEOUT_S)[0]:
            raise RunnerFailure("the zygote did not answer")
        reply = self.sock.recv(2**12)
        try:
            answer = json.loads(reply)
        except ValueError:
            raise RunnerFailure("the zygote is gone") from None
        if type(answer.get("pid")) is not int:
            raise OSError(f"could not start a process: {answer.get('error', '?')}")
        return answer["pid"]


class CaseRun:
    """What came back from one case's process: its record, its arrays (an .npz), its setup errors."""

    def __init__(self, case_id: str, output_start: int):
        self.record = {"id": case_id, "status": "running", "output_start": output_start}
        self.npz = b""
        self.setup_errors: list | None = None
        self.status = "ok"  # or timeout / crashed: the function stops there
        self.exit: int | None = None
        self.signal: int | None = None


class Runner:
    """The parent: runs each function's cases one process at a time, enforces the limits, archives the results."""

    def __init__(self, job: dict, payload: bytes, zygote: Zygote, job_dir: str):
        self.zygote = zygote
        self.job_dir = job_dir
        self.job = job
        self.parse = job.get("kind") == channel.PARSE_KIND  # the payload is then the student's upload, not inputs.h5
        self.functions = [] if self.parse else job["functions"]
        self.callee_sources = job.get("callee_sources", {})
        self.upload = payload if self.parse else b""
        self.inputs = h5py.File(io.BytesIO(payload), "r") if payload and not self.parse else {}
        self.limits = {**DEFAULT_LIMITS, **job.get("limits", {})}
        # Every function's members together stay within its share, so no function (nor all of them filling
        # every cap) can push the archive past output_bytes: the reserve holds runner.json and the zip headers.
        usable_bytes = max(int(self.limits["output_bytes"]) - ARCHIVE_RESERVE_BYTES, 0)
        self.function_budget_bytes = usable_bytes // max(len(self.functions), 1)
        self.members: dict = {}  # archive member name -> bytes
        self.reaped: dict[int, int] = {}  # pid -> exit status, of processes reaped while killing strays
        # Inside a sandbox the runner owns /tmp and the PID namespace: what one case leaves there (a full disk,
        # a file for the next case, a process that escaped its group) is cleared before the next case starts.
        self.owns_tmp = os.environ.get("GRADEBOX_KILL_STRAYS") == "1" and os.getpid() <= 2

    def run(self, archive_fd: int) -> None:
        summary = {"version": 2, "numpy": installed_version("numpy"), "python": sys.version.split()[0],
                   "h5py": installed_version("h5py"), "functions": []}
        if self.parse:
            summary["parse"] = self.run_parse()
        for index, function in enumerate(self.functions):
            summary["functions"].append(self.run_function(index, function))
        self.write_archive(summary, archive_fd)

    def run_parse(self) -> dict:
        """The upload read and its graded functions extracted (sandbox/extraction.py) by this environment's Python,
        in a process of its own with a case's limits: a file too deep or too large for the parser ends that
        process, never the runner. Its JSON answer becomes the member parse.json."""
        started = time.monotonic()
        deadline = started + float(self.job.get("wall_s", PARSE_WALL_S))
        limits = {key: self.limits[key] for key in ("cpu_s", "memory_mb", "max_processes") if key in self.limits}
        # The answer holds the extracted source as JSON (\uXXXX escapes: up to 6 bytes per byte of the upload).
        cap = min(6 * len(self.upload) + 2**20, max(int(self.limits["output_bytes"]) - ARCHIVE_RESERVE_BYTES, 2**20))
        report = {"status": "ok", "exit": None, "signal": None}
        upload_r, upload_w = os.pipe()
        result_r, result_w = os.pipe()
        for fd in (upload_w, result_w):
            widen_pipe(fd)
        try:
            pid = self.zygote.spawn({"kind": channel.PARSE_KIND, "limits": limits}, [upload_r, result_w])
        except OSError as exc:
            for fd in (upload_w, result_r):
                os.close(fd)
            report.update(status="crashed", error=describe(exc), wall_s=round(time.monotonic() - started, 6))
            return report
        finally:
            os.close(upload_r)
            os.close(result_w)
        options = {key: self.job.get(key) for key in ("filename", "graded", "helper_modules", "patterns")}
        writes = {upload_w: channel.frame(json.dumps(options).encode()) + channel.frame(self.upload)}
        result = bytearray()
        timed_out, too_large = self.exchange(pid, deadline, writes, {result_r: (result, cap, True)})
        status = self.reap(pid)
        if self.owns_tmp:
            self.kill_strays()
        if os.WIFSIGNALED(status):
            report["signal"] = os.WTERMSIG(status)
        else:
            report["exit"] = os.WEXITSTATUS(status)
        if timed_out or report["signal"] == signal.SIGXCPU:
            report["status"] = "timeout"
        elif too_large:
            report["status"] = "too_large"
        elif report["signal"] or report["exit"] or not result:
            report["status"] = "crashed"
        else:
            self.members["parse.json"] = bytes(result)
        report["wall_s"] = round(time.monotonic() - started, 6)
        return report

    def run_function(self, index: int, function: dict) -> dict:
        deadline = time.monotonic() + float(function.get("wall_s", 10.0))
        started = time.monotonic()
        report = {"index": index, "name": function["name"], "status": "ok", "exit": None, "signal": None}
        output = bytearray()
        records, visible_setup, hidden_setup = [], None, None
        json_left = JSON_BYTES_MAX - 2 * SETUP_BYTES_MAX  # the records' share; setup errors (visible, hidden) apart
        array_left = max(self.function_budget_bytes - JSON_BYTES_MAX - OUT_BYTES_MAX, 0)
        for position, case in enumerate(function.get("cases", [])):
            if time.monotonic() >= deadline:
                report["status"] = "timeout"
                break
            try:
                run = self.run_case(index, function, position, case, deadline, output, json_left, array_left)
            except OSError as exc:  # the process limit, e.g. while an earlier case's strays die
                report.update(status="crashed", error=describe(exc))
                break
            records.append(run.record)
            json_left -= len(json.dumps(run.record))
            if run.npz:
                self.members[f"f{index}.c{position}.npz"] = run.npz
                array_left -= len(run.npz)
            if run.setup_errors is not None and (visible_setup if not case.get("hidden") else hidden_setup) is None:
                if case.get("hidden"):
                    hidden_setup = run.setup_errors
                else:
                    visible_setup = run.setup_errors
            if run.status != "ok":
                report.update(status=run.status, exit=run.exit, signal=run.signal)
                break
        report["wall_s"] = round(time.monotonic() - started, 6)
        results = {"setup_errors": visible_setup or [], "cases": records,
                   "complete": report["status"] == "ok" and len(records) == len(function.get("cases", []))}
        if visible_setup is None and hidden_setup:
            results["hidden_setup_errors"] = hidden_setup  # could show a hidden case's inputs: staff only
        self.members[f"f{index}.json"] = json.dumps(results).encode()
        self.members[f"f{index}.out"] = bytes(output)
        return report

    def run_case(self, index: int, function: dict, position: int, case: dict, deadline: float, output: bytearray,
                 json_left: int, array_left: int) -> CaseRun:
        """One process for one case: arguments in, result and prints out, each over its own pipe, capped."""
        run = CaseRun(str(case.get("id", position)), len(output))
        callees = case.get("callees") or {}
        limits = {key: self.limits[key] for key in ("cpu_s", "memory_mb", "max_processes") if key in self.limits}
        writes: dict[int, bytes] = {}  # our pipe end -> what it still has to take
        theirs: list[int] = []
        helper = None
        try:
            stand_in_fds = []
            if callees:
                sources_r, sources_w = os.pipe()
                calls_r, calls_w = os.pipe()
                answers_r, answers_w = os.pipe()
                theirs += [sources_r, calls_r, answers_w, calls_w, answers_r]
                helper = self.zygote.spawn({"kind": "helper", "limits": limits, "callees": callees},
                                           [sources_r, calls_r, answers_w])
                keys = {key for key, _ in callees.values()}
                sources = {key: text for key, text in self.callee_sources.items() if key in keys}
                writes[sources_w] = channel.frame(json.dumps(sources).encode())
                stand_in_fds = [calls_w, answers_r]
            args_r, args_w = os.pipe()
            result_r, result_w = os.pipe()
            out_r, out_w = os.pipe()
            for fd in (args_w, result_w):
                widen_pipe(fd)
            theirs += [args_r, result_w, out_w]
            request = {"kind": "case", "function": function["name"], "case": position, "limits": limits,
                       "callees": sorted(callees), "json_bytes": json_left, "array_bytes": array_left,
                       "graph_outputs": function.get("graph_outputs") is True,
                       "graph_inputs": function.get("graph_inputs") if type(function.get("graph_inputs")) is list
                       else []}
            pid = self.zygote.spawn(request, [args_r, result_w, out_w, *stand_in_fds])
        finally:
            for fd in theirs:
                os.close(fd)
        writes[args_w] = self.case_arguments(case)
        result = bytearray()
        result_cap = json_left + array_left + 64
        reads = {result_r: (result, result_cap, True), out_r: (output, OUT_BYTES_MAX, False)}
        timed_out, too_large = self.exchange(pid, deadline, writes, reads)
        status = self.reap(pid)
        if helper:
            self.reap(helper)
        if self.owns_tmp:  # never on a host
            self.kill_strays()
        self.clear_scratch()
        if os.WIFSIGNALED(status):
            run.signal = os.WTERMSIG(status)
        else:
            run.exit = os.WEXITSTATUS(status)
        if timed_out or run.signal == signal.SIGXCPU:
            run.status = "timeout"
            return run
        if too_large:
            run.record.update(status="error", error={
                "type": "ResultTooLarge", "traceback": [],
                "message": f"the result sent back is larger than the {result_cap} bytes allowed"})
            return run
        self.take_result(run, memoryview(result), json_left)
        if run.signal or run.exit or run.record["status"] == "running":
            run.status = "crashed"
        return run

    def case_arguments(self, case: dict) -> list:
        """This case's arguments only, as one frame (sandbox.channel) in parts to write one after another: its
        value tree and the arrays it names, read from the job's inputs and not copied again."""
        tree = case.get("args")
        arrays = {ref: np.asarray(self.inputs[ref][()]) for ref in sorted(array_refs(tree)) if ref in self.inputs}
        parts = wire.pack_value_parts({"args": tree}, arrays)
        return [channel.LENGTH.pack(sum(len(part) for part in parts)), *parts]

    def exchange(self, pid: int, deadline: float, writes: dict, reads: dict) -> tuple[bool, bool]:
        """Feeds `writes` (fd -> bytes, or a list of buffers written one after another) and drains `reads` (fd ->
        (buffer, cap, overflow ends the case)) until the process is gone and its pipes are closed, or the deadline
        passes (timed out), or a result passes its cap (too large); the process is killed then. Prints past their
        cap are read and dropped."""
        pidfd = os.pidfd_open(pid)
        writes = {fd: collections.deque(memoryview(part).cast("B") for part in (data if type(data) is list else [data])
                                        if len(part))
                  for fd, data in writes.items()}  # slicing a view copies nothing
        for fd in [*writes, *reads]:
            os.set_blocking(fd, False)
        exited = timed_out = too_large = False
        try:
            while reads or (writes and not exited):
                left_s = deadline - time.monotonic()
                if left_s <= 0:
                    timed_out = not exited
                    break
                waiting = [] if exited else [pidfd]
                readable, writable, _ = select.select([*reads, *waiting], list(writes), [], min(left_s, 1.0))
                for fd in writable:
                    parts = writes[fd]
                    try:
                        sent = os.write(fd, parts[0][:PIPE_BYTES]) if parts else 0
                        if sent == len(parts[0]):
                            parts.popleft()
                        elif sent:
                            parts[0] = parts[0][sent:]
                    except (BlockingIOError, InterruptedError):
                        continue
                    except OSError:  # the reader is gone: what it did not take it will not get
                        parts.clear()
                    if not parts:
                        del writes[fd]
                        os.close(fd)
                for fd in readable:
                    if fd == pidfd:
                        exited = True
                        self.kill_group(pid)  # what the case left running must not hold its pipes open
                        if self.owns_tmp:
                            self.kill_strays()
                        deadline = min(deadline, time.monotonic() + STRAYS_REAP_S)
                        continue
                    try:
                        chunk = os.read(fd, PIPE_BYTES)
                    except (BlockingIOError, InterruptedError):
                        continue
                    if not chunk:
                        os.close(fd)
                        del reads[fd]
                        continue
                    buffer, cap, overflow_ends = reads[fd]
                    room = cap - len(buffer)
                    if len(chunk) > room and overflow_ends:
                        too_large = True
                        break
                    if room > 0:
                        buffer += chunk[:room]
                        if len(chunk) > room:
                            buffer += TRUNCATED
                            reads[fd] = (buffer, 0, False)
                if too_large:
                    break
        finally:
            self.kill_group(pid)
            for fd in [*writes, *reads]:
                os.close(fd)
            os.close(pidfd)
        return timed_out, too_large

    def reap(self, pid: int) -> int:
        """Kills the process's group and returns its exit status; it is a child of ours (the subreaper) once the
        zygote's intermediate process, which forked it, is gone, a moment after the spawn."""
        self.kill_group(pid)
        deadline = time.monotonic() + REAP_WAIT_S
        while True:
            if pid in self.reaped:
                return self.reaped.pop(pid)
            try:
                return os.waitpid(pid, 0)[1]
            except ChildProcessError:
                if time.monotonic() > deadline:
                    raise RunnerFailure(f"process {pid} never became ours to reap") from None
                time.sleep(0.001)

    def take_result(self, run: CaseRun, data: memoryview, json_left: int) -> None:
        """The case's own report, kept to the fields we use; anything unreadable is that case's verdict. Its .npz
        stays a view of `data` (no copy) until the archive is written."""
        if not data:
            return  # no result: the case stays "running", so the function crashed
        try:
            text, npz = channel.split_frames(data, 2)
            if len(text) > JSON_BYTES_MAX:
                raise wire.WireError(f"a report of {len(text)} bytes")
            document = json.loads(bytes(text))
            case = document.get("case") if type(document) is dict else None
            if type(case) is not dict or case.get("status") not in ("ok", "error"):
                raise wire.WireError("no case report")
            run.setup_errors = clean_setup_errors(document.get("setup_errors"))
            kept = {key: case[key] for key in ("status", "wall_s", "value", "error", "notes") if key in case}
            if len(json.dumps(kept)) > json_left:  # also refuses a tree too deep to write again
                raise wire.WireError(f"a report over the {json_left} bytes left for this function")
        except (wire.WireError, channel.ChannelError, ValueError, RecursionError, MemoryError) as exc:
            run.record.update(status="error", error={"type": "ResultUnreadable", "traceback": [],
                                                     "message": f"the result sent back could not be read ({exc})"})
            return
        run.record.update(kept)
        run.npz = npz if kept["status"] == "ok" else b""

    @staticmethod
    def kill_group(pid: int) -> None:
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def kill_strays(self) -> None:
        """Inside the sandbox's own PID namespace, anything alive but us and the zygote is a case's leftover
        (escaped from its group with setsid): killed and reaped (we are the subreaper), so the process limit is
        free for the next case."""
        keep = {os.getpid(), self.zygote.pid}
        deadline = time.monotonic() + STRAYS_REAP_S
        while time.monotonic() < deadline:
            strays = [int(name) for name in os.listdir("/proc") if name.isdigit() and int(name) not in keep]
            for pid in strays:
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            try:
                while (reaped := os.waitpid(-1, os.WNOHANG))[0] != 0:
                    self.reaped[reaped[0]] = reaped[1]  # a case or helper among them: reap() wants its status
            except ChildProcessError:
                pass
            if not strays:
                return
            time.sleep(0.002)

    def clear_scratch(self) -> None:
        """In a sandbox, an empty /tmp (and /dev/shm, where a backend leaves it writable) for the next case: a file
        left for it, a full disk, mode 000 dirs."""
        if self.owns_tmp:
            for scratch in (tempfile.gettempdir(), "/dev/shm"):
                try:
                    names = os.listdir(scratch)
                except OSError:
                    continue
                for name in names:
                    remove_tree(os.path.join(scratch, name))

    def write_archive(self, summary: dict, archive_fd: int) -> None:
        """One uncompressed zip, streamed; each member was capped when it was taken in."""
        with os.fdopen(archive_fd, "wb") as stream, zipfile.ZipFile(stream, "w", zipfile.ZIP_STORED) as archive:
            archive.writestr("runner.json", json.dumps(summary))
            for name, data in self.members.items():
                archive.writestr(name, data)


def clean_setup_errors(entries) -> list:
    """A case's setup errors as the fields the host reads, bounded in number, length and, together, in bytes
    (SETUP_BYTES_MAX): the function's share of f<i>.json keeps room for two lists of them."""
    cleaned = []
    for entry in entries[:SETUP_ERRORS_MAX] if type(entries) is list else []:
        if type(entry) is dict:
            line = entry.get("line")
            cleaned.append({"line": line if type(line) is int and 0 <= line < 2**31 else 0,
                            "source": str(entry.get("source", ""))[:SOURCE_CHARS],
                            "error": str(entry.get("error", ""))[:MESSAGE_CHARS]})
    while cleaned and len(json.dumps(cleaned)) > SETUP_BYTES_MAX:
        cleaned.pop()
    return cleaned


def installed_version(name: str) -> str:
    """A package's version: from the loaded module, or (a parse-only runner loads neither NumPy nor h5py) from its
    installed metadata, without importing it."""
    module = sys.modules.get(name)
    if module is not None:
        return str(getattr(module, "__version__", ""))
    for entry in sys.path:
        for metadata in glob.glob(os.path.join(entry or ".", f"{name}-*.dist-info", "METADATA")):
            try:
                with open(metadata, encoding="utf-8") as handle:
                    for line in handle:
                        if line.startswith("Version:"):
                            return line.split(":", 1)[1].strip()
            except OSError:
                continue
    return ""


def widen_pipe(fd: int) -> None:
    try:
        fcntl.fcntl(fd, F_SETPIPE_SZ, PIPE_BYTES)
    except OSError:  # above /proc/sys/fs/pipe-max-size: the default 64 KiB works too, only slower
        pass


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


def protect_runner() -> None:
    """Not dumpable (no /proc/<runner>/mem, fd or environ for student code of the same uid, no ptrace), the
    subreaper of everything the zygote forks, and deaf to the signals a process may send its parent. Children
    inherit not being dumpable; a case's process may undo it only for itself."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        raise RunnerFailure("the runner could not make itself undumpable")
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)  # as PID 1 of a sandbox it is the reaper anyway
    for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGALRM", "SIGPIPE", "SIGXFSZ"):
        signal.signal(getattr(signal, name), signal.SIG_IGN)


def check_case_filter() -> None:
    """Before any student code: a process can install the case filter here, or no case will run."""
    try:
        case_filter.program(os.getpid())
    except ValueError:
        print("runner: no case filter for this architecture; cases may signal each other", file=sys.stderr)
        return
    pid = os.fork()
    if pid == 0:
        try:
            case_filter.install()
            os._exit(0)
        except BaseException:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    if status != 0:
        raise RunnerFailure("the case seccomp filter cannot be installed here")


def main(argv: list) -> int:
    args = argv[1:]
    wait = args[:1] == ["--wait"]
    if args[:1] in (["--wait"], ["--parse"]):
        args = args[1:]
    if len(args) != 1:
        print("usage: runner.py [--wait | --parse] JOB_DIR < job-stream", file=sys.stderr)
        return 2
    job_dir = os.path.abspath(args[0])
    archive_fd = os.dup(1)  # ours alone: fd 1 now goes nowhere, whatever anyone prints
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 1)
    try:
        protect_runner()
        check_case_filter()
        zygote = Zygote(job_dir, archive_fd)  # before the job exists in this process
        if wait:
            os.write(2, READY_LINE)
        job, payload = channel.read_job(0)
        os.dup2(devnull, 0)  # nothing more comes from the host
        if PARSE_ONLY and job.get("kind") != channel.PARSE_KIND:
            raise RunnerFailure("a runner started with --parse got a job that runs code")
        Runner(job, payload, zygote, job_dir).run(archive_fd)
    except (OSError, ValueError, KeyError, TypeError, RunnerFailure) as exc:
        import traceback; traceback.print_exc()
        print(f"runner: {describe(exc)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    exit_code = main(sys.argv)
    sys.stderr.flush()
    os._exit(exit_code)  # the archive is out: skip tearing down NumPy, which the host would wait for
