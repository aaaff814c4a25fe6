"""Feedback cards for what the sandbox reports: each status gets its own message, nothing internal is shown."""
from assignments.bundle import Args, Case, GradedFunction
from grader.grading.extract import extract
from grader.grading.feedback import function_report
from sandbox.results import CaseRun, FunctionRun


def test_a_function_whose_result_is_too_large_gets_its_own_card():
    graded = GradedFunction("relu", 1.0, ("A",), (Case("published", Args("literal", ())),))
    run = FunctionRun("relu", "too_large", cases=[CaseRun("published", "missing_result")],
                      problem="result too large or unreadable: f0.c0.npz declares 8796093022208 bytes")
    report = function_report(graded, run, {"published": 0}, extract(b"def relu(Z):\n    return Z\n", "a.py", ["relu"]),
                              [], {})
    assert report.status == "error"
    assert report.checks[0]["message"] == "relu returned more than the grader accepts from one function."
    assert "8796093022208" not in repr(report.document())
