"""Failures the sandbox's versions explain are named with them: removed or missing NumPy names, missing modules."""
from __future__ import annotations

import pytest

from assignments.bundle import Args, Case, GradedFunction
from grader.grading.environment import REMOVED_FROM_NUMPY, explain, reason
from grader.grading.extract import Extraction
from grader.grading.feedback import function_report
from sandbox.results import CaseRun, FunctionRun

TRIXIE = {"python": "3.13.5", "numpy": "2.2.4"}
BOOKWORM = {"python": "3.11.2", "numpy": "1.24.2"}


@pytest.mark.parametrize("error_type, message, expected", [
    ("AttributeError", "module 'numpy' has no attribute 'float'.\n`np.float` was a deprecated alias for the builtin "
     "`float`.", "np.float was removed in NumPy 1.24; the grader runs Python 3.13.5 and NumPy 2.2.4: use float."),
    ("AttributeError", "module 'numpy' has no attribute 'asscalar'",
     "np.asscalar was removed in NumPy 1.23; the grader runs Python 3.13.5 and NumPy 2.2.4: use a.item()."),
    ("AttributeError", "`np.alltrue` was removed in the NumPy 2.0 release. Use `np.all` instead.",
     "np.alltrue was removed in NumPy 2.0; the grader runs Python 3.13.5 and NumPy 2.2.4: use np.all."),
    ("AttributeError", "module 'numpy' has no attribute 'product'",
     "np.product was removed in NumPy 2.0; the grader runs Python 3.13.5 and NumPy 2.2.4: use np.prod."),
    ("AttributeError", "module 'numpy' has no attribute 'cumproduct'",
     "np.cumproduct was removed in NumPy 2.0; the grader runs Python 3.13.5 and NumPy 2.2.4: use np.cumprod."),
    ("AttributeError", "`np.NaN` was removed in the NumPy 2.0 release. Use `np.nan` instead.",
     "np.NaN was removed in NumPy 2.0; the grader runs Python 3.13.5 and NumPy 2.2.4: use np.nan."),
    ("ImportError", "cannot import name 'float' from 'numpy' (/usr/lib/python3/dist-packages/numpy/__init__.py)",
     "np.float was removed in NumPy 1.24; the grader runs Python 3.13.5 and NumPy 2.2.4: use float."),
    ("AttributeError", "module 'numpy.linalg' has no attribute 'normalise'",
     "np.linalg.normalise does not exist in NumPy 2.2.4, which the grader runs with Python 3.13.5."),
    ("ModuleNotFoundError", "No module named 'sklearn.datasets'",
     "the grader has no module sklearn: it runs Python 3.13.5 with NumPy 2.2.4, h5py, the standard library and the "
     "course's helper modules."),
])
def test_the_reason_names_the_graders_versions_and_what_to_write(error_type, message, expected):
    assert reason(error_type, message, TRIXIE) == expected


def test_a_numpy_2_name_on_an_older_numpy_says_since_when_and_what_to_use():
    assert reason("AttributeError", "module 'numpy' has no attribute 'pow'", BOOKWORM) == (
        "np.pow exists only since NumPy 2.0; the grader runs Python 3.11.2 and NumPy 1.24.2: use np.power.")


def test_a_name_not_yet_removed_in_the_environments_numpy_is_not_blamed_on_its_removal():
    assert explain("AttributeError", "module 'numpy' has no attribute 'alltrue'", BOOKWORM)[0] == "why_numpy_missing"


@pytest.mark.parametrize("error_type, message", [
    ("AttributeError", "'dict' object has no attribute 'shape'"),
    ("KeyError", "'dW1'"),
    ("ValueError", "No module named 'sklearn'"),
])
def test_failures_the_environment_does_not_explain_get_no_reason(error_type, message):
    assert reason(error_type, message, TRIXIE) is None


def test_without_the_sandboxs_versions_nothing_is_explained():
    assert reason("AttributeError", "module 'numpy' has no attribute 'float'", {}) is None


@pytest.mark.sandbox
def test_every_name_said_to_be_removed_is_missing_from_the_environments_numpy(tmp_path):
    """The table is NumPy's history; the environment's NumPy must agree (run there, by its own Python)."""
    import subprocess

    from sandbox.rootfs import ensure_rootfs

    tree = ensure_rootfs()
    names = sorted(REMOVED_FROM_NUMPY)
    probe = f"import numpy; print([n for n in {names!r} if hasattr(numpy, n)])"
    present = subprocess.run(["chroot", str(tree), "/usr/bin/python3", "-I", "-W", "ignore", "-c", probe],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert present == "[]"


def card(error: dict, versions: dict, hidden: bool = False):
    graded = GradedFunction("relu", 1.0, ("A",), (Case("published", Args("literal", ()), hidden=hidden),))
    run = FunctionRun("relu", "ok", cases=[CaseRun("published", "error", error=error)])
    extraction = Extraction(source="def relu(Z):\n    return np.float(Z)\n", found=["relu"], missing=[],
                            environment=versions)
    return function_report(graded, run, {"published": 0.0}, extraction, [], {})


def test_the_card_of_a_removed_numpy_name_says_what_the_grader_runs_and_what_to_use():
    report = card({"type": "AttributeError", "message": "module 'numpy' has no attribute 'float'.\n`np.float` was "
                   "a deprecated alias", "traceback": [{"line": 2, "function": "relu", "source": "return np.float(Z)"}]},
                  TRIXIE)
    assert report.checks[0]["message"] == (
        "published case: relu raised AttributeError: np.float was removed in NumPy 1.24; the grader runs Python "
        "3.13.5 and NumPy 2.2.4: use float.")
    assert report.hint == "Write float where your code says np.float: it works in NumPy 2.2.4 and in older ones."


def test_a_hidden_cases_error_stays_withheld_even_when_the_environment_would_explain_it():
    report = card({"type": "AttributeError", "message": "module 'numpy' has no attribute 'float'"}, TRIXIE, hidden=True)
    assert "its message is not shown" in report.checks[0]["message"] and "NumPy 1.24" not in repr(report.document())


def test_tf_contrib_is_explained_as_removed_in_tensorflow_2_with_the_course_replacement():
    versions = {"python": "3.11.2", "numpy": "1.26.4"}
    message = "module 'tensorflow._api.v2.compat.v1' has no attribute 'contrib'"
    key, fields = explain("AttributeError", message, versions)
    assert key == "why_tensorflow_removed" and fields["name"] == "tf.contrib"
    assert "tf2.initializers.GlorotUniform(seed=1)" in reason("AttributeError", message, versions)
    assert explain("AttributeError", "module 'tensorflow' has no attribute 'placeholdr'", versions) is None
