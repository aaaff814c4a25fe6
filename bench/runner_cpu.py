"""CPU time of one grading in the bare runner (no sandbox), all its processes together.

One grading = the runner over the optimization assignment's correct submission (the reference called like a
student's file), through the process backend, so the figure is the runner's own work: starting the zygote,
one process per case, the pipes, the archive. CPU time (user + system of the runner and every process it
reaped), not wall time, so it stays comparable on a busy machine.

Usage: .venv/bin/python bench/runner_cpu.py [--runs 10]
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grader.settings")

import django  # noqa: E402

django.setup()

from assignments import bundle_folders  # noqa: E402
from assignments.bundle import load_bundle  # noqa: E402
from grader.grading.inputs import prepare_inputs  # noqa: E402
from grader.grading.job import write_job  # noqa: E402
from grader.grading.setup import get_grader  # noqa: E402
from sandbox.backends import make_backend  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    bundle, grader = load_bundle(bundle_folders()["optimization"]), get_grader()
    prepared = prepare_inputs(bundle, grader)
    base = Path(tempfile.mkdtemp(prefix="bench-runner-cpu-"))
    base.chmod(0o755)
    job_dir = base / "job"
    job_dir.mkdir()
    job = write_job(job_dir, bundle, prepared.functions, prepared.callee_sources, prepared.inputs_path,
                    bundle.text("reference"), {"memory_mb": 1024, "cpu_s": 30, "output_bytes": 2**27})
    backend = make_backend("process", wall_s=60)
    cpu_ms = []
    for _ in range(args.runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        outcome = backend.run(job_dir)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if outcome.status != "ok":
            print(f"the runner failed: {outcome.status} {outcome.stderr[-300:]}", file=sys.stderr)
            return 1
        cpu_ms.append(1000 * (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime))
    cases = sum(len(f["cases"]) for f in job["functions"])
    print(f"{len(job['functions'])} functions, {cases} cases, {args.runs} runs: CPU per grading "
          f"median {statistics.median(cpu_ms):.0f} ms, min {min(cpu_ms):.0f} ms, max {max(cpu_ms):.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
