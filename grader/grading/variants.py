"""Answers that must lose points, generated from the reference: the contract's proof that the cases have no hole.

For every graded function that takes arguments, four kinds of answer that do
not compute the function (DESIGN.md, "Checks a test case can make"):

- constant: the same value of the right structure for every case (zeros
  shaped like the published case's output, as `return 0.0` is);
- published answer: the published case's output whatever the input (the
  reference called on the published case's inputs);
- ignores ARG, one per parameter: the reference called with ARG fixed at the
  published case's value (its default when the published case leaves it out),
  whatever the case passes; for a parameter the manifest declares without
  effect (`printing_only`, `unused_arguments`) this answer must NOT lose
  points, so the declaration is checked too;
- ignores CALLEE(), one per graded callee a case answers (`stand_ins`,
  `callees`): the reference with that callee answered as in the published
  case, as a function that never calls it and assumes the published answer.

Each variant runs in the sandbox as the reference's own code on changed inputs
(the constant as a def returning zeros), batched into as few jobs as the output
budget allows, and is graded by the same comparison as a student's answer
(feedback.function_report). A case whose call the variant leaves unchanged is
the reference's own call, which the contract has already graded, so it is not
run again. The worker only builds job entries: it runs no bundle code.

A callee a case leaves unanswered is the submission's own def (each case runs
in a process of its own, so no answer carries over from another case).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace

import numpy as np

from assignments.bundle import Bundle, GradedFunction
from assignments.source import NO_DEFAULT, NOT_LITERAL, SourceError, callee_module, parameters
from grader.grading.feedback import function_report
from grader.grading.job import graph_keys
from sandbox.results import FunctionRun
from sandbox.wire import encode

CONSTANT, PUBLISHED, IGNORES_ARGUMENT, IGNORES_CALLEE = "constant", "published answer", "ignores", "ignores callee"
SELF = "submission"  # callee source key: a callee answered by the submission's own def, as when no case answers it
ALIAS = "gradebox_variant_{}"
# The runner's share of output_bytes per function (sandbox/runner_child.py): the archive keeps 4 MiB for itself,
# and each function's results JSON and prints take up to 1 MiB of its share before any array.
ARCHIVE_RESERVE_BYTES = 4 * 2**20
FUNCTION_RESERVE_BYTES = 2**20
CASE_OVERHEAD_BYTES = 4096  # npz headers and zip entries of one case


@dataclass
class Variant:
    """One answer that must lose points on `graded`'s cases."""

    key: str  # the contract row's name: "constant", "published answer", "ignores epsilon", "ignores f()"
    graded: GradedFunction
    calls: str  # the def the job calls: the graded function, or the constant's
    cases: list[dict] = field(default_factory=list)  # job entries of the cases whose call differs from the reference's
    estimate_bytes: list[int] = field(default_factory=list)  # per entry of `cases`: the outputs' size, about
    definition: str = ""  # code the variant adds to the submission (the constant's def)
    what: str = ""  # the answer in words, e.g. "an answer that ignores epsilon (always 1e-07, ...)"
    remedy: str = ""  # the case to add when it passes
    problem: str = ""  # known before running: why it cannot lose points, or cannot be built
    declared: str = ""  # the manifest key that says the argument has no effect on the output: then it must pass

    @property
    def passes(self) -> str:
        return f"{self.what} passes every case: {self.remedy}"

    @property
    def unchanged(self) -> int:
        return len(self.graded.cases) - len(self.cases)


