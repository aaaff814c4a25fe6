"""Migration 0008: rows graded in one phase get their first-card time from graded_at; the others stay unknown."""
from datetime import datetime
from datetime import timezone as dt_timezone

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("submissions", "0007_grades_and_regrade_batches")]
AFTER = [("submissions", "0008_insight_mistake_first_feedback")]


@pytest.mark.django_db(transaction=True)
def test_first_feedback_is_filled_only_where_it_is_known():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    user = apps.get_model("auth", "User").objects.create(username="s")
    course = apps.get_model("courses", "Course").objects.create(slug="c", title="C")
    assignment = apps.get_model("courses", "Assignment").objects.create(course=course, slug="a", title="A")
    Submission = apps.get_model("submissions", "Submission")
    FunctionResult = apps.get_model("submissions", "FunctionResult")
    graded_at = datetime(2026, 3, 2, 9, 0, 5, tzinfo=dt_timezone.utc)
    rows = {name: Submission.objects.create(user=user, assignment=assignment, original_name="a.py", size_bytes=1,
                                            status=status, graded_at=graded_at if status == "graded" else None)
            for name, status in (("one_phase", "graded"), ("two_phases", "graded"), ("queued", "queued"))}
    FunctionResult.objects.create(submission=rows["one_phase"], name="f", status="passed", score=1, max_score=1)
    FunctionResult.objects.create(submission=rows["two_phases"], name="f", status="passed", score=1, max_score=1)
    FunctionResult.objects.create(submission=rows["two_phases"], kind="model", name="m", status="passed", score=1,
                                  max_score=1)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    Submission = executor.loader.project_state(AFTER).apps.get_model("submissions", "Submission")
    filled = dict(Submission.objects.values_list("pk", "first_feedback_at"))
    assert filled == {rows["one_phase"].pk: graded_at, rows["two_phases"].pk: None, rows["queued"].pk: None}
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())  # the rest of the suite runs on the latest schema
