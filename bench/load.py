"""Load: simulated students uploading over HTTP at increasing rates, on PostgreSQL + Redis + the warm pool.

For 1 and then 2 Celery workers (one process each, queue `interactive`, Docker warm pool, model checks off: the
function phase only), gunicorn in front, students upload the optimization notebook over HTTP with Poisson
arrivals at each rate of a ladder (default 30 to 360 per minute) for --step-s seconds, up to the first rate
whose queue keeps growing (--whole-ladder: every rate). For each rate it prints
upload-to-first-feedback (first_feedback_at on the server minus the time the upload was sent) p50/p95/p99, and
the queue's depth (Redis LLEN of `interactive`, sampled every 0.5 s) at the end of the step with its slope; the
first rate whose queue keeps growing is the rate at which it "starts to grow". Each step drains before the next.

Then, with the workers of the last configuration, --burst submissions (default 1,000) are stored and enqueued
at once: all must end graded, none lost and none with its cards twice; it prints their throughput per minute
and each worker's resident memory (its whole process tree) before and after.

Needs PostgreSQL and Redis on loopback (`make test-services`); uses a database (gradebox_load) and a Redis
database (13) of its own, both emptied first. Run it on an idle machine:

    .venv/bin/python bench/load.py
    .venv/bin/python bench/load.py --rates 120,240 --step-s 20 --burst 100 --workers 1   # a quick look
"""
from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.latency import Browser, free_port, percentile, submission_id, wait_for  # noqa: E402

DATABASE = "gradebox_load"
REDIS_DB = 13
QUEUE = "interactive"
STUDENTS = 20


def services_urls() -> tuple[str, str]:
    """The test services' PostgreSQL URL (pointed at DATABASE) and Redis URL (db REDIS_DB), from
    var/test-services.env. Raises FileNotFoundError when `make test-services` has not run."""
    values = dict(line.removeprefix("export ").split("=", 1)
                  for line in (ROOT / "var" / "test-services.env").read_text().splitlines() if "=" in line)
    database = urllib.parse.urlsplit(values["GRADER_TEST_DATABASE_URL"])._replace(path=f"/{DATABASE}").geturl()
    redis = urllib.parse.urlsplit(values["GRADER_TEST_REDIS_URL"])._replace(path=f"/{REDIS_DB}").geturl()
    return database, redis


def fresh_database(url: str) -> None:
    owner = urllib.parse.urlsplit(url).username
    for command in (f"dropdb --if-exists {DATABASE}", f"createdb -O {owner} {DATABASE}"):
        subprocess.run(["su", "postgres", "-c", command], check=True, capture_output=True)


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(parent, []).append(int(entry.name))
    total_kb, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except OSError:
            continue
    return total_kb / 1024


class Platform:
    """gunicorn and N single-process workers on the load database and Redis, on a scratch data dir."""

    def __init__(self, data_dir: Path, env: dict, port: int):
        self.data_dir, self.env, self.port = data_dir, env, port
        self.workers: list[subprocess.Popen] = []
        self.log = open(data_dir / "platform.log", "a")
        python = sys.executable
        self.web = subprocess.Popen([str(Path(python).parent / "gunicorn"), "grader.wsgi:application", "--bind",
                                     f"127.0.0.1:{port}", "--workers", "2", "--threads", "4"], cwd=ROOT, env=env,
                                    stdout=self.log, stderr=subprocess.STDOUT)

    def start_workers(self, count: int) -> None:
        self.stop_workers()
        for n in range(count):
            self.workers.append(subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "grader", "worker", "--concurrency=1", "-Q", QUEUE,
                 "-n", f"load{n}@%h", "--prefetch-multiplier=1", "--without-gossip", "--without-mingle",
                 "--without-heartbeat", "--loglevel=WARNING"], cwd=ROOT, env=self.env, stdout=self.log,
                stderr=subprocess.STDOUT))

    def stop_workers(self) -> None:
        for worker in self.workers:
            worker.terminate()
        for worker in self.workers:
            worker.wait(timeout=60)
        self.workers = []

    def stop(self) -> None:
        self.stop_workers()
        self.web.terminate()
        self.web.wait(timeout=30)


