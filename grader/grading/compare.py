"""Compare what a student's function returned with the reference's output, outside the sandbox.

Returns problems grouped by the check they belong to (structure, shapes,
values); the caller turns them into student messages. Values returned from
the sandbox are plain decoded data: dicts, lists, tuples, arrays, numbers.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sandbox.wire import Unsupported

STRUCTURE, SHAPES, VALUES = "structure", "shapes", "values"


@dataclass
class Problem:
    check: str  # STRUCTURE | SHAPES | VALUES
    key: str  # message key in grader.grading.messages
    path: str
    fields: dict = field(default_factory=dict)


@dataclass
class Comparison:
    problems: list[Problem] = field(default_factory=list)

    def failed(self, check: str) -> list[Problem]:
        return [p for p in self.problems if p.check == check]

    @property
    def passed(self) -> bool:
        return not self.problems


def compare_outputs(expected, actual, output_names: tuple[str, ...], rtol: float, atol: float) -> Comparison:
    """A function with several outputs returns a tuple; each element is named after the course's variable."""
    comparison = Comparison()
    if len(output_names) == 1:
        _compare(expected, actual, output_names[0], rtol, atol, comparison.problems)
        return comparison
    if not isinstance(actual, (tuple, list)):
        comparison.problems.append(
            Problem(STRUCTURE, "wrong_type", "the return value", {"actual": _describe(actual), "expected": f"a tuple ({', '.join(output_names)})"})
        )
        return comparison
    if len(actual) != len(output_names):
        comparison.problems.append(
            Problem(STRUCTURE, "wrong_length", "the returned tuple", {"actual": len(actual), "expected": f"{len(output_names)} ({', '.join(output_names)})"})
        )
        return comparison
    for name, expected_item, actual_item in zip(output_names, expected, actual):
        _compare(expected_item, actual_item, name, rtol, atol, comparison.problems)
    return comparison


def _compare(expected, actual, path: str, rtol: float, atol: float, problems: list[Problem]) -> None:
    if isinstance(actual, Unsupported):
        problems.append(Problem(STRUCTURE, "unsupported", path, {"type": actual.type_name, "why": actual.why}))
        return
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            problems.append(Problem(STRUCTURE, "wrong_type", path, {"actual": _describe(actual), "expected": "a dict"}))
            return
        missing = [k for k in expected if k not in actual]
        extra = [k for k in actual if k not in expected]
        if missing:
            problems.append(Problem(STRUCTURE, "missing_keys", path, {"keys": ", ".join(map(repr, missing))}))
        if extra:
            problems.append(Problem(STRUCTURE, "extra_keys", path, {"keys": ", ".join(map(repr, extra))}))
        for key in expected:
            if key in actual:
                _compare(expected[key], actual[key], f'{path}["{key}"]', rtol, atol, problems)
        return
    if isinstance(expected, (list, tuple)):
        if not isinstance(actual, (list, tuple)):
            kind = "a list" if isinstance(expected, list) else "a tuple"
            problems.append(Problem(STRUCTURE, "wrong_type", path, {"actual": _describe(actual), "expected": kind}))
            return
        if len(actual) != len(expected):
            problems.append(Problem(STRUCTURE, "wrong_length", path, {"actual": len(actual), "expected": len(expected)}))
            return
        for index, (expected_item, actual_item) in enumerate(zip(expected, actual)):
            _compare(expected_item, actual_item, f"{path}[{index}]", rtol, atol, problems)
        return
    if isinstance(expected, np.ndarray):
        _compare_array(expected, actual, path, rtol, atol, problems)
        return
    if isinstance(expected, (bool, int, float)) and not isinstance(expected, bool):
        _compare_scalar(float(expected), actual, path, rtol, atol, problems)
        return
    if expected != actual:
        problems.append(Problem(VALUES, "wrong_type", path, {"actual": _describe(actual), "expected": repr(expected)}))


