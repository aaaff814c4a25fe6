"""How long the staff insight page of one assignment takes with many stored submissions.

Builds a course in a fresh database (a temporary SQLite file, or the database
DATABASE_URL names: it must be empty and disposable): `--students` students
make `--uploads` uploads of a four-function assignment over three weeks, a
tenth of them regraded (the old result superseded), each function with four
cases, hints and mistake keys drawn from a small catalogue. Then it renders
/courses/<course>/staff/assignments/<slug>/insight/ through Django's test
client as a logged-in staff member, `--repeat` times, and prints the queries
and the time of each part.

    .venv/bin/python bench/insight_page.py [--uploads 10000] [--students 500] [--repeat 5]
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grader.settings")
os.environ.setdefault("GRADER_LOG_LEVEL", "WARNING")
FUNCTIONS = ("initialize_parameters_zeros", "initialize_parameters_random", "initialize_parameters_he", "model")
CASES = ("published", "model_layers", "one_layer", "four_layers")
MISTAKES = [(f"mistake:key_{i}", f"Hint number {i}: check the scaling of W{i % 3 + 1}.") for i in range(12)]


def build(uploads: int, students: int, seed: int = 0) -> str:
    """Returns the insight page's path."""
    from django.contrib.auth import get_user_model

    from grader.authoring.models import AssignmentVersion
    from grader.courses.models import Assignment, Course, Enrollment
    from grader.submissions.grades import update_grades
    from grader.submissions.models import FunctionResult, Submission

    rng = random.Random(seed)
    User = get_user_model()
    course = Course.objects.create(slug="bench", title="Bench")
    staff = User.objects.create_user("bench-staff", password="bench-staff-pw")
    Enrollment.objects.create(user=staff, course=course, role=Enrollment.Role.STAFF)
    people = User.objects.bulk_create([User(username=f"s{i}") for i in range(students)])
    Enrollment.objects.bulk_create([Enrollment(user=u, course=course) for u in people])
    assignment = Assignment.objects.create(course=course, slug="initialization", title="Initialization", max_score=4)
    cases = [{"id": c, "hidden": i > 0} for i, c in enumerate(CASES)]
    manifest = {"functions": [{"name": f, "points": 1, "cases": cases} for f in FUNCTIONS]}
    version = AssignmentVersion.objects.create(assignment=assignment, number=1, slug="initialization", title="I",
                                               manifest=manifest, digest="bench", max_score=4)
    created = Submission._meta.get_field("created_at")
    created.auto_now_add = False  # the rows carry the times of a three-week course
    start = datetime(2026, 3, 2, 8, tzinfo=dt_timezone.utc)
    rows = []
    for i in range(uploads):
        at = start + timedelta(seconds=rng.uniform(0, 21 * 86400))
        rows.append(Submission(user=rng.choice(people), assignment=assignment, version=version, original_name="a.py",
                               size_bytes=1, status=Submission.Status.GRADED, max_score=4, created_at=at,
                               first_feedback_at=at + timedelta(seconds=rng.lognormvariate(0, 0.6)),
                               graded_at=at + timedelta(seconds=5), superseded=i % 10 == 0))
    rows = Submission.objects.bulk_create(rows, batch_size=2000)
    regrades = Submission.objects.bulk_create(
        [Submission(user_id=r.user_id, assignment=assignment, version=version, original_name="a.py", size_bytes=1,
                    status=Submission.Status.GRADED, max_score=4, created_at=r.created_at, regrade_of=r)
         for r in rows if r.superseded], batch_size=2000)
    created.auto_now_add = True
    results = []
    for row in rows + regrades:
        score = 0.0
        for order, name in enumerate(FUNCTIONS):
            passed = [rng.random() < 0.8 - 0.1 * order for _ in CASES]
            mistake, hint = rng.choice(MISTAKES) if not all(passed) and rng.random() < 0.7 else ("", None)
            status = FunctionResult.Status.PASSED if all(passed) else FunctionResult.Status.FAILED
            points = sum(passed) / len(CASES)
            score += points
            results.append(FunctionResult(
                submission=row, name=name, order=order, status=status, score=points, max_score=1, hint=hint,
                mistake=mistake, checks=[{"name": f"{c} case: values", "passed": p, "message": "..."}
                                         for c, p in zip(CASES, passed)],
                cases=[{"hidden": i > 0, "reveal": "now", "passed": p} for i, p in enumerate(passed)]))
        row.score = score
    FunctionResult.objects.bulk_create(results, batch_size=5000)
    Submission.objects.bulk_update(rows + regrades, ["score"], batch_size=2000)
    update_grades(assignment)
    return f"/courses/{course.slug}/staff/assignments/{assignment.slug}/insight/"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=10_000)
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reuse", metavar="DIR", help="a data dir this script built before (SQLite): skip building")
    args = parser.parse_args()
    if args.reuse:
        os.environ["GRADER_DATA_DIR"] = args.reuse
    elif "DATABASE_URL" not in os.environ:
        os.environ["GRADER_DATA_DIR"] = tempfile.mkdtemp(prefix="gradebox-insight-bench-")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from grader.courses.models import Assignment
    from grader.staff import insight

    settings.ALLOWED_HOSTS = ["*"]
    if args.reuse:
        path = "/courses/bench/staff/assignments/initialization/insight/"
    else:
        call_command("migrate", verbosity=0)
        began = time.perf_counter()
        path = build(args.uploads, args.students)
        print(f"built {args.uploads} uploads (+{args.uploads // 10} regrades) of {args.students} students "
              f"in {time.perf_counter() - began:.1f} s on {connection.vendor} ({settings.DATA_DIR})")
    client = Client()
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="bench-staff"))
    client.get(path)  # warm: templates compiled, connection open
    times, cpu = [], []
    for _ in range(args.repeat):
        with CaptureQueriesContext(connection) as queries:
            began, began_cpu = time.perf_counter(), time.process_time()
            response = client.get(path)
            times.append(time.perf_counter() - began)
            cpu.append(time.process_time() - began_cpu)
        assert response.status_code == 200, response.status_code
    print(f"page: median {statistics.median(times) * 1000:.0f} ms (CPU of this process "
          f"{statistics.median(cpu) * 1000:.0f} ms), max {max(times) * 1000:.0f} ms over {args.repeat} renders; {len(queries.captured_queries)} queries; "
          f"{len(response.content) // 1024} KiB; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    assignment = Assignment.objects.get(slug="initialization", course__slug="bench")
    for part in ("result_groups", "mistake_counts", "upload_scores", "grade_scores", "timeline", "feedback_times"):
        began, began_cpu = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as queries:
            getattr(insight, part)(assignment)
        print(f"  {part}: {(time.perf_counter() - began) * 1000:.0f} ms, CPU "
              f"{(time.process_time() - began_cpu) * 1000:.0f} ms ({len(queries.captured_queries)} queries)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
