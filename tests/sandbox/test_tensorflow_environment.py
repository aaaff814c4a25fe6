"""The tensorflow environment on both backends: the course notes' own code scores full marks, and the mistakes of
graph-mode TensorFlow get messages that say what to do.

Few tests, each grading whole files: every job starts TensorFlow (seconds), so they are slow.
"""
from __future__ import annotations

import dataclasses
import functools
import os
from pathlib import Path

import pytest

from assignments.bundle import load_bundle
from sandbox.backends import BackendUnavailable, docker_answers

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "tests" / "data" / "tensorflow_intro" / "seed_submission.py"
pytestmark = [pytest.mark.slow, pytest.mark.sandbox]
BACKENDS = [pytest.param("bwrap"), pytest.param("docker", marks=pytest.mark.docker)]


@pytest.fixture(scope="module")
def bundle():
    return load_bundle(ROOT / "assignments" / "tensorflow_intro")


@functools.lru_cache(maxsize=None)
def grader_on(backend_name: str):
    from django.conf import settings

    from grader.grading import setup
    from sandbox.backends import make_backend
    from sandbox.environments import EnvironmentBackends

    base = setup.get_grader()
    backends = EnvironmentBackends(functools.partial(make_backend, backend_name), settings.GRADER_CACHE_DIR,
                                   base.backends.limits, base.backends.configure)
    return dataclasses.replace(base, backends=backends, model_checks=False)


@pytest.fixture(params=BACKENDS)
def grader(request):
    if request.param == "docker" and not docker_answers():
        if os.environ.get("GRADEBOX_REQUIRE_DOCKER") == "1":
            pytest.fail("GRADEBOX_REQUIRE_DOCKER=1 but no Docker daemon answers")
        pytest.skip("no Docker daemon")
    try:
        return grader_on(request.param)
    except BackendUnavailable as exc:
        pytest.fail(str(exc))


def test_the_course_notes_code_scores_full_marks_and_reproduces_every_published_number(grader, bundle):
    """The published cases hold the notebook's numbers (linear_function, sigmoid(0) and sigmoid(12), cost,
    one_hot_matrix, ones([3]), the placeholders' and variables' shapes): passing them is reproducing them."""
    report = grader.grade(bundle, "seed_submission.py", SEED.read_bytes())
    document = report.document()
    assert document["score"] == document["max_score"] == 11.0, {
        name: [check["message"] for check in function["checks"] if not check["passed"]]
        for name, function in document["functions"].items()}
    environment = grader.backend_for("tensorflow")
    assert environment.numpy_version.startswith("1.26")


def test_the_mistakes_of_graph_mode_tensorflow_are_explained(grader, bundle):
    """One file, one mistake per function: a tensor left unrun, tf.contrib, a session left open, NumPy on the
    placeholder and variables the grader passes, a NumPy attribute of a tensor."""
    source = SEED.read_text()
    edits = [("""    with tf.Session() as sess:
        result = sess.run(sigmoid, feed_dict={x: z})
    return result""", """    return sigmoid"""),
             ("initializer=tf2.initializers.GlorotUniform(seed=1))",
              "initializer=tf.contrib.layers.xavier_initializer(seed=1))"),
             ("""    result = sess.run(Y)
    sess.close()
    return result""", """    result = sess.run(Y)
    return result"""),
             ("    Z1 = tf.matmul(W1, X) + b1", "    Z1 = np.dot(W1, X) + b1"),
             ("    logits = tf.transpose(Z3)", "    logits = Z3.T")]
    for old, new in edits:
        assert old in source
        source = source.replace(old, new)
    functions = grader.grade(bundle, "mistakes.py", source.encode()).document()["functions"]

    def said(name):
        return " ".join(check["message"] for check in functions[name]["checks"]) + " " + (functions[name]["hint"] or "")

    assert functions["sigmoid"]["score"] == 0
    assert "instead of its value" in said("sigmoid") and "sess.run" in said("sigmoid")
    assert functions["initialize_parameters"]["score"] == 0
    assert "tf.contrib was removed in TensorFlow 2" in said("initialize_parameters")
    assert "tf.keras.initializers.GlorotUniform(seed=1) for tf.contrib.layers.xavier_initializer" in said(
        "initialize_parameters")
    assert functions["linear_function"]["score"] == functions["linear_function"]["max_score"]
    assert "linear_function opened a tf.Session and left it open" in functions["linear_function"]["hint"]
    assert functions["forward_propagation"]["score"] == 0
    assert "X:0 is a tensor of the graph your function builds" in said("forward_propagation")
    assert "tf.matmul(W1, X) + b1 instead of np.dot(W1, X) + b1" in said("forward_propagation")
    assert functions["compute_cost"]["score"] == 0
    assert "a TensorFlow tensor has no .T" in said("compute_cost") and "tf.transpose(x)" in said("compute_cost")
    for name in ("create_placeholders", "one_hot_matrix", "ones", "cost"):
        assert functions[name]["score"] == functions[name]["max_score"], name
        assert functions[name]["hint"] is None, name


