"""Expected outputs: the bundle's reference run over the same inputs in the same sandbox, cached as HDF5.

The outputs of every catalogued mistake are computed the same way, so a
student's wrong answer can be matched to the mistake that produces it. The
cache is keyed by the bundle's digest and the sandbox image, so a new
version or a new NumPy computes them afresh; a bundle version never changes.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np

from assignments.bundle import Bundle
from grader.grading.diagnosis import MistakeOutputs
from grader.grading.inputs import FUNCTIONS, MODELS, prepare_inputs
from grader.grading.supplied import driver_code, supplied_code
from sandbox.wire import find_unsupported, read_h5_tree, write_h5_tree

log = logging.getLogger(__name__)
EXPECTED_FORMAT_VERSION = 4  # 3: the drivers follow the reference; 4: explanation terms


class ReferenceFailed(RuntimeError):
    """The reference solution did not run cleanly: a broken bundle, never the student's fault."""


@dataclass
class ExpectedOutputs:
    outputs: dict[str, dict[str, object]]  # function -> case id -> value
    mistakes: list[MistakeOutputs]
    path: Path
    models: dict[str, object] = field(default_factory=dict)  # model check id -> (parameters, costs)
    model_wall_s: float = 0.0  # the reference's own training time in the sandbox
    numpy_version: str = ""
    terms: dict[str, dict[str, dict[str, object]]] = field(default_factory=dict)  # function -> term -> case id -> value


def reference_source(bundle: Bundle) -> str:
    """The reference as a submission: the course's given code and drivers first, as for students."""
    source = bundle.text("reference")
    supplied = bundle.text("supplied")
    return supplied_code(supplied, source)[0] + source + driver_code(supplied)


def load_expected(bundle: Bundle, grader, with_models: bool = True) -> ExpectedOutputs:
    backend = grader.backend_for(bundle.environment)
    digest = hashlib.sha256(json.dumps([
        EXPECTED_FORMAT_VERSION, bundle.digest, getattr(backend, "image_id", ""), with_models,
    ]).encode()).hexdigest()[:20]
    path = Path(grader.cache_dir) / "expected" / f"{bundle.slug}-{digest}.h5"
    if not path.exists():
        _compute(bundle, grader, with_models, path)
    return _read(path, bundle)


def _case_value(runs, function: str, case_id: str, what: str):
    run = runs.get(function)
    case_run = next((c for c in (run.cases if run else []) if c.id == case_id), None)
    if case_run is None or case_run.status != "ok":
        error = (case_run.error or {}) if case_run is not None else {}
        frames = " <- ".join(f"line {f.get('line')}: {f.get('source')}" for f in reversed(error.get("traceback", [])))
        status = case_run.status if case_run is not None else getattr(run, "status", "missing")
        raise ReferenceFailed(f"reference {what} {function}/{case_id} did not run: {status}"
                              + (f" {error.get('type')}: {error.get('message')}" if error else "")
                              + (f" ({frames})" if frames else "")
                              + (f"; setup: {run.setup_errors[:3]}" if run and run.setup_errors else ""))
    return case_run.value


