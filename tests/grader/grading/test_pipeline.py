"""Uploads written for a current Python and NumPy, graded through the whole pipeline in the sandbox.

tests/data/students/14_numpy2-pow.ipynb is a student's optimization notebook whose Adam uses `np.pow` (NumPy 2
only): graded normally; wherever the environment's version explains a failure, the card names the grader's
Python and NumPy versions, as the sandbox reports them.
"""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from tests import student_files

pytestmark = pytest.mark.sandbox
STUDENTS = Path(__file__).resolve().parents[2] / "data" / "students"
NUMPY2_POW = STUDENTS / "14_numpy2-pow.ipynb"


@pytest.fixture(scope="module")
def grader():
    from grader.grading.setup import get_grader

    return dataclasses.replace(get_grader(), model_checks=False)


@pytest.fixture(scope="module")
def versions(grader):
    """The sandbox's own report of its versions (runner.json of a parse job)."""
    bundle = student_files.get_bundle("optimization")
    return grader.extract(bundle, "a.py", b"def update_parameters_with_gd(p, g, r):\n    return p\n").environment


def test_the_versions_come_from_the_sandbox(versions):
    assert versions["python"].startswith("3.") and versions["numpy"][:1].isdigit()


def test_a_notebook_using_np_pow_gets_full_marks(grader):
    document = grader.grade(student_files.get_bundle("optimization"), NUMPY2_POW.name, NUMPY2_POW.read_bytes()).document()
    assert document["score"] == document["max_score"] == 10.0
    assert {f["status"] for f in document["functions"].values()} == {"passed"}


def test_a_removed_numpy_name_is_explained_with_the_graders_versions(grader, versions):
    notebook = json.loads(NUMPY2_POW.read_text())
    for cell in notebook["cells"]:
        source = "".join(cell["source"])
        if source.startswith("# GRADED FUNCTION: update_parameters_with_adam"):
            cell["source"] = source.replace("(1 - np.pow(beta1, t))", "np.float(1 - np.pow(beta1, t))")
    data = json.dumps(notebook).encode()
    document = grader.grade(student_files.get_bundle("optimization"), "adam-np-float.ipynb", data).document()
    adam = document["functions"]["update_parameters_with_adam"]
    assert adam["status"] == "error" and document["functions"]["initialize_adam"]["status"] == "passed"
    expected = (f"np.float was removed in NumPy 1.24; the grader runs Python {versions['python']} and NumPy "
                f"{versions['numpy']}: use float.")
    assert expected in adam["checks"][0]["message"]


def test_python_3_12_syntax_is_read_by_the_sandboxs_python_and_graded(grader):
    body = student_files.reference_functions("optimization")["initialize_velocity"]
    source = ("import numpy as np\n\ntype Parameters = dict[str, np.ndarray]\n\n\n"
              "def zeros_of[T: tuple](shape: T) -> np.ndarray:\n    return np.zeros(shape)\n\n\n"
              + body.replace("np.zeros(", "zeros_of(") + "\n\nlabel = f\"{ {'a': 1}[\"a\"] }\"\n")
    document = grader.grade(student_files.get_bundle("optimization"), "modern.py", source.encode()).document()
    velocity = document["functions"]["initialize_velocity"]
    assert velocity["status"] == "passed", velocity


def test_a_newer_pythons_syntax_is_a_file_verdict_naming_the_versions(grader, versions):
    source = b"import numpy as np\n\ndef initialize_velocity(parameters):\n    try:\n        return {}\n" \
             b"    except KeyError, ValueError:\n        return {}\n"
    document = grader.grade(student_files.get_bundle("optimization"), "new.py", source).document()
    message = document["functions"]["initialize_velocity"]["checks"][0]["message"]
    assert "Syntax error at line 6" in message
    assert f"Python 3.14 and later; the grader runs Python {versions['python']} and NumPy {versions['numpy']}" in message


@pytest.mark.parametrize("data", [
    b"x = " + b"(" * 200_000 + b"1" + b")" * 200_000,
    b"def initialize_velocity(p):\n    return " + b"-" * 1_500_000 + b"p\n",
], ids=["brackets", "unary-minus"])
def test_an_upload_nested_too_deeply_is_a_file_verdict_never_a_worker_exception(grader, data):
    document = grader.grade(student_files.get_bundle("optimization"), "deep.py", data).document()
    assert {f["status"] for f in document["functions"].values()} == {"error"} and document["score"] == 0
    assert document["rejected"].startswith(("Your file could not be read", "Syntax error at line"))


def test_a_word_in_a_docstring_is_not_called_a_use_of_the_courses_code(monkeypatch, tmp_path):
    """The course's regularization notebook says "model" in docstrings: no note may claim the functions call it."""
    from pathlib import Path

    from assignments import bundle_folders
    from assignments.bundle import load_bundle
    from grader.grading import extract as extract_module
    from grader.grading.pipeline import Grader
    from sandbox.extraction import extract

    bundle = load_bundle(bundle_folders()["regularization"])
    data = (Path(__file__).resolve().parents[2] / "data" / "frozen" / "regularization" / "correct.ipynb").read_bytes()
    names = [f.name for f in bundle.functions]
    extraction = extract_module._extraction(extract(data, "correct.ipynb", names, bundle.job_module_names), names,
                                            {"python": "3.13.5", "numpy": "2.2.4"})
    monkeypatch.setattr(Grader, "extract", lambda self, *args, **kwargs: extraction)
    grader = Grader(backends=None, cache_dir=tmp_path, jobs_dir=tmp_path, max_upload_bytes=2**24)
    notes = grader.submission(bundle, "correct.ipynb", data).notes
    assert not any("call model" in note for note in notes), notes
