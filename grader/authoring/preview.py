"""What a version asks and expects, for staff: every case's inputs, the reference's outputs, the mistakes' outputs.

Computed in a worker (`grader.authoring.tasks.preview_version`, bulk queue)
through the same `prepare_inputs` and `expected_for` grading uses, so the
builders, the reference and every catalogued mistake run in the sandbox only
and their results are the very ones students are judged against. The values
come back rendered as short texts (arrays: shape, dtype and a few values) and
are stored with the version's digest (grader.authoring.version_jobs); staff
see hidden cases too.
"""
from __future__ import annotations


import h5py
import numpy as np

from assignments.bundle import Bundle
from assignments.source import SourceError, parameters
from grader.grading import messages
from grader.grading.compare import compare_outputs
from grader.grading.inputs import FUNCTIONS, prepare_inputs
from sandbox.wire import Unsupported, decode

FORMAT = 1  # bump when the stored preview's shape changes: stored previews are then computed afresh
KIND = f"preview{FORMAT}"
THRESHOLD = 12  # arrays with more elements are summarized ...
EDGE_ITEMS = 2  # ... to this many items at each edge of each axis
TEXT_CHARS = 1200  # one rendered value at most
KEYS_SHOWN = 30


def render(value, depth: int = 0) -> str:
    """A compact text of a value: arrays as `float64 (3, 4)` and numpy's summary; dicts one key a line."""
    if depth > 4:
        return "…"
    if isinstance(value, np.ndarray) or isinstance(value, np.generic):
        array = np.asarray(value)
        text = np.array2string(array, threshold=THRESHOLD, edgeitems=EDGE_ITEMS, precision=6, max_line_width=88)
        return _clip(f"{array.dtype} {array.shape}\n{text}" if array.ndim else f"{text} ({array.dtype})")
    if isinstance(value, dict):
        lines = []
        for key in list(value)[:KEYS_SHOWN]:
            shown = render(value[key], depth + 1)
            lines.append(f"{key}: " + shown.replace("\n", "\n  " + " " * len(str(key))))
        if len(value) > KEYS_SHOWN:
            lines.append(f"… {len(value) - KEYS_SHOWN} more keys")
        return _clip("\n".join(lines) or "{}")
    if isinstance(value, (list, tuple)):
        if all(isinstance(item, (int, float, bool, str, type(None))) for item in value) and len(value) <= 20:
            return _clip(repr(value))
        kind = "tuple" if isinstance(value, tuple) else "list"
        return _clip(f"{kind} of {len(value)}:\n" + "\n".join(f"[{i}] {render(item, depth + 1)}"
                                                          for i, item in enumerate(value[:10])))
    if isinstance(value, Unsupported):
        return f"(not transferable: {value.type_name}, {value.why})"
    return _clip(repr(value))


def _clip(text: str) -> str:
    return text if len(text) <= TEXT_CHARS else text[:TEXT_CHARS] + " …"


def parameter_names(source: str, function: str) -> list[str]:
    """The reference def's positional parameters (read by the bundle loader, never run); [] when it cannot be read."""
    try:
        return [name for name, positional, _ in parameters(source, function, "reference.py") if positional]
    except SourceError:
        return []


def _named(values, names: list[str], fallback: str) -> list[dict]:
    return [{"label": names[i] if i < len(names) else f"{fallback}{i}", "text": render(value)}
            for i, value in enumerate(values)]


def _outputs(graded, value) -> list[dict]:
    if len(graded.outputs) > 1 and isinstance(value, tuple) and len(value) == len(graded.outputs):
        return [{"label": name, "text": render(item)} for name, item in zip(graded.outputs, value)]
    return [{"label": ", ".join(graded.outputs), "text": render(value)}]


def _difference(graded, case, expected, produced) -> str:
    """How a mistake's outputs differ from the reference's on a case, in the words students would read."""
    comparison = compare_outputs(expected, produced, graded.outputs, case.rtol, case.atol)
    if comparison.passed:
        return "same as the reference on this case (within its tolerance)"
    return "\n".join(messages.say(p.key, case=case.id, path=p.path, **p.fields) for p in comparison.problems[:5])


def compute(bundle: Bundle, grader) -> dict:
    """The preview document of a bundle (sandbox runs through `grader`; cached there by the bundle's digest).

    Raises what `prepare_inputs` and `expected_for` raise for a broken bundle (BundleProblem,
    ReferenceFailed): the caller stores the traceback for staff.
    """
    prepared = prepare_inputs(bundle, grader, FUNCTIONS)
    expected = grader.expected_for(bundle)
    entries = {entry["name"]: entry for entry in prepared.functions}
    reference = bundle.text("reference")
    functions = []
    with h5py.File(prepared.inputs_path, "r") as arrays:
        for graded in bundle.functions:
            names = parameter_names(reference, graded.name)
            by_id = {entry["id"]: entry for entry in entries[graded.name]["cases"]}
            cases = []
            for case in graded.cases:
                args = decode(by_id[case.id]["args"], arrays)
                cases.append({
                    "id": case.id, "hidden": case.hidden, "reveal": case.reveal if case.hidden else "",
                    "description": case.description, "source": case.args.describe(),
                    "judged": (f"{case.threshold[0]} {case.threshold[1]:g}" if case.threshold
                               else f"rtol {case.rtol:g}, atol {case.atol:g}"),
                    "stand_ins": list(case.stand_ins), "callees": [f"{a} = cases.py:{b}" for a, b in case.callees],
                    "inputs": _named(args, names, "arg"),
                    "expected": _outputs(graded, expected.outputs[graded.name][case.id]),
                })
            mistakes = []
            recorded = {m.key: m for m in expected.mistakes}
            for mistake in (m for m in bundle.mistakes if m.function == graded.name):
                outputs = recorded[mistake.key].outputs if mistake.key in recorded else {}
                mistakes.append({"key": mistake.key, "hint": mistake.hint, "cases": [
                    {"id": case.id, "hidden": case.hidden,
                     "outputs": _outputs(graded, outputs[case.id]) if case.id in outputs else [],
                     "difference": (_difference(graded, case, expected.outputs[graded.name][case.id], outputs[case.id])
                                    if case.id in outputs else "raised an error or did not finish on this case")}
                    for case in graded.cases]})
            functions.append({"name": graded.name, "points": graded.points, "outputs": list(graded.outputs),
                              "wall_s": graded.wall_s, "cases": cases, "mistakes": mistakes})
    return {"format": FORMAT, "digest": bundle.digest, "numpy": expected.numpy_version, "functions": functions,
            "model_checks": [{"id": c.id, "title": c.title, "driver": c.driver, "points": c.points,
                              "thresholds": [f"{t.metric} {t.op} {t.value:g}" + (f" ({t.why})" if t.why else "")
                                             for t in c.thresholds]} for c in bundle.model_checks]}
