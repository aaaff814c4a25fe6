"""Job directories: what the sandbox receives. Inputs only: no expected outputs, no held-out data.

A job directory holds job.json and inputs.h5 (hard-linked from the cache),
which reach the runner over its stdin (sandbox.channel), and files/: the
submission and the bundle's job files, the only part mounted into the
sandbox. Graded callees of a case (stand-ins) travel as the source of the
answering defs only, never as recorded answers.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from assignments.bundle import Bundle, GradedFunction, graph_input_kinds
from grader.grading.inputs import JOB_FORMAT_VERSION
from sandbox.channel import INPUTS_NAME, JOB_NAME, PUBLIC_DIR


def graph_keys(bundle: Bundle, graded: GradedFunction) -> dict:
    """What a job entry tells the sandbox about a function that builds a graph (docs/bundles.md, "TensorFlow
    values"): its returned tensors are run, and which arguments are placeholders or variables."""
    if not graded.graph_outputs:
        return {}
    kinds = graph_input_kinds(graded, bundle.text("reference"))
    return {"graph_outputs": True, **({"graph_inputs": kinds} if kinds else {})}


def write_job(job_dir: Path, bundle: Bundle, functions: list[dict], callee_sources: dict[str, str],
              inputs_path: Path | None, source: str, limits: dict, extra_files: dict[str, Path] | None = None) -> dict:
    """Fills `job_dir` (created empty by the caller) and returns the job document."""
    graph = {graded.name: graph_keys(bundle, graded) for graded in bundle.functions if graded.graph_outputs}
    functions = [{**function, **graph.get(function.get("name"), {})} for function in functions]
    job = {
        "version": JOB_FORMAT_VERSION,
        "submission": "submission.py",
        "functions": functions,
        "limits": limits,
    }
    if callee_sources:
        job["callee_sources"] = callee_sources
    (job_dir / JOB_NAME).write_text(json.dumps(job))
    public = job_dir / PUBLIC_DIR
    public.mkdir()
    (public / "submission.py").write_text(source)
    for path in bundle.job_files:
        shutil.copyfile(path, public / path.name)
    for name, path in (extra_files or {}).items():
        shutil.copyfile(path, public / name)
    if inputs_path is not None:
        try:
            os.link(inputs_path, job_dir / INPUTS_NAME)
        except OSError:  # another file system: copy instead
            shutil.copyfile(inputs_path, job_dir / INPUTS_NAME)
    for path in public.iterdir():
        path.chmod(0o444)
    public.chmod(0o555)
    job_dir.chmod(0o711)  # the sandbox user passes through to files/; job.json is never mounted
    return job

