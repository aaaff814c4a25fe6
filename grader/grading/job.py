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


def prepare_inputs(assignment: Assignment, cache_dir: Path) -> PreparedInputs:
    """Builds (once per process and version) the job.json entries and inputs.h5 of an assignment."""
    key = (assignment.slug, Path(cache_dir))
    with _lock:
        if key not in _prepared:
            _prepared[key] = _build_inputs(assignment, Path(cache_dir))
        return _prepared[key]


def _build_inputs(assignment: Assignment, cache_dir: Path) -> PreparedInputs:
    arrays: dict = {}
    functions = []
    for f_index, graded in enumerate(assignment.functions):
        cases = []
        for c_index, case in enumerate(graded.cases):
            tree = encode(tuple(case.build()), arrays, prefix=f"f{f_index}/c{c_index}")
            if find_unsupported(tree):
                raise ValueError(f"{graded.name}/{case.id}: inputs cannot be sent to the sandbox: {find_unsupported(tree)}")
            cases.append({"id": case.id, "args": tree})
        functions.append({"name": graded.name, "wall_s": graded.wall_s, "cases": cases})

    digest = hashlib.sha256(json.dumps([JOB_FORMAT_VERSION, functions], sort_keys=True).encode())
    for ref in sorted(arrays):
        digest.update(ref.encode())
        digest.update(str(arrays[ref].dtype).encode() + str(arrays[ref].shape).encode())
        digest.update(arrays[ref].tobytes())
    for helper in assignment.helper_paths():
        digest.update(helper.read_bytes())
    version = digest.hexdigest()[:20]

    inputs_path = cache_dir / "inputs" / f"{assignment.slug}-{version}.h5"
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
