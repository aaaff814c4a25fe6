"""Test-case inputs of a bundle version: what every job of that version receives, built once and cached.

Literal arguments come from the manifest and HDF5 arguments from the bundle's
files (data, read here); arguments of `cases.py` builders come from a sandbox
run of cases.py, since bundle code never runs in the worker. The result is a
list of job.json function entries plus one `inputs.h5`, cached under the
bundle's digest and the sandbox image.
"""
from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import h5py

from assignments.bundle import BUILDER, LITERAL, Args, Bundle
from assignments.source import SourceError, callee_module
from sandbox.wire import Unsupported, encode, find_unsupported

JOB_FORMAT_VERSION = 4  # 4: a callee module keeps only the imports its defs use
FUNCTIONS, MODELS = "functions", "models"
BUILD_FUNCTION = "gradebox_build_case"
BUILD_DRIVER = f'''

def {BUILD_FUNCTION}(name):
    """Gradebox: calls one zero-argument builder of cases.py."""
    return globals()[name]()
'''
BUILD_WALL_S = 5.0  # per builder
_lock = threading.Lock()
_memo: dict[tuple, "PreparedInputs"] = {}


class BundleProblem(RuntimeError):
    """The bundle's own code failed in the sandbox (a builder raised, returned something odd): never a student's fault."""


@dataclass(frozen=True)
class PreparedInputs:
    functions: list[dict]  # the "functions" entries of job.json
    inputs_path: Path
    callee_sources: dict[str, str]  # source key -> module text answering graded callees
    version: str

    def only(self, names: set[str]) -> "PreparedInputs":
        return PreparedInputs([f for f in self.functions if f["name"] in names], self.inputs_path,
                              self.callee_sources, self.version)


def prepare_inputs(bundle: Bundle, grader, phase: str = FUNCTIONS) -> PreparedInputs:
    """Job entries and inputs.h5 of a bundle's phase ("functions": graded functions; "models": training drivers)."""
    backend = grader.backend_for(bundle.environment)
    key = (bundle.digest, phase, str(grader.cache_dir), getattr(backend, "image_id", ""))
    with _lock:
        if key not in _memo:
            _memo[key] = _cached(bundle, grader, phase, backend)
        return _memo[key]


def _cached(bundle: Bundle, grader, phase: str, backend) -> PreparedInputs:
    version = hashlib.sha256(json.dumps([JOB_FORMAT_VERSION, bundle.digest, phase,
                                         getattr(backend, "image_id", "")]).encode()).hexdigest()[:20]
    base = Path(grader.cache_dir) / "inputs" / f"{bundle.slug}-{phase}-{version}"
    h5_path, json_path = base.with_suffix(".h5"), base.with_suffix(".json")
    if h5_path.exists() and json_path.exists():
        saved = json.loads(json_path.read_text())
        return PreparedInputs(saved["functions"], h5_path, saved["callee_sources"], version)
    functions, arrays, sources = _build(bundle, grader, phase)
    h5_path.parent.mkdir(parents=True, exist_ok=True)
    partial = h5_path.with_suffix(f".{os.getpid()}.partial")
    with h5py.File(partial, "w") as h5:
        for ref, array in arrays.items():
            h5.create_dataset(ref, data=array)
    os.replace(partial, h5_path)
    partial = json_path.with_suffix(f".{os.getpid()}.partial")
    partial.write_text(json.dumps({"functions": functions, "callee_sources": sources}))
    os.replace(partial, json_path)
    return PreparedInputs(functions, h5_path, sources, version)


def _calls(bundle: Bundle, phase: str) -> list[tuple[str, float, list[tuple[str, Args, dict, bool]]]]:
    """(function, wall_s, [(case id, args, {callee: (source key, def)}, hidden)]) for every function the phase
    calls."""
    if phase == FUNCTIONS:
        return [
            (graded.name, graded.wall_s, [
                (case.id, case.args, {**{name: ("reference", name) for name in case.stand_ins},
                                      **{name: ("cases", target) for name, target in case.callees}}, case.hidden)
                for case in graded.cases])
            for graded in bundle.functions
        ]
    drivers: dict[str, list] = {}
    for check in bundle.model_checks:
        drivers.setdefault(check.driver, []).append(check)
    return [(driver, sum(c.wall_s for c in checks), [(c.id, c.args, {}, False) for c in checks])
            for driver, checks in drivers.items()]


