"""What the sandbox read of a student's upload: the graded functions' source, notes, and where each line came from.

The worker never parses student code: its Python may be older than the syntax students write, and parsing
untrusted text is itself an attack surface (deep nesting). A parse job (sandbox/parsing.py) has the
environment's own Python read the upload and extract the graded functions (sandbox/extraction.py) under the
sandbox's limits; `from_parse` checks every field of its answer and turns it into an Extraction, or into the
student's "could not read your file" verdict (FileProblem).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from grader.grading import environment, messages
from sandbox.parsing import ParseRun

PARSE_WALL_S = 10.0  # reading an upload; the course's largest notebook takes about 50 ms
PARSE_CPU_S = 10
NOTES_MAX = 200
TEXT_CHARS = 4000  # one note or message
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,199}$")


class FileProblem(Exception):
    """The upload as a whole cannot be read; `message` is written for the student."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class Extraction:
    source: str  # submission.py as the sandbox sees it
    found: list[str]  # graded functions defined in the upload
    missing: list[str]
    notes: list[str] = field(default_factory=list)
    syntax_errors: dict[str, str] = field(default_factory=dict)  # graded function -> message
    line_map: list[tuple[int, int, str, int]] = field(default_factory=list)  # (start, end, origin, first_line)
    misplaced: dict[str, str] = field(default_factory=dict)  # missing function -> the non-code cell that holds it
    defined: list[str] = field(default_factory=list)  # functions and classes the extracted source defines
    patterns_shown: list[str] = field(default_factory=list)  # keys of the mistakes whose source pattern it shows
    environment: dict[str, str] = field(default_factory=dict)  # the sandbox's {"python", "numpy"} versions
    referenced: list[str] = field(default_factory=list)  # names the graded functions use as code (not in text)
    unfinished: list[str] = field(default_factory=list)  # graded functions whose answer blocks are the starter's

    def with_prefix(self, text: str) -> "Extraction":
        """The same extraction with `text` (supplied code) before the student's source; line map shifted."""
        shift = text.count("\n")
        return replace(self, source=text + self.source,
                       line_map=[(a + shift, b + shift, origin, first) for a, b, origin, first in self.line_map])

    def with_suffix(self, text: str) -> "Extraction":
        """The same extraction with `text` (the model checks' drivers) after the student's source."""
        return replace(self, source=self.source + text)

    def origin_of(self, line: int) -> str | None:
        """Where line `line` of submission.py stood in the student's upload."""
        for start, end, origin, first_line in self.line_map:
            if start <= line <= end:
                where, _, _ = origin.rpartition(", line ")
                offset = first_line + (line - start)
                return f"{where}, line {offset}" if where else f"line {offset}"
        return None


def parse_limits(backend) -> dict:
    """A parse job runs under a case's limits: the backend's memory, a CPU budget of its own."""
    return {"memory_mb": backend.memory_mb, "cpu_s": min(float(backend.cpu_s), PARSE_CPU_S),
            "output_bytes": backend.output_bytes}


def from_parse(run: ParseRun, graded: list[str]) -> Extraction:
    """The Extraction the sandbox sent back, every field checked; raises FileProblem when the file could not be read
    (the student's verdict: what the parser could not take, or an answer that does not hold together)."""
    versions = {"python": run.python or "?", "numpy": run.numpy or "?"}
    answer = run.answer or {}
    if run.status == "timeout":
        raise FileProblem(messages.say("unreadable_slow", wall_s=PARSE_WALL_S))
    if run.status != "ok" or answer.get("status") == "too_complex":
        raise FileProblem(messages.say("unreadable_complex", **versions))
    try:
        if answer.get("status") == "file_problem":
            newer = environment.newer_syntax(answer.get("newer"), versions)
            raise FileProblem(_text(answer.get("message")) + (f"\n{newer}" if newer else ""), _line(answer.get("line")))
        return _extraction(answer.get("extraction") if answer.get("status") == "ok" else None, graded, versions)
    except (TypeError, ValueError, KeyError):
        raise FileProblem(messages.say("unreadable_complex", **versions)) from None


def _extraction(document, graded: list[str], versions: dict) -> Extraction:
    if type(document) is not dict or type(document.get("source")) is not str:
        raise ValueError("no extraction")
    names = set(graded)
    syntax_errors = {}
    for name, error in _dict(document.get("syntax_errors")).items():
        if name not in names or type(error) is not dict:
            raise ValueError(f"syntax error of {name!r}")
        newer = environment.newer_syntax(error.get("newer"), versions)
        syntax_errors[name] = _text(error.get("message")) + (f"\n{newer}" if newer else "")
    line_map = []
    for entry in _list(document.get("line_map")):
        start, end, origin, first_line = entry
        if not (type(start) is type(end) is type(first_line) is int and type(origin) is str and start <= end):
            raise ValueError("line map entry")
        line_map.append((start, end, origin[:200], first_line))
    return Extraction(
        source=document["source"],
        found=_names(document.get("found"), names),
        missing=_names(document.get("missing"), names),
        notes=[_text(note) for note in _list(document.get("notes"))[:NOTES_MAX]],
        syntax_errors=syntax_errors,
        line_map=line_map,
        misplaced={name: _text(cell)[:100] for name, cell in _dict(document.get("misplaced")).items()
                   if name in names and type(cell) is str},
        defined=[name for name in _list(document.get("defined")) if type(name) is str and IDENTIFIER.match(name)],
        patterns_shown=[key for key in _list(document.get("patterns_shown", [])) if type(key) is str][:200],
        environment=versions,
        unfinished=_names(document.get("unfinished", []), names),
        referenced=[name for name in _list(document.get("referenced", [])) if type(name) is str
                    and IDENTIFIER.match(name)][:10000],
    )


def _names(value, allowed: set[str]) -> list[str]:
    names = _list(value)
    if not all(type(name) is str and name in allowed for name in names):
        raise ValueError("a name that is not graded")
    return list(dict.fromkeys(names))


def _list(value) -> list:
    if type(value) is not list:
        raise TypeError("not a list")
    return value


def _dict(value) -> dict:
    if type(value) is not dict:
        raise TypeError("not an object")
    return value


def _text(value) -> str:
    if type(value) is not str:
        raise TypeError("not a text")
    return value[:TEXT_CHARS]


def _line(value) -> int | None:
    return value if type(value) is int else None