def _compute(bundle: Bundle, grader, with_models: bool, path: Path) -> None:
    log.info("computing expected outputs", extra={"assignment": bundle.slug, "version": bundle.digest[:12]})
    backend = grader.backend_for(bundle.environment)
    prepared = prepare_inputs(bundle, grader, FUNCTIONS)
    source = reference_source(bundle)
    reference_runs = grader.run_source(bundle, prepared, source)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.partial")
    try:
        with h5py.File(partial, "w") as h5:
            h5.attrs["numpy"] = getattr(backend, "numpy_version", "")
            for graded in bundle.functions:
                group = h5.create_group(f"expected/{graded.name}")
                for case in graded.cases:
                    value = _case_value(reference_runs, graded.name, case.id, "function")
                    _check_outputs(graded, case.id, value)
                    tree = write_h5_tree(group, value, name=case.id)
                    if find_unsupported(tree):
                        raise ReferenceFailed(f"reference {graded.name}/{case.id} returned values the sandbox cannot "
                                              f"send back (raise the output limit): {find_unsupported(tree)[:1]}")
            if with_models and bundle.model_checks:
                models = prepare_inputs(bundle, grader, MODELS)
                started = time.monotonic()
                model_runs = grader.run_source(bundle, models, source)
                h5.attrs["model_wall_s"] = time.monotonic() - started
                for check in bundle.model_checks:
                    value = _case_value(model_runs, check.driver, check.id, "training")
                    write_h5_tree(h5.require_group("models"), value, name=check.id)
            for mistake in bundle.mistakes:
                runs = grader.run_source(bundle, prepared, source + "\n\n" + mistake.source, only={mistake.function})
                group = h5.create_group(f"mistakes/{mistake.key}")
                for case_run in runs[mistake.function].cases:
                    if case_run.status == "ok":
                        write_h5_tree(group, case_run.value, name=case_run.id)
            for graded in bundle.functions:
                expected = {case.id: read_h5_tree(h5[f"expected/{graded.name}"], case.id) for case in graded.cases}
                for term, by_case in _terms(bundle, grader, prepared, graded, expected).items():
                    group = h5.create_group(f"terms/{graded.name}/{term}")
                    for case_id, value in by_case.items():
                        write_h5_tree(group, value, name=case_id)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _terms(bundle: Bundle, grader, prepared, graded, expected: dict) -> dict[str, dict[str, object]]:
    """The function's explanation terms on each case: cases.py's term functions run in the sandbox on its arguments.

    Each term must have the shape of what it explains (every key of a dict
    term in the output, with the output's shape for that key).
    """
    names = sorted({explanation.term for explanation in graded.explanations})
    if not names:
        return {}
    entry = next(f for f in prepared.functions if f["name"] == graded.name)
    cases = [{key: value for key, value in case.items() if key != "callees"} for case in entry["cases"]]
    extra = {"supplied.py": bundle.files.get("supplied"), "reference.py": bundle.files.get("reference")}
    runs = grader.run_job(bundle, [{"name": name, "wall_s": graded.wall_s, "cases": cases} for name in names], {},
                          prepared.inputs_path, bundle.text("cases"), extra_files={k: v for k, v in extra.items() if v})
    terms = {name: {case.id: _case_value(runs, name, case.id, "term") for case in graded.cases} for name in names}
    for explanation in graded.explanations:
        index = graded.outputs.index(explanation.output)
        for case in graded.cases:
            value = expected[case.id]
            output = value if len(graded.outputs) == 1 else value[index]
            problem = _term_problem(terms[explanation.term][case.id], output)
            if problem:
                raise ReferenceFailed(f"functions.{graded.name}.explanations.{explanation.id}: cases.py:"
                                      f"{explanation.term} on case {case.id}: {problem}")
    return terms


def _term_problem(term, output) -> str:
    """What keeps `term` from explaining `output` ("" when nothing)."""
    if isinstance(term, dict):
        if not isinstance(output, dict):
            return f"returned a dict, but {type(output).__name__} is what it explains"
        for key, value in term.items():
            if key not in output:
                return f"returned the key {key!r}, which the output lacks"
            if np.shape(value) != np.shape(output[key]):
                return f"{key!r} has shape {np.shape(value)}, the output's {np.shape(output[key])}"
        return ""
    if isinstance(term, bool) or not isinstance(term, (int, float, np.ndarray)):
        return f"returned {type(term).__name__}, not a number, an array or a dict of arrays"
    if np.shape(term) != np.shape(output):
        return f"returned shape {np.shape(term)}, the output's {np.shape(output)}"
    return ""


def _check_outputs(graded, case_id: str, value) -> None:
    """The manifest's `outputs` must name what the reference returns: one value, or a tuple of that many."""
    count = len(graded.outputs)
    if count > 1 and not (isinstance(value, tuple) and len(value) == count):
        got = f"a tuple of {len(value)}" if isinstance(value, tuple) else f"one {type(value).__name__}"
        raise ReferenceFailed(f"functions.{graded.name}.outputs names {count} values ({', '.join(graded.outputs)}), "
                              f"but the reference returns {got} on case {case_id}")


def _read(path: Path, bundle: Bundle) -> ExpectedOutputs:
    outputs: dict[str, dict[str, object]] = {}
    mistakes: list[MistakeOutputs] = []
    models: dict[str, object] = {}
    by_key = {m.key: m for m in bundle.mistakes}
    with h5py.File(path, "r") as h5:
        if "models" in h5:
            for check in bundle.model_checks:
                models[check.id] = read_h5_tree(h5["models"], check.id)
        model_wall_s = float(h5.attrs.get("model_wall_s", 0.0))
        numpy_version = str(h5.attrs.get("numpy", ""))
        for graded in bundle.functions:
            group = h5[f"expected/{graded.name}"]
            outputs[graded.name] = {case.id: read_h5_tree(group, case.id) for case in graded.cases}
        for key, group in h5.get("mistakes", {}).items():
            entry = by_key[key]
            mistakes.append(MistakeOutputs(key, entry.function, entry.hint,
                                           {case_id: read_h5_tree(group, case_id) for case_id in group.attrs}))
        terms = {function: {term: {case_id: read_h5_tree(group, case_id) for case_id in group.attrs}
                            for term, group in by_term.items()}
                 for function, by_term in h5.get("terms", {}).items()}
    return ExpectedOutputs(outputs, mistakes, path, models, model_wall_s, numpy_version, terms)
