"""Fault tests against real processes: workers killed with SIGKILL in the middle of grading.

Runs on whichever stack the suite runs on (SQLite + the filesystem broker, or PostgreSQL + Redis with a beat
process sending the sweeper). Every kill happens while a submission is `running` under the killed worker's
lease and its sandbox is alive; at the end every submission is graded exactly once (one set of result rows,
one "submission graded" log line at most).
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from grader.courses.models import Assignment
from grader.submissions import services
from grader.submissions.models import FunctionResult, Submission
from tests import student_files as files
from tests.conftest import ROOT, worker_env

pytestmark = [pytest.mark.slow, pytest.mark.sandbox, pytest.mark.django_db(transaction=True)]
KILLS = int(os.environ.get("GRADEBOX_FAULT_KILLS", "5"))  # CI: 20
# Short leases and a quick sweeper, so a dead worker's submission is taken over within seconds.
FAST = {"GRADER_LEASE_S": "3", "GRADER_SWEEP_AFTER_S": "4", "GRADER_SWEEP_INTERVAL_S": "0.5",
        "GRADER_MODEL_CHECKS": "false", "GRADER_SANDBOX": "bwrap", "GRADER_LOG_FORMAT": "json"}


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def descendants(pid: int) -> list[tuple[int, str]]:
    """(pid, command name) of every process under `pid`."""
    tree, found, todo = _children(), [], [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            try:
                found.append((child, Path(f"/proc/{child}/comm").read_text().strip()))
            except OSError:
                continue
            todo.append(child)
    return found


class Stack:
    """Worker processes (and beat, with Redis) started in their own process groups, logging JSON to files."""

    def __init__(self, env: dict, logs: Path):
        self.env, self.logs, self.processes = env, logs, []
        logs.mkdir(parents=True, exist_ok=True)

    def start(self, name: str, *args: str) -> subprocess.Popen:
        log = (self.logs / f"{name}-{len(self.processes)}.log").open("w")
        process = subprocess.Popen([sys.executable, "-m", "celery", "-A", "grader", *args], cwd=ROOT, env=self.env,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append(process)
        return process

    def worker(self) -> subprocess.Popen:
        return self.start("worker", "worker", "--loglevel=INFO", "--concurrency=1", "-n", f"fault{time.monotonic_ns()}@%h",
                          "-Q", "interactive,training,bulk", "--without-gossip", "--without-mingle",
                          "--without-heartbeat")

    def kill(self, process: subprocess.Popen) -> None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill(process)

    def logged(self, message: str, pattern: str = "worker-*.log") -> list[tuple[Path, dict]]:
        """(log file, record) of every JSON log record with this message in the logs matching `pattern`."""
        found = []
        for path in sorted(self.logs.glob(pattern)):
            for line in path.read_text(errors="replace").splitlines():
                if line.startswith("{"):
                    try:
                        record = json.loads(line)
                    except ValueError:
                        continue
                    if record.get("message") == message:
                        found.append((path, record))
        return found

    def graded_lines(self) -> Counter:
        return Counter(record["submission"] for _, record in self.logged("submission graded"))


def running_here(worker: subprocess.Popen) -> Submission | None:
    """A submission this worker's pool process holds the lease of while a sandbox runs under it, else None."""
    below = descendants(worker.pid)
    if not any(name == "bwrap" for _, name in below):
        return None
    pids = {pid for pid, _ in below}
    for row in Submission.objects.filter(status=Submission.Status.RUNNING).exclude(lease_owner=""):
        if int(row.lease_owner.split(":")[1]) in pids:
            return row
    return None


def test_killed_workers_lose_no_submission_and_grade_none_twice(tmp_path):
    call_command("seed_demo", "--skip-contract", stdout=open(os.devnull, "w"))
    student = get_user_model().objects.get(username="student")
    optimization = Assignment.objects.get(slug="optimization")
    redis = not settings.CELERY_BROKER_URL.startswith("filesystem://")
    env = worker_env(**FAST, GRADER_SWEEP_IN_WORKER="false" if redis else "true")
    stack = Stack(env, tmp_path / "logs")
    if redis:
        stack.start("beat", "beat", "--loglevel=INFO", "--schedule", str(tmp_path / "beat-schedule"))
    functions = {f["name"] for f in optimization.current_version.manifest["functions"]}
    model_checks = {m["id"] for m in optimization.current_version.manifest.get("model_checks", [])}
    rows = [services.submit(student, optimization, SimpleUploadedFile(f"opt{n}.ipynb", files.notebook()))
            for n in range(KILLS + 3)]
    killed = []
    try:
        for _ in range(KILLS):
            worker = stack.worker()
            deadline = time.monotonic() + 240
            victim = None
            while victim is None:
                assert worker.poll() is None, "the worker stopped by itself"
                assert time.monotonic() < deadline, "no grading started under the worker within 240 s"
                victim = running_here(worker)
                if victim is None:
                    time.sleep(0.05)
            stack.kill(worker)
            killed.append(victim.pk)
            assert Submission.objects.get(pk=victim.pk).status == Submission.Status.RUNNING
        stack.worker()  # the survivor: takes over what the dead left, with the sweeper's help
        deadline = time.monotonic() + 120 + 30 * len(rows)
        while Submission.objects.filter(pk__in=[r.pk for r in rows]).exclude(status=Submission.Status.GRADED).exists():
            assert not Submission.objects.filter(pk__in=[r.pk for r in rows], status=Submission.Status.FAILED).exists()
            assert time.monotonic() < deadline, list(Submission.objects.filter(pk__in=[r.pk for r in rows])
                                                     .values_list("pk", "status", "lease_owner"))
            time.sleep(0.2)
    finally:
        stack.stop()
    assert len(killed) == KILLS
    for row in rows:
        row.refresh_from_db()
        results = list(FunctionResult.objects.filter(submission=row).values_list("name", flat=True))
        assert row.status == Submission.Status.GRADED and row.score == row.max_score
        assert len(results) == len(set(results))  # one set of result rows: no card twice
        # The suite's own workers (model checks on) share the queue and may grade a row to the end: its model
        # checks' cards are then there too, once each.
        assert set(results) in (functions, functions | model_checks), sorted(results)
    graded = stack.graded_lines()
    assert all(count <= 1 for count in graded.values()), graded  # never graded into two results
    assert set(graded) <= {r.pk for r in rows}
