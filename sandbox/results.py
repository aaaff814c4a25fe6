"""Reads the runner's archive on the host within hard bounds: sizes, names, flags and array headers are checked
before anything is allocated, nothing is unpickled, nothing is trusted.

Student code writes the contents of its function's members (f<i>.json, f<i>.out, f<i>.c<j>.npz), so anything
wrong in them is that function's verdict. Only what the runner itself writes (the outer zip's structure, its
member names, runner.json) can raise ResultsError.
"""
from __future__ import annotations

import functools
import io
import json
import math
import warnings
import zlib
from dataclasses import dataclass, field

import numpy as np
from numpy.lib import format as npy_format

from sandbox import wire
from sandbox.value_tree import array_refs
from sandbox.ziparchive import (
    DEFLATED, STORED, Member, MemberStream, TooLarge, Unreadable, ZipProblem, zip_members,
)

JSON_MEMBER_BYTES_MAX = 1 * 2**20
JSON_DEPTH_MAX = 64  # an honest record nests about 40 deep: wire's 17 levels, two brackets each, and the record
JSON_TOKENS_MAX = 300_000  # brackets and commas; an honest record under the cap holds fewer than 150,000
OUTPUT_EXCERPT_BYTES = 4 * 2**10
OUTPUT_BYTES_DEFAULT = 64 * 2**20  # the runner's own default when a job names no limits
ARRAY_BYTES_MAX = 256 * 2**20  # decoded arrays of one archive, whatever the job's output_bytes says
NPZ_MEMBERS_MAX = wire.Encoder.max_items  # one value holds at most this many arrays
NPY_HEADER_BYTES_MAX = 4096  # an honest header is under 200 bytes
NPY_HEADER_DEPTH_MAX = 8
NPY_DIMS_MAX = 64
FUNCTION_STATUSES = ("ok", "timeout", "crashed", "missing_result")  # what the runner may report
# A case the runner started but never finished takes its function's fate.
UNFINISHED_CASE_STATUS = {"timeout": "timeout", "crashed": "crashed"}
ARRAY_DTYPES = frozenset(
    np.dtype(name).newbyteorder(order).str
    for name in ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                 "float16", "float32", "float64", "complex64", "complex128")
    for order in "<>"
)
PROBLEM_PREFIX = "result too large or unreadable: "


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
    output_start: int | None = None  # byte offset of the function's output when this case began
    notes: tuple[str, ...] = ()  # what the case's process saw besides the value (NOTES), e.g. a session left open


@dataclass
class FunctionRun:
    """status: ok | timeout | crashed | missing_result | too_large; `problem` explains the last two."""

    name: str
    status: str
    exit_code: int | None = None
    signal: int | None = None
    wall_s: float | None = None
    setup_errors: list = field(default_factory=list)
    hidden_setup_errors: list = field(default_factory=list)  # reported only by hidden cases' processes: staff only
    cases: list = field(default_factory=list)
    output: str = ""
    problem: str | None = None


# -- budgets, JSON and arrays --------------------------------------------------------------------------------------

class ArrayBudget:
    """Bytes of decoded arrays still allowed, charged before allocation: one allowance per function, one for the
    whole archive."""

    def __init__(self, left_bytes: int, archive: ArrayBudget | None = None):
        self.own_left = left_bytes
        self.archive = archive

    @property
    def left(self) -> int:
        return min(self.own_left, self.archive.left) if self.archive else self.own_left

    def charge(self, count: int) -> None:
        self.own_left -= count
        if self.archive:
            self.archive.charge(count)


def archive_array_bytes(job: dict) -> int:
    """Honest arrays are stored in the archive, so they never total more than the job's output_bytes."""
    limit = optional(job.get("limits", {}).get("output_bytes") if type(job.get("limits")) is dict else None, int)
    return max(0, min(limit if limit is not None else OUTPUT_BYTES_DEFAULT, ARRAY_BYTES_MAX))


