"""Reads the runner's archive on the host: every size checked first, nothing unpickled, nothing trusted."""
from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field

import numpy as np

from sandbox import wire

JSON_MEMBER_BYTES_MAX = 1 * 2**20
OUTPUT_EXCERPT_BYTES = 4 * 2**10
FUNCTION_STATUSES = ("ok", "timeout", "crashed", "missing_result")
# A case the runner started but never finished takes its function's fate.
UNFINISHED_CASE_STATUS = {"timeout": "timeout", "crashed": "crashed"}


class ResultsError(Exception):
    """The archive as a whole is unreadable: the runner or the backend failed, not the student."""


@dataclass
class CaseRun:
    """status: ok | error | timeout | crashed | not_run | missing_result."""

    id: str
    status: str
    value: object = None
    error: dict | None = None
    wall_s: float | None = None


@dataclass
class FunctionRun:
    """status: ok | timeout | crashed | missing_result; `problem` explains a missing_result."""

    name: str
    status: str
    exit_code: int | None = None
    signal: int | None = None
    wall_s: float | None = None
    setup_errors: list = field(default_factory=list)
    cases: list = field(default_factory=list)
    output: str = ""
    problem: str | None = None


class Archive:
    """A zip whose declared sizes are checked before any member is read."""

    def __init__(self, data: bytes):
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            members = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
            raise ResultsError(f"sandbox archive is not a readable zip: {exc}") from None
        names = [member.filename for member in members]
        if len(set(names)) != len(names):
            raise ResultsError("sandbox archive has duplicate members")
        for member in members:
            if member.compress_type != zipfile.ZIP_STORED or member.file_size != member.compress_size:
                raise ResultsError(f"sandbox archive member {member.filename!r} is compressed")
        if sum(member.file_size for member in members) > len(data):
            raise ResultsError("sandbox archive declares more bytes than it holds")
        self.members = {member.filename: member for member in members}

    def read(self, name: str, max_bytes: int | None = None) -> bytes | None:
        """None when absent; raises ValueError when over max_bytes or corrupt."""
        member = self.members.get(name)
        if member is None:
            return None
        if max_bytes is not None and member.file_size > max_bytes:
            raise ValueError(f"{name} is {member.file_size} bytes, over the {max_bytes} byte cap")
        try:
            return self.zip.read(member)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise ValueError(f"{name} is corrupt: {exc}") from None

    def json(self, name: str):
        data = self.read(name, JSON_MEMBER_BYTES_MAX)
        if data is None:
            return None
        try:
            return json.loads(data)
        except (ValueError, RecursionError) as exc:
            raise ValueError(f"{name} is not JSON: {exc}") from None

    def arrays(self, name: str):
        data = self.read(name)
        if data is None:
            return {}
        try:
            return np.load(io.BytesIO(data), allow_pickle=False)
        except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
            raise ValueError(f"{name} is not a readable .npz: {exc}") from None


class CaseArrays:
    """The arrays of one function: refs "c<j>/..." live in member f<i>.c<j>.npz, opened when first needed."""

    def __init__(self, members: Archive, index: int):
        self.members, self.index, self.opened = members, index, {}

    def __getitem__(self, ref: str):
        case = ref.split("/", 1)[0]
        if case not in self.opened:
            if not (case.startswith("c") and case[1:].isdigit()):
                raise KeyError(ref)
            self.opened[case] = self.members.arrays(f"f{self.index}.{case}.npz")
        return self.opened[case][ref]


def read_results(archive: bytes, job: dict) -> dict[str, FunctionRun]:
    """One FunctionRun per function in the job; raises ResultsError only when the archive itself is broken."""
    members = Archive(archive)
    try:
        summary = members.json("runner.json")
    except ValueError as exc:
        raise ResultsError(f"sandbox archive: {exc}") from None
    if type(summary) is not dict or type(summary.get("functions")) is not list:
        raise ResultsError("sandbox archive has no usable runner.json")
    reports = {report.get("index"): report for report in summary["functions"] if type(report) is dict}
    runs = {}
    for index, function in enumerate(job["functions"]):
        name = function["name"]
        report = reports.get(index)
        if report is None or report.get("name") != name or report.get("status") not in FUNCTION_STATUSES:
            runs[name] = missing(name, function, "the runner did not report this function")
            continue
        try:
            runs[name] = read_function(members, index, function, report)
        except (ValueError, TypeError, KeyError, RecursionError) as exc:
            runs[name] = missing(name, function, str(exc)[:500])
    return runs


