"""The visible checks of one case that returned a value: structure, shapes, then values (or a threshold).

One wording for the platform's feedback cards (grader/grading/feedback.py)
and for the starter kit's local check (grader/grading/kit_check.py, shipped
in the kit as `gradebox_check.py`): both call `value_checks`, so a student
reads the same lines on a laptop as on the page. Imports only NumPy and the
platform's comparison and message modules (no Django), so it runs in the kit.
"""
from __future__ import annotations

from grader.grading import messages
from grader.grading.compare import SHAPES, STRUCTURE, VALUES, compare_outputs, compare_threshold

CHECK_ORDER = (STRUCTURE, SHAPES, VALUES)
_OK = {STRUCTURE: "structure_ok", SHAPES: "shapes_ok", VALUES: "values_ok"}
_WHAT = {STRUCTURE: "structure", SHAPES: "shape", VALUES: "values"}


def still_none(value) -> bool:
    """None, or a non-empty dict, list or tuple holding only None (at any depth): what a starter function returns
    before its START/END CODE block is filled in (`parameters["W1"] = None`)."""
    if value is None:
        return True
    if isinstance(value, dict):
        return bool(value) and all(still_none(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return bool(value) and all(still_none(item) for item in value)
    return False


def value_checks(label: str, value, expected, outputs: tuple[str, ...], rtol: float, atol: float,
                 threshold: tuple[str, float] | None = None, hidden: bool = False
                 ) -> tuple[list[dict], list[tuple[str, str | None]]]:
    """The checks of one case's returned `value`, in order, and the hints of its problems.

    `label`: how the case is named ("published case", "hidden case 3");
    `expected`: the reference's output (ignored when `threshold`, an (op,
    bound) pair, judges the value instead); `outputs`: the names of the
    returned values. Returns ([{"name", "passed", "message"}, ...], [(message
    key, hint or None), ...]); the checks stop at the first failing one (later
    checks cannot be judged once it failed). A hidden case's failure names
    only what was wrong and where, never a value.
    """
    if still_none(value) and not still_none(expected):
        return ([{"name": f"{label}: {STRUCTURE}", "passed": False, "message": messages.say("still_none", case=label)}],
                [("still_none", None)])
    if threshold is not None:
        op, bound = threshold
        comparison = compare_threshold(value, outputs, op, bound)
    else:
        op, bound = "", 0.0
        comparison = compare_outputs(expected, value, outputs, rtol, atol)
    checks: list[dict] = []
    for check in CHECK_ORDER:
        problems = comparison.failed(check)
        if not problems:
            ok_key = "threshold_ok" if check == VALUES and op else _OK[check]
            checks.append({"name": f"{label}: {check}", "passed": True,
                           "message": messages.say(ok_key, case=label, rtol=rtol, atol=atol, op=op, bound=bound)})
            continue
        if hidden:
            paths = ", ".join(sorted({p.path for p in problems}))
            text = messages.say("hidden_wrong", case=label, what=_WHAT[check], paths=paths)
            hints = [(p.key, messages.fixed_hint(p.key)) for p in problems]
        else:
            text = "\n".join(messages.say(p.key, case=label, path=p.path, **p.fields) for p in problems)
            hints = [(p.key, messages.hint(p.key, path=p.path, **p.fields)) for p in problems]
        checks.append({"name": f"{label}: {check}", "passed": False, "message": text})
        return checks, hints
    return checks, []
