"""A stand-in answers a graded callee's calls from a recorded table, so a wrong callee does not fail the caller."""
import json
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np

from sandbox import wire
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

def calls_unexpectedly(x, theta):
    return forward_propagation(x + 1, theta)
"""


def job_with_stand_ins(job_dir: Path) -> dict:
    job_dir.mkdir()
    (job_dir / "submission.py").write_text(STUDENT)
    x, theta, eps = 2.0, 4.0, 1e-7
    table = [((x, theta + eps), x * (theta + eps)), ((x, theta - eps), x * (theta - eps))]
    job = {"version": 1, "submission": "submission.py", "limits": {"memory_mb": 512, "cpu_s": 10, "output_bytes": 2**24},
           "functions": []}
    with h5py.File(job_dir / "inputs.h5", "w") as h5:
        for f, name in enumerate(["gradient_check", "calls_unexpectedly"]):
            args = wire.write_h5_tree(h5, (x, theta), name=f"f{f}/args")
            stand = wire.write_h5_tree(h5, table, name=f"f{f}/table")
            job["functions"].append({"name": name, "wall_s": 5, "cases": [
                {"id": "published", "args": args, "stand_ins": {"forward_propagation": stand}}]})
    (job_dir / "job.json").write_text(json.dumps(job))
    return job


def test_wrong_callee_is_replaced_and_unexpected_calls_are_explained(tmp_path):
    job = job_with_stand_ins(tmp_path / "job")
    archive = subprocess.run([sys.executable, "-I", str(RUNNER), str(tmp_path / "job")],
                             capture_output=True, timeout=60, check=True).stdout
    runs = read_results(archive, job)
    (case,) = runs["gradient_check"].cases
    assert case.status == "ok"
    assert np.isclose(case.value, 2.0, rtol=1e-6)  # d(theta * x)/d theta = x, from the recorded answers
    (case,) = runs["calls_unexpectedly"].cases
    assert case.status == "error"
    assert "forward_propagation was called with arguments this test does not expect" in case.error["message"]
