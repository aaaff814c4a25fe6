"""Upload-to-feedback latency over HTTP, with a real worker, on the embedded default (SQLite, filesystem broker).

Starts gunicorn and one Celery worker on a scratch data dir, logs in as the
demo student, uploads a correct optimization notebook N times one after
another, and for each measures the time from sending the upload to the status
endpoint reporting it graded. A benchmark, not a test: it prints numbers.

    .venv/bin/python bench/latency.py --runs 50                      # function-level feedback
    .venv/bin/python bench/latency.py --runs 5 --model-checks       # first cards, then the trained models
"""
from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """Just enough of a browser: cookies, the CSRF token, multipart uploads."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def csrf(self, page: str) -> str:
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    def login(self, username: str, password: str) -> None:
        token = self.csrf(self.get("/accounts/login/"))
        body = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(self.base + "/accounts/login/", data=body, headers={"Referer": self.base + "/accounts/login/"})
        self.opener.open(request, timeout=30).read()

    def upload(self, path: str, token: str, filename: str, data: bytes) -> str:
        boundary = uuid.uuid4().hex
        body = (
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\"\r\n\r\n{token}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode() + data + f"\r\n--{boundary}--\r\n".encode()
        request = urllib.request.Request(
            self.base + path, data=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}", "Referer": self.base + path},
        )
        with self.opener.open(request, timeout=30) as response:
            return response.geturl()  # the submission page we were redirected to


def start_platform(data_dir: Path, port: int, model_checks: bool) -> list[subprocess.Popen]:
    env = dict(os.environ, GRADER_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="grader.settings",
               GRADER_LOG_LEVEL="WARNING", GRADER_MODEL_CHECKS="true" if model_checks else "false",
               GRADER_UPLOAD_RATE="off")  # one student uploading back to back, on purpose
    env.pop("DATABASE_URL", None)
    env.pop("CELERY_BROKER_URL", None)
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([python, "manage.py", "seed_demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    log = open(data_dir / "platform.log", "w")
    worker = subprocess.Popen([python, "-m", "celery", "-A", "grader", "worker", "--concurrency=1", "-Q", "interactive",
                               "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=WARNING"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    web = subprocess.Popen([str(Path(python).parent / "gunicorn"), "grader.wsgi:application", "--bind", f"127.0.0.1:{port}",
                            "--workers", "2", "--threads", "4"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    return [worker, web]


def wait_for(url: str, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not answer within {timeout_s} s")


def page_poll_delays():
    """The submission page's own polling rhythm, in seconds (submissions/detail.html: `delay`)."""
    polls = 0
    while True:
        polls += 1
        yield 0.1 if polls <= 30 else 0.25 if polls <= 270 else 1.0


def wait_like_the_page(browser: Browser, status_path: str, started: float, timeout_s: float = 120) -> tuple:
    """Polls the status endpoint as the submission page does, and fetches the feedback fragment when it changes;
    returns (seconds until the page shows the first cards, seconds until it shows the grading finished, the
    last status). Polling faster than the page would measure the benchmark's own requests competing for the
    2 cores, not the platform."""
    first = None
    feedback_path = status_path[:-len("status")] + "feedback"
    for delay_s in page_poll_delays():
        time.sleep(delay_s)
        if time.perf_counter() - started > timeout_s:
            break
        state = json.loads(browser.get(status_path))
        if first is None and (state["results"] or state["finished"]):
            browser.get(feedback_path)
            first = time.perf_counter() - started
        if state["finished"]:
            return first, time.perf_counter() - started, state
    raise TimeoutError(f"{status_path} not graded within {timeout_s} s")


def stored_after(submission_id: int, sent_at: float) -> float:
    """Seconds from sending the upload (time.time()) to the first feedback stored on the server (the row's
    first_feedback_at): the latency itself, without the page's polling delay. Needs Django set up on the
    platform's data dir."""
    from grader.submissions.models import Submission

    stored = Submission.objects.values_list("first_feedback_at", flat=True).get(pk=submission_id)
    return stored.timestamp() - sent_at


def submission_id(page_url: str) -> int:
    """The id in a submission page's URL (…/submissions/<id>/)."""
    return int(re.search(r"/(\d+)/?$", page_url).group(1))


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=2, help="uploads before measuring (worker caches warm up)")
    parser.add_argument("--model-checks", action="store_true",
                        help="also train the model-level checks (seconds each); first feedback is then the function cards")
    args = parser.parse_args()

    from tests.student_files import notebook

    data = notebook()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="gradebox-bench-") as scratch:
        processes = start_platform(Path(scratch), port, args.model_checks)
        try:
            wait_for(base + "/accounts/login/")
            browser = Browser(base)
            browser.login("student", "student")
            assignment = "/courses/improving-dnn/optimization/"
            token = browser.csrf(browser.get(assignment))
            os.environ.update(GRADER_DATA_DIR=scratch, DJANGO_SETTINGS_MODULE="grader.settings")
            os.environ.pop("DATABASE_URL", None)
            import django

            django.setup()
            latencies, firsts, stored, scores = [], [], [], []
            for index in range(args.warmup + args.runs):
                started, sent_at = time.perf_counter(), time.time()
                page = browser.upload(assignment + "submit", token, "Optimization_methods.ipynb", data)
                first, elapsed, state = wait_like_the_page(browser, page.rstrip("/")[len(base):] + "/status", started)
                if index >= args.warmup:
                    latencies.append(elapsed)
                    firsts.append(first)
                    stored.append(stored_after(submission_id(page), sent_at))
                    scores.append((state["score"], state["max_score"]))
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=30)
    full = sum(1 for score, top in scores if score == top)
    print(f"runs: {len(latencies)} (after {args.warmup} warm-up), full marks: {full}/{len(scores)}")
    for label, values in (("function feedback stored", stored), ("function feedback on the page", firsts),
                          ("complete grading on the page", latencies)):
        print(f"upload to {label}: p50 {statistics.median(values) * 1000:.0f} ms, "
              f"p95 {percentile(values, 0.95) * 1000:.0f} ms, min {min(values) * 1000:.0f} ms, "
              f"max {max(values) * 1000:.0f} ms")
    return 0 if full == len(scores) else 1


if __name__ == "__main__":
    sys.exit(main())
