"""The parse job: the sandbox's own Python reads a student's upload, under a case's limits, and says what it found.

Run with the plain runner (the host's Python: the job's plumbing) and on both backends (the environment's Python,
which must read what students write on a current Python)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox.channel import PUBLIC_DIR, pack_job
from sandbox.outcome import OK
from sandbox.parsing import read_parse, write_parse_job

RUNNER = Path(__file__).resolve().parents[2] / "sandbox" / "runner.py"
GRADED = ["relu", "sigmoid"]
LIMITS = {"memory_mb": 512, "cpu_s": 5, "output_bytes": 64 * 2**20}
# What a student on Python 3.12+ and NumPy 2 writes; the environment's Python must read all of it.
CURRENT_PYTHON = '''import numpy as np

type Array = np.ndarray


def scale[T](x: T, by: float) -> T:
    return x * by


def relu(Z):
    keys = {"a": 0.0}
    label = f"{keys["a"]}"  # same quotes inside an f-string (Python 3.12)
    return np.maximum(scale(Z, 1.0), keys["a"])
'''


def parse(job_dir: Path, data: bytes, filename: str = "a.py", wall_s: float = 10.0):
    write_parse_job(job_dir, data, filename, GRADED, ("opt_utils",), LIMITS, wall_s)
    return job_dir


def run_plain(job_dir: Path, *flags: str):
    done = subprocess.run([sys.executable, "-I", str(RUNNER), *flags, str(job_dir / PUBLIC_DIR)],
                          input=pack_job(job_dir), capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    return read_parse(done.stdout, LIMITS["output_bytes"])


def run_sandboxed(backend, job_dir: Path):
    outcome = backend.run(job_dir)
    assert outcome.status == OK, f"{outcome.status}: {outcome.stderr[-1000:]}"
    return read_parse(outcome.archive, LIMITS["output_bytes"])


def test_the_runner_answers_a_parse_job_with_the_extraction_and_its_versions(job_dir):
    job_dir.mkdir()
    run = run_plain(parse(job_dir, b"import numpy as np\nimport sklearn\ndef relu(Z):\n    return np.maximum(Z, 0)\n"
                                    b"print(relu(3))\n"))
    assert (run.status, run.answer["status"], run.python) == ("ok", "ok", sys.version.split()[0])
    extraction = run.answer["extraction"]
    assert extraction["found"] == ["relu"] and extraction["missing"] == ["sigmoid"]
    assert "print(" not in extraction["source"] and "sklearn" not in extraction["source"]


def test_a_parse_only_runner_reports_numpys_version_without_loading_it_and_takes_no_other_job(job_dir, build_job):
    job_dir.mkdir()
    parse(job_dir, b"def relu(Z):\n    return Z\n")
    done = subprocess.run([sys.executable, "-I", "-X", "importtime", str(RUNNER), "--parse", str(job_dir / PUBLIC_DIR)],
                          input=pack_job(job_dir), capture_output=True, timeout=60)
    imported = {line.rsplit(b"|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith(b"import time")}
    assert b"json" in imported and not {b"numpy", b"h5py"} & imported
    run = read_parse(done.stdout, LIMITS["output_bytes"])
    import numpy

    assert run.answer["extraction"]["found"] == ["relu"] and run.numpy == numpy.__version__
    other = job_dir.parent / "other"
    build_job(other, "def relu(Z):\n    return Z\n", {"relu": [(1,)]})
    done = subprocess.run([sys.executable, "-I", str(RUNNER), "--parse", str(other / PUBLIC_DIR)],
                          input=pack_job(other), capture_output=True, timeout=60)
    assert done.returncode == 1 and b"got a job that runs code" in done.stderr


def test_a_parse_job_never_runs_the_upload(job_dir, tmp_path):
    job_dir.mkdir()
    marker = tmp_path / "ran"
    source = f"open({str(marker)!r}, 'w').write('x')\ndef relu(Z):\n    return Z\n".encode()
    run = run_plain(parse(job_dir, source))
    assert run.answer["extraction"]["found"] == ["relu"] and not marker.exists()


def test_an_upload_the_parser_cannot_finish_in_time_is_a_timeout_not_a_hang(job_dir):
    job_dir.mkdir()
    # A notebook of 1,000,000 empty code cells takes the parser seconds: past a 0.3 s wall it is stopped.
    notebook = json.dumps({"nbformat": 4, "cells": [{"cell_type": "code", "source": "x = 1"}] * 1_000_000}).encode()
    run = run_plain(parse(job_dir, notebook, "a.ipynb", wall_s=0.3))
    assert run.status == "timeout" and run.answer is None


@pytest.mark.sandbox
def test_the_environments_python_reads_what_students_write_on_a_current_python(sandbox_backend, job_dir):
    job_dir.mkdir()
    run = run_sandboxed(sandbox_backend, parse(job_dir, CURRENT_PYTHON.encode()))
    assert run.answer["status"] == "ok", run.answer
    assert run.answer["extraction"]["found"] == ["relu"]
    assert "def scale[T]" in run.answer["extraction"]["source"]
    assert tuple(map(int, run.python.split(".")[:2])) >= (3, 13) and int(run.numpy.split(".")[0]) >= 2


@pytest.mark.sandbox
def test_a_newer_pythons_syntax_is_named_with_the_version_that_introduced_it(sandbox_backend, job_dir):
    job_dir.mkdir()
    source = b"def relu(Z):\n    try:\n        return Z\n    except ValueError, TypeError:\n        return 0\n"
    run = run_sandboxed(sandbox_backend, parse(job_dir, source))
    answer = run.answer
    assert answer["status"] == "file_problem" and "line 4" in answer["message"]
    assert answer["newer"] == {"feature": "except_without_parentheses", "python": "3.14"}


@pytest.mark.sandbox
@pytest.mark.parametrize("data, name, readable", [
    (b"x = " + b"(" * 100_000 + b"1" + b")" * 100_000, "a.py", ("file_problem", "too_complex")),
    (b"def relu(Z):\n    return " + b"-" * 1_000_000 + b"Z\n", "a.py", ("file_problem", "too_complex")),
    (b"[" * 1_000_000, "a.ipynb", ("file_problem", "too_complex")),
    # 1.8 MB of statements: large, not deep. Under 512 MB the parser may run out of memory: a verdict too.
    (b"def relu(Z):\n    return Z\n" + b"x = 1\n" * 300_000, "a.py", ("ok", "too_complex")),
], ids=["brackets", "unary-minus", "notebook-json", "large"])
def test_deeply_nested_or_huge_uploads_end_as_an_answer_never_a_runner_failure(sandbox_backend, job_dir, data, name,
                                                                              readable):
    job_dir.mkdir()
    run = run_sandboxed(sandbox_backend, parse(job_dir, data, name))  # the run itself always ends cleanly
    assert run.status in ("timeout", "crashed", "too_large") or run.answer["status"] in readable
