"""Processes the runner starts through its zygote: one per case, and a helper answering a case's stand-ins.

The zygote is forked before the runner reads the job, so nothing it forks holds any case's inputs or any bundle
code. A case's process loads the submission, then receives only its own case's arguments over a pipe, calls
the graded function once and sends the result back over another pipe; its prints go to a third. A stand-in
helper receives the bundle's callee sources from the runner and answers the case's calls of a graded callee by
running the given code (computed, never looked up); the case's process reaches it only through two pipes.
Every process here is not dumpable (inherited from the runner) and each case's process can signal only itself
(sandbox/case_filter.py).

A parse process reads a student's upload instead (sandbox/extraction.py), under the same limits.

Imports only the standard library, NumPy and h5py (and the modules beside it): it runs inside the sandbox.
"""
import ast
import builtins
import gc
import io
import json
import os
import resource
import signal
import socket
import sys
import time
import traceback
import types

import numpy as np

import case_filter
import extraction
import wire
from channel import PARSE_KIND, ChannelError, frame, read_frame, write_all

JSON_BYTES_MAX = 1 * 2**20 - 64 * 2**10  # under the host's 1 MiB cap per JSON member
OUT_BYTES_MAX = 64 * 2**10  # student prints kept per function; the host shows the first 4 KiB
ARCHIVE_RESERVE_BYTES = 4 * 2**20  # room in output_bytes for JSON, prints and zip headers
ARGS_BYTES_MAX = 2**30  # one case's arguments, from the runner
STAND_IN_BYTES_MAX = 256 * 2**20  # one stand-in call or answer
MESSAGE_CHARS = 2000
SOURCE_CHARS = 200
TRACEBACK_FRAMES = 20
SETUP_ERRORS_MAX = 50
REQUEST_BYTES_MAX = 2**16
FORK_RETRY_S = 1.0  # killed processes of the previous case may still hold the process limit briefly
FILTER_REFUSED_EXIT = 70  # a case whose filter the kernel refused ends at once (the runner checked it works)
UPLOAD_BYTES_MAX = 2**30


class CappedWriter(io.TextIOBase):
    """Student prints go to the case's output pipe until the cap, then are dropped quietly."""

    def __init__(self, fd: int, max_bytes: int):
        self.fd = fd
        self.left_bytes = max_bytes

    def writable(self):
        return True

    def write(self, text):
        data = str(text).encode("utf-8", "replace")
        if self.left_bytes > 0:
            kept = data[: self.left_bytes]
            self.left_bytes -= len(kept)
            if self.left_bytes <= 0:
                kept += b"\n[output truncated]\n"
            try:
                write_all(self.fd, kept)
            except OSError:
                self.left_bytes = 0
        return len(text)


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:MESSAGE_CHARS]


def student_frames(exc: BaseException, path: str) -> list:
    """Frames from our runner and from NumPy say nothing useful to a student."""
    frames = [
        {"line": frame_.lineno, "function": frame_.name, "source": (frame_.line or "")[:SOURCE_CHARS]}
        for frame_ in traceback.extract_tb(exc.__traceback__)
        if frame_.filename == path
    ]
    return frames[-TRACEBACK_FRAMES:]


def lower_limit(kind: int, soft: int, hard: int | None = None) -> None:
    """Only ever tightens: a backend may already have set a lower limit we cannot raise."""
    current_soft, current_hard = resource.getrlimit(kind)
    hard = soft if hard is None else hard
    if current_hard != resource.RLIM_INFINITY:
        hard = min(hard, current_hard)
    if current_soft != resource.RLIM_INFINITY:
        soft = min(soft, current_soft)
    resource.setrlimit(kind, (min(soft, hard), hard))


def fork_when_room() -> int:
    deadline = time.monotonic() + FORK_RETRY_S
    while True:
        try:
            return os.fork()
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


# -- the zygote -------------------------------------------------------------------------------------------------

def serve_zygote(sock: socket.socket, job_dir: str) -> None:
    """Forks one process per request until the runner closes its end. Each request is a JSON object and the pipe
    ends the new process uses; the new process is forked twice over, so it is the runner's (the subreaper's)
    child, and its pid goes back on the socket. The submission is compiled once, at the first request (a
    warm container's /job is filled after the zygote starts), never run here."""
    compiled = None
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(sock, REQUEST_BYTES_MAX, 8)
        except OSError:
            return
        if not message:
            return
        request = json.loads(message)
        if compiled is None and request.get("kind") == "case":
            compiled = Compiled(os.path.join(job_dir, "submission.py"))
            preload_course_modules(job_dir)
            gc.freeze()  # what every process inherits stays shared: no collection touches (and copies) its pages
        try:
            middle = fork_when_room()
        except OSError as exc:
            sock.send(json.dumps({"error": describe(exc)}).encode())
            middle = None
        if middle == 0:
            try:
                child = fork_when_room()
                if child == 0:
                    sock.close()
                    run_request(request, fds, job_dir, compiled)  # never returns
                sock.send(json.dumps({"pid": child}).encode())
            except BaseException as exc:
                try:
                    sock.send(json.dumps({"error": describe(exc)}).encode())
                except OSError:
                    pass
            finally:
                os._exit(0)
        for fd in fds:
            os.close(fd)
        if middle:
            os.waitpid(middle, 0)


