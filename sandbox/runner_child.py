"""The zygote, and the processes it forks for the runner: one per case, a helper answering a case's stand-ins, and
a parse process reading a student's upload.

The zygote is forked before the runner reads the job, so nothing it forks holds any case's inputs or any bundle
code. A case's process and a stand-in helper (sandbox/case_process.py) run the submission and the bundle's given
callees; a parse process reads an upload (sandbox/extraction.py) and runs none of it. Every process here is not
dumpable (inherited from the runner), and each is confined the same way: its own rlimits, then the case filter
(sandbox/case_filter.py: it can signal only itself).

Imports only the standard library and the modules beside it (case_process.py, for NumPy jobs, is imported by the
runner when the job runs code): it runs inside the sandbox.
"""
import gc
import json
import os
import resource
import signal
import socket
import sys
import time
import traceback

import case_filter
import extraction
from channel import PARSE_KIND, read_frame, write_all

JSON_BYTES_MAX = 1 * 2**20 - 64 * 2**10  # under the host's 1 MiB cap per JSON member
OUT_BYTES_MAX = 64 * 2**10  # student prints kept per function; the host shows the first 4 KiB
ARCHIVE_RESERVE_BYTES = 4 * 2**20  # room in output_bytes for JSON, prints and zip headers
MESSAGE_CHARS = 2000
REQUEST_BYTES_MAX = 2**16
FORK_RETRY_S = 1.0  # killed processes of the previous case may still hold the process limit briefly
FILTER_REFUSED_EXIT = 70  # a case whose filter the kernel refused ends at once (the runner checked it works)
UPLOAD_BYTES_MAX = 2**30

def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:MESSAGE_CHARS]


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
            from case_process import Compiled  # loaded by the runner before this fork: a job that runs code

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


def run_request(request: dict, fds: list, job_dir: str, compiled) -> None:
    code = 70
    try:
        os.setpgid(0, 0)
        if request.get("kind") == PARSE_KIND:
            ParseProcess(request, fds).run()
        else:
            from case_process import CaseProcess, StandInHelper  # loaded by the runner: a job that runs code

            if request.get("kind") == "case":
                CaseProcess(request, fds, job_dir, compiled).run()
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
                                         list(options.get("helper_modules") or []), list(options.get("patterns") or []))
        write_all(self.result_fd, json.dumps(answer).encode())  # the pipe closes as the process exits: the runner
        # then sees the end of the answer and the exit together, never a kill in between
