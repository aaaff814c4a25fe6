"""A regrade of N stored submissions while students keep uploading: the batch's pace, and students' first feedback.

Starts gunicorn and the two Celery workers of deploy/run-local.sh (one on the
interactive queue only, one on bulk and interactive) on a scratch data dir,
model checks off. Grades one correct and one wrong upload of the demo
assignment for real, stores N graded submissions made from them (spread over
N / 5 students, their grades computed), then the demo teacher starts
"Regrade all" over HTTP and the batch's progress JSON is polled every second.
Meanwhile the demo student uploads a fresh file every --gap-s seconds and each
upload's time to first feedback is measured: stored on the server, and shown on
the page at its own polling rhythm (bench/latency.py). At
the end it checks that every item ended, that every grade now rests on a new
result, and that every old result is kept with its score. It prints numbers.

    .venv/bin/python bench/regrade.py --count 200
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.latency import (  # noqa: E402
    Browser, free_port, percentile, stored_after, submission_id, wait_for, wait_like_the_page)

COURSE = "improving-dnn"


def start_platform(data_dir: Path, port: int, nice: bool = True) -> tuple[list, dict]:
    """Migrated, seeded, and running as deploy/run-local.sh runs it; returns the processes and their env."""
    import subprocess

    env = dict(os.environ, GRADER_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="grader.settings",
               GRADER_LOG_LEVEL="INFO", GRADER_MODEL_CHECKS="false",
               GRADER_UPLOAD_RATE="off")  # the demo student uploads back to back, on purpose
    env.pop("DATABASE_URL", None)
    env.pop("CELERY_BROKER_URL", None)
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([python, "manage.py", "seed_demo", "--skip-contract"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    log = open(data_dir / "platform.log", "w")
    low = ["nice", "-n", "10"] if nice else []
    common = ["--concurrency=1", "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"]
    processes = [
        subprocess.Popen([python, "-m", "celery", "-A", "grader", "worker", "-n", "interactive@%h", "-Q", "interactive",
                          *common], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT),
        subprocess.Popen([*low, python, "-m", "celery", "-A", "grader", "worker", "-n", "bulk@%h", "-Q",
                          "training,bulk,interactive", *common], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT),
        subprocess.Popen([str(Path(python).parent / "gunicorn"), "grader.wsgi:application", "--bind",
                          f"127.0.0.1:{port}", "--workers", "2", "--threads", "4"],
                         cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT),
    ]
    return processes, env


def upload_and_wait(browser: Browser, base: str, assignment_path: str, token: str, name: str, data: bytes,
                    timeout_s: float = 120) -> tuple[float, float, float, dict]:
    """(seconds to first feedback stored, to first feedback on the page, to graded on the page, last status) of
    one upload; the page's polling rhythm (bench.latency.wait_like_the_page)."""
    started, sent_at = time.perf_counter(), time.time()
    page = browser.upload(assignment_path + "submit", token, name, data)
    first, complete, state = wait_like_the_page(browser, page.rstrip("/")[len(base):] + "/status", started, timeout_s)
    return stored_after(submission_id(page), sent_at), first, complete, state


