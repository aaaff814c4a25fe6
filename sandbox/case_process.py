"""A case's process and a stand-in helper: the processes that run code, forked by the zygote (runner_child.py).

A case's process loads the submission, then receives only its own case's arguments over a pipe, calls the graded
function once and sends the result back over another pipe; its prints go to a third. A stand-in helper receives
the bundle's callee sources from the runner and answers the case's calls of a graded callee by running the given
code (computed, never looked up); the case's process reaches it only through two pipes.

Imports only the standard library, NumPy and h5py (and the modules beside it): it runs inside the sandbox.
"""
import ast
import builtins
import io
import json
import os
import re
import sys
import time
import traceback
import types

import numpy as np

import wire
from channel import LENGTH, ChannelError, frame, read_frame, read_frame_into, write_all
from runner_child import (
    ARCHIVE_RESERVE_BYTES, JSON_BYTES_MAX, MESSAGE_CHARS, OUT_BYTES_MAX, confine, describe,
)

ARGS_BYTES_MAX = 2**30  # one case's arguments, from the runner
STAND_IN_BYTES_MAX = 256 * 2**20  # one stand-in call or answer
SOURCE_CHARS = 200
TRACEBACK_FRAMES = 20
SETUP_ERRORS_MAX = 50
FRAMEWORK_VALUES = None  # the environment's converter of framework values (sandbox/frameworks.py), set by the runner


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


def student_frames(exc: BaseException, path: str) -> list:
    """Frames from our runner and from NumPy say nothing useful to a student."""
    frames = [
        {"line": frame_.lineno, "function": frame_.name, "source": (frame_.line or "")[:SOURCE_CHARS]}
        for frame_ in traceback.extract_tb(exc.__traceback__)
        if frame_.filename == path
    ]
    return frames[-TRACEBACK_FRAMES:]


# -- a case's process -------------------------------------------------------------------------------------------

LINE_BREAKS = re.compile(r"\r\n|\r|\n")


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
        lines = LINE_BREAKS.split(source)  # as the parser counts lines; ast.get_source_segment took ~30 ms a file
        for statement in tree.body:
            segment = lines[statement.lineno - 1] if 0 < statement.lineno <= len(lines) else ""  # reports use line 1
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
        npz = buffer.getbuffer()  # written from the buffer itself: a large result is not copied again
        write_all(self.result_fd, frame(json.dumps(document).encode()) + LENGTH.pack(len(npz)))
        write_all(self.result_fd, npz)
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
            document, arrays = wire.unpack_value(read_frame_into(self.args_fd, ARGS_BYTES_MAX), JSON_BYTES_MAX,
                                                 owned=True)
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
        notes = []
        if FRAMEWORK_VALUES is not None:  # placeholders and variables made here, as the course's code makes them
            try:
                args = FRAMEWORK_VALUES.graph_arguments(tuple(args), self.request.get("graph_inputs") or [])
            except Exception as exc:
                return {"status": "error", "error": {"type": "GradeboxInputError", "message": describe(exc),
                                                     "traceback": []}}
            FRAMEWORK_VALUES.watch_sessions()
        started = time.perf_counter()
        try:
            value = function(*args)
        except BaseException as exc:  # SystemExit, KeyboardInterrupt and friends are reported, not obeyed
            return {"status": "error", "wall_s": time.perf_counter() - started,
                    "error": {"type": type(exc).__name__[:SOURCE_CHARS], "message": str(exc)[:MESSAGE_CHARS],
                              "traceback": student_frames(exc, self.path)}}
        if FRAMEWORK_VALUES is not None:  # tensors run in the student's own graph, here
            if FRAMEWORK_VALUES.sessions_left_open():
                notes.append("session_open")
            try:
                value = FRAMEWORK_VALUES.plain(value, evaluate=self.request.get("graph_outputs") is True)
            except BaseException as exc:
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
        return {"status": "ok", "wall_s": wall_s, "value": tree, **({"notes": notes} if notes else {})}


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
