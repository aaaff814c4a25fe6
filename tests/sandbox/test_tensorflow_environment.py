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


def test_forgetting_sess_run_and_calling_tf_contrib_are_explained(grader, bundle):
    source = SEED.read_text()
    source = source.replace("""    with tf.Session() as sess:
        result = sess.run(sigmoid, feed_dict={x: z})
    return result""", """    return sigmoid""")
    source = source.replace("initializer=tf2.initializers.GlorotUniform(seed=1))",
                            "initializer=tf.contrib.layers.xavier_initializer(seed=1))")
    document = grader.grade(bundle, "mistakes.py", source.encode()).document()
    functions = document["functions"]
    assert functions["sigmoid"]["score"] == 0
    sigmoid_messages = " ".join(check["message"] for check in functions["sigmoid"]["checks"])
    assert "instead of its value" in sigmoid_messages and "sess.run" in sigmoid_messages
    assert functions["initialize_parameters"]["score"] == 0
    init_messages = " ".join(check["message"] for check in functions["initialize_parameters"]["checks"])
    assert "tf.contrib was removed in TensorFlow 2" in init_messages
    assert "tf2.initializers.GlorotUniform(seed=1)" in init_messages
    assert functions["forward_propagation"]["score"] == functions["forward_propagation"]["max_score"]


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
