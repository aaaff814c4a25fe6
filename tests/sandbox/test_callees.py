"""Graded callees are answered by given code (the reference's def), computed for any call, not looked up."""
import json
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np

from sandbox import wire
from sandbox.channel import PUBLIC_DIR, pack_job
from sandbox.results import read_results

RUNNER = Path(__file__).resolve().parents[2] / "sandbox" / "runner.py"

STUDENT = """
import numpy as np

def forward_propagation(x, theta):
    return theta + x          # wrong: the course's J is theta * x

def gradient_check(x, theta, epsilon=1e-7):
    plus = forward_propagation(x, theta + epsilon)
    minus = forward_propagation(x, theta - epsilon)
    return (plus - minus) / (2 * epsilon)

def calls_by_keyword(x, theta):
    return forward_propagation(x=x + 1, theta=theta)
"""
REFERENCE_CALLEE = "import numpy as np\n\ndef forward_propagation(x, theta):\n    return np.dot(theta, x)\n"


def write_job(job_dir: Path, callee_sources: dict, callees: dict) -> dict:
    (job_dir / PUBLIC_DIR).mkdir(parents=True)
    (job_dir / PUBLIC_DIR / "submission.py").write_text(STUDENT)
    job = {"version": 2, "submission": "submission.py", "limits": {"memory_mb": 512, "cpu_s": 10, "output_bytes": 2**24},
           "functions": [], "callee_sources": callee_sources}
    with h5py.File(job_dir / "inputs.h5", "w") as h5:
        for f, name in enumerate(["gradient_check", "calls_by_keyword"]):
            args = wire.write_h5_tree(h5, (2.0, 4.0), name=f"f{f}/args")
            job["functions"].append({"name": name, "wall_s": 5, "cases": [
                {"id": "published", "args": args, "callees": callees}]})
    (job_dir / "job.json").write_text(json.dumps(job))
    return job


def run(job_dir: Path, job: dict):
    archive = subprocess.run([sys.executable, "-I", str(RUNNER), str(job_dir / PUBLIC_DIR)], input=pack_job(job_dir),
                             capture_output=True, timeout=60, check=True).stdout
    return read_results(archive, job)


def test_a_wrong_callee_is_replaced_by_the_given_def_for_any_call(tmp_path):
    job = write_job(tmp_path / "job", {"reference": REFERENCE_CALLEE},
                    {"forward_propagation": ["reference", "forward_propagation"]})
    runs = run(tmp_path / "job", job)
    (case,) = runs["gradient_check"].cases
    assert case.status == "ok"
    assert np.isclose(case.value, 2.0, rtol=1e-6)  # d(theta * x)/d theta = x, from the reference's def
    (case,) = runs["calls_by_keyword"].cases
    assert case.status == "ok" and case.value == 12.0  # a keyword call is answered too: (2 + 1) * 4


def test_without_callees_the_students_own_callee_runs(tmp_path):
    job = write_job(tmp_path / "job", {}, {})
    (case,) = run(tmp_path / "job", job)["gradient_check"].cases
    assert case.status == "ok" and np.isclose(case.value, 1.0, rtol=1e-6)  # d(theta + x)/d theta


def test_given_code_that_fails_to_load_is_named_on_the_case(tmp_path):
    job = write_job(tmp_path / "job", {"cases": "raise RuntimeError('broken builder module')\n"},
                    {"forward_propagation": ["cases", "twice"]})
    (case,) = run(tmp_path / "job", job)["gradient_check"].cases
    assert case.status == "error" and "broken builder module" in case.error["message"]
