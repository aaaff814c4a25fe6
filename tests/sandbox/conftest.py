"""Builds real job directories the way the grading pipeline lays them out."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import shutil
import tempfile
from pathlib import Path

import h5py
import pytest

from sandbox import wire

RUNNER = Path(__file__).resolve().parents[2] / "sandbox" / "runner.py"


def write_job(job_dir: Path, source: str, functions: dict, wall_s: float = 5.0, limits: dict | None = None,
              helpers: dict | None = None) -> dict:
    """functions maps a name to its cases, each case a tuple of positional arguments."""
    job_dir.mkdir(parents=True, exist_ok=True)
    (job_dir / "submission.py").write_text(textwrap.dedent(source))
    for name, text in (helpers or {}).items():
        (job_dir / name).write_text(textwrap.dedent(text))
    job = {"version": 1, "submission": "submission.py", "functions": [],
           "limits": {"memory_mb": 1024, "cpu_s": 10, "output_bytes": 64 * 2**20, **(limits or {})}}
    with h5py.File(job_dir / "inputs.h5", "w") as inputs:
        for f, (name, cases) in enumerate(functions.items()):
            entry = {"name": name, "wall_s": wall_s, "cases": []}
            for c, args in enumerate(cases):
                tree = wire.write_h5_tree(inputs, tuple(args), name=f"f{f}/c{c}")
                entry["cases"].append({"id": f"case-{c}", "args": tree})
            job["functions"].append(entry)
    (job_dir / "job.json").write_text(json.dumps(job))
    return job


def run_plain_runner(job_dir: Path, timeout_s: float = 60) -> subprocess.CompletedProcess:
    """The runner as a plain process with the host's Python: fast, and no isolation needed to test its logic."""
    return subprocess.run([sys.executable, "-I", str(RUNNER), str(job_dir)], capture_output=True, timeout=timeout_s)


@pytest.fixture
def job_dir():
    """Outside pytest's private tmp dirs: the sandbox runs as an unprivileged host user that must reach it."""
    base = Path(tempfile.mkdtemp(prefix="gradebox-test-"))
    base.chmod(0o755)
    yield base / "job"
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def build_job():
    """A fixture rather than an import: several conftest.py files may live under tests/."""
    return write_job


@pytest.fixture
def run_runner():
    return run_plain_runner