@functools.lru_cache(maxsize=None)
def model_grader():
    """Model checks on, on one backend: the sandbox's contents are the same on both (the contract trains on both)."""
    return dataclasses.replace(grader_on("bwrap"), model_checks=True)


def test_the_model_check_trains_the_notebooks_model_with_the_students_four_functions(bundle):
    report = model_grader().grade(bundle, "seed_submission.py", SEED.read_bytes())
    (model,) = report.models
    document = model.document()
    assert (model.name, model.status, model.hint) == ("adam", "passed", None), document
    assert document["metrics"]["train_accuracy"] >= 0.97 and document["metrics"]["test_accuracy"] >= 0.9
    assert [check["message"].split(" (")[0] for check in document["checks"]] == [
        f"3-layer TensorFlow model with Adam: {name.replace('_', ' ')} {document['metrics'][name]:.4f}"
        for name in ("train_accuracy", "test_accuracy")]
    assert set(image for _, image in report.images) == {"cost"}  # 12288 features: no decision boundary
    assert "your functions end at" in document["plot_alt"]["cost"]


def test_a_graph_built_twice_in_the_model_check_says_to_reset_it(bundle):
    """forward_propagation that makes its own parameters: its variables are new values (wrong), and in the model,
    where initialize_parameters already made W1, tf.get_variable refuses to make it again."""
    source = SEED.read_text().replace("def forward_propagation(X, parameters):\n",
                                      "def forward_propagation(X, parameters):\n    parameters = initialize_parameters()\n")
    report = model_grader().grade(bundle, "twice.py", source.encode())
    (model,) = report.models
    assert model.status == "error"
    assert "training raised ValueError: Variable W1 already exists" in model.checks[0]["message"]
    assert "the graph already has a variable W1" in model.checks[0]["message"]
    assert "tf.reset_default_graph()" in model.hint
    assert "This follows from forward_propagation failing above" in model.checks[0]["message"]


def test_tensorflow_is_imported_in_graph_mode_before_the_job_arrives_and_each_case_has_a_fresh_graph(
        grader, job_dir, build_job):
    """The runner imports TensorFlow before it forks (a warm container has paid for it); a case's process finds
    it loaded without importing it, v2 behaviour off, and an empty default graph: no session ran before the fork."""
    from sandbox.results import read_results

    source = """
import sys

def probe(n):
    tf = sys.modules["tensorflow.compat.v1"]
    before = len(tf.get_default_graph().get_operations())
    x = tf.placeholder(tf.float32, name="x")
    with tf.Session() as sess:
        value = sess.run(2 * x, feed_dict={x: n})
    return [before, int(tf.executing_eagerly()), float(value)]
"""
    job = build_job(job_dir, source, {"probe": [(1.0,), (2.0,)]}, wall_s=60.0,
                    limits={"memory_mb": 4096, "cpu_s": 60})
    outcome = grader.backend_for("tensorflow").run(job_dir)
    assert outcome.status == "ok", outcome.stderr
    cases = read_results(outcome.archive, job)["probe"].cases
    assert [case.value for case in cases] == [[0, 0, 2.0], [0, 0, 4.0]]


def test_graph_inputs_arrive_as_float32_placeholders_and_variables_fed_the_cases_arrays(grader, job_dir, build_job):
    """graph_inputs: X a placeholder (2, None) fed the case's X, parameters tf.Variables holding the case's values;
    the returned tensor runs with both; a session the function left open is reported as a note."""
    import json

    import numpy as np

    from sandbox.results import read_results

    source = """
import sys

def probe(X, parameters, scale):
    tf = sys.modules["tensorflow.compat.v1"]
    tf.Session()  # never closed
    seen = [X.op.type, X.dtype.name, str(X.shape.as_list()), type(scale).__name__]
    seen += [f"{key}:{isinstance(value, tf.Variable)}:{value.dtype.base_dtype.name}" for key, value in parameters.items()]
    return {"seen": seen, "Z": scale * tf.matmul(parameters["W"], X) + parameters["b"]}
"""
    X = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    parameters = {"W": np.array([[1.0, -1.0]]), "b": np.array([[0.5]])}
    job = build_job(job_dir, source, {"probe": [(X, parameters, 2.0)]}, wall_s=60.0,
                    limits={"memory_mb": 4096, "cpu_s": 60})
    job["functions"][0].update(graph_outputs=True, graph_inputs=[["X", "placeholder"], ["parameters", "variables"],
                                                                 None])
    (job_dir / "job.json").write_text(json.dumps(job))
    outcome = grader.backend_for("tensorflow").run(job_dir)
    assert outcome.status == "ok", outcome.stderr
    (case,) = read_results(outcome.archive, job)["probe"].cases
    assert case.status == "ok", case.error
    assert case.value["seen"] == ["Placeholder", "float32", "[2, None]", "float",
                                  "W:True:float32", "b:True:float32"]
    np.testing.assert_allclose(case.value["Z"], 2.0 * (parameters["W"] @ X) + parameters["b"])
    assert case.notes == ("session_open",)