def zeros_like(value):
    """The constant answer of a function whose published output is `value`: every number 0, every array zeros."""
    if isinstance(value, dict):
        return {key: zeros_like(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(zeros_like(item) for item in value)
    if isinstance(value, np.ndarray):
        return np.zeros(value.shape, value.dtype)
    if isinstance(value, (bool, int, float, complex, str)):
        return type(value)()
    return None  # None, or a value the wire could not carry


def _code(value) -> str:
    """Python source that builds `value`, a zeros_like result: small, whatever the arrays' sizes."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key!r}: {_code(item)}" for key, item in value.items()) + "}"
    if isinstance(value, tuple):
        return "(" + "".join(f"{_code(item)}, " for item in value) + ")"
    if isinstance(value, list):
        return "[" + ", ".join(_code(item) for item in value) + "]"
    if isinstance(value, np.ndarray):
        return f"_gradebox_np.zeros({value.shape!r}, {value.dtype.str!r})"
    return repr(value)


def nbytes(value) -> int:
    """About how many bytes a value's arrays and numbers take: enough to share the output budget among answers."""
    if isinstance(value, dict):
        return sum(map(nbytes, value.values()))
    if isinstance(value, (list, tuple)):
        return sum(map(nbytes, value))
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    return 8


def _items(args: dict) -> list[dict]:
    return list(args["items"]) if args.get("t") in ("tuple", "list") else [args]


def _tree(items: list[dict]) -> dict:
    return {"t": "tuple", "items": items}


def _shown(tree: dict) -> str:
    """A literal argument as the author wrote it; an array or a structure by what it is."""
    if tree.get("t") in ("int", "float", "bool", "str", "none"):
        return repr(tree.get("v"))
    return "the published case's value"


def _same(a, b) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def build(bundle: Bundle, job_functions: list[dict], outputs: dict[str, dict]) -> list[Variant]:
    """The variants of every graded function that takes arguments, from the job entries of the bundle's cases.

    `outputs`: function -> case id -> the reference's output (the expected outputs).
    """
    entries = {f["name"]: f for f in job_functions}
    found: list[Variant] = []
    for graded in bundle.functions:
        if graded.name in entries:
            found.extend(_variants(graded, entries[graded.name], bundle.text("reference"), outputs[graded.name]))
    return found


def _variants(graded: GradedFunction, entry: dict, reference: str, outputs: dict) -> list[Variant]:
    cases = {case["id"]: case for case in entry["cases"]}
    published = next((case for case in graded.cases if not case.hidden), graded.cases[0])
    base = cases[published.id]
    try:
        signature = parameters(reference, graded.name)
    except SourceError:
        signature = []  # the reference binds it some other way (a class): nothing to name its arguments by
    passed = max(len(_items(case["args"])) for case in entry["cases"])
    if not signature and not passed:
        return []  # takes no arguments: its answer is a constant
    size = {case_id: nbytes(value) for case_id, value in outputs.items()}
    published_size = size[published.id]

    answered = sorted({callee for case in entry["cases"] for callee in case.get("callees", {})})

    def callees(case: dict) -> dict:
        """A callee a case leaves unanswered is the submission's own def."""
        return {callee: case.get("callees", {}).get(callee, [SELF, callee]) for callee in answered}

    def changed(variant: Variant, case_id: str, new: dict) -> None:
        old = cases[case_id]
        if not (_same(old["args"], new["args"]) and _same(callees(old), callees(new))):
            variant.cases.append({"id": case_id, **new, **({"hidden": True} if old.get("hidden") else {})})
            variant.estimate_bytes.append(max(size[case_id], published_size) + CASE_OVERHEAD_BYTES)

    zeros = zeros_like(outputs[published.id])
    constant = Variant(CONSTANT, graded, f"gradebox_constant_{graded.name}",
                       definition=f"def gradebox_constant_{graded.name}(*args):\n    return {_code(zeros)}\n",
                       what="a constant answer (zeros shaped like the published output)",
                       remedy="add a hidden case whose expected output is far from zero")
    for case in graded.cases:
        constant.cases.append({"id": case.id, "args": _tree([]), **({"hidden": True} if case.hidden else {})})
        constant.estimate_bytes.append(published_size + CASE_OVERHEAD_BYTES)
    found = [constant]

    as_published = callees(base)
    hard_coded = Variant(PUBLISHED, graded, graded.name, what="returning the published case's output",
                         remedy="add a hidden case whose expected output differs from the published one beyond the "
                                "tolerance")
    for case in graded.cases:
        changed(hard_coded, case.id, {"args": base["args"], **({"callees": as_published} if answered else {})})
    found.append(hard_coded)

    for index, (name, _, _) in enumerate(signature):
        variant = _ignores_argument(graded, cases, base, signature, index, changed)
        if name in graded.printing_only:
            variant.declared = "printing_only"
        elif name in dict(graded.unused_arguments):
            variant.declared = "unused_arguments"
        found.append(variant)
    for callee in answered:
        variant = Variant(f"{IGNORES_CALLEE} {callee}()", graded, graded.name,
                          what=f"an answer that never calls {callee} (and assumes the published case's answer)",
                          remedy=f"add a hidden case whose {callee} is answered differently (`callees`) so that the "
                                 "expected output moves")
        for case in graded.cases:
            answers = {**cases[case.id].get("callees", {}), callee: as_published[callee]}
            changed(variant, case.id, {"args": cases[case.id]["args"], "callees": answers})
        found.append(variant)
    for variant in found:
        if not variant.cases and not variant.problem and not variant.declared:
            variant.problem = f"{variant.what} makes every case's own call, so no case can tell: {variant.remedy}"
    return found


def _ignores_argument(graded, cases, base, signature, index, changed) -> Variant:
    name, positional, _ = signature[index]
    variant = Variant(f"{IGNORES_ARGUMENT} {name}", graded, graded.name)
    if not positional:
        variant.problem = (f"{name} is keyword-only, so no case can pass it: make it positional, or list it in "
                           "printing_only if it only changes what is printed")
        return variant
    base_items = _items(base["args"])
    fixed = base_items[index] if index < len(base_items) else _default(signature[index])
    if fixed is None:
        variant.problem = (f"the published case leaves {name} out and its default is not a literal, so the value "
                           f"to fix it at is unknown: pass {name} in the published case")
        return variant
    variant.what = f"an answer that ignores {name} (always {_shown(fixed)}, as in the published case)"
    variant.remedy = (f"add a hidden case where {name} changes the expected output beyond the tolerance (or list "
                      f"{name} in printing_only if it only changes what is printed)")
    for case in graded.cases:
        items = _items(cases[case.id]["args"])
        if index >= len(items) and index >= len(base_items):
            continue  # both leave it at its default: the case's own call
        padding = [_default(signature[i]) for i in range(len(items), index + 1)]
        if any(item is None for item in padding[:-1]):
            variant.problem = f"case {case.id} leaves out a parameter before {name} whose default is not a literal"
            return variant
        items = items + padding
        items[index] = fixed
        new = {"args": _tree(items), **({"callees": cases[case.id]["callees"]} if "callees" in cases[case.id] else {})}
        changed(variant, case.id, new)
    return variant


def _default(parameter) -> dict | None:
    """The default as a wire tree (a literal has no arrays), or None when it cannot be read without running code."""
    _, _, default = parameter
    if default is NO_DEFAULT or default is NOT_LITERAL:
        return None
    arrays: dict = {}
    tree = encode(default, arrays)
    return None if arrays or tree.get("t") == "unsupported" else tree


# Running and grading

def _allowance_bytes(output_bytes: int, functions: int) -> int:
    """The arrays one function of a job may return when the job runs `functions` functions."""
    return (output_bytes - ARCHIVE_RESERVE_BYTES) // functions - FUNCTION_RESERVE_BYTES


def _units(variants: list[Variant], output_bytes: int) -> list[tuple[Variant, list[dict], int]]:
    """(variant, job cases, estimated bytes): a variant whose outputs fit one function's share, else case by case."""
    units = []
    for variant in variants:
        if not variant.cases:
            continue
        if sum(variant.estimate_bytes) <= _allowance_bytes(output_bytes, 1):
            units.append((variant, variant.cases, sum(variant.estimate_bytes)))
        else:
            units.extend((variant, [case], size) for case, size in zip(variant.cases, variant.estimate_bytes))
    return units


def _batches(units: list, output_bytes: int) -> list[list]:
    """First fit, largest first: a job of n functions gives each 1/n of the output budget."""
    batches: list[list] = []
    for unit in sorted(units, key=lambda unit: -unit[2]):
        for batch in batches:
            if batch[0][2] <= _allowance_bytes(output_bytes, len(batch) + 1):
                batch.append(unit)
                break
        else:
            batches.append([unit])
    return batches


def run(bundle: Bundle, grader, variants: list[Variant], extraction, prepared) -> dict[int, FunctionRun]:
    """Runs every variant that has cases to run; {id(variant): its run, the cases of all its jobs together}."""
    backend = grader.backend_for(bundle.environment)
    output_bytes = int(backend.output_bytes)
    self_answered = sorted({callee for v in variants for case in v.cases
                            for key, callee in case.get("callees", {}).values() if key == SELF})
    sources = dict(prepared.callee_sources)
    if self_answered:
        sources[SELF] = callee_module(extraction.source, self_answered, "the reference")
    definitions = "".join(sorted({v.definition for v in variants if v.definition}))
    merged: dict[int, FunctionRun] = {}
    for batch in _batches(_units(variants, output_bytes), output_bytes):
        aliases = [(ALIAS.format(number), variant, cases) for number, (variant, cases, _) in enumerate(batch)]
        suffix = "\n\nimport numpy as _gradebox_np\n\n" + definitions + "".join(
            f"{alias} = {variant.calls}\n" for alias, variant, _ in aliases)
        functions = [{"name": alias, "wall_s": variant.graded.wall_s, "cases": cases,
                      **graph_keys(bundle, variant.graded)}
                     for alias, variant, cases in aliases]
        runs = grader.run_job(bundle, functions, sources, prepared.inputs_path, extraction.source + suffix)
        for alias, variant, _ in aliases:
            part = runs[alias]
            whole = merged.setdefault(id(variant), FunctionRun(variant.graded.name, "ok"))
            whole.cases.extend(part.cases)
            whole.output += part.output
            whole.setup_errors = whole.setup_errors or part.setup_errors
            if part.status != "ok":
                whole.status, whole.problem = part.status, part.problem
    return merged


def rows(bundle: Bundle, grader, extraction, prepared, expected, limits: dict) -> list[tuple[str, str, str, bool, str]]:
    """One contract row per variant: ok when it loses points on its function."""
    variants = build(bundle, prepared.functions, expected.outputs)
    runs = run(bundle, grader, variants, extraction, prepared)
    found = []
    for variant in variants:
        graded = variant.graded
        if variant.declared and (variant.problem or not variant.cases):
            found.append((f"{variant.key} ({variant.declared})", graded.name, "-", True, "-"))
            continue  # declared without effect, and no case passes it anything else
        if variant.problem:
            found.append((variant.key, graded.name, "-", False, variant.problem))
            continue
        ran = {case["id"] for case in variant.cases}
        subset = replace(graded, cases=tuple(case for case in graded.cases if case.id in ran))
        report = function_report(subset, runs[id(variant)], expected.outputs[graded.name], extraction,
                                 expected.mistakes, limits)
        passed = sum(verdict["passed"] for verdict in report.cases)
        score = round(graded.points * (variant.unchanged + passed) / len(graded.cases), 6)
        unjudged = [c.id for c in runs[id(variant)].cases if c.status == "missing_result"]
        shown = f"{score:g}/{graded.points:g}"
        if unjudged:
            found.append((variant.key, graded.name, shown, False,
                          f"could not be judged on {', '.join(unjudged)}: {runs[id(variant)].problem or 'no result'}"))
        elif variant.declared:
            lost = [case.id for case, verdict in zip(subset.cases, report.cases) if not verdict["passed"]]
            found.append((f"{variant.key} ({variant.declared})", graded.name, shown, not lost, "-" if not lost else
                          f"{variant.declared} says the output does not depend on it, but {variant.what} fails "
                          f"case {', '.join(lost)}"))
        else:
            caught = passed < len(subset.cases)
            found.append((variant.key, graded.name, shown, caught, "-" if caught else variant.passes))
    return found