def missing(name: str, function: dict, problem: str) -> FunctionRun:
    cases = [CaseRun(id=str(case.get("id")), status="missing_result") for case in function.get("cases", [])]
    return FunctionRun(name=name, status="missing_result", cases=cases, problem=problem)


def read_function(members: Archive, index: int, function: dict, report: dict) -> FunctionRun:
    run = FunctionRun(
        name=function["name"], status=report["status"], exit_code=optional(report.get("exit"), int),
        signal=optional(report.get("signal"), int), wall_s=optional(report.get("wall_s"), float),
    )
    output = members.read(f"f{index}.out") or b""
    run.output = output[:OUTPUT_EXCERPT_BYTES].decode("utf-8", errors="replace")
    results = members.json(f"f{index}.json")
    if results is None:
        results = {}
        if run.status == "ok":
            run.status, run.problem = "missing_result", f"f{index}.json is missing"
    if type(results) is not dict:
        raise ValueError(f"f{index}.json is not an object")
    run.setup_errors = [clean_setup_error(entry) for entry in list_of(results.get("setup_errors"))]
    arrays = CaseArrays(members, index)
    reported = list_of(results.get("cases"))
    for position, case in enumerate(function.get("cases", [])):
        case_id = str(case.get("id"))
        entry = reported[position] if position < len(reported) else None
        if type(entry) is not dict or str(entry.get("id")) != case_id:
            run.cases.append(CaseRun(id=case_id, status="not_run"))
        else:
            run.cases.append(read_case(case_id, entry, arrays, run.status))
    return run


def read_case(case_id: str, entry: dict, arrays, function_status: str) -> CaseRun:
    status = entry.get("status")
    wall_s = optional(entry.get("wall_s"), float)
    if status == "running":
        return CaseRun(id=case_id, status=UNFINISHED_CASE_STATUS.get(function_status, "missing_result"))
    if status == "error":
        return CaseRun(id=case_id, status="error", error=clean_error(entry.get("error")), wall_s=wall_s)
    if status != "ok":
        return CaseRun(id=case_id, status="missing_result")
    try:
        value = wire.decode(entry.get("value"), arrays)
    except (wire.WireError, ValueError, OSError, RecursionError) as exc:
        error = {"type": "GradeboxResultError", "message": f"the returned value could not be read: {exc}"[:500],
                 "traceback": []}
        return CaseRun(id=case_id, status="missing_result", error=error)
    return CaseRun(id=case_id, status="ok", value=value, wall_s=wall_s)


def clean_error(error) -> dict:
    """Only the fields we show, as the types we expect."""
    error = error if type(error) is dict else {}
    frames = [
        {"line": optional(frame.get("line"), int), "function": str(frame.get("function", ""))[:200],
         "source": str(frame.get("source", ""))[:200]}
        for frame in list_of(error.get("traceback"))[:20] if type(frame) is dict
    ]
    return {"type": str(error.get("type", "Error"))[:200], "message": str(error.get("message", ""))[:2000],
            "traceback": frames}


def clean_setup_error(entry) -> dict:
    entry = entry if type(entry) is dict else {}
    return {"line": optional(entry.get("line"), int), "source": str(entry.get("source", ""))[:200],
            "error": str(entry.get("error", ""))[:2000]}


def list_of(value) -> list:
    return value if type(value) is list else []


def optional(value, kind):
    if value is None or type(value) is bool:
        return None
    try:
        return kind(value)
    except (TypeError, ValueError, OverflowError):
        return None
