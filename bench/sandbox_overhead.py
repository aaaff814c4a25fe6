"""Sandbox overhead: grading the optimization assignment's correct submission under each backend.

A benchmark, not a test: it prints a markdown table (median and p95 per configuration, over --runs runs each)
and the warm pool's throughput with two submissions in flight at a time (the worker concurrency of 2 cores).

    .venv/bin/python bench/sandbox_overhead.py --runs 50

Configurations, all on the same job directory in the same run:
  process      the bare runner as a plain process with the host's Python: NO isolation, the floor
  chroot       the bare runner as a plain process, but with the sandbox's own Python and NumPy (chroot into the
               root filesystem): the same software as inside the sandboxes, so the fair floor for overhead
  bwrap        bubblewrap over the debootstrap root filesystem, cgroup limits
  docker-cold  a new container per submission (the warm pool is off)
  docker-warm  a container from the warm pool (NumPy already loaded), the pool full before each run
One "grading" is backend.run(job) plus decoding the archive (sandbox.results.read_results), i.e. everything the
sandbox adds; comparing with expected outputs is the same host-side work for every configuration.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grader.settings")
import django  # noqa: E402

django.setup()
from assignments import bundle_folders  # noqa: E402
from assignments.bundle import load_bundle  # noqa: E402
from grader.grading.inputs import prepare_inputs  # noqa: E402
from grader.grading.job import write_job  # noqa: E402
from grader.grading.setup import get_grader  # noqa: E402
from sandbox.backends import make_backend  # noqa: E402
from sandbox.backends.base import Backend  # noqa: E402
from sandbox.backends.runner_files import runner_sources  # noqa: E402
from sandbox.channel import PUBLIC_DIR, pack_job  # noqa: E402
from sandbox.outcome import SANDBOX_ERROR, RunOutcome  # noqa: E402
from sandbox.results import read_results  # noqa: E402
from sandbox.rootfs import ensure_rootfs  # noqa: E402

LIMITS = {"wall_s": 60.0, "cpu_s": 30.0, "memory_mb": 1024, "max_processes": 64, "output_bytes": 128 * 2**20,
          "tmpfs_mb": 256}  # the settings' defaults


def build_job(cache_dir: Path) -> tuple[Path, dict]:
    """The pipeline's own job for the correct submission (the reference solution, called like a student's file)."""
    assignment = load_bundle(bundle_folders()["optimization"])
    prepared = prepare_inputs(assignment, get_grader())
    source = assignment.text("reference")
    jobs = cache_dir / "jobs"
    jobs.mkdir(parents=True, exist_ok=True)
    job_dir = Path(tempfile.mkdtemp(prefix="bench-overhead-", dir=jobs))
    limits = {"memory_mb": LIMITS["memory_mb"], "cpu_s": LIMITS["cpu_s"], "output_bytes": LIMITS["output_bytes"]}
    return job_dir, write_job(job_dir, assignment, prepared.functions, prepared.callee_sources, prepared.inputs_path,
                              source, limits)


class ChrootProcess(Backend):
    """No isolation at all, only the sandbox tree's Python: what the runner costs without any sandbox."""

    name = "chroot"

    def __init__(self, rootfs: Path, **limits):
        super().__init__(**limits)
        self.rootfs = rootfs
        self.place = Path(tempfile.mkdtemp(prefix="gradebox-bench-", dir=rootfs / "tmp"))
        (self.place / "runner").mkdir()
        for path in runner_sources():
            shutil.copyfile(path, self.place / "runner" / path.name)

    def run(self, job_dir: Path) -> RunOutcome:
        inside = self.place / "job"
        if not inside.exists():
            shutil.copytree(Path(job_dir, PUBLIC_DIR), inside)
        scratch = Path(tempfile.mkdtemp(dir=self.place))
        root = f"/tmp/{self.place.name}"
        started = time.monotonic()
        try:
            process = subprocess.Popen(
                ["/usr/sbin/chroot", str(self.rootfs), "/usr/bin/python3", "-I", f"{root}/runner/runner.py", f"{root}/job"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                env={"PATH": "/usr/bin:/bin", "HOME": "/tmp", "TMPDIR": f"{root}/{scratch.name}", "LANG": "C.UTF-8"})
        except OSError as exc:
            return RunOutcome(SANDBOX_ERROR, 0.0, stderr=str(exc))
        try:
            archive, stderr, stopped = self.collect(process, started, pack_job(job_dir))
        finally:
            process.kill()
            process.wait()
            if not process.stdin.closed:
                process.stdin.close()
            process.stdout.close()
            process.stderr.close()
            shutil.rmtree(scratch, ignore_errors=True)
        return self.outcome(process, started, archive, stderr, stopped)

    def close(self) -> None:
        for path in self.place.rglob("*"):
            path.chmod(0o755 if path.is_dir() else 0o644)
        shutil.rmtree(self.place, ignore_errors=True)


def grade_once(backend, job_dir: Path, job: dict) -> float:
    started = time.perf_counter()
    outcome = backend.run(job_dir)
    if outcome.status != "ok":
        raise RuntimeError(f"{backend.name}: {outcome.status} {outcome.stderr[-400:]}")
    runs = read_results(outcome.archive, job)
    elapsed = time.perf_counter() - started
    bad = [name for name, run in runs.items() if run.status != "ok" or any(c.status != "ok" for c in run.cases)]
    if bad:
        raise RuntimeError(f"{backend.name}: the correct submission did not run cleanly: {bad}")
    return elapsed


def measure(name: str, backend, job_dir: Path, job: dict, runs: int, before_each=None) -> list[float]:
    for _ in range(3):  # page cache, image layers, first imports
        if before_each:
            before_each()
        grade_once(backend, job_dir, job)
    times = []
    for _ in range(runs):
        if before_each:
            before_each()
        times.append(grade_once(backend, job_dir, job))
    print(f"  {name}: median {statistics.median(times) * 1000:.0f} ms", file=sys.stderr)
    return times


def throughput(backend, job_dir: Path, job: dict, submissions: int, workers: int) -> float:
    """Submissions per minute with `workers` gradings in flight at once, the pool refilling behind them."""
    if getattr(backend, "_pool", None) is not None:
        backend._pool.wait_until_full()
    left = [submissions]
    lock = threading.Lock()
    errors = []

    def work():
        while True:
            with lock:
                if left[0] == 0:
                    return
                left[0] -= 1
            try:
                grade_once(backend, job_dir, job)
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

    started = time.perf_counter()
    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{len(errors)} gradings failed: {errors[0]}")
    return submissions / elapsed * 60


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20, method="inclusive")[-1]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--throughput-submissions", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pool-size", type=int, default=4, help="warm containers for the throughput run")
    parser.add_argument("--cache-dir", type=Path, default=Path(os.environ.get("GRADER_CACHE_DIR", "/var/cache/gradebox")))
    args = parser.parse_args(argv)

    rootfs = ensure_rootfs(args.cache_dir)
    job_dir, job = build_job(args.cache_dir)
    results = {}
    try:
        results["process"] = measure("process", make_backend("process", **LIMITS), job_dir, job, args.runs)
        chroot = ChrootProcess(rootfs, **LIMITS)
        try:
            results["chroot"] = measure("chroot", chroot, job_dir, job, args.runs)
        finally:
            chroot.close()
        results["bwrap"] = measure("bwrap", make_backend("bwrap", rootfs=rootfs, **LIMITS), job_dir, job, args.runs)
        cold = make_backend("docker", rootfs=rootfs, pool_size=0, **LIMITS)
        results["docker-cold"] = measure("docker-cold", cold, job_dir, job, args.runs)
        cold.close()
        warm = make_backend("docker", rootfs=rootfs, pool_size=2, **LIMITS)
        warm.prepare()
        results["docker-warm"] = measure("docker-warm", warm, job_dir, job, args.runs,  # a quiet pool, as between
                                         before_each=lambda: (warm._pool.drain(), warm._pool.wait_until_full()))
        warm.close()
        floor_per_minute = throughput(make_backend("process", **LIMITS), job_dir, job,
                                      args.throughput_submissions, args.workers)
        busy = make_backend("docker", rootfs=rootfs, pool_size=args.pool_size, **LIMITS)
        busy.prepare()
        per_minute = throughput(busy, job_dir, job, args.throughput_submissions, args.workers)
        busy.close()
    finally:
        for directory in (job_dir, job_dir / PUBLIC_DIR):
            directory.chmod(0o755)
        shutil.rmtree(job_dir)

    floor = statistics.median(results["chroot"])  # same Python and NumPy as the sandboxes
    cold_median = statistics.median(results["docker-cold"])
    warm_median = statistics.median(results["docker-warm"])
    print(f"optimization, correct submission: {len(job['functions'])} graded functions, "
          f"{sum(len(f['cases']) for f in job['functions'])} cases; {args.runs} runs each; {os.cpu_count()} cores\n")
    print("Overhead is against `chroot`: the bare runner with the sandboxes' own Python and NumPy.\n")
    print("| configuration | median | p95 | median over the floor | ratio to the floor |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, times in results.items():
        median = statistics.median(times)
        print(f"| {name} | {median * 1000:.0f} ms | {p95(times) * 1000:.0f} ms | "
              f"{(median - floor) * 1000:+.0f} ms | {median / floor:.2f} |")
    print(f"\nwarm pool vs cold: {cold_median / warm_median:.1f}x faster")
    print(f"throughput, {args.workers} in flight, {args.throughput_submissions} submissions: warm pool "
          f"({args.pool_size} containers) {per_minute:.0f} per minute; bare runner (the ceiling) "
          f"{floor_per_minute:.0f} per minute")
    return 0


if __name__ == "__main__":
    sys.exit(main())
