"""Feedback cards for what the sandbox reports: each status gets its own message, nothing internal is shown."""
import numpy as np

from assignments.bundle import Args, Case, GradedFunction
from grader.grading.extract import Extraction
from grader.grading.feedback import function_report
from sandbox.results import CaseRun, FunctionRun
from sandbox.source_patterns import shown


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


def test_a_visible_case_named_hidden_counts_as_a_visible_check_in_the_summary():
    graded = GradedFunction("relu", 2.0, ("A",), (Case("hidden", Args("literal", ())),
                                                   Case("stored", Args("literal", ()), hidden=True)))
    run = FunctionRun("relu", "ok", cases=[CaseRun("hidden", "ok", value=0.0), CaseRun("stored", "ok", value=1.0)])
    report = function_report(graded, run, {"hidden": 1.0, "stored": 1.0}, extraction("def relu(Z):\n    return Z\n"),
                             [], {})
    assert [c["name"] for c in report.checks if not c["passed"]] == ["hidden case: values"]
    assert report.summary == "7 of 8 checks passed."  # no "hidden check failed": the failing case is visible


def hidden_error(error_type: str, message: str, frame_function: str, source: bytes):
    graded, run = hidden_run(b"published\nsecret\n", message)
    run.cases[1].error = {"type": error_type, "message": message,
                          "traceback": [{"line": 51, "function": frame_function, "source": "raise Leak()"}]}
    return function_report(graded, run, {"published": 1.0, "hidden_big": 2.0}, extraction(source.decode()), [], {})


def test_a_hidden_case_cannot_spell_its_inputs_in_an_exception_class_a_name_or_a_frame():
    source = b"def relu(Z):\n    return Z\n"
    made_up = hidden_error("Leak_n0p05_m0p4168", "x", "leak_n0p05_n0p8", source)
    undefined = hidden_error("NameError", "name 'leak_n130p0_n32p0' is not defined", "relu", source)
    student_facing = "\n".join(repr(report.document()) + report.traceback for report in (made_up, undefined))
    for spelled in ("n0p05", "m0p4168", "n130p0", "line 51"):
        assert spelled not in student_facing
    assert "raised an exception whose class name is not shown" in student_facing
    assert "raised NameError (its message is not shown" in student_facing
    assert "Leak_n0p05_m0p4168" in "\n".join(made_up.staff_notes)  # staff see it all


def test_a_hidden_case_still_names_exceptions_the_code_could_not_have_made_from_its_inputs():
    source = b"def relu(Z):\n    class ShapeProblem(Exception):\n        pass\n    return Z + bias\n"
    own_class = hidden_error("ShapeProblem", "x", "relu", source)
    typo = hidden_error("NameError", "name 'bias' is not defined", "relu", source)
    builtin = hidden_error("ZeroDivisionError", "x", "relu", source)
    assert "raised ShapeProblem (its message is not shown" in repr(own_class.document())
    assert "bias" in repr(typo.document())  # the file spells it: an ordinary NameError card
    assert "raised ZeroDivisionError (its message is not shown" in repr(builtin.document())


def test_a_hidden_case_with_missing_layers_gets_no_hint_naming_its_keys():
    graded = GradedFunction("init", 1.0, ("parameters",), (Case("published", Args("literal", ())),
                                                           Case("deep", Args("literal", ()), hidden=True)))
    layers = {f"{name}{layer}": np.zeros((1, 1)) for layer in (1, 2, 3, 4) for name in ("W", "b")}
    shallow = {k: v for k, v in layers.items() if int(k[1:]) <= 3}
    run = FunctionRun("init", "ok", cases=[CaseRun("published", "ok", value=shallow),
                                           CaseRun("deep", "ok", value=shallow)])
    read = extraction("def init(layers_dims):\n    return {}\n")
    hidden_only = function_report(graded, run, {"published": shallow, "deep": layers}, read, [], {})
    assert hidden_only.status == "failed" and hidden_only.hint is None and hidden_only.mistake == ""
    assert "W4" not in repr(hidden_only.document())
    public_too = function_report(graded, run, {"published": layers, "deep": layers}, read, [], {})
    assert public_too.hint.startswith("parameters has nothing for layer 4: ")
    assert public_too.mistake == "message:missing_layers"  # the key staff count it by


