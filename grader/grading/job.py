"""Job directories: what the sandbox receives. Inputs only: no expected outputs, no reference code.

The test-case inputs of an assignment are built once per version (seeded
NumPy draws, as the course's testCases do), stored as `inputs.h5` in the
cache and hard-linked into every job.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import h5py

from assignments.spec import Assignment
from grader.grading.standins import record_stand_ins
from sandbox.wire import encode, find_unsupported

JOB_FORMAT_VERSION = 1
_lock = threading.Lock()
_prepared: dict[tuple[str, Path], "PreparedInputs"] = {}


@dataclass(frozen=True)
class PreparedInputs:
    assignment: str
    functions: list[dict]  # the "functions" entries of job.json
    inputs_path: Path
    version: str  # hash of the inputs and the helper modules


FUNCTIONS, MODELS = "functions", "models"


def prepare_inputs(assignment: Assignment, cache_dir: Path, phase: str = FUNCTIONS) -> PreparedInputs:
    """Builds (once per process and version) the job.json entries and inputs.h5 of an assignment.

    Phase "functions" calls each graded function on its cases; phase "models"
    calls the training drivers of the model checks.
    """
    key = (assignment.slug, phase, Path(cache_dir))
    with _lock:
        if key not in _prepared:
            _prepared[key] = _build_inputs(assignment, Path(cache_dir), phase)
        return _prepared[key]


def _calls(assignment: Assignment, phase: str) -> list[tuple[str, float, list[tuple[str, tuple, dict]]]]:
    """(function, wall_s, [(case id, args, stand-in tables)]) for every function the phase calls."""
    if phase == FUNCTIONS:
        return [
            (graded.name, graded.wall_s,
             [(case.id, tuple(case.build()), record_stand_ins(assignment, graded.name, case)) for case in graded.cases])
            for graded in assignment.functions
        ]
    drivers: dict[str, list] = {}
    for check in assignment.model_checks:
        drivers.setdefault(check.driver, []).append(check)
    return [
        (driver, sum(c.wall_s for c in checks), [(c.id, tuple(c.build()), {}) for c in checks])
        for driver, checks in drivers.items()
    ]


def _build_inputs(assignment: Assignment, cache_dir: Path, phase: str) -> PreparedInputs:
    arrays: dict = {}
    functions = []
    for f_index, (name, wall_s, calls) in enumerate(_calls(assignment, phase)):
        cases = []
        for c_index, (case_id, args, stand_ins) in enumerate(calls):
            entry = {"id": case_id, "args": encode(args, arrays, prefix=f"f{f_index}/c{c_index}")}
            if stand_ins:
                entry["stand_ins"] = {
                    callee: encode(table, arrays, prefix=f"f{f_index}/c{c_index}/s{s_index}")
                    for s_index, (callee, table) in enumerate(sorted(stand_ins.items()))
                }
            if find_unsupported(entry):
                raise ValueError(f"{name}/{case_id}: inputs cannot be sent to the sandbox: {find_unsupported(entry)}")
            cases.append(entry)
        functions.append({"name": name, "wall_s": wall_s, "cases": cases})

    digest = hashlib.sha256(json.dumps([JOB_FORMAT_VERSION, functions], sort_keys=True).encode())
    for ref in sorted(arrays):
        digest.update(ref.encode())
        digest.update(str(arrays[ref].dtype).encode() + str(arrays[ref].shape).encode())
        digest.update(arrays[ref].tobytes())
    for helper in assignment.helper_paths():
        digest.update(helper.read_bytes())
    version = digest.hexdigest()[:20]

    inputs_path = cache_dir / "inputs" / f"{assignment.slug}-{phase}-{version}.h5"
    if not inputs_path.exists():
        inputs_path.parent.mkdir(parents=True, exist_ok=True)
        partial = inputs_path.with_suffix(f".{os.getpid()}.partial")
        with h5py.File(partial, "w") as h5:
            for ref, array in arrays.items():
                h5.create_dataset(ref, data=array)
        os.replace(partial, inputs_path)
    return PreparedInputs(assignment.slug, functions, inputs_path, version)


def write_job(job_dir: Path, assignment: Assignment, prepared: PreparedInputs, source: str, limits: dict) -> dict:
    """Fills `job_dir` (created empty by the caller) and returns the job document."""
    job = {
        "version": JOB_FORMAT_VERSION,
        "submission": "submission.py",
        "functions": prepared.functions,
        "limits": limits,
    }
    (job_dir / "job.json").write_text(json.dumps(job))
    (job_dir / "submission.py").write_text(source)
    for helper in assignment.helper_paths():
        shutil.copyfile(helper, job_dir / helper.name)
    try:
        os.link(prepared.inputs_path, job_dir / "inputs.h5")
    except OSError:  # another file system: copy instead
        shutil.copyfile(prepared.inputs_path, job_dir / "inputs.h5")
    for path in job_dir.iterdir():
        path.chmod(0o444)
    job_dir.chmod(0o555)
    return job
