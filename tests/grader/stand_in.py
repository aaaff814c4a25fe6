"""A stand-in grader and the fixtures that wire the grading tasks to it (no sandbox runs)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from grader.grading.feedback import FunctionReport, Report
from grader.grading.pipeline import Graded
from grader.submissions import tasks
from tests.grader.submissions import grading_rows as rows


@pytest.fixture
def queued():
    course = rows.course()
    student = rows.person("ada", course)
    return rows.upload(student, rows.assignment(course))


class StandInGrader:
    """Grades one function in phase one and trains one model in phase two; records what it was asked."""

    model_checks = True

    def __init__(self, fault: Exception | None = None, faults: int = 0):
        self.calls, self.fault, self.faults = [], fault, faults

    def grade_functions(self, bundle, filename, data, submission_id):
        self.calls.append("functions")
        if self.fault is not None and self.faults:
            self.faults -= 1
            raise self.fault
        report = Report(bundle.slug, [FunctionReport("update_parameters_with_adam", "passed", 6.0, 6.0)])
        return Graded(bundle, report, SimpleNamespace(found=["update_parameters_with_adam"]))

    def submission(self, bundle, filename, data, submission_id):
        return SimpleNamespace(found=["update_parameters_with_adam"])

    def grade_models(self, graded, submission_id):
        self.calls.append("models")
        graded.report.models.append(FunctionReport("adam_model", "passed", 4.0, 4.0))
        return graded.report


@pytest.fixture
def grading(monkeypatch):
    """The tasks wired to a stand-in grader and bundle; `sent` lists the tasks sent as (task, id, queue)."""
    sent = []
    state = SimpleNamespace(grader=StandInGrader(), sent=sent, model_checks=["adam_model"])
    monkeypatch.setattr(tasks, "get_grader", lambda: state.grader)
    monkeypatch.setattr(tasks, "bundle_of", lambda version: SimpleNamespace(slug="adam", model_checks=state.model_checks))
    for task in (tasks.grade_submission, tasks.train_models):
        monkeypatch.setattr(task, "apply_async",
                            lambda args, queue, name=task.name.rsplit(".", 1)[1]: sent.append((name, args[0], queue)))
    return state