def json_shape(data: bytes) -> tuple[int, int]:
    """Nesting depth and brackets plus commas outside strings, counted before any parser recurses into the text.
    Exact for valid JSON (every backslash there starts an escape); for invalid JSON json.loads fails anyway."""
    codes = np.frombuffer(data.replace(b"\\\\", b"").replace(b'\\"', b""), dtype=np.uint8)
    outside = (np.cumsum(codes == ord('"'), dtype=np.int32) & 1) == 0
    steps = ((codes == ord("[")) | (codes == ord("{"))).view(np.int8) - ((codes == ord("]")) | (codes == ord("}")))
    steps *= outside
    depth = int(np.cumsum(steps, dtype=np.int32).max(initial=0))
    return depth, int(np.count_nonzero(steps == 1)) + int(np.count_nonzero((codes == ord(",")) & outside))


def parse_json(data: bytes, label: str):
    depth, tokens = json_shape(data)
    if depth > JSON_DEPTH_MAX:
        raise TooLarge(f"{label} nests {depth} levels deep, over the {JSON_DEPTH_MAX} allowed")
    if tokens > JSON_TOKENS_MAX:
        raise TooLarge(f"{label} holds {tokens} items, over the {JSON_TOKENS_MAX} allowed")
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise Unreadable(f"{label} is not JSON: {describe(exc)}") from None


def read_npy(view: memoryview, member: Member, budget: ArrayBudget) -> np.ndarray:
    """Header read and judged first (dtype, shape, size against the budget); only then exactly that many bytes."""
    if member.size_bytes > budget.left + NPY_HEADER_BYTES_MAX + 12:
        raise TooLarge(f"inflates to {member.size_bytes} bytes, over the {budget.left} bytes left for this "
                       "function's arrays")
    stream = MemberStream(view, member)
    magic = stream.read(npy_format.MAGIC_LEN)
    version = npy_format.read_magic(io.BytesIO(magic))
    if version not in ((1, 0), (2, 0)):
        raise Unreadable(f"is .npy version {version[0]}.{version[1]}")
    length = stream.read(2 if version == (1, 0) else 4)
    header_bytes = int.from_bytes(length, "little")
    if header_bytes > NPY_HEADER_BYTES_MAX:
        raise Unreadable(f"has a {header_bytes} byte header, over the {NPY_HEADER_BYTES_MAX} allowed")
    shape, fortran_order, dtype = array_header(version, length + stream.read(header_bytes))
    if dtype.str not in ARRAY_DTYPES or dtype.fields is not None or dtype.subdtype is not None:
        raise Unreadable(f"holds dtype {str(dtype)[:80]}, not a plain number type")
    if len(shape) > NPY_DIMS_MAX or any(size < 0 for size in shape):
        raise Unreadable(f"declares shape {str(shape)[:80]}")
    count = math.prod(shape) * dtype.itemsize
    if count > budget.left:
        raise TooLarge(f"declares shape {str(shape)[:80]} of {dtype} ({count_text(count)} bytes), over the "
                       f"{budget.left} bytes left for this function's arrays")
    if count != stream.left:
        raise Unreadable(f"holds {stream.left} bytes of data but its header declares {count_text(count)}")
    budget.charge(count)
    data = stream.take(count)
    stream.finish()
    array = np.frombuffer(data, dtype=dtype) if count else np.empty(0, dtype)
    array = array.reshape(shape, order="F" if fortran_order else "C")
    return array if member.method == DEFLATED else array.copy(order="K")  # stored data is a view of the archive


@functools.lru_cache(maxsize=256)
def array_header(version: tuple, header: bytes) -> tuple:
    """numpy's own header parser, on bytes already bounded; arrays of one value mostly share a few headers."""
    if bracket_depth(header) > NPY_HEADER_DEPTH_MAX:
        raise Unreadable("has a header nested too deeply")
    read_header = npy_format.read_array_header_1_0 if version == (1, 0) else npy_format.read_array_header_2_0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a Python 2 era header only warns
        return read_header(io.BytesIO(header), max_header_size=NPY_HEADER_BYTES_MAX)


NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"([{)]}")))


def bracket_depth(text: bytes) -> int:
    depth = deepest = 0
    for code in text.translate(None, NOT_BRACKETS):
        depth += 1 if code in b"([{" else -1
        deepest = max(deepest, depth)
    return deepest


def count_text(count: int) -> str:
    return str(count) if count < 10**18 else "more than 10**18"