def _compare_scalar(expected: float, actual, path: str, rtol: float, atol: float, problems: list[Problem]) -> None:
    if isinstance(actual, np.ndarray) and actual.size == 1 and actual.dtype.kind in "biuf":
        actual = actual.reshape(()).item()
    if isinstance(actual, bool) or not isinstance(actual, (int, float)):
        problems.append(Problem(STRUCTURE, "wrong_type", path, {"actual": _describe(actual), "expected": "a number"}))
        return
    if not np.isfinite(actual):
        problems.append(Problem(VALUES, "not_finite", path))
    elif not np.isclose(actual, expected, rtol=rtol, atol=atol):
        problems.append(Problem(VALUES, "wrong_scalar", path, {"actual": float(actual), "expected": expected}))


def _compare_array(expected: np.ndarray, actual, path: str, rtol: float, atol: float, problems: list[Problem]) -> None:
    if isinstance(actual, (int, float)) and not isinstance(actual, bool) and expected.size == 1:
        actual = np.asarray(actual)
    if not isinstance(actual, np.ndarray):
        problems.append(Problem(STRUCTURE, "wrong_type", path, {"actual": _describe(actual), "expected": f"a NumPy array of shape {expected.shape}"}))
        return
    if actual.shape != expected.shape:
        rank1 = actual.ndim == 1 and expected.ndim == 2 and actual.shape[0] in expected.shape and 1 in expected.shape
        problems.append(
            Problem(SHAPES, "rank1_shape" if rank1 else "wrong_shape", path, {"actual": actual.shape, "expected": expected.shape})
        )
        return
    if actual.dtype.kind not in "biuf":
        problems.append(Problem(STRUCTURE, "wrong_type", path, {"actual": f"an array of {actual.dtype}", "expected": "a numeric array"}))
        return
    if actual.dtype == expected.dtype and np.array_equal(actual, expected):
        return  # the common case, and far cheaper than allclose on a 12288 x 148 mini-batch
    actual_f = actual.astype(np.float64)
    expected_f = expected.astype(np.float64)
    if not np.all(np.isfinite(actual_f)) and np.all(np.isfinite(expected_f)):
        problems.append(Problem(VALUES, "not_finite", path))
        return
    if expected.dtype.kind in "biu":  # counts, labels, masks: exact whatever the tolerances
        if np.array_equal(actual_f, expected_f):
            return
    elif np.allclose(actual_f, expected_f, rtol=rtol, atol=atol, equal_nan=True):
        return
    error = np.abs(actual_f - expected_f)
    error[np.isnan(error)] = np.inf  # NaN where a number was expected counts as the largest error
    error[np.isnan(actual_f) & np.isnan(expected_f)] = 0.0
    where = np.unravel_index(int(np.argmax(error)), error.shape) if error.size else ()
    problems.append(
        Problem(
            VALUES,
            "wrong_values",
            path,
            {"shape": expected.shape, "error": float(error[where]), "where": list(map(int, where))},
        )
    )


def _describe(value) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if value is None:
        return "None"
    if isinstance(value, Unsupported):
        return f"a {value.type_name}"
    article = "an" if type(value).__name__[0] in "aeiou" else "a"
    return f"{article} {type(value).__name__}"


def compare_threshold(actual, output_names: tuple[str, ...], op: str, bound: float) -> Comparison:
    """The threshold kind: one real number judged against a bound (a gradient-check difference below 2e-7)."""
    comparison = Comparison()
    path = output_names[0]
    if isinstance(actual, np.ndarray) and actual.size == 1 and actual.dtype.kind in "biuf":
        actual = actual.reshape(()).item()
    if isinstance(actual, bool) or not isinstance(actual, (int, float)):
        comparison.problems.append(Problem(STRUCTURE, "wrong_type", path, {"actual": _describe(actual), "expected": "a number"}))
        return comparison
    actual = float(actual)
    holds = {"<": actual < bound, "<=": actual <= bound, ">": actual > bound, ">=": actual >= bound}[op]
    if not holds:  # NaN never holds
        comparison.problems.append(Problem(VALUES, "threshold", path, {"actual": actual, "op": op, "bound": bound}))
    return comparison


def outputs_match(expected, actual, output_names: tuple[str, ...], rtol: float, atol: float) -> bool:
    return compare_outputs(expected, actual, output_names, rtol, atol).passed
