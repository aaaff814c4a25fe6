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


TF_VERSIONS = {"python": "3.11.2", "numpy": "1.26.4"}
CONTRIB = "module 'tensorflow._api.v2.compat.v1' has no attribute 'contrib'"


def test_tf_contrib_is_explained_as_removed_in_tensorflow_2_naming_the_replacement_of_the_part_used():
    line = 'W1 = tf.get_variable("W1", [25, 12288], initializer=tf.contrib.layers.xavier_initializer(seed=1))'
    key, fields = explain("AttributeError", CONTRIB, TF_VERSIONS, line)
    assert key == "why_tensorflow_removed" and fields["name"] == "tf.contrib"
    said = reason("AttributeError", CONTRIB, TF_VERSIONS, line)
    assert said.startswith("tf.contrib was removed in TensorFlow 2")
    assert "tf.compat.v1.initializers.glorot_uniform(seed=1)" in said
    assert "tf.keras.initializers.GlorotUniform(seed=1) for tf.contrib.layers.xavier_initializer" in said
    dense = reason("AttributeError", CONTRIB, TF_VERSIONS, "A = tf.contrib.layers.fully_connected(X, 6)")
    assert "tf.compat.v1.layers.dense or tf.keras.layers.Dense for tf.contrib.layers.fully_connected" in dense


def test_a_part_of_tf_contrib_without_a_known_replacement_still_says_tf_contrib_was_removed():
    for line in ("", "x = tf.contrib.summary.scalar('c', c)"):
        said = reason("AttributeError", CONTRIB, TF_VERSIONS, line)
        assert said.startswith("tf.contrib was removed in TensorFlow 2") and "migration guide" in said
    assert explain("AttributeError", "module 'tensorflow' has no attribute 'placeholdr'", TF_VERSIONS) is None


def test_numpy_on_a_placeholder_says_to_build_the_graph_with_tensorflow_operations():
    message = ("Cannot convert a symbolic tf.Tensor (X:0) to a numpy array. This error may indicate that you're "
               "trying to pass a Tensor to a NumPy call, which is not supported.")
    key, fields = explain("NotImplementedError", message, TF_VERSIONS)
    assert (key, fields["tensor"]) == ("why_tensorflow_numpy_on_tensor", "X:0")
    assert "NumPy cannot compute with it" in reason("NotImplementedError", message, TF_VERSIONS)


def test_a_numpy_attribute_of_a_tensor_names_the_tensorflow_operation():
    said = reason("AttributeError", "'SymbolicTensor' object has no attribute 'T'", TF_VERSIONS)
    assert said == "a TensorFlow tensor has no .T, which NumPy arrays have: write tf.transpose(x)."
    assert reason("AttributeError", "SymbolicTensor object has no attribute 'T'. \n        If you are looking for "
                  "numpy-related methods, please run the following", TF_VERSIONS) == said
    assert reason("AttributeError", "'SymbolicTensor' object has no attribute 'foo'", TF_VERSIONS) is None


def test_a_variable_created_twice_says_to_reset_the_graph_or_rename_it():
    message = ("Variable W1 already exists, disallowed. Did you mean to set reuse=True or reuse=tf.AUTO_REUSE in "
               "VarScope? Originally defined at:")
    key, fields = explain("ValueError", message, TF_VERSIONS)
    assert (key, fields["variable"]) == ("why_tensorflow_variable_exists", "W1")
    report = card({"type": "ValueError", "message": message,
                   "traceback": [{"line": 2, "function": "relu", "source": 'tf.get_variable("W1", [2, 3])'}]},
                  TF_VERSIONS)
    assert "the graph already has a variable W1" in report.checks[0]["message"]
    assert "tf.reset_default_graph()" in report.hint


def test_a_session_left_open_is_said_on_a_passing_card_without_costing_points():
    graded = GradedFunction("linear_function", 1.0, ("result",), (Case("published", Args("literal", ()),),))
    run = FunctionRun("linear_function", "ok",
                      cases=[CaseRun("published", "ok", value=1.0, notes=("session_open",))])
    extraction = Extraction(source="def linear_function():\n    pass\n", found=["linear_function"], missing=[],
                            environment=TF_VERSIONS)
    report = function_report(graded, run, {"published": 1.0}, extraction, [], {})
    assert (report.status, report.score) == ("passed", 1.0)
    assert report.hint.startswith("linear_function opened a tf.Session and left it open")
    assert "sess.close()" in report.hint and "with tf.Session() as sess:" in report.hint