class Npz:
    """One case's .npz, itself a zip: each member must be an array that case's value refers to."""

    def __init__(self, view: memoryview, label: str, refs: set):
        self.view, self.label = view, label
        try:
            self.members, problems = zip_members(view, (STORED, DEFLATED), min(len(refs), NPZ_MEMBERS_MAX))
        except ZipProblem as problem:
            raise Unreadable(f"{label}: {problem}") from None
        for name, problem in problems.items():
            raise Unreadable(f"{label}: {name[:80]!r} {problem}")
        for name in self.members:
            if not name.endswith(".npy") or name[:-4] not in refs:
                raise Unreadable(f"{label}: holds {name[:80]!r}, which its case does not refer to")

    def array(self, ref: str, budget: ArrayBudget) -> np.ndarray:
        member = self.members.get(ref + ".npy")
        if member is None:
            raise KeyError(ref)
        try:
            return read_npy(self.view, member, budget)
        except Unreadable as problem:
            raise type(problem)(f"{self.label}: {member.name} {problem}") from None
        except Exception as exc:  # numpy's header parser and reshape raise many kinds; all mean unreadable
            raise Unreadable(f"{self.label}: {member.name} is not a readable .npy: {describe(exc)}") from None


# -- the runner's archive ------------------------------------------------------------------------------------------

class Archive:
    """The runner's zip: it names every member, so any other name is our failure; a member's problem is its
    function's."""

    def __init__(self, data: bytes, functions: list):
        self.view = memoryview(data)
        self.owners = {"runner.json": None}
        for index, function in enumerate(functions):
            self.owners.update({f"f{index}.json": index, f"f{index}.out": index})
            self.owners.update({f"f{index}.c{case}.npz": index for case in range(len(function.get("cases", [])))})
        try:
            self.members, self.problems = zip_members(self.view, (STORED,), 2 * len(self.owners))
        except ZipProblem as problem:
            raise ResultsError(f"sandbox archive is not a readable zip: {problem}") from None
        for name in [*self.members, *self.problems]:
            if name not in self.owners:
                raise ResultsError(f"sandbox archive has an unexpected member {name[:80]!r}")
        if "runner.json" in self.problems:
            raise ResultsError(f"sandbox archive: runner.json {self.problems['runner.json']}")

    def check_function(self, index: int) -> None:
        for name, problem in self.problems.items():
            if self.owners[name] == index:
                raise Unreadable(f"{name} {problem}")

    def view_of(self, name: str) -> memoryview | None:
        member = self.members.get(name)
        return None if member is None else self.view[member.data_start:member.data_start + member.size_bytes]

    def excerpt(self, name: str, max_bytes: int) -> bytes:
        view = self.view_of(name)
        return b"" if view is None else bytes(view[:max_bytes])

    def json(self, name: str):
        """None when absent."""
        member = self.members.get(name)
        if member is None:
            return None
        if member.size_bytes > JSON_MEMBER_BYTES_MAX:
            raise TooLarge(f"{name} is {member.size_bytes} bytes, over the {JSON_MEMBER_BYTES_MAX} byte cap")
        data = bytes(self.view_of(name))
        if zlib.crc32(data) != member.crc:
            raise Unreadable(f"{name} fails its CRC check")
        return parse_json(data, name)


class CaseArrays:
    """The arrays one case's value refers to, in member f<i>.c<j>.npz: each read once, within the function's budget."""

    fresh_arrays = True  # every array returned is new: wire.decode need not copy it again

    def __init__(self, members: Archive, index: int, position: int, refs: set, budget: ArrayBudget):
        self.members, self.index, self.name, self.prefix = members, index, f"f{index}.c{position}.npz", f"c{position}/"
        self.refs = {ref for ref in refs if ref.startswith(self.prefix)}
        self.budget, self.npz, self.read = budget, None, set()

    def __getitem__(self, ref: str) -> np.ndarray:
        if ref in self.read or ref not in self.refs:
            raise Unreadable(f"f{self.index}.json refers to array {ref[:80]!r} twice or outside its case")
        self.read.add(ref)
        if self.npz is None:
            view = self.members.view_of(self.name)
            if view is None:
                raise KeyError(ref)
            self.npz = Npz(view, self.name, self.refs)
        return self.npz.array(ref, self.budget)


