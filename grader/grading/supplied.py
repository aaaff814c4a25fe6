"""Code the platform supplies: what the course notebook gives students, and the model-check drivers.

The course's code goes BEFORE the student's code, so the student's own
imports and definitions win; a def is supplied only when the upload lacks
that name. The model checks' drivers (`gradebox_*`) go AFTER it, so no
definition in an upload can replace them. The bundle's supplied.py is parsed
here, never run: it runs in the sandbox, as part of submission.py.
"""
from __future__ import annotations

import ast
from functools import lru_cache

from assignments.source import parse

DRIVER_PREFIX = "gradebox_"
HEADER = "# Supplied by Gradebox: the course's given code.\n"
DRIVER_HEADER = "# Supplied by Gradebox: the model checks' training drivers (after your code, so they cannot be replaced).\n"


@lru_cache(maxsize=64)
def _parsed(text: str) -> tuple[tuple[str, str | None], ...]:
    """Top-level chunks of the supplied module: (source, defined name or None for imports)."""
    lines = text.splitlines()
    chunks = []
    for node in parse(text, "supplied.py").body:
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        source = "\n".join(lines[first - 1 : node.end_lineno])
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            chunks.append((source, None))
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            chunks.append((source, node.name))
    return tuple(chunks)


def defined_names(source: str) -> set[str]:
    return {
        node.name for node in ast.parse(source).body if isinstance(node, (ast.FunctionDef, ast.ClassDef))
    }


def supplied_code(supplied_text: str, source: str) -> tuple[str, list[str]]:
    """supplied_for the definitions of `source`: bundle code (the reference), which the worker may parse."""
    return supplied_for(supplied_text, defined_names(source))


def supplied_for(supplied_text: str, student_defines: set[str]) -> tuple[str, list[str]]:
    """The course's code to put before an upload that defines `student_defines` (the names its extraction, made in
    the sandbox, defines): imports and the defs it lacks, and the names it supplies."""
    if not supplied_text:
        return "", []
    parts, supplied = [], []
    for source, name in _parsed(supplied_text):
        if name is not None and name.startswith(DRIVER_PREFIX):
            continue
        if name is None:
            parts.append(source)
        elif name not in student_defines:
            parts.append(source)
            supplied.append(name)
    return HEADER + "\n\n".join(parts) + "\n\n", supplied


def given_chunks(supplied_text: str) -> list[tuple[str, str | None]]:
    """The course's given code as (source, defined name or None for an import), drivers left out: what
    `supplied_for` chooses from (the starter kit's local check makes the same choice)."""
    return [(source, name) for source, name in (_parsed(supplied_text) if supplied_text else ())
            if name is None or not name.startswith(DRIVER_PREFIX)]


def driver_code(supplied_text: str) -> str:
    """The model checks' drivers, to put after the upload (with supplied.py's imports again, for their names)."""
    chunks = _parsed(supplied_text) if supplied_text else ()
    drivers = [source for source, name in chunks if name is not None and name.startswith(DRIVER_PREFIX)]
    if not drivers:
        return ""
    imports = [source for source, name in chunks if name is None]
    return "\n\n" + DRIVER_HEADER + "\n".join(imports) + "\n\n" + "\n\n".join(drivers) + "\n"


def overridden_drivers(supplied_text: str, student_defines: set[str]) -> list[str]:
    """Driver names the upload defines too (its definitions are ignored)."""
    drivers = {name for _, name in (_parsed(supplied_text) if supplied_text else ()) if name and name.startswith(DRIVER_PREFIX)}
    return sorted(drivers & set(student_defines))