def preload_course_modules(job_dir: str) -> None:
    """Imports the assignment's own modules (every .py in /job but the submission) once, so each case's process
    finds them loaded instead of compiling them again. They are the course's code, public, and run here before
    any student code; a module that fails to import is left for the case to import (and report)."""
    sys.path.insert(0, job_dir)
    cwd = os.getcwd()
    try:
        os.chdir(job_dir)  # as a case's process runs them: datasets are opened by relative path
        for name in sorted(os.listdir(job_dir)):
            module = name[:-3]
            if not name.endswith(".py") or name == "submission.py" or not module.isidentifier():
                continue
            try:
                __import__(module)
            except BaseException:
                sys.modules.pop(module, None)
    except OSError:
        pass
    finally:
        os.chdir(cwd)
        sys.path.remove(job_dir)


def run_request(request: dict, fds: list, job_dir: str, compiled: "Compiled") -> None:
    code = 70
    try:
        os.setpgid(0, 0)
        if request.get("kind") == "case":
            CaseProcess(request, fds, job_dir, compiled).run()
        elif request.get("kind") == PARSE_KIND:
            ParseProcess(request, fds).run()
        else:
            StandInHelper(request, fds, job_dir).run()
        code = 0
    except SystemExit as exc:
        code = exc.code if type(exc.code) is int else 70
    except BaseException:
        traceback.print_exc()  # lands in the case's output
    finally:
        os._exit(code)


def confine(limits: dict, fsize_bytes: int) -> None:
    """Limits apply to this process only, so one case's excess never costs another its grade; then the filter."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an oversized write fails instead of killing us
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for name in ("SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGALRM"):  # ignored by the runner
        signal.signal(getattr(signal, name), signal.SIG_DFL)
    cpu_s = int(limits["cpu_s"])
    lower_limit(resource.RLIMIT_CPU, cpu_s, cpu_s + 1)  # SIGXCPU first, SIGKILL a second later
    lower_limit(resource.RLIMIT_AS, int(limits["memory_mb"]) * 2**20)
    lower_limit(resource.RLIMIT_FSIZE, fsize_bytes)
    lower_limit(resource.RLIMIT_CORE, 0)
    if limits.get("max_processes"):
        lower_limit(resource.RLIMIT_NPROC, int(limits["max_processes"]))
    first_to_go_when_memory_runs_out()
    try:
        case_filter.install()
    except ValueError:
        pass  # an architecture without numbers: the runner checked this before any student code ran
    except OSError:
        raise SystemExit(FILTER_REFUSED_EXIT) from None


def first_to_go_when_memory_runs_out() -> None:
    """oom_score_adj 1000, so the sandbox's memory limit kills this process before the runner. Its /proc file
    is writable only while the process is dumpable: for a moment it is, before any student code runs."""
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl
    prctl(4, 1, 0, 0, 0)  # PR_SET_DUMPABLE
    try:
        with open("/proc/self/oom_score_adj", "w") as handle:
            handle.write("1000")
    except OSError:
        pass
    finally:
        prctl(4, 0, 0, 0, 0)


# -- a case's process -------------------------------------------------------------------------------------------

class Compiled:
    """The submission's top-level statements, each compiled on its own (compiling runs none of it), or why not."""

    def __init__(self, path: str):
        self.path = path
        self.statements: list = []  # (line, source segment, code object)
        self.problem: tuple | None = None  # (line, source, error) when the file cannot be read or parsed
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                source = handle.read()
            tree = ast.parse(source, path)
        except SyntaxError as exc:
            self.problem = (exc.lineno or 0, exc.text or "", f"SyntaxError: {exc.msg}")
            return
        except (OSError, ValueError) as exc:
            self.problem = (0, "", describe(exc))
            return
        for statement in tree.body:
            segment = ast.get_source_segment(source, statement) or ""
            try:
                code = compile(ast.Module(body=[statement], type_ignores=[]), path, "exec")
            except (SyntaxError, ValueError) as exc:  # e.g. `return` outside a function
                code = describe(exc)
            self.statements.append((statement.lineno, segment, code))