def read_results(archive: bytes, job: dict) -> dict[str, FunctionRun]:
    """One FunctionRun per function in the job; raises ResultsError only when the runner's own part is broken."""
    functions = job["functions"]
    members = Archive(archive, functions)
    try:
        summary = members.json("runner.json")
    except Unreadable as problem:
        raise ResultsError(f"sandbox archive: {problem}") from None
    if type(summary) is not dict or type(summary.get("functions")) is not list:
        raise ResultsError("sandbox archive has no usable runner.json")
    reports = {report.get("index"): report for report in summary["functions"] if type(report) is dict}
    budget = ArrayBudget(archive_array_bytes(job))
    share_bytes = budget.left // max(len(functions), 1)
    runs = {}
    for index, function in enumerate(functions):
        name = function["name"]
        report = reports.get(index)
        if report is None or report.get("name") != name or report.get("status") not in FUNCTION_STATUSES:
            runs[name] = missing(name, function, "the runner did not report this function")
            continue
        try:
            runs[name] = read_function(members, index, function, report, ArrayBudget(share_bytes, budget))
        except Unreadable as problem:
            runs[name] = refused(name, function, report, problem)
        except Exception as exc:  # a bound we did not foresee still ends as this function's verdict
            runs[name] = refused(name, function, report, Unreadable(describe(exc)))
    return runs


def missing(name: str, function: dict, problem: str) -> FunctionRun:
    cases = [CaseRun(id=str(case.get("id")), status="missing_result") for case in function.get("cases", [])]
    return FunctionRun(name=name, status="missing_result", cases=cases, problem=problem)


def refused(name: str, function: dict, report: dict, problem: Unreadable) -> FunctionRun:
    run = missing(name, function, (PROBLEM_PREFIX + describe(problem, with_type=False))[:500])
    run.status = problem.status
    run.exit_code, run.signal = optional(report.get("exit"), int), optional(report.get("signal"), int)
    run.wall_s = optional(report.get("wall_s"), float)
    return run


def read_function(members: Archive, index: int, function: dict, report: dict, budget: ArrayBudget) -> FunctionRun:
    members.check_function(index)
    run = FunctionRun(
        name=function["name"], status=report["status"], exit_code=optional(report.get("exit"), int),
        signal=optional(report.get("signal"), int), wall_s=optional(report.get("wall_s"), float),
    )
    run.output = members.excerpt(f"f{index}.out", OUTPUT_EXCERPT_BYTES).decode("utf-8", errors="replace")
    results = members.json(f"f{index}.json")
    if results is None:
        results = {}
        if run.status == "ok":
            run.status, run.problem = "missing_result", f"f{index}.json is missing"
    if type(results) is not dict:
        raise Unreadable(f"f{index}.json is not an object")
    run.setup_errors = [clean_setup_error(entry) for entry in list_of(results.get("setup_errors"))[:100]]
    run.hidden_setup_errors = [clean_setup_error(entry) for entry in list_of(results.get("hidden_setup_errors"))[:100]]
    reported = list_of(results.get("cases"))
    for position, case in enumerate(function.get("cases", [])):
        case_id = str(case.get("id"))
        entry = reported[position] if position < len(reported) else None
        if type(entry) is not dict or str(entry.get("id")) != case_id:
            run.cases.append(CaseRun(id=case_id, status="not_run"))
        else:
            arrays = CaseArrays(members, index, position, array_refs(entry.get("value")), budget)
            run.cases.append(read_case(case_id, entry, arrays, run.status))
    return run


# Notes a case's process may report (sandbox/frameworks.py); anything else it sends is dropped.
NOTES = frozenset({"session_open"})


def read_case(case_id: str, entry: dict, arrays: CaseArrays, function_status: str) -> CaseRun:
    case = _read_case(case_id, entry, arrays, function_status)
    notes = entry.get("notes")
    case.notes = tuple(sorted({n for n in notes if type(n) is str and n in NOTES})) if type(notes) is list else ()
    start = optional(entry.get("output_start"), int)
    case.output_start = start if start is not None and 0 <= start < 2**40 else None
    return case


def _read_case(case_id: str, entry: dict, arrays: CaseArrays, function_status: str) -> CaseRun:
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


def describe(exc: BaseException, with_type: bool = True) -> str:
    """str() of a hostile value can itself fail (an int past Python's digit limit): never let that escape."""
    try:
        text = str(exc)[:500]
    except Exception:
        text = "(unprintable)"
    return f"{type(exc).__name__}: {text}" if with_type else text
