"""Feedback cards for what the sandbox reports: each status gets its own message, nothing internal is shown."""
from assignments.bundle import Args, Case, GradedFunction
from grader.grading.extract import Extraction
from grader.grading.feedback import function_report
from sandbox.results import CaseRun, FunctionRun


def extraction(source: str) -> Extraction:
    """What the sandbox's parse job gives for a .py holding just `source`."""
    return Extraction(source=source, found=["relu"], missing=[], line_map=[(1, source.count("\n"), "line 1", 1)],
                      defined=["relu"], environment={"python": "3.13.5", "numpy": "2.2.4"})


def test_a_function_whose_result_is_too_large_gets_its_own_card():
    graded = GradedFunction("relu", 1.0, ("A",), (Case("published", Args("literal", ())),))
    run = FunctionRun("relu", "too_large", cases=[CaseRun("published", "missing_result")],
                      problem="result too large or unreadable: f0.c0.npz declares 8796093022208 bytes")
    report = function_report(graded, run, {"published": 0}, extraction("def relu(Z):\n    return Z\n"),
                              [], {})
    assert report.status == "error"
    assert report.checks[0]["message"] == "relu returned more than the grader accepts from one function."
    assert "8796093022208" not in repr(report.document())


def hidden_run(printed: bytes, error_message: str) -> tuple[GradedFunction, FunctionRun]:
    graded = GradedFunction("relu", 2.0, ("A",), (Case("published", Args("literal", ())),
                                                   Case("hidden_big", Args("literal", ()), hidden=True)))
    run = FunctionRun("relu", "ok", output=printed.decode(), cases=[
        CaseRun("published", "ok", value=1.0, output_start=0),
        CaseRun("hidden_big", "error", output_start=printed.index(b"secret"),
                error={"type": "ValueError", "message": error_message, "traceback": [{"line": 2, "function": "relu",
                                                                                     "source": "raise ValueError(Z)"}]})])
    return graded, run


def test_what_a_hidden_case_raises_and_prints_is_withheld_from_the_student_and_kept_for_staff():
    graded, run = hidden_run(b"published Z=[1.]\nsecret Z=[[4.25, 7.5]]\n", "bad input [[4.25, 7.5]]")
    report = function_report(graded, run, {"published": 1.0, "hidden_big": 2.0},
                             extraction("def relu(Z):\n    raise ValueError(Z)\n"), [], {})
    student_facing = repr(report.document()) + report.output + report.traceback
    assert "4.25" not in student_facing and "secret" not in student_facing
    assert "hidden case 2: relu raised ValueError (its message is not shown" in student_facing
    assert report.output.startswith("published Z=[1.]\n") and "not shown" in report.output
    staff = "\n".join(report.staff_notes)
    assert "bad input [[4.25, 7.5]]" in staff and "secret Z=[[4.25, 7.5]]" in staff


def test_a_function_without_hidden_output_shows_all_it_printed():
    graded, run = hidden_run(b"published\nsecret\n", "x")
    run.cases[1].status, run.cases[1].error = "not_run", None
    report = function_report(graded, run, {"published": 1.0, "hidden_big": 2.0},
                             extraction("def relu(Z):\n    return Z\n"), [], {})
    assert report.output == "published\nsecret\n" and report.staff_notes == []
