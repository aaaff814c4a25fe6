"""Code the platform supplies: what the course notebook gives students, and the model-check drivers.

It goes BEFORE the student's code, so the student's own imports and
definitions win; a def is supplied only when the upload lacks that name.
Drivers (`gradebox_*`) are always supplied.
"""
from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

from assignments.spec import Assignment

DRIVER_PREFIX = "gradebox_"


@lru_cache(maxsize=None)
def _parsed(path: Path) -> tuple[tuple[str, str | None], ...]:
    """Top-level chunks of the supplied module: (source, defined name or None for imports)."""
    text = path.read_text()
    lines = text.splitlines()
    chunks = []
    for node in ast.parse(text).body:
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


def supplied_code(assignment: Assignment, student_defines: set[str]) -> tuple[str, list[str]]:
    """The supplied source for this upload, and the names of the course functions it supplies."""
    if not assignment.supplied_module:
        return "", []
    parts, supplied = [], []
    for source, name in _parsed(assignment.folder / assignment.supplied_module):
        if name is None or name.startswith(DRIVER_PREFIX):
            parts.append(source)
        elif name not in student_defines:
            parts.append(source)
            supplied.append(name)
    return "# Supplied by Gradebox: the course's given code and the model-check drivers.\n" + "\n\n".join(parts) + "\n\n", supplied
