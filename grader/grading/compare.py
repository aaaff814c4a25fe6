"""Compare what a student's function returned with the reference's output, outside the sandbox.

Returns problems grouped by the check they belong to (structure, shapes,
values); the caller turns them into student messages. Values returned from
the sandbox are plain decoded data (sandbox.wire): None, bools, ints of any
size, floats (NaN and infinities included), strings, arrays of bool, integer,
float or complex dtype (any shape, 0-d and zero-size included), lists, tuples,
dicts with string keys and wire.Unsupported. A submission chooses what it
returns, so every function here is total over those values: whatever comes
back, the answer is a Comparison with a message key, never an exception.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from sandbox.wire import Unsupported

STRUCTURE, SHAPES, VALUES = "structure", "shapes", "values"
_REAL_KINDS = "biuf"  # what "a number" / "a numeric array" may be; complex is only accepted where expected
_TEXT_LIMIT = 200  # characters of a student-controlled text (type names, reprs) quoted in a message
_KEYS_SHOWN = 30  # dict keys listed in one message
_LAYER_KEY = re.compile(r"^(\D+)([0-9]+)$")  # the course's keys: a name and the layer's number ("W3", "db1")


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
    if not isinstance(expected, (tuple, list)) or len(expected) != len(output_names):
        # Not one value per name (a catalogued mistake's outputs are not checked like the reference's): whole values.
        _compare(expected, actual, "the return value", rtol, atol, comparison.problems)
        return comparison
    if isinstance(actual, Unsupported):
        _compare(expected, actual, "the return value", rtol, atol, comparison.problems)  # says what could not be read
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
        problems.append(Problem(STRUCTURE, "unsupported", path, {"type": _clip(actual.type_name), "why": _clip(actual.why)}))
        return
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            problems.append(Problem(STRUCTURE, "wrong_type", path, {"actual": _describe(actual), "expected": "a dict"}))
            return
        missing = [k for k in expected if k not in actual]
        extra = [k for k in actual if k not in expected]
        if missing:
            key, fields = _missing_keys(expected, missing, extra)
            problems.append(Problem(STRUCTURE, key, path, fields))
        if extra:
            problems.append(Problem(STRUCTURE, "extra_keys", path, {"keys": _keys_text(extra)}))
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
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        _compare_scalar(expected, actual, path, rtol, atol, problems)
        return
    _compare_plain(expected, actual, path, problems)


def _missing_keys(expected: dict, missing: list, extra: list) -> tuple[str, dict]:
    """The message key for keys a dict lacks, chosen by what else the check found, so its hint claims only that.

    "misspelt_keys": a returned key differs from a missing one by case or
    punctuation only ('dw1' for 'dW1'); "missing_layers": the missing keys are
    every key of the last layers ("W3", "b3" where "W1" ... "b2" are there);
    "missing_keys" otherwise.
    """
    fields = {"keys": _keys_text(missing)}
    spelled = {_spelling(k): k for k in extra if isinstance(k, str)}
    pairs = [(spelled[_spelling(k)], k) for k in missing if isinstance(k, str) and _spelling(k) in spelled]
    if pairs:
        actual, wanted = pairs[0]
        return "misspelt_keys", {**fields, "actual": _clip(repr(actual), 60), "expected": _clip(repr(wanted), 60)}
    layers = _missing_layers(expected, missing)
    if layers:
        return "missing_layers", {**fields, "layers": layers}
    return "missing_keys", fields


def _spelling(key: str) -> str:
    return re.sub(r"[^0-9a-z]", "", key.lower())


def _missing_layers(expected: dict, missing: list) -> str:
    """"3" or "3 to 4" when `missing` is exactly every numbered key from layer 3 on and earlier layers are there."""
    numbered = {}
    for key in expected:
        match = _LAYER_KEY.match(key) if isinstance(key, str) else None
        if match:
            numbered[key] = int(match.group(2))
    if any(key not in numbered for key in missing):
        return ""
    first, last = min(numbered[k] for k in missing), max(numbered[k] for k in missing)
    present = [number for key, number in numbered.items() if key not in missing]
    if not present or max(present) >= first or {k for k, n in numbered.items() if n >= first} != set(missing):
        return ""
    return str(first) if first == last else f"{first} to {last}"


_NOT_PLAIN = object()  # an array of several elements, where a plain value was expected


def _compare_plain(expected, actual, path: str, problems: list[Problem]) -> None:
    """None, a bool, a string (or whatever else the reference returned): equal or not, as Python sees it."""
    value = actual
    if isinstance(actual, np.ndarray):
        # One element stands for itself (True == np.array([[1]])); anything else is never a plain value.
        value = actual.reshape(()).item() if actual.size == 1 and actual.dtype.kind in _REAL_KINDS else _NOT_PLAIN
    if value is not _NOT_PLAIN and bool(expected == value):  # Python's equality: True == 1 == 1.0
        return
    if type(value) is type(expected):  # the right kind of value, not the right one: show it
        problems.append(Problem(VALUES, "wrong_value", path, {"actual": _clip(repr(value)), "expected": _clip(repr(expected))}))
    else:
        problems.append(Problem(VALUES, "wrong_type", path, {"actual": _describe(actual), "expected": _clip(repr(expected))}))


def _compare_scalar(expected: int | float, actual, path: str, rtol: float, atol: float, problems: list[Problem]) -> None:
    if isinstance(actual, np.ndarray) and actual.size == 1 and actual.dtype.kind in _REAL_KINDS:
        actual = actual.reshape(()).item()
    if isinstance(actual, bool) or not isinstance(actual, (int, float)):
        problems.append(Problem(STRUCTURE, "wrong_type", path, {"actual": _describe(actual), "expected": "a number"}))
        return
    expected_f, actual_f = _to_float(expected), _to_float(actual)
    if expected_f is not None and actual_f is not None:
        if not math.isfinite(actual_f) and math.isfinite(expected_f):
            problems.append(Problem(VALUES, "not_finite", path))
            return
        with np.errstate(all="ignore"):  # 1e308 - (-1e308) overflows to inf: far from close, not a warning
            close = np.isclose(actual_f, expected_f, rtol=rtol, atol=atol, equal_nan=True)
        if not close:
            problems.append(Problem(VALUES, "wrong_scalar", path, {"actual": actual_f, "expected": expected_f}))
        return
    # An int too large for a float on one side or both (Python ints have no bound): exact arithmetic, np.isclose's rule.
    if isinstance(actual, float) and not math.isfinite(actual):
        problems.append(Problem(VALUES, "not_finite", path))  # the expected value is then a (huge) int
    elif not _close_exactly(actual, expected, rtol, atol):
        problems.append(Problem(VALUES, "wrong_number", path, {"actual": _number_text(actual), "expected": _number_text(expected)}))


def _close_exactly(actual: int | float, expected: int | float, rtol: float, atol: float) -> bool:
    """|actual - expected| <= atol + rtol * |expected| without floats; an infinite or NaN side never holds."""
    if not all(math.isfinite(x) for x in (actual, expected) if isinstance(x, float)):
        return False
    difference = abs(Fraction(actual) - Fraction(expected))
    return difference <= Fraction(atol) + Fraction(rtol) * abs(Fraction(expected))


def _compare_array(expected: np.ndarray, actual, path: str, rtol: float, atol: float, problems: list[Problem]) -> None:
    huge = None  # a Python int beyond float range returned for a one-element array
    if isinstance(actual, (int, float)) and not isinstance(actual, bool) and expected.size == 1:
        if isinstance(actual, int) and not -(2**63) <= actual < 2**64:  # NumPy would make an object array of it
            if _to_float(actual) is None:
                huge, actual = actual, 0.0  # a stand-in with the scalar's shape, for the shape check
            else:
                actual = float(actual)
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
    if huge is not None:
        problems.append(Problem(VALUES, "wrong_number", path, {"actual": _number_text(huge), "expected": _number_text(expected.item())}))
        return
    complex_expected = expected.dtype.kind == "c"
    if actual.dtype.kind not in ((_REAL_KINDS + "c") if complex_expected else _REAL_KINDS):
        wanted = "a numeric array" if complex_expected else "an array of real numbers"
        problems.append(Problem(STRUCTURE, "wrong_type", path, {"actual": f"an array of {actual.dtype}", "expected": wanted}))
        return
    if actual.dtype == expected.dtype and np.array_equal(actual, expected):
        return  # the common case, and far cheaper than allclose on a 12288 x 148 mini-batch
    work = np.complex128 if complex_expected else np.float64
    with np.errstate(all="ignore"):  # inf - inf and the like: NaN, handled below, not a warning
        actual_f = actual.astype(work)
        expected_f = expected.astype(work)
        if not np.all(np.isfinite(actual_f)) and np.all(np.isfinite(expected_f)):
            problems.append(Problem(VALUES, "not_finite", path))
            return
        if expected.dtype.kind in "biu":  # counts, labels, masks: exact whatever the tolerances
            if np.array_equal(actual_f, expected_f):
                return
        elif np.allclose(actual_f, expected_f, rtol=rtol, atol=atol, equal_nan=True):
            return
        error = np.asarray(np.abs(actual_f - expected_f))  # asarray: a 0-d difference comes back as a NumPy scalar
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


def _to_float(number: int | float) -> float | None:
    """The number as a float, or None for an int beyond the float range."""
    try:
        return float(number)
    except OverflowError:
        return None


def _number_text(number) -> str:
    """A number as a message shows it (6 significant digits), even an int too large for a float."""
    if isinstance(number, int) and not isinstance(number, bool) and _to_float(number) is None:
        exponent = math.floor(math.log10(abs(number)))  # exact enough: math.log10 takes any int
        mantissa = f"{10 ** (math.log10(abs(number)) - exponent):.6g}"
        if mantissa == "10":
            mantissa, exponent = "1", exponent + 1
        return f"{'-' if number < 0 else ''}{mantissa}e+{exponent}"
    try:
        return format(number, ".6g")
    except (TypeError, ValueError):
        return _clip(repr(number))


def _describe(value) -> str:
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "c":
            return f"a complex array of shape {value.shape}"
        return f"an array of shape {value.shape}"
    if value is None:
        return "None"
    if isinstance(value, Unsupported):
        return f"a {_clip(value.type_name)}"
    article = "an" if type(value).__name__[0] in "aeiou" else "a"
    return f"{article} {type(value).__name__}"


def _clip(text: str, limit: int = _TEXT_LIMIT) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _keys_text(keys: list) -> str:
    shown = ", ".join(_clip(repr(k), 60) for k in keys[:_KEYS_SHOWN])
    return shown + (f" and {len(keys) - _KEYS_SHOWN} more" if len(keys) > _KEYS_SHOWN else "")


def compare_threshold(actual, output_names: tuple[str, ...], op: str, bound: float) -> Comparison:
    """The threshold kind: one real number judged against a bound (a gradient-check difference below 2e-7)."""
    comparison = Comparison()
    path = output_names[0]
    if isinstance(actual, np.ndarray) and actual.size == 1 and actual.dtype.kind in _REAL_KINDS:
        actual = actual.reshape(()).item()
    if isinstance(actual, bool) or not isinstance(actual, (int, float)):
        comparison.problems.append(Problem(STRUCTURE, "wrong_type", path, {"actual": _describe(actual), "expected": "a number"}))
        return comparison
    as_float = _to_float(actual)
    number = actual if as_float is None else as_float  # Python compares a huge int with a float exactly
    finite = as_float is None or math.isfinite(as_float)  # NaN and the infinities never hold: -inf is not "< 2e-7"
    holds = finite and {"<": number < bound, "<=": number <= bound, ">": number > bound, ">=": number >= bound}[op]
    if not holds:
        if as_float is None:
            comparison.problems.append(Problem(VALUES, "threshold_number", path, {"actual": _number_text(actual), "op": op, "bound": bound}))
        else:
            comparison.problems.append(Problem(VALUES, "threshold", path, {"actual": as_float, "op": op, "bound": bound}))
    return comparison


def outputs_match(expected, actual, output_names: tuple[str, ...], rtol: float, atol: float) -> bool:
    return compare_outputs(expected, actual, output_names, rtol, atol).passed
