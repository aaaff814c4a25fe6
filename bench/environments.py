"""Per sandbox environment: cold start, warm-pool grading time of a correct submission, and the image's size.

A benchmark, not a test: it prints a markdown table. For each environment it grades one correct submission through
the whole pipeline (`Grader.grade`: the parse job, then the graded functions), every configuration in the same
run, one after another:

  bwrap        bubblewrap: every job starts Python, NumPy (and the framework) afresh
  docker-cold  a new container per job (warm pool off)
  docker-warm  containers from the environment's own warm pool of 2 (the parse job takes one, the functions the
               other), the pool full before each grading
  pool refill  how long the next grading waited for a new warm container (its start-up, imports included)

Submissions: numpy grades the optimization reference (6 functions, 20 cases, model checks off); tensorflow grades
the course notes' own code (tests/data/tensorflow_intro/seed_submission.py, 9 functions, 17 cases).

    .venv/bin/python bench/environments.py [--runs 5] [numpy tensorflow]
"""
from __future__ import annotations

import argparse
import dataclasses
import functools
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grader.settings")
os.environ.setdefault("GRADER_LOG_LEVEL", "WARNING")

SUBMISSIONS = {
    "numpy": ("assignments/optimization", "reference/optimization.py"),
    "tensorflow": ("assignments/tensorflow_intro", "tests/data/tensorflow_intro/seed_submission.py"),
}


def grader_with(backend_name: str, pool_size: int):
    from django.conf import settings

    from grader.grading import setup
    from sandbox.backends import make_backend
    from sandbox.environments import EnvironmentBackends

    def configure(backend):
        if backend.name == "docker":
            backend.pool_size = pool_size

    base = setup.get_grader()
    limits = {"wall_s": settings.GRADER_WALL_S, "cpu_s": settings.GRADER_CPU_S, "memory_mb": settings.GRADER_MEMORY_MB,
              "max_processes": settings.GRADER_MAX_PROCESSES, "output_bytes": settings.GRADER_OUTPUT_BYTES,
              "tmpfs_mb": settings.GRADER_TMPFS_MB, "cpu_quota": settings.GRADER_CPU_QUOTA}
    backends = EnvironmentBackends(functools.partial(make_backend, backend_name), settings.GRADER_CACHE_DIR, limits,
                                   configure)
    return dataclasses.replace(base, backends=backends, model_checks=False)


def wait_warm(backend, timeout_s: float = 300.0) -> float:
    """Until the pool is full: a grading takes two containers, one for the parse job and one for the functions."""
    started = time.monotonic()
    while len(backend._pool.ready) < backend.pool_size and time.monotonic() - started < timeout_s:
        time.sleep(0.05)
    return time.monotonic() - started


def grade_times(grader, bundle, name: str, data: bytes, runs: int, warm: bool) -> tuple[list[float], list[float]]:
    backend = grader.backend_for(bundle.environment)
    times, startups = [], []
    for _ in range(runs):
        if warm:
            backend.prepare()
            startups.append(wait_warm(backend))
        started = time.monotonic()
        report = grader.grade(bundle, name, data)
        times.append(time.monotonic() - started)
        assert report.score == report.max_score, f"{bundle.slug}: {report.score} of {report.max_score}"
    return times, startups


def image_size_mb(rootfs: Path) -> tuple[float, float]:
    """(the Docker image's size, the root filesystem tree's size on disk), in MB."""
    from sandbox.image.build import docker_client, ensure_image

    client = docker_client()
    image = client.images.get(ensure_image(rootfs, client))
    tree = subprocess.run(["du", "-sm", str(rootfs)], capture_output=True, text=True).stdout.split()[0]
    return image.attrs["Size"] / 1e6, float(tree)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("environments", nargs="*", default=sorted(SUBMISSIONS))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    import django

    django.setup()
    from assignments.bundle import load_bundle

    rows = []
    for environment in args.environments:
        folder, submission = SUBMISSIONS[environment]
        bundle = load_bundle(ROOT / folder)
        data = (ROOT / submission).read_bytes()
        name = Path(submission).name
        results = {}
        bwrap = grader_with("bwrap", 0)
        grade_times(bwrap, bundle, name, data, 1, warm=False)  # expected outputs computed, caches filled
        results["bwrap"], _ = grade_times(bwrap, bundle, name, data, args.runs, warm=False)
        cold = grader_with("docker", 0)
        grade_times(cold, bundle, name, data, 1, warm=False)
        results["docker-cold"], _ = grade_times(cold, bundle, name, data, args.runs, warm=False)
        warm = grader_with("docker", 2)
        results["docker-warm"], startups = grade_times(warm, bundle, name, data, args.runs + 1, warm=True)
        results["docker-warm"] = results["docker-warm"][1:]  # the first waits for the image and pool to exist
        for grader in (cold, warm):
            for backend in grader.backends.started():
                backend.close()
        image_mb, tree_mb = image_size_mb(Path(warm.backend_for(environment).rootfs))
        rows.append((environment, results, statistics.median(startups[1:]), image_mb, tree_mb))

    print(f"{'environment':12} | {'bwrap':>8} | {'docker-cold':>11} | {'docker-warm':>11} | {'pool refill':>11} | "
          f"{'image MB':>8} | {'tree MB':>7}")
    for environment, results, startup_s, image_mb, tree_mb in rows:
        medians = {key: statistics.median(values) for key, values in results.items()}
        print(f"{environment:12} | {medians['bwrap']:7.2f}s | {medians['docker-cold']:10.2f}s | "
              f"{medians['docker-warm']:10.2f}s | {startup_s:10.1f}s | {image_mb:8.0f} | {tree_mb:7.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
