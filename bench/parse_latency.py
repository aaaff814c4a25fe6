"""What reading a student's upload in the sandbox costs: the parse job alone, and phase one (upload to function
feedback) around it, per backend.

A benchmark, not a test: it prints a markdown table (median and p95 over --runs runs, after 2 warm-up runs).

    .venv/bin/python bench/parse_latency.py --runs 30

Rows:
  in-process     sandbox/extraction.py called in this process (the worker's own Python): what reading the upload
                 cost when the worker parsed it, the floor
  parse <b>      Grader.extract: the parse job (job directory, sandbox run, the answer decoded and checked)
  phase one <b>  Grader.grade_functions: the parse job, then the graded functions' job, compared and reported
for <b> in docker (warm pool of --pool containers, full before each run) and bwrap. The upload is the correct
optimization notebook (the reference in the course's notebook layout, tests/student_files.py), 20 cases.
"""
from __future__ import annotations

import argparse
import dataclasses
import functools
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grader.settings")
os.environ.setdefault("GRADER_LOG_LEVEL", "WARNING")


def timed(function, runs: int, before=None) -> list[float]:
    """Milliseconds of `runs` calls after 2 warm-up calls; `before` runs untimed ahead of each call."""
    samples = []
    for index in range(runs + 2):
        if before:
            before()
        started = time.perf_counter()
        function()
        if index >= 2:
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def row(name: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"| {name} | {statistics.median(ordered):.0f} ms | {p95:.0f} ms | {ordered[0]:.0f} ms |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--pool", type=int, default=2, help="warm containers of the docker backend")
    parser.add_argument("--backends", default="docker,bwrap")
    args = parser.parse_args()

    import django

    django.setup()
    from grader.grading.setup import _configure, get_grader
    from sandbox.backends import make_backend
    from sandbox.environments import EnvironmentBackends
    from sandbox.extraction import parse_upload
    from tests import student_files

    bundle = student_files.get_bundle("optimization")
    data = student_files.notebook("optimization")
    names = [f.name for f in bundle.functions]
    base = dataclasses.replace(get_grader(), model_checks=False)
    print(f"upload: the correct optimization notebook ({len(data)} bytes); {args.runs} runs each\n")
    print("| what | median | p95 | min |\n| --- | ---: | ---: | ---: |")
    in_process = timed(lambda: parse_upload(data, "a.ipynb", names, list(bundle.job_module_names)), args.runs)
    print(row("in-process (the worker's Python, no sandbox)", in_process), flush=True)
    for name in args.backends.split(","):
        backends = EnvironmentBackends(functools.partial(make_backend, name), base.cache_dir, base.backends.limits,
                                       _configure)
        grader = dataclasses.replace(base, backends=backends, _expected={})
        backend = grader.backend_for(bundle.environment)
        if name == "docker":
            backend.pool_size = args.pool
            backend.prepare()
        refill = (lambda: backend._pool.wait_until_full()) if name == "docker" else None
        try:
            grader.grade_functions(bundle, "a.ipynb", data)  # expected outputs and inputs cached
            parse = timed(lambda: grader.extract(bundle, "a.ipynb", data), args.runs, refill)
            print(row(f"parse job, {name}", parse), flush=True)
            phase_one = timed(lambda: grader.grade_functions(bundle, "a.ipynb", data), args.runs, refill)
            print(row(f"phase one, {name} (parse job + functions job + feedback)", phase_one), flush=True)
        finally:
            if name == "docker":
                backend.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
