"""The shape of an assignment: graded functions and the test cases that exercise them.

Plain Python (no Django): the grading pipeline, the reference tests and the
management commands all read assignments through these classes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

ASSIGNMENTS_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Case:
    """One call of a graded function: positional arguments built from a seed.

    `build` returns the tuple of positional arguments (NumPy arrays, dicts of
    arrays, lists, numbers) exactly as the course's test case would pass them.
    Hidden cases count toward the score, but their inputs and expected values
    are never shown to the student.
    """

    id: str
    build: Callable[[], tuple]
    hidden: bool = False
    rtol: float = 1e-5
    atol: float = 1e-8
    description: str = ""


@dataclass(frozen=True)
class GradedFunction:
    name: str
    points: float
    outputs: tuple[str, ...]  # names of the returned values, e.g. ("parameters", "v")
    cases: tuple[Case, ...]
    wall_s: float = 5.0


@dataclass(frozen=True)
class Assignment:
    slug: str
    title: str
    reference_module: str  # importable name, e.g. "reference.optimization"
    folder: Path  # assignments/<name>/
    helper_modules: tuple[str, ...]  # file names in `folder` copied into every job
    functions: tuple[GradedFunction, ...]
    description: str = ""
    starter_notebook: str = "starter.ipynb"
    extra: dict[str, Any] = field(default_factory=dict)

    def function(self, name: str) -> GradedFunction:
        for graded in self.functions:
            if graded.name == name:
                return graded
        raise KeyError(name)

    @property
    def max_score(self) -> float:
        return float(sum(f.points for f in self.functions))

    def helper_paths(self) -> list[Path]:
        return [self.folder / name for name in self.helper_modules]