def _build(bundle: Bundle, grader, phase: str) -> tuple[list[dict], dict, dict[str, str]]:
    calls = _calls(bundle, phase)
    builders = sorted({args.value for _, _, cases in calls for _, args, _, _ in cases if args.kind == BUILDER})
    built = run_builders(bundle, grader, builders) if builders else {}
    arrays: dict = {}
    functions = []
    wanted: dict[str, set[str]] = {}
    for f_index, (name, wall_s, cases) in enumerate(calls):
        entries = []
        for c_index, (case_id, args, callees, hidden) in enumerate(cases):
            values = _values(args, built)
            entry = {"id": case_id, "args": encode(values, arrays, prefix=f"f{f_index}/c{c_index}")}
            if hidden:
                entry["hidden"] = True  # what a hidden case's process reports before its call is staff-only
            if find_unsupported(entry):
                raise BundleProblem(f"{name}/{case_id}: {args.describe()} cannot be sent to the sandbox: "
                                    f"{find_unsupported(entry)[0].get('why')}")
            if callees:
                entry["callees"] = {callee: list(target) for callee, target in sorted(callees.items())}
                for key, target in callees.values():
                    wanted.setdefault(key, set()).add(target)
            entries.append(entry)
        functions.append({"name": name, "wall_s": wall_s, "cases": entries})
    texts = {"reference": bundle.text("reference"), "cases": bundle.text("cases")}
    try:
        sources = {key: callee_module(texts[key], sorted(names), key) for key, names in sorted(wanted.items())}
    except SourceError as error:
        raise BundleProblem(str(error)) from None
    return functions, arrays, sources


def _values(args: Args, built: dict) -> tuple:
    if args.kind == LITERAL:
        return tuple(args.value)
    if args.kind == BUILDER:
        return built[args.value]
    return read_hdf5_args(args.value)


def read_hdf5_args(path: Path) -> tuple:
    """Datasets or groups arg0, arg1, ... of an HDF5 file; a group is a dict of its members."""
    def value(node):
        if isinstance(node, h5py.Group):
            return {name: value(node[name]) for name in node}
        return node[()] if node.shape == () else node[...]

    try:
        with h5py.File(path, "r") as h5:
            names = [f"arg{i}" for i in range(len(h5))]
            if sorted(h5) != sorted(names):
                raise BundleProblem(f"{path.name}: the file must hold exactly arg0, arg1, ... (found {', '.join(sorted(h5))})")
            return tuple(value(h5[name]) for name in names)
    except (OSError, ValueError) as error:
        raise BundleProblem(f"{path.name}: cannot be read as HDF5 arguments ({error})") from None


def run_builders(bundle: Bundle, grader, names: list[str]) -> dict[str, tuple]:
    """Runs cases.py's builders in the sandbox (with the job files, supplied.py and the reference beside them)."""
    function = {"name": BUILD_FUNCTION, "wall_s": BUILD_WALL_S * len(names),
                "cases": [{"id": name, "args": encode((name,), {})} for name in names]}
    extra = {"supplied.py": bundle.files.get("supplied"), "reference.py": bundle.files.get("reference")}
    runs = grader.run_job(bundle, [function], {}, None, bundle.text("cases") + BUILD_DRIVER,
                          extra_files={k: v for k, v in extra.items() if v})
    run = runs.get(BUILD_FUNCTION)
    setup = "; ".join(f"line {e.get('line')}: {e.get('error')}" for e in (run.setup_errors if run else []))
    built = {}
    for name in names:
        case = next((c for c in (run.cases if run else []) if c.id == name), None)
        if case is None or case.status != "ok":
            why = _why(case, run)
            raise BundleProblem(f"cases.py:{name} did not build its arguments: {why}" + (f" (cases.py {setup})" if setup else ""))
        unsupported = _unsupported(case.value)
        if unsupported:
            raise BundleProblem(f"cases.py:{name} returned a value the sandbox cannot carry: {unsupported}")
        if type(case.value) is not tuple:
            raise BundleProblem(f"cases.py:{name} returned {type(case.value).__name__}, not a tuple of arguments")
        built[name] = case.value
    return built


def _why(case, run) -> str:
    if case is not None and case.error:
        frames = " <- ".join(f"line {f.get('line')} in {f.get('function')}: {f.get('source')}"
                             for f in reversed(case.error.get("traceback", [])))
        return f"{case.error.get('type')}: {case.error.get('message')}" + (f" ({frames})" if frames else "")
    status = case.status if case is not None else (run.status if run else "no result")
    return f"{status}{' (' + run.output[-500:] + ')' if run and run.output else ''}"


def _unsupported(value) -> str:
    if isinstance(value, Unsupported):
        return f"{value.type_name} ({value.why})"
    if isinstance(value, (tuple, list)):
        return next((u for u in map(_unsupported, value) if u), "")
    if isinstance(value, dict):
        return next((u for u in map(_unsupported, value.values()) if u), "")
    return ""