def students(base: str) -> list[Browser]:
    """STUDENTS students of the demo course, each logged in with a browser of their own."""
    from django.contrib.auth import get_user_model

    from grader.courses.models import Course, Enrollment

    course = Course.objects.get(slug="improving-dnn")
    browsers = []
    for n in range(STUDENTS):
        name, password = f"load-student-{n}", secrets.token_urlsafe(12)
        user = get_user_model().objects.create_user(name, password=password)
        Enrollment.objects.create(user=user, course=course, role=Enrollment.Role.STUDENT)
        browser = Browser(base)
        browser.login(name, password)
        browsers.append(browser)
    return browsers


def stored_latencies(sent: dict[int, float], timeout_s: float) -> list[float]:
    """Seconds from sending each upload to its first feedback stored, once every one has finished."""
    from grader.submissions.models import Submission

    deadline = time.monotonic() + timeout_s
    while Submission.objects.filter(pk__in=sent).exclude(status__in=("graded", "failed", "rejected")).exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"uploads not graded within {timeout_s} s")
        time.sleep(0.5)
    rows = Submission.objects.filter(pk__in=sent).values_list("pk", "status", "first_feedback_at")
    bad = [(pk, status) for pk, status, _ in rows if status != "graded"]
    if bad:
        raise RuntimeError(f"uploads that did not end graded: {bad[:10]}")
    return [first.timestamp() - sent[pk] for pk, _, first in rows]


def step(browsers: list[Browser], base: str, rate_per_min: float, seconds: float, data: bytes, redis) -> dict:
    """Uploads at `rate_per_min` (Poisson arrivals) for `seconds`, then waits for all to be graded."""
    rng = random.Random(int(rate_per_min))
    assignment = "/courses/improving-dnn/optimization/"
    tokens = [browser.csrf(browser.get(assignment)) for browser in browsers]
    sent: dict[int, float] = {}
    lock = threading.Lock()
    depths: list[tuple[float, int]] = []
    threads = []
    stop_sampling = threading.Event()

    def sample() -> None:
        while not stop_sampling.is_set():
            depths.append((time.monotonic(), redis.llen(QUEUE)))
            stop_sampling.wait(0.5)

    def send(index: int) -> None:
        at = time.time()
        page = browsers[index % len(browsers)].upload(assignment + "submit", tokens[index % len(browsers)],
                                                      "Optimization_methods.ipynb", data)
        with lock:
            sent[submission_id(page)] = at

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.monotonic()
    due, index = started, 0
    while True:
        due += rng.expovariate(rate_per_min / 60.0)
        if due - started > seconds:
            break
        time.sleep(max(0.0, due - time.monotonic()))
        thread = threading.Thread(target=send, args=(index,))
        thread.start()
        threads.append(thread)
        index += 1
    for thread in threads:
        thread.join()
    window_end = time.monotonic()
    latencies = stored_latencies(sent, timeout_s=600)
    stop_sampling.set()
    sampler.join()
    in_window = [(t - started, d) for t, d in depths if t <= window_end]
    second_half = [(t, d) for t, d in in_window if t >= seconds / 2]
    slope = statistics.linear_regression([t for t, _ in second_half], [d for _, d in second_half]).slope \
        if len(second_half) >= 3 else 0.0
    return {"rate": rate_per_min, "uploads": len(sent), "p50": percentile(latencies, 0.5),
            "p95": percentile(latencies, 0.95), "p99": percentile(latencies, 0.99),
            "depth_end": in_window[-1][1] if in_window else 0, "depth_max": max((d for _, d in in_window), default=0),
            "slope": slope, "drain_s": time.monotonic() - window_end}


