"""Expected outputs: the reference solution run over the same inputs in the same sandbox, cached as HDF5.

The outputs of every catalogued mistake are computed the same way, so a
student's wrong answer can be matched to the mistake that produces it.
"""
from __future__ import annotations

import hashlib
import importlib
import inspect
import json
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import h5py

from assignments.spec import Assignment
from grader.grading.feedback import Mistake
from grader.grading.job import PreparedInputs
from grader.grading.supplied import defined_names, supplied_code
from reference.mistakes import catalogue as mistake_catalogue
from sandbox.wire import find_unsupported, read_h5_tree, write_h5_tree

log = logging.getLogger(__name__)
EXPECTED_FORMAT_VERSION = 1


class ReferenceFailed(RuntimeError):
    """The reference solution did not run cleanly: a broken assignment, never the student's fault."""


@dataclass
class ExpectedOutputs:
    outputs: dict[str, dict[str, object]]  # function -> case id -> value
    mistakes: list[Mistake]
    path: Path
    models: dict[str, object] = field(default_factory=dict)  # model check id -> (parameters, costs)
    model_wall_s: float = 0.0  # the reference's own training time in the sandbox
    numpy_version: str = ""


def reference_source(assignment: Assignment) -> str:
    """The reference module as a submission: the course's given code and drivers first, as for students."""
    source = inspect.getsource(importlib.import_module(assignment.reference_module))
    return supplied_code(assignment, defined_names(source))[0] + source


def load_expected(assignment: Assignment, prepared: PreparedInputs, models: PreparedInputs | None, grader) -> ExpectedOutputs:
    source = reference_source(assignment)
    catalogue = mistake_catalogue(assignment.slug)
    digest = hashlib.sha256(json.dumps([
        EXPECTED_FORMAT_VERSION, prepared.version, models.version if models else "", source,
        getattr(grader.backend, "image_id", ""), [(m.key, m.function, m.hint, m.source) for m in catalogue],
    ]).encode()).hexdigest()[:20]
    path = Path(grader.cache_dir) / "expected" / f"{assignment.slug}-{digest}.h5"
    if not path.exists():
        _compute(assignment, prepared, models, grader, source, catalogue, path)
    return _read(path, assignment, {m.key: m for m in catalogue})


def _compute(assignment, prepared, models, grader, reference_source, catalogue, path: Path) -> None:
    log.info("computing expected outputs", extra={"assignment": assignment.slug, "version": prepared.version})
    reference_runs = grader.run_source(assignment, prepared, reference_source)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.partial")
    with h5py.File(partial, "w") as h5:
        h5.attrs["numpy"] = getattr(grader.backend, "numpy_version", "")
        for graded in assignment.functions:
            run = reference_runs.get(graded.name)
            group = h5.create_group(f"expected/{graded.name}")
            for case in graded.cases:
                case_run = next((c for c in (run.cases if run else []) if c.id == case.id), None)
                if case_run is None or case_run.status != "ok":
                    raise ReferenceFailed(f"reference {graded.name}/{case.id} did not run: "
                                          f"{getattr(run, 'status', 'missing')} {getattr(case_run, 'error', '')}")
                tree = write_h5_tree(group, case_run.value, name=case.id)
                if find_unsupported(tree):
                    raise ReferenceFailed(f"reference {graded.name}/{case.id} returned values the sandbox cannot "
                                          f"send back (raise the output limit): {find_unsupported(tree)[:1]}")
        if models is not None:
            started = time.monotonic()
            model_runs = grader.run_source(assignment, models, reference_source)
            h5.attrs["model_wall_s"] = time.monotonic() - started
            for check in assignment.model_checks:
                run = model_runs.get(check.driver)
                case_run = next((c for c in (run.cases if run else []) if c.id == check.id), None)
                if case_run is None or case_run.status != "ok":
                    raise ReferenceFailed(f"reference training {check.id} did not finish: "
                                          f"{getattr(run, 'status', 'missing')} {getattr(case_run, 'error', '')}")
                write_h5_tree(h5.require_group("models"), case_run.value, name=check.id)
        for mistake in catalogue:
            runs = grader.run_source(assignment, prepared, reference_source + "\n\n" + mistake.source,
                                     only={mistake.function})
            group = h5.create_group(f"mistakes/{mistake.key}")
            for case_run in runs[mistake.function].cases:
                if case_run.status == "ok":
                    write_h5_tree(group, case_run.value, name=case_run.id)
    os.replace(partial, path)


def _read(path: Path, assignment: Assignment, catalogue: dict) -> ExpectedOutputs:
    outputs: dict[str, dict[str, object]] = {}
    mistakes: list[Mistake] = []
    models: dict[str, object] = {}
    with h5py.File(path, "r") as h5:
        for check in assignment.model_checks:
            models[check.id] = read_h5_tree(h5["models"], check.id)
        model_wall_s = float(h5.attrs.get("model_wall_s", 0.0))
        numpy_version = str(h5.attrs.get("numpy", ""))
        for graded in assignment.functions:
            group = h5[f"expected/{graded.name}"]
            outputs[graded.name] = {case.id: read_h5_tree(group, case.id) for case in graded.cases}
        for key, group in h5.get("mistakes", {}).items():
            entry = catalogue[key]
            mistakes.append(Mistake(key, entry.function, entry.hint,
                                    {case_id: read_h5_tree(group, case_id) for case_id in group.attrs}))
    return ExpectedOutputs(outputs, mistakes, path, models, model_wall_s, numpy_version)
