"""Grading time per assignment, model-level training included, against the reference's own training time.

For each assignment: grade the reference solution (as a student's .py) through
the full pipeline and time its two phases. The reference's own training time is
measured twice: inside the same sandbox image (the training calls alone, as
the runner times them: same NumPy, no start-up, no evaluation or plots), and
in-process on the host with the host's NumPy. The ratio is the model phase over
the in-sandbox training. A benchmark, not a test: it prints a table.

    .venv/bin/python bench/grading_time.py [--repeat 3] [slug ...]
"""
from __future__ import annotations

import argparse
import importlib
import inspect
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grader.settings")
os.environ.setdefault("GRADER_LOG_LEVEL", "WARNING")


def host_training_s(assignment) -> float:
    """Every model check trained in this process with the reference functions: the reference's own time."""
    if not assignment.model_checks:
        return 0.0
    module = importlib.import_module(assignment.reference_module)
    sys.path.insert(0, str(assignment.folder))
    try:
        namespace = dict(vars(module))
        exec(compile((assignment.folder / assignment.supplied_module).read_text(), "supplied.py", "exec"), namespace)
        namespace.update({f.name: getattr(module, f.name) for f in assignment.functions})
        started = time.perf_counter()
        for check in assignment.model_checks:
            namespace[check.driver](*check.build())
        return time.perf_counter() - started
    finally:
        sys.path.remove(str(assignment.folder))


def sandbox_training_s(grader, assignment) -> float:
    """The reference's training calls alone, timed by the runner inside the sandbox."""
    if not assignment.model_checks:
        return 0.0
    from grader.grading.expected import reference_source
    from grader.grading.job import MODELS, prepare_inputs

    runs = grader.run_source(assignment, prepare_inputs(assignment, grader.cache_dir, MODELS), reference_source(assignment))
    return sum(case.wall_s or 0.0 for run in runs.values() for case in run.cases)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("slugs", nargs="*")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from assignments.registry import all_assignments, get_assignment
    from grader.grading.setup import get_grader

    grader = get_grader()
    assignments = [get_assignment(s) for s in args.slugs] if args.slugs else all_assignments()
    print(f"sandbox backend: {grader.backend.name}; {args.repeat} runs each, medians")
    print(f"{'assignment':18} {'functions':>10} {'models':>9} {'total':>9} {'ref. in sandbox':>16} "
          f"{'ref. on host':>13} {'ratio':>6}")
    for assignment in assignments:
        source = inspect.getsource(importlib.import_module(assignment.reference_module)).encode()
        grader.grade(assignment.slug, "reference.py", source)  # expected outputs and caches ready
        phase1, phase2, host, boxed = [], [], [], []
        for _ in range(args.repeat):
            started = time.perf_counter()
            graded = grader.grade_functions(assignment.slug, "reference.py", source)
            middle = time.perf_counter()
            report = grader.grade_models(graded)
            phase1.append(middle - started)
            phase2.append(time.perf_counter() - middle)
            assert report.score == report.max_score, f"{assignment.slug}: reference scored {report.score}"
            host.append(host_training_s(assignment))
            boxed.append(sandbox_training_s(grader, assignment))
        f, m = statistics.median(phase1), statistics.median(phase2)
        h, b = statistics.median(host), statistics.median(boxed)
        ratio = f"{m / b:.2f}" if b else "-"
        print(f"{assignment.slug:18} {f:9.2f}s {m:8.2f}s {f + m:8.2f}s {b:15.2f}s {h:12.2f}s {ratio:>6}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