def burst(platform: Platform, count: int, data: bytes) -> dict:
    """`count` submissions stored and enqueued at once; all must end graded once each."""
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db.models import Count

    from grader.courses.models import Assignment
    from grader.submissions import services
    from grader.submissions.models import FunctionResult, Submission

    rss_before = [tree_rss_mb(worker.pid) for worker in platform.workers]
    optimization = Assignment.objects.get(slug="optimization")
    users = list(get_user_model().objects.filter(username__startswith="load-student-"))
    started = time.time()
    ids = [services.submit(users[n % len(users)], optimization, SimpleUploadedFile(f"burst{n}.ipynb", data)).pk
           for n in range(count)]
    enqueued_s = time.time() - started
    deadline = time.monotonic() + 60 + count * 2
    while Submission.objects.filter(pk__in=ids).exclude(status__in=("graded", "failed", "rejected")).exists():
        if time.monotonic() > deadline:
            raise TimeoutError("the burst was not graded in time")
        time.sleep(1)
    statuses = dict(Submission.objects.filter(pk__in=ids).values_list("status").annotate(n=Count("pk")))
    last = max(Submission.objects.filter(pk__in=ids).values_list("graded_at", flat=True)).timestamp()
    twice = (FunctionResult.objects.filter(submission_id__in=ids).values("submission_id", "name")
             .annotate(n=Count("pk")).filter(n__gt=1).count())
    time.sleep(5)  # the pools refill, then memory is read
    return {"count": count, "enqueued_s": enqueued_s, "graded": statuses.get("graded", 0), "statuses": statuses,
            "cards_twice": twice, "per_minute": count / ((last - started) / 60),
            "rss_before": rss_before, "rss_after": [tree_rss_mb(worker.pid) for worker in platform.workers]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rates", default="30,45,60,75,90,120,150,180,240,300,360", help="uploads per minute, comma-separated")
    parser.add_argument("--step-s", type=float, default=45.0)
    parser.add_argument("--workers", default="1,2", help="worker counts to measure, comma-separated")
    parser.add_argument("--burst", type=int, default=1000)
    parser.add_argument("--whole-ladder", action="store_true", help="go on past the first rate whose queue grows")
    args = parser.parse_args()
    import redis as redis_client

    from tests.student_files import notebook

    database, broker = services_urls()
    fresh_database(database)
    redis = redis_client.Redis.from_url(broker)
    redis.flushdb()
    data = notebook()
    with tempfile.TemporaryDirectory(prefix="gradebox-load-") as scratch:
        env = dict(os.environ, GRADER_DATA_DIR=scratch, DJANGO_SETTINGS_MODULE="grader.settings", DATABASE_URL=database,
                   CELERY_BROKER_URL=broker, DJANGO_SECRET_KEY=secrets.token_urlsafe(50), GRADER_LOG_LEVEL="WARNING",
                   GRADER_MODEL_CHECKS="false", GRADER_UPLOAD_RATE="off", GRADER_SANDBOX="docker",
                   GRADER_SWEEP_IN_WORKER="false")
        os.environ.update({k: env[k] for k in ("GRADER_DATA_DIR", "DJANGO_SETTINGS_MODULE", "DATABASE_URL",
                                              "CELERY_BROKER_URL", "DJANGO_SECRET_KEY", "GRADER_UPLOAD_RATE",
                                              "GRADER_LOG_LEVEL")})
        for command in (["migrate", "-v0"], ["createcachetable"], ["seed_demo", "--skip-contract"]):
            subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        import django

        django.setup()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        platform = Platform(Path(scratch), env, port)
        try:
            wait_for(base + "/accounts/login/")
            browsers = students(base)
            for count in (int(n) for n in args.workers.split(",")):
                platform.start_workers(count)
                step(browsers, base, 30, 10, data, redis)  # warm-up: expected outputs, pools, connections
                print(f"\n{count} worker(s): rate/min  uploads  p50 ms  p95 ms  p99 ms  queue at end (max)  slope/s")
                grows_at = None
                for rate in (float(r) for r in args.rates.split(",")):
                    row = step(browsers, base, rate, args.step_s, data, redis)
                    growing = row["slope"] > 0.05 and row["depth_end"] >= 3
                    grows_at = grows_at or (rate if growing else None)
                    print(f"  {rate:8.0f}  {row['uploads']:7d}  {row['p50'] * 1000:6.0f}  {row['p95'] * 1000:6.0f}  "
                          f"{row['p99'] * 1000:6.0f}  {row['depth_end']:5d} ({row['depth_max']})  {row['slope']:+.2f}"
                          f"{'  growing' if growing else ''}", flush=True)
                    if growing and not args.whole_ladder:
                        break  # the answer is found; higher rates only lengthen the queue
                print(f"  the queue starts to grow at: {f'{grows_at:.0f} per minute' if grows_at else 'none of these rates'}")
            if args.burst:
                result = burst(platform, args.burst, data)
                print(f"\nburst: {result['count']} enqueued in {result['enqueued_s']:.1f} s; graded {result['graded']}, "
                      f"statuses {result['statuses']}, cards twice: {result['cards_twice']}; "
                      f"{result['per_minute']:.0f} per minute with {len(platform.workers)} worker(s)")
                print("  worker RSS before/after (MB): " + ", ".join(
                    f"{a:.0f} -> {b:.0f}" for a, b in zip(result["rss_before"], result["rss_after"])))
        finally:
            platform.stop()
            redis.flushdb()
    return 0


if __name__ == "__main__":
    sys.exit(main())
