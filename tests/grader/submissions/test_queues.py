"""Four students upload at once: each one's function cards come before anyone's model checks end.

Real workers as deploy/run-local.sh starts them (tests/conftest.py): the function phase on `interactive`, the
model checks on `training`. If training ran in the function phase's task, the third and fourth students would
wait for two trainings before their first card.
"""
from __future__ import annotations

import time

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction

from grader.courses.models import Assignment, Enrollment
from grader.submissions import services
from grader.submissions.models import Submission
from tests import student_files as files

pytestmark = [pytest.mark.slow, pytest.mark.sandbox, pytest.mark.django_db(transaction=True)]


def test_a_students_function_feedback_never_waits_behind_anothers_training(celery_worker_process):
    call_command("seed_demo", "--skip-contract", stdout=open("/dev/null", "w"))
    optimization = Assignment.objects.get(slug="optimization")
    assert optimization.current_version.manifest.get("model_checks"), "the optimization bundle trains models"
    students = []
    for n in range(4):
        user = get_user_model().objects.create_user(f"learner{n}")
        Enrollment.objects.create(user=user, course=optimization.course, role=Enrollment.Role.STUDENT)
        students.append(user)
    data = files.notebook()
    with transaction.atomic():  # all four sent at the same commit
        rows = [services.submit(user, optimization, SimpleUploadedFile("Optimization_methods.ipynb", data))
                for user in students]
    ids = [row.pk for row in rows]
    deadline = time.monotonic() + 600
    while Submission.objects.filter(pk__in=ids).exclude(status=Submission.Status.GRADED).exists():
        assert not Submission.objects.filter(pk__in=ids, status=Submission.Status.FAILED).exists()
        assert time.monotonic() < deadline, "not graded within 600 s"
        time.sleep(0.2)
    done = list(Submission.objects.filter(pk__in=ids))
    last_first_card = max(row.first_feedback_at for row in done)
    first_training_end = min(row.graded_at for row in done)
    waits = sorted((row.first_feedback_at - row.created_at).total_seconds() for row in done)
    assert last_first_card < first_training_end, f"first cards after {waits} s"
    assert all(row.function_results.filter(kind="model").exists() for row in done)