def store_submissions(slug: str, count: int) -> list[int]:
    """N graded submissions over N / 5 students, copied from the graded uploads there are (file, result, cards)."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from grader.courses.models import Assignment, Enrollment
    from grader.submissions.grades import update_grades
    from grader.submissions.models import FunctionResult, Submission

    assignment = Assignment.objects.get(course__slug=COURSE, slug=slug)
    models = list(Submission.objects.filter(assignment=assignment, status=Submission.Status.GRADED))
    cards = {m.pk: list(m.function_results.all()) for m in models}
    users = get_user_model().objects
    made = []
    with transaction.atomic():
        students = []
        for index in range(max(1, count // 5)):
            user, _ = users.get_or_create(username=f"bench-student-{index}")
            Enrollment.objects.get_or_create(user=user, course=assignment.course)
            students.append(user)
        for index in range(count):
            model = models[index % len(models)]
            row = Submission.objects.create(
                user=students[index % len(students)], assignment=assignment, version=model.version,
                file=model.file.name, original_name=model.original_name, size_bytes=model.size_bytes,
                status=Submission.Status.GRADED, score=model.score, max_score=model.max_score, result=model.result,
                graded_at=model.graded_at)
            FunctionResult.objects.bulk_create([FunctionResult(
                submission=row, kind=c.kind, name=c.name, order=c.order, status=c.status, score=c.score,
                max_score=c.max_score, checks=c.checks, hint=c.hint, summary=c.summary) for c in cards[model.pk]])
            made.append(row.pk)
    update_grades(assignment)
    return made


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="stored submissions to regrade")
    parser.add_argument("--assignment", default="optimization")
    parser.add_argument("--data-dir", type=Path, help="keep the platform's data (and platform.log) here")
    parser.add_argument("--no-nice", action="store_true", help="run the regrade worker at normal priority")
    parser.add_argument("--gap-s", type=float, default=1.0, help="pause between a student's fresh uploads")
    parser.add_argument("--baseline", type=int, default=10,
                        help="fresh uploads measured before the regrade starts, with nothing else running")
    args = parser.parse_args()

    from tests.student_files import ADAM_WITHOUT_BIAS_CORRECTION, notebook

    files = [("Optimization_methods.ipynb", notebook()),
             ("adam.ipynb", notebook(replace={"update_parameters_with_adam": ADAM_WITHOUT_BIAS_CORRECTION}))]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="gradebox-bench-") as scratch:
        data_dir = args.data_dir or Path(scratch)
        data_dir.mkdir(parents=True, exist_ok=True)
        processes, env = start_platform(data_dir, port, not args.no_nice)
        os.environ.update({k: env[k] for k in ("GRADER_DATA_DIR", "DJANGO_SETTINGS_MODULE", "GRADER_MODEL_CHECKS")})
        import django

        django.setup()
        try:
            wait_for(base + "/accounts/login/")
            student = Browser(base)
            student.login("student", "student")
            assignment_path = f"/courses/{COURSE}/{args.assignment}/"
            token = student.csrf(student.get(assignment_path))
            for name, data in files:  # graded for real: what the stored submissions are made of (and warm-up)
                upload_and_wait(student, base, assignment_path, token, name, data)
            baseline, baseline_seen = [], []
            for index in range(args.baseline):
                name, data = files[index % len(files)]
                stored, seen, _, _ = upload_and_wait(student, base, assignment_path, token, name, data)
                baseline.append(stored)
                baseline_seen.append(seen)
                time.sleep(args.gap_s)
            sources = store_submissions(args.assignment, args.count)

            teacher = Browser(base)
            teacher.login("teacher", "teacher")
            regrade_path = f"/courses/{COURSE}/staff/assignments/{args.assignment}/regrade/"
            form = teacher.get(regrade_path)
            version = re.search(r'<option value="(\d+)" selected', form).group(1)
            body = urllib.parse.urlencode({"csrfmiddlewaretoken": teacher.csrf(form), "version": version,
                                           "confirm": "on"}).encode()
            started = time.perf_counter()
            request = urllib.request.Request(base + regrade_path, data=body, headers={"Referer": base + regrade_path})
            with teacher.opener.open(request, timeout=60) as response:
                batch_path = response.geturl()[len(base):]
            posted_s = time.perf_counter() - started
            progress_path = batch_path.rstrip("/") + "/progress/"
            timeline, finished = [], threading.Event()

            def poll() -> None:
                while not finished.is_set():
                    state = json.loads(teacher.get(progress_path))
                    timeline.append((time.perf_counter() - started, state))
                    if state["finished"]:
                        finished.set()
                        return
                    time.sleep(1.0)

            poller = threading.Thread(target=poll, daemon=True)
            poller.start()
            firsts, seens, index = [], [], 0
            while not finished.is_set():
                name, data = files[index % len(files)]
                stored, seen, _, _ = upload_and_wait(student, base, assignment_path, token, name, data)
                firsts.append(stored)
                seens.append(seen)
                index += 1
                finished.wait(args.gap_s)
            poller.join()
            total_s = timeline[-1][0]
            state = timeline[-1][1]
            checks = verify(sources)
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=30)
    print(f"regrade worker: {'nice 10' if not args.no_nice else 'not niced'}")
    print(f"regrade of {state['total']} stored submissions ({args.assignment}, function phase, model checks off): "
          f"{state['done']} done, {state['failed']} failed, {state['changed']} changed score, in {total_s:.1f} s "
          f"({state['total'] / total_s:.2f} per s; the POST that made the batch took {posted_s * 1000:.0f} ms)")
    for at_s, point in timeline[:: max(1, len(timeline) // 6)]:
        print(f"  at {at_s:6.1f} s: {point['done']:4d} / {point['total']} done, {point['failed']} failed")
    for label, stored, seen in (("before the regrade (nothing else queued)", baseline, baseline_seen),
                                ("during the regrade", firsts, seens)):
        if stored:
            print(f"fresh uploads {label}: {len(stored)}; upload to first feedback stored p50 "
                  f"{statistics.median(stored) * 1000:.0f} ms, p95 {percentile(stored, 0.95) * 1000:.0f} ms, "
                  f"max {max(stored) * 1000:.0f} ms; on the page (its own polling) p50 "
                  f"{statistics.median(seen) * 1000:.0f} ms, p95 {percentile(seen, 0.95) * 1000:.0f} ms")
    print("checks: " + ", ".join(f"{key} {'yes' if ok else 'NO'}" for key, ok in checks.items()))
    return 0 if all(checks.values()) and percentile(firsts, 0.95) < 2.0 else 1


def verify(sources: list[int]) -> dict[str, bool]:
    """Every item ended, the old results are kept with their scores, and every grade rests on a new result."""
    from django.db.models import Count

    from grader.submissions.models import Grade, RegradeItem, Submission

    items = RegradeItem.objects.filter(source_id__in=sources)
    old = Submission.objects.filter(pk__in=sources)
    regraded = Submission.objects.filter(regrade_of_id__in=sources, status=Submission.Status.GRADED, superseded=False)
    users = set(old.values_list("user", flat=True))
    grades = Grade.objects.filter(user__in=users, assignment=old.first().assignment)
    return {
        "every item ended": items.count() == len(sources) and not items.filter(status="pending").exists(),
        "old results kept": old.filter(superseded=True, score__isnull=False).count() == len(sources)
        and not old.annotate(n=Count("function_results")).filter(n=0).exists(),
        "one new result per upload": regraded.count() == len(sources),
        "grades on new results": grades.count() == len(users)
        and all(g.submission.regrade_of_id in sources for g in grades.select_related("submission")),
    }


if __name__ == "__main__":
    sys.exit(main())
