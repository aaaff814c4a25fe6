"""Graded results built as the pipeline stores them (a Report through record_report), without a sandbox run."""
from __future__ import annotations

from grader.grading.feedback import FunctionReport, Report
from grader.submissions.models import Submission
from grader.submissions.services import finish_failed, record_report


def relu_report(hidden_passed: bool, reveal: str = "after_due") -> Report:
    """relu right on its published case; its hidden case (revealed `reveal`) passed or not; leaky_relu right."""
    hidden = {"name": "hidden case 2: values", "passed": hidden_passed, "reveal": reveal,
              "message": "hidden case 2: right values." if hidden_passed else "hidden case 2: wrong values in A."}
    relu = FunctionReport("relu", "passed" if hidden_passed else "failed", 1.0 if hidden_passed else 0.5, 1.0,
                          checks=[{"name": "published case: values", "passed": True, "message": "published: right"},
                                  hidden],
                          hint=None if hidden_passed else "relu keeps the positive part.",
                          summary="relu summary", staff_notes=["printed: secret staff note"],
                          cases=[{"hidden": False, "reveal": "now", "passed": True},
                                 {"hidden": True, "reveal": reveal, "passed": hidden_passed}])
    leaky = FunctionReport("leaky_relu", "passed", 2.0, 2.0,
                           checks=[{"name": "published case: values", "passed": True, "message": "ok"}],
                           summary="all passed", cases=[{"hidden": False, "reveal": "now", "passed": True}])
    return Report("activations", [relu, leaky], notes=["a note"])


def grade(submission_id: int, report: Report) -> Submission:
    submission = Submission.objects.select_related("assignment").get(pk=submission_id)
    submission.advance(Submission.Status.RUNNING)
    record_report(submission, report)
    submission.refresh_from_db()
    return submission


def fail(submission_id: int) -> Submission:
    submission = Submission.objects.select_related("assignment").get(pk=submission_id)
    finish_failed(submission, "The grader could not run your submission (a problem on our side).")
    submission.refresh_from_db()
    return submission