class CaseProcess:
    """Loads the submission, reads this case's arguments, calls the function once, sends the result back."""

    def __init__(self, request: dict, fds: list, job_dir: str, compiled: Compiled):
        self.compiled = compiled
        self.request = request
        self.args_fd, self.result_fd, out_fd, *stand_in_fds = fds
        self.stand_in_fds = stand_in_fds  # (to the helper, from the helper) when the case has stand-ins
        os.dup2(out_fd, 1)
        os.dup2(out_fd, 2)
        os.close(out_fd)
        self.job_dir = job_dir
        self.path = os.path.join(job_dir, "submission.py")
        self.setup_errors: list = []
        self.arrays: dict = {}

    def run(self) -> None:
        limits = self.request["limits"]
        confine(limits, int(self.request["array_bytes"]) + ARCHIVE_RESERVE_BYTES)
        sys.stdout = sys.stderr = CappedWriter(1, OUT_BYTES_MAX)
        sys.path.insert(0, self.job_dir)
        os.chdir(self.job_dir)  # course helpers open their datasets by relative path
        module = self.load_submission()
        record = self.run_case(module)
        document = {"setup_errors": self.setup_errors, "case": record}
        size = len(json.dumps(document))
        if size > int(self.request["json_bytes"]):
            self.arrays.clear()
            record["value"] = wire.unsupported(object, "the returned value is too large to report")
        sys.stdout.flush()
        buffer = io.BytesIO()  # the arrays leave the sandbox as the archive's .npz member for this case
        np.savez(buffer, **self.arrays)
        write_all(self.result_fd, frame(json.dumps(document).encode()) + frame(buffer.getvalue()))
        os.close(self.result_fd)

    def load_submission(self) -> types.ModuleType:
        """Runs top-level statements one by one, so a failing import spares the functions that don't need it."""
        module = types.ModuleType("submission")
        module.__file__ = self.path
        sys.modules["submission"] = module
        if self.compiled.problem:
            self.setup_error(*self.compiled.problem)
            return module
        for line, segment, code in self.compiled.statements:
            if type(code) is str:
                self.setup_error(line, segment, code)
                continue
            try:
                exec(code, module.__dict__)
            except BaseException as exc:  # SystemExit and KeyboardInterrupt too: keep going
                self.setup_error(line, segment, describe(exc))
        return module

    def setup_error(self, line: int, source: str, error: str) -> None:
        if len(self.setup_errors) < SETUP_ERRORS_MAX:
            first_line = source.strip().splitlines()[0] if source.strip() else ""
            self.setup_errors.append({"line": line, "source": first_line[:SOURCE_CHARS], "error": error})

    def run_case(self, module: types.ModuleType) -> dict:
        name = self.request["function"]
        function = module.__dict__.get(name)
        try:
            document, arrays = wire.unpack_value(read_frame(self.args_fd, ARGS_BYTES_MAX), JSON_BYTES_MAX)
            args = wire.decode(document.get("args"), arrays)
        except (wire.WireError, ChannelError, KeyError, TypeError, OSError) as exc:
            return {"status": "error", "error": {"type": "GradeboxInputError", "message": describe(exc), "traceback": []}}
        finally:
            os.close(self.args_fd)
        if not callable(function):
            why = "is not a function" if name in module.__dict__ else "is not defined in the submission"
            return {"status": "error", "error": {"type": "NameError", "message": f"{name} {why}", "traceback": []}}
        args = args if type(args) in (tuple, list) else (args,)
        if self.stand_in_fds:
            to_helper, from_helper = self.stand_in_fds
            stand_ins = {callee: stand_in(callee, to_helper, from_helper) for callee in self.request["callees"]}
            getattr(function, "__globals__", {}).update(stand_ins)
        started = time.perf_counter()
        try:
            value = function(*args)
        except BaseException as exc:  # SystemExit, KeyboardInterrupt and friends are reported, not obeyed
            return {"status": "error", "wall_s": time.perf_counter() - started,
                    "error": {"type": type(exc).__name__[:SOURCE_CHARS], "message": str(exc)[:MESSAGE_CHARS],
                              "traceback": student_frames(exc, self.path)}}
        wall_s = time.perf_counter() - started
        try:
            tree = wire.encode(value, self.arrays, f"c{self.request['case']}",
                               max_array_bytes=max(int(self.request["array_bytes"]), 0))
        except BaseException as exc:
            self.arrays.clear()
            tree = wire.unsupported(type(value), f"could not be encoded ({type(exc).__name__})")
        return {"status": "ok", "wall_s": wall_s, "value": tree}


class StandInFailed(RuntimeError):
    """The given version of a graded callee could not answer the student's call (it raised, or stopped)."""


