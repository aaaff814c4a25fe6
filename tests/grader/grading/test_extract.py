"""What the worker makes of a parse job's answer: every field checked, anything else the student's clear verdict."""
from __future__ import annotations

import pytest

from grader.grading.extract import Extraction, FileProblem, from_parse
from sandbox.parsing import ParseRun

GRADED = ["update_parameters_with_gd", "initialize_velocity"]
SOURCE = "# Extracted by Gradebox: imports and definitions only.\n\ndef initialize_velocity(p):\n    return 1 / p\n"


def answer(**changes) -> dict:
    extraction = {"source": SOURCE, "found": ["initialize_velocity"], "missing": ["update_parameters_with_gd"],
                  "notes": ["IPython command ignored: %matplotlib inline"], "syntax_errors": {},
                  "line_map": [[3, 4, "cell 2, line 1", 1]], "misplaced": {}, "defined": ["initialize_velocity"]}
    extraction.update(changes)
    return {"status": "ok", "python": "3.13.5", "extraction": extraction}


def run_of(document, status: str = "ok") -> ParseRun:
    return ParseRun(status, document, python="3.13.5", numpy="2.2.4")


def test_an_answer_becomes_the_extraction_with_the_sandboxs_versions():
    extraction = from_parse(run_of(answer()), GRADED)
    assert isinstance(extraction, Extraction)
    assert (extraction.found, extraction.missing, extraction.defined) == (
        ["initialize_velocity"], ["update_parameters_with_gd"], ["initialize_velocity"])
    assert extraction.environment == {"python": "3.13.5", "numpy": "2.2.4"}
    assert extraction.origin_of(4) == "cell 2, line 2"
    assert extraction.with_prefix("# supplied\n").origin_of(5) == "cell 2, line 2"


def test_a_syntax_error_of_a_newer_python_names_both_versions():
    document = answer(found=[], missing=["update_parameters_with_gd"], syntax_errors={"initialize_velocity": {
        "message": "Syntax error at cell 2, line 3: multiple exception types must be parenthesized",
        "newer": {"feature": "except_without_parentheses", "python": "3.14"}}})
    message = from_parse(run_of(document), GRADED).syntax_errors["initialize_velocity"]
    assert message.startswith("Syntax error at cell 2, line 3")
    assert message.endswith("`except A, B:` without parentheses is syntax of Python 3.14 and later; the grader runs "
                            "Python 3.13.5 and NumPy 2.2.4: write `except (A, B):`.")


def test_a_file_problem_is_the_students_verdict_with_the_version_where_it_explains_it():
    document = {"status": "file_problem", "message": "Syntax error at line 2: invalid syntax", "line": 2,
                "newer": {"feature": "template_string", "python": "3.14"}}
    with pytest.raises(FileProblem, match=r"(?s)line 2: invalid syntax\na template string .* Python 3.14 .* "
                                          r"Python 3\.13\.5 and NumPy 2\.2\.4") as problem:
        from_parse(run_of(document), GRADED)
    assert problem.value.line == 2


@pytest.mark.parametrize("run, says", [
    (run_of(None, "timeout"), "took longer than 10 s"),
    (run_of(None, "crashed"), "Python 3.13.5 could not parse it"),
    (run_of(None, "too_large"), "Python 3.13.5 could not parse it"),
    (run_of({"status": "too_complex"}), "nested too deeply"),
], ids=["timeout", "crashed", "too-large", "too-complex"])
def test_what_the_parser_could_not_take_is_a_clear_file_verdict(run, says):
    with pytest.raises(FileProblem, match=says):
        from_parse(run, GRADED)


@pytest.mark.parametrize("document", [
    {"status": "ok"},
    {"status": "maybe"},
    {"status": "file_problem", "message": ["not", "a", "text"]},
    answer(source=3),
    answer(found=["os.system"]),  # a name that is not graded
    answer(missing="update_parameters_with_gd"),
    answer(notes=[1, 2]),
    answer(line_map=[[1, 2, "line 1"]]),
    answer(line_map=[[5, 2, "line 1", 1]]),
    answer(syntax_errors={"print": {"message": "x"}}),
    answer(syntax_errors={"initialize_velocity": "not an object"}),
    answer(misplaced=[]),
], ids=lambda document: str(document)[:60])
def test_an_answer_that_does_not_hold_together_is_a_file_verdict_never_an_exception(document):
    with pytest.raises(FileProblem, match="could not be read"):
        from_parse(run_of(document), GRADED)


def test_texts_and_lists_are_capped():
    extraction = from_parse(run_of(answer(notes=["x" * 10_000] * 1000)), GRADED)
    assert len(extraction.notes) == 200 and all(len(note) == 4000 for note in extraction.notes)
