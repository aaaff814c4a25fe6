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
    # Graded callees answered by stand-ins for this case, so a wrong callee does not fail the caller
    # too: the trusted side records the reference callee's answers to exactly the calls this case
    # makes, and the sandbox replaces the student's callee with a lookup in that table.
    stand_ins: tuple[str, ...] = ()


@dataclass(frozen=True)
class Threshold:
    metric: str  # a key of what ModelCheck.evaluate returns, e.g. "test_accuracy"
    op: str  # ">=" or "<="
    value: float
    description: str = ""  # e.g. "the course reports 0.96 with He initialization"

    def holds(self, measured: float) -> bool:
        return measured >= self.value if self.op == ">=" else measured <= self.value


@dataclass(frozen=True)
class ModelCheck:
    """Training driven by the student's functions inside the sandbox; judged outside it.

    `driver` names a function of the assignment's supplied module; the sandbox
    calls it with `build()`'s arguments and it returns `(parameters, costs)`.
    `evaluate(parameters)` runs on the trusted side on data the sandbox never
    saw and returns metrics such as {"train_accuracy": 0.99, "test_accuracy": 0.96}.
    """

    id: str  # "he", "l2", "adam"
    title: str  # "3-layer model with He initialization"
    driver: str
    build: Callable[[], tuple]
    evaluate: Callable[[dict], dict[str, float]]
    thresholds: tuple[Threshold, ...]
    depends_on: tuple[str, ...]  # graded functions the training calls
    points: float = 0.0
    wall_s: float = 120.0
    # Decision boundary plot: predict(parameters, X) -> labels (1, m), and the (X, Y) to draw.
    predict: Callable[[dict, object], object] | None = None
    plot_data: Callable[[], tuple] | None = None


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
    # Functions the course notebook gives the students (forward_propagation_n, model, ...) and the
    # training drivers of model checks: appended to the submission for what the file lacks.
    supplied_module: str | None = None
    model_checks: tuple[ModelCheck, ...] = ()
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