def stand_in(name: str, to_helper: int, from_helper: int):
    """A function named like the graded callee that asks the helper process to compute the call's answer."""

    def answer(*args, **kwargs):
        arrays: dict = {}
        call = {"name": name, "args": wire.encode(tuple(args), arrays, "a"),
                "kwargs": wire.encode(dict(kwargs), arrays, "k")}
        if wire.find_unsupported(call["args"]) or wire.find_unsupported(call["kwargs"]):
            raise TypeError(f"{name} was called with arguments the grader cannot pass on")
        try:
            write_all(to_helper, frame(wire.pack_value(call, arrays)))
            document, results = wire.unpack_value(read_frame(from_helper, STAND_IN_BYTES_MAX), JSON_BYTES_MAX)
        except (OSError, wire.WireError) as exc:
            raise StandInFailed(f"{name} (the given version) stopped answering: {exc}") from None
        if document.get("status") != "ok":
            kind = getattr(builtins, str(document.get("type")), None)
            kind = kind if isinstance(kind, type) and issubclass(kind, Exception) else StandInFailed
            raise kind(str(document.get("message", ""))[:MESSAGE_CHARS])
        return wire.decode(document.get("value"), results)

    answer.__name__ = answer.__qualname__ = name
    answer.__module__ = "submission"
    return answer


# -- reading an upload -----------------------------------------------------------------------------------------

class ParseProcess:
    """Reads a student's upload and extracts its graded functions (sandbox/extraction.py) with this environment's
    Python, under a case's limits; nothing of the upload runs. Its answer is one JSON document on the result pipe."""

    def __init__(self, request: dict, fds: list):
        self.request = request
        self.upload_fd, self.result_fd = fds

    def run(self) -> None:
        devnull = os.open(os.devnull, os.O_WRONLY)  # a parser's warnings and tracebacks go nowhere
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.close(devnull)
        confine(self.request["limits"], 0)
        options = json.loads(read_frame(self.upload_fd, REQUEST_BYTES_MAX * 16))
        data = read_frame(self.upload_fd, UPLOAD_BYTES_MAX)
        os.close(self.upload_fd)
        answer = extraction.parse_upload(data, str(options.get("filename") or ""), list(options.get("graded") or []),
                                         list(options.get("helper_modules") or []))
        write_all(self.result_fd, json.dumps(answer).encode())  # the pipe closes as the process exits: the runner
        # then sees the end of the answer and the exit together, never a kill in between


# -- a stand-in helper ------------------------------------------------------------------------------------------

class StandInHelper:
    """Runs the bundle's given callees on the calls one case makes; the case's process cannot read or signal it."""

    def __init__(self, request: dict, fds: list, job_dir: str):
        self.request = request
        self.sources_fd, self.calls_fd, self.answers_fd = fds
        self.job_dir = job_dir

    def run(self) -> None:
        devnull = os.open(os.devnull, os.O_WRONLY)  # what the given code prints goes nowhere
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.close(devnull)
        confine(self.request["limits"], ARCHIVE_RESERVE_BYTES)
        sys.path.insert(0, self.job_dir)
        os.chdir(self.job_dir)
        sources = json.loads(read_frame(self.sources_fd, JSON_BYTES_MAX * 16))
        os.close(self.sources_fd)
        wanted = self.request["callees"]  # name -> [source key, def]
        answers = {}
        for name, (key, target) in wanted.items():
            namespace = {"__name__": f"gradebox_callees_{key}"}
            try:
                exec(compile(sources[key], f"<given {key}>", "exec"), namespace)
                answers[name] = namespace[target]
            except BaseException as exc:  # a broken bundle: every call of it says so
                answers[name] = describe(exc)
        while True:
            try:
                call, arrays = wire.unpack_value(read_frame(self.calls_fd, STAND_IN_BYTES_MAX), JSON_BYTES_MAX)
            except (ChannelError, OSError, wire.WireError):
                return  # the case is done (or sent nonsense): nothing more to answer
            write_all(self.answers_fd, frame(self.answer(answers, call, arrays)))

    @staticmethod
    def answer(answers: dict, call: dict, arrays) -> bytes:
        given = answers.get(call.get("name"))
        try:
            if not callable(given):
                raise StandInFailed(given or f"{call.get('name')!r} has no given version")
            args = wire.decode(call.get("args"), arrays)
            kwargs = wire.decode(call.get("kwargs"), arrays)
            value = given(*args, **kwargs)
            results: dict = {}
            tree = wire.encode(value, results, "r", max_array_bytes=STAND_IN_BYTES_MAX // 2)
            return wire.pack_value({"status": "ok", "value": tree}, results)
        except BaseException as exc:
            return wire.pack_value({"status": "error", "type": type(exc).__name__,
                                    "message": str(exc)[:MESSAGE_CHARS]}, {})
