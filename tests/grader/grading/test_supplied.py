"""Supplied code: the course's defs go before an upload (its own win), the training drivers after it (theirs never do)."""
from __future__ import annotations

import pytest

from assignments import bundle_folders
from assignments.bundle import load_bundle
from grader.grading.setup import get_grader
from grader.grading.supplied import driver_code, overridden_drivers, supplied_code, supplied_for
from tests import student_files as files

SUPPLIED = """import numpy as np
from opt_utils import forward_propagation


def model(X, Y):
    return forward_propagation(X, {})


def gradebox_train_model(X, Y):
    return {}, []
"""


def test_the_course_code_fills_in_only_what_the_upload_lacks():
    prefix, supplied = supplied_code(SUPPLIED, "def model(X, Y):\n    return 1\n")
    assert supplied == [] and "from opt_utils import forward_propagation" in prefix and "def model" not in prefix
    prefix, supplied = supplied_code(SUPPLIED, "")
    assert supplied == ["model"] and "def model(X, Y):" in prefix and "gradebox_" not in prefix
    assert supplied_for(SUPPLIED, {"model"}) == supplied_code(SUPPLIED, "def model(X, Y):\n    return 1\n")


def test_drivers_come_after_the_upload_with_the_imports_they_need():
    drivers = driver_code(SUPPLIED)
    assert drivers.index("from opt_utils import forward_propagation") < drivers.index("def gradebox_train_model(")
    assert "def model" not in drivers
    assert overridden_drivers(SUPPLIED, {"gradebox_train_model", "model"}) == ["gradebox_train_model"]
    assert driver_code("import numpy as np\n") == ""


@pytest.mark.sandbox
def test_an_upload_cannot_replace_a_training_driver():
    bundle = load_bundle(bundle_folders()["optimization"])
    fake = ("def gradebox_train_model(X, Y, layers_dims, optimizer, num_epochs, **kw):\n"
            "    return {'W1': X}, []\n")
    calls_it = files.reference_functions("optimization")["update_parameters_with_gd"].replace(
        "    return parameters", "    gradebox_train_model\n    return parameters")
    data = files.python_file(replace={"update_parameters_with_gd": fake + "\n\n" + calls_it})
    graded = get_grader().grade_functions(bundle, "cheat.py", data)
    source = graded.extraction.source
    assert source.count("def gradebox_train_model(") == 2
    assert source.rindex("def gradebox_train_model(") > source.index("def gradebox_train_model(X, Y, layers_dims, optimizer, num_epochs, **kw)")
    assert any("gradebox_train_model, a name the grader uses" in note for note in graded.report.notes)
    assert graded.report.score == graded.report.max_score
