"""The forked child of the in-sandbox runner: loads the submission and calls one graded function on its cases.

Imports only the standard library, NumPy and h5py (and wire, beside it): it runs inside the sandbox.
"""
import ast
import io
import json
import os
import resource
import signal
import sys
import time
import traceback
import types

import h5py
import numpy as np

import wire

JSON_BYTES_MAX = 1 * 2**20 - 64 * 2**10  # under the host's 1 MiB cap per JSON member
OUT_BYTES_MAX = 64 * 2**10  # student prints kept per function; the host shows the first 4 KiB
ARCHIVE_RESERVE_BYTES = 4 * 2**20  # room in output_bytes for JSON, prints and zip headers
MESSAGE_CHARS = 2000
SOURCE_CHARS = 200
TRACEBACK_FRAMES = 20
SETUP_ERRORS_MAX = 50


class CappedWriter(io.TextIOBase):
    """Student prints go to the function's .out file until the cap, then are dropped quietly."""

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
                os.write(self.fd, kept)
            except OSError:
                self.left_bytes = 0
        return len(text)


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:MESSAGE_CHARS]


def student_frames(exc: BaseException, path: str) -> list:
    """Frames from our runner and from NumPy say nothing useful to a student."""
    frames = [
        {"line": frame.lineno, "function": frame.name, "source": (frame.line or "")[:SOURCE_CHARS]}
        for frame in traceback.extract_tb(exc.__traceback__)
        if frame.filename == path
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


def write_atomic(path: str, data: bytes) -> None:
    with open(path + ".tmp", "wb") as handle:
        handle.write(data)
    os.replace(path + ".tmp", path)


class FunctionChild:
    """Runs inside the forked child: loads the submission, calls one function on every case."""

    def __init__(self, job_dir: str, out_dir: str, index: int, function: dict, limits: dict, array_bytes: int,
                 callee_sources: dict | None = None):
        self.job_dir = job_dir
        self.callee_sources = callee_sources or {}
        self.callees: dict = {}  # source key -> namespace, loaded before the submission
        self.path = os.path.join(job_dir, "submission.py")
        self.base = os.path.join(out_dir, f"f{index}")
        self.function = function
        self.limits = limits
        self.array_budget_bytes = array_bytes
        self.result = {"setup_errors": [], "cases": []}
        self.arrays: dict = {}

    def run(self) -> None:
        self.confine()
        self.load_callees()
        module = self.load_submission()
        self.run_cases(module)
        self.result["complete"] = True
        self.save()

    def confine(self) -> None:
        """Limits apply to this child only, so one function's excess never costs another its grade."""
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an oversized write fails instead of killing us
        signal.signal(signal.SIGINT, signal.default_int_handler)
        cpu_s = int(self.limits["cpu_s"])
        lower_limit(resource.RLIMIT_CPU, cpu_s, cpu_s + 1)  # SIGXCPU first, SIGKILL a second later
        lower_limit(resource.RLIMIT_AS, int(self.limits["memory_mb"]) * 2**20)
        lower_limit(resource.RLIMIT_FSIZE, self.array_budget_bytes + ARCHIVE_RESERVE_BYTES)
        lower_limit(resource.RLIMIT_CORE, 0)
        if self.limits.get("max_processes"):
            lower_limit(resource.RLIMIT_NPROC, int(self.limits["max_processes"]))
        out_fd = os.open(self.base + ".out", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(out_fd, 1)
        os.dup2(out_fd, 2)
        os.close(out_fd)
        sys.stdout = sys.stderr = CappedWriter(1, OUT_BYTES_MAX)
        sys.path.insert(0, self.job_dir)
        os.chdir(self.job_dir)  # course helpers open their datasets by relative path

    def load_callees(self) -> None:
        """Graded callees answered by given code (the reference's def, or one of the bundle's): computed, not looked up."""
        for key, source in self.callee_sources.items():
            namespace = {"__name__": f"gradebox_callees_{key}"}
            try:
                exec(compile(source, f"<callees {key}>", "exec"), namespace)
            except BaseException as exc:  # a broken bundle: every case that needs it says so
                namespace = {"__error__": describe(exc)}
            self.callees[key] = namespace

    def load_submission(self) -> types.ModuleType:
        """Runs top-level statements one by one, so a failing import spares the functions that don't need it."""
        module = types.ModuleType("submission")
        module.__file__ = self.path
        sys.modules["submission"] = module
        try:
            with open(self.path, encoding="utf-8", errors="replace") as handle:
                source = handle.read()
            tree = ast.parse(source, self.path)
        except SyntaxError as exc:
            self.setup_error(exc.lineno or 0, exc.text or "", f"SyntaxError: {exc.msg}")
            return module
        except OSError as exc:
            self.setup_error(0, "", describe(exc))
            return module
        for statement in tree.body:
            try:
                code = compile(ast.Module(body=[statement], type_ignores=[]), self.path, "exec")
                exec(code, module.__dict__)
            except BaseException as exc:  # SystemExit and KeyboardInterrupt too: keep going
                self.setup_error(statement.lineno, ast.get_source_segment(source, statement) or "", describe(exc))
        return module

    def setup_error(self, line: int, source: str, error: str) -> None:
        if len(self.result["setup_errors"]) < SETUP_ERRORS_MAX:
            first_line = source.strip().splitlines()[0] if source.strip() else ""
            self.result["setup_errors"].append({"line": line, "source": first_line[:SOURCE_CHARS], "error": error})

    def run_cases(self, module: types.ModuleType) -> None:
        name = self.function["name"]
        function = module.__dict__.get(name)
        inputs_path = os.path.join(self.job_dir, "inputs.h5")
        inputs = h5py.File(inputs_path, "r") if os.path.exists(inputs_path) else {}
        json_bytes = 0
        for index, case in enumerate(self.function.get("cases", [])):
            record = {"id": str(case.get("id", index)), "status": "running", "output_start": self.output_offset()}
            self.result["cases"].append(record)
            self.save()  # a case that never finishes still shows as started
            if not callable(function):
                why = "is not a function" if name in module.__dict__ else "is not defined in the submission"
                record.update(status="error", error={"type": "NameError", "message": f"{name} {why}", "traceback": []})
                continue
            record.update(self.call(function, case, inputs, prefix=f"c{index}"))
            size = len(json.dumps(record))
            if json_bytes + size > JSON_BYTES_MAX:
                self.drop_arrays(f"c{index}/")
                record["value"] = wire.unsupported(object, "the returned value is too large to report")
                size = len(json.dumps(record))
            json_bytes += size
            self.save(case_index=index)

    @staticmethod
    def output_offset() -> int:
        """Where the function's printed output stands as a case starts, so what a hidden case prints can be withheld."""
        sys.stdout.flush()
        try:
            return os.lseek(1, 0, os.SEEK_CUR)
        except OSError:
            return 0

    def call(self, function, case: dict, inputs, prefix: str) -> dict:
        """Fresh arguments per case: a function that mutates its inputs cannot spoil the next case."""
        try:
            args = wire.decode(case["args"], inputs)
        except (wire.WireError, KeyError, TypeError, OSError) as exc:
            return {"status": "error", "error": {"type": "GradeboxInputError", "message": describe(exc), "traceback": []}}
        args = args if type(args) in (tuple, list) else (args,)
        stand_ins = {}
        for name, (key, target) in case.get("callees", {}).items():
            namespace = self.callees.get(key, {})
            if not callable(namespace.get(target)):
                why = namespace.get("__error__", f"{target} is not defined by the given code")
                return {"status": "error", "error": {"type": "GradeboxInputError", "message": why, "traceback": []}}
            stand_ins[name] = namespace[target]
        namespace = getattr(function, "__globals__", {})
        namespace.update(stand_ins)
        started = time.perf_counter()
        try:
            value = function(*args)
        except BaseException as exc:  # SystemExit, KeyboardInterrupt and friends are reported, not obeyed
            return {"status": "error", "wall_s": time.perf_counter() - started,
                    "error": {"type": type(exc).__name__[:SOURCE_CHARS], "message": str(exc)[:MESSAGE_CHARS],
                              "traceback": student_frames(exc, self.path)}}
        wall_s = time.perf_counter() - started
        budget = self.array_budget_bytes - sum(array.nbytes for array in self.arrays.values())
        try:
            tree = wire.encode(value, self.arrays, prefix, max_array_bytes=max(budget, 0))
        except BaseException as exc:
            self.drop_arrays(prefix + "/")
            tree = wire.unsupported(type(value), f"could not be encoded ({type(exc).__name__})")
        return {"status": "ok", "wall_s": wall_s, "value": tree}

    def drop_arrays(self, prefix: str) -> None:
        for key in [key for key in self.arrays if key.startswith(prefix)]:
            del self.arrays[key]

    def save(self, case_index: int | None = None) -> None:
        """JSON after every step, so a later timeout or crash keeps the earlier results; each case's arrays once."""
        if case_index is not None:
            prefix = f"c{case_index}/"
            buffer = io.BytesIO()
            np.savez(buffer, **{key: array for key, array in self.arrays.items() if key.startswith(prefix)})
            write_atomic(f"{self.base}.c{case_index}.npz", buffer.getvalue())
        write_atomic(self.base + ".json", json.dumps(self.result).encode())
