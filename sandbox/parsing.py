"""The parse job on the host: a job directory carrying a student's upload to the sandbox, and the bounded reading
of the answer the runner sends back.

The sandbox's own Python reads the upload (sandbox/extraction.py, run by sandbox/runner.py in a process of its
own); the host never parses student code. The upload reaches the runner over its stdin in place of the cases'
inputs, so it never exists as a file inside the sandbox. The answer comes back as the archive member parse.json
beside runner.json; this module checks sizes and that both are JSON objects, and nothing more: the caller
checks every field it uses (grader.grading.extract).
"""
from __future__ import annotations

import json
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

from sandbox.channel import JOB_NAME, PARSE_KIND, PUBLIC_DIR, UPLOAD_NAME
from sandbox.results import JSON_MEMBER_BYTES_MAX, ResultsError, parse_json
from sandbox.ziparchive import STORED, TooLarge, Unreadable, ZipProblem, zip_members

JOB_VERSION = 3
PARSE_STATUSES = ("ok", "timeout", "crashed", "too_large")  # what the runner may report of the parse process
VERSION = re.compile(r"^[0-9][0-9A-Za-z.+-]{0,31}$")


@dataclass(frozen=True)
class ParseRun:
    """status: the runner's report of the parse process (ok | timeout | crashed | too_large | missing_result);
    `answer`: that process's JSON document when it sent one; `python`, `numpy`: the sandbox's versions."""

    status: str
    answer: dict | None
    python: str = ""
    numpy: str = ""
    wall_s: float | None = None


def write_parse_job(job_dir: Path, data: bytes, filename: str, graded: list[str], helper_modules: tuple[str, ...],
                    limits: dict, wall_s: float, patterns: list[dict] = ()) -> dict:
    """Fills `job_dir` (created empty by the caller): job.json and the upload, sent over stdin, and an empty files/
    (mounted as /job). `patterns`: the catalogued mistakes only the source shows ({"key", "function", "pattern":
    {"call", ...}}), looked for in the extracted code. Returns the job document."""
    job = {"version": JOB_VERSION, "kind": PARSE_KIND, "filename": str(filename)[:255], "graded": list(graded),
           "helper_modules": list(helper_modules), "wall_s": float(wall_s), "limits": dict(limits),
           "patterns": list(patterns)}
    job_dir = Path(job_dir)
    (job_dir / JOB_NAME).write_text(json.dumps(job))
    (job_dir / UPLOAD_NAME).write_bytes(data)
    public = job_dir / PUBLIC_DIR
    public.mkdir()
    public.chmod(0o555)
    job_dir.chmod(0o711)  # the sandbox user passes through to files/; the upload is never mounted
    return job


def read_parse(archive: bytes, answer_bytes_max: int) -> ParseRun:
    """The runner's report and the parse process's answer (at most `answer_bytes_max` bytes). Raises ResultsError
    only when the runner's own part (the zip, runner.json) is broken: that is ours to retry."""
    view = memoryview(archive)
    try:
        members, problems = zip_members(view, (STORED,), 4)
    except ZipProblem as problem:
        raise ResultsError(f"sandbox archive is not a readable zip: {problem}") from None
    unexpected = [name for name in [*members, *problems] if name not in ("runner.json", "parse.json")]
    if unexpected or "runner.json" in problems or "runner.json" not in members:
        raise ResultsError(f"sandbox archive of a parse job: unexpected or missing members {sorted(unexpected)[:3]}")
    try:
        summary = _member_json(view, members["runner.json"], JSON_MEMBER_BYTES_MAX, "runner.json")
    except Unreadable as problem:
        raise ResultsError(f"sandbox archive: {problem}") from None
    report = summary.get("parse") if type(summary) is dict else None
    if type(report) is not dict or report.get("status") not in PARSE_STATUSES:
        raise ResultsError("sandbox archive has no report of the parse process")
    python, numpy = (_version(summary.get(key)) for key in ("python", "numpy"))
    wall_s = report.get("wall_s") if type(report.get("wall_s")) in (int, float) else None
    status, answer = report["status"], None
    if status == "ok":
        try:
            if "parse.json" in problems or "parse.json" not in members:
                raise Unreadable("parse.json is missing or malformed")
            answer = _member_json(view, members["parse.json"], answer_bytes_max, "parse.json")
            if type(answer) is not dict:
                raise Unreadable("parse.json is not an object")
        except Unreadable as problem:
            status, answer = problem.status, None
    return ParseRun(status, answer, python, numpy, wall_s)


def _member_json(view: memoryview, member, max_bytes: int, label: str):
    if member.size_bytes > max_bytes:
        raise TooLarge(f"{label} is {member.size_bytes} bytes, over the {max_bytes} byte cap")
    data = bytes(view[member.data_start:member.data_start + member.size_bytes])
    if zlib.crc32(data) != member.crc:
        raise Unreadable(f"{label} fails its CRC check")
    return parse_json(data, label)


def _version(value) -> str:
    return value if type(value) is str and VERSION.match(value) else ""
