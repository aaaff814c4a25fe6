"""Grading time per assignment, model-level training included, against the reference's own training time.

For each assignment: grade the reference solution (as a student's .py) through
the full pipeline and time its two phases. The reference's own training time is
measured inside the same sandbox image (the training calls alone, as the
runner times them: same NumPy, no start-up, no evaluation or plots). The
ratio is the model phase over that training time. A benchmark, not a test: it prints a table.

    .venv/bin/python bench/grading_time.py [--repeat 3] [slug ...]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grader.settings")
os.environ.setdefault("GRADER_LOG_LEVEL", "WARNING")


def sandbox_training_s(grader, bundle) -> float:
    """The reference's training calls alone, timed by the runner inside the sandbox."""
    if not bundle.model_checks:
        return 0.0
    from grader.grading.expected import reference_source
    from grader.grading.inputs import MODELS, prepare_inputs

    runs = grader.run_source(bundle, prepare_inputs(bundle, grader, MODELS), reference_source(bundle))
    return sum(case.wall_s or 0.0 for run in runs.values() for case in run.cases)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("slugs", nargs="*")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from assignments import bundle_folders
    from assignments.bundle import load_bundle
    from grader.grading.setup import get_grader

    grader = get_grader()
    folders = bundle_folders()
    bundles = [load_bundle(folders[s]) for s in (args.slugs or sorted(folders))]
    print(f"sandbox backend: {grader.backend_for('numpy').name}; {args.repeat} runs each, medians")
    print(f"{'assignment':18} {'functions':>10} {'models':>9} {'total':>9} {'ref. in sandbox':>16} {'ratio':>6}")
    for assignment in bundles:
        source = assignment.text("reference").encode()
        grader.grade(assignment, "reference.py", source)  # expected outputs and caches ready
        phase1, phase2, boxed = [], [], []
        for _ in range(args.repeat):
            started = time.perf_counter()
            graded = grader.grade_functions(assignment, "reference.py", source)
            middle = time.perf_counter()
            report = grader.grade_models(graded)
            phase1.append(middle - started)
            phase2.append(time.perf_counter() - middle)
            assert report.score == report.max_score, f"{assignment.slug}: reference scored {report.score}"
            boxed.append(sandbox_training_s(grader, assignment))
        f, m = statistics.median(phase1), statistics.median(phase2)
        b = statistics.median(boxed)
        ratio = f"{m / b:.2f}" if b else "-"
        print(f"{assignment.slug:18} {f:9.2f}s {m:8.2f}s {f + m:8.2f}s {b:15.2f}s {ratio:>6}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
