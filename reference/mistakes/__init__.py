"""Known wrong answers ("mutants") of the graded functions, each with the hint a student sees.

A mistake is a complete def derived from the reference by a small edit. The
grader runs it on the same cases as the reference: when a student's output
matches a mistake's output, the student gets that mistake's hint.
"""
from __future__ import annotations

import ast
import importlib
import inspect
import textwrap
from dataclasses import dataclass
from types import ModuleType
from typing import Callable


@dataclass(frozen=True)
class Mistake:
    key: str  # unique within its assignment, e.g. "adam_epsilon_inside_sqrt"
    function: str  # the graded function it replaces, e.g. "update_parameters_with_adam"
    hint: str  # one sentence for a tired student
    source: str  # a complete def of `function`, runnable where the reference runs

    def compile(self, reference: ModuleType) -> Callable:
        """The mutated function, defined among the reference module's globals (np, math)."""
        namespace = dict(vars(reference))
        exec(compile(self.source, f"<mistake {self.key}>", "exec"), namespace)
        return namespace[self.function]


def derive(function: Callable, *edits: tuple[str, str, int]) -> str:
    """Source of `function` without its docstring, with each (old, new, count) edit applied.

    An edit whose text is not found exactly `count` times raises, so a change
    to the reference cannot silently turn a mistake into the right answer.
    """
    source = textwrap.dedent(inspect.getsource(function))
    body = ast.parse(source).body[0].body
    if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        lines = source.splitlines(keepends=True)
        source = "".join(lines[:body[0].lineno - 1] + lines[body[0].end_lineno:])
    for old, new, count in edits:
        found = source.count(old)
        if found != count:
            raise ValueError(f"{function.__name__}: expected {count} of {old!r}, found {found}")
        source = source.replace(old, new)
    return source


def catalogue(slug: str) -> tuple[Mistake, ...]:
    """All mistakes of an assignment; its module is reference/mistakes/<slug with _ for ->.py."""
    module = importlib.import_module(f"{__name__}.{slug.replace('-', '_')}")
    return module.MISTAKES


def for_function(slug: str, function: str) -> tuple[Mistake, ...]:
    return tuple(mistake for mistake in catalogue(slug) if mistake.function == function)