def pattern_report(source: bytes, case_run: CaseRun):
    from assignments.bundle import Mistake, Pattern

    graded = GradedFunction("relu", 1.0, ("A",), (Case("published", Args("literal", ())),))
    builtin_max = Mistake("relu_max", "relu", "Use np.maximum(0, Z), not max.", "", Pattern("max"))
    run = FunctionRun("relu", "ok", cases=[case_run])
    read = extraction(source.decode())  # and the patterns looked for as the parse job does, in the sandbox
    read.patterns_shown = shown(read.source, [{"key": "relu_max", "function": "relu", "pattern": {"call": "max"}}])
    return function_report(graded, run, {"published": np.ones(2)}, read, [], {}, patterns=[builtin_max])


def test_a_source_pattern_explains_a_function_that_raised_or_failed_and_nothing_else():
    with_max = b"def relu(Z):\n    return max(0, Z)\n"
    raised = CaseRun("published", "error", error={"type": "ValueError", "message": "ambiguous", "traceback": []})
    assert pattern_report(with_max, raised).hint == "Use np.maximum(0, Z), not max."
    assert pattern_report(with_max, raised).mistake == "mistake:relu_max"
    assert pattern_report(with_max, CaseRun("published", "ok", value=np.zeros(2))).hint == "Use np.maximum(0, Z), not max."
    assert pattern_report(with_max, CaseRun("published", "ok", value=np.ones(2))).hint is None  # passed
    assert pattern_report(b"def relu(Z):\n    return np.maximum(0, Z)\n", raised).hint is None


def test_an_error_s_own_hint_comes_before_a_source_pattern():
    source = b"def relu(Z):\n    return max(0, Zed)\n"
    raised = CaseRun("published", "error", error={"type": "NameError", "message": "name 'Zed' is not defined",
                                                  "traceback": []})
    report = pattern_report(source, raised)
    assert "Define `Zed` inside the function" in report.hint and "np.maximum" not in report.hint
    assert report.mistake == "message:name_error"


def test_a_function_that_still_returns_the_starters_none_gets_one_line_not_one_per_key_or_case():
    graded = GradedFunction("initialize_velocity", 2.0, ("v",), (Case("published", Args("literal", ())),
                                                                 Case("hidden_big", Args("literal", ()), hidden=True)))
    placeholder = {"dW1": None, "db1": None, "dW2": None, "db2": None}
    run = FunctionRun("initialize_velocity", "ok", cases=[CaseRun("published", "ok", value=placeholder),
                                                          CaseRun("hidden_big", "ok", value=placeholder)])
    expected = {case: {key: np.zeros((2, 1)) for key in placeholder} for case in ("published", "hidden_big")}
    report = function_report(graded, run, expected, extraction("def initialize_velocity(p):\n    return {}\n"), [], {})
    assert report.status == "failed" and report.score == 0
    assert [c["message"] for c in report.checks] == [
        "initialize_velocity still returns None: fill in the START/END CODE block."]
    assert report.hint is None


def test_the_starters_placeholders_make_one_line_even_when_the_function_raises():
    graded = GradedFunction("relu", 1.0, ("A",), (Case("published", Args("literal", ())),))
    run = FunctionRun("relu", "ok", cases=[CaseRun("published", "error", error={
        "type": "TypeError", "message": "unsupported operand type(s) for +: 'float' and 'NoneType'", "traceback": []})])
    unfinished = extraction("def relu(Z):\n    A = None\n    return A + 1.0\n")
    unfinished.unfinished = ["relu"]
    report = function_report(graded, run, {"published": 1.0}, unfinished, [], {})
    assert [c["message"] for c in report.checks] == ["relu still returns None: fill in the START/END CODE block."]
    assert report.traceback == ""


def test_a_syntax_errors_text_appears_once_on_its_card():
    graded = GradedFunction("relu", 1.0, ("A",), (Case("published", Args("literal", ())),))
    broken = extraction("")
    broken.syntax_errors = {"relu": "Syntax error at cell `# GRADED FUNCTION: relu` (In [4]), line 2: expected ':'"}
    report = function_report(graded, None, {}, broken, [], {})
    card = [report.summary] + [c["message"] for c in report.checks] + [report.hint or ""]
    assert sum(text.count("expected ':'") for text in card) == 1
    assert report.summary == "relu could not be read because of a syntax error."
