"""Code the platform supplies: what the course notebook gives students, and the model-check drivers.

It goes BEFORE the student's code, so the student's own imports and
definitions win; a def is supplied only when the upload lacks that name.
Drivers (`gradebox_*`) are always supplied. The bundle's supplied.py is
parsed here, never run: it runs in the sandbox, as part of submission.py.
"""
from __future__ import annotations

import ast
from functools import lru_cache

from assignments.source import parse

DRIVER_PREFIX = "gradebox_"
HEADER = "# Supplied by Gradebox: the course's given code and the model-check drivers.\n"


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


def supplied_code(supplied_text: str, student_source: str) -> tuple[str, list[str]]:
    """The supplied source for this upload, and the names of the course functions it supplies."""
    if not supplied_text:
        return "", []
    student_defines = defined_names(student_source)
    parts, supplied = [], []
    for source, name in _parsed(supplied_text):
        if name is None or name.startswith(DRIVER_PREFIX):
            parts.append(source)
        elif name not in student_defines:
            parts.append(source)
            supplied.append(name)
    return HEADER + "\n\n".join(parts) + "\n\n", supplied
