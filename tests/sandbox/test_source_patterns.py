"""Source patterns: a catalogued mistake found in the student's code with `ast`, however the code is written."""
from __future__ import annotations

import pytest

from assignments.bundle import Pattern
from sandbox.source_patterns import shows

NO_SEED = Pattern("numpy.random.seed", args=(3,), absent=True)
SEED_IN_LOOP = Pattern("numpy.random.seed", in_loop=True)
BIAS_DRAWN = Pattern("numpy.random.*", stored_in="b*")
BUILTIN_MAX = Pattern("max")

HE = '''
import numpy as np

def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(2 / layers_dims[l - 1])
        parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
'''


def he(replace: dict[str, str] | None = None, header: str = "") -> str:
    text = HE
    for old, new in (replace or {}).items():
        assert old in text
        text = text.replace(old, new)
    return header + text


@pytest.mark.parametrize("pattern", [NO_SEED, SEED_IN_LOOP, BIAS_DRAWN, BUILTIN_MAX])
def test_the_course_s_own_code_shows_none_of_the_mistakes(pattern):
    assert not shows(pattern, he(), "initialize_parameters_he")


@pytest.mark.parametrize("source", [
    he({"    np.random.seed(3)\n": ""}),
    he({"np.random.seed(3)": "np.random.seed(1)"}),  # seeded, but not as the course seeds
    he({"np.random.seed(3)": "rng = np.random.default_rng(3)"}),
], ids=["no-seed", "other-seed", "other-generator"])
def test_a_missing_seed_is_found(source):
    assert shows(NO_SEED, source, "initialize_parameters_he")


@pytest.mark.parametrize("source", [
    he({"np.random.seed(3)": "np.random.seed(seed=3)"}),
    he({"np.random.seed(3)": "np.random.seed(3.0)"}),
    he({"import numpy as np": "import numpy as xp", "np.": "xp."}),
    he({"import numpy as np": "import numpy as np\nfrom numpy.random import seed", "np.random.seed(3)": "seed(3)"}),
    he({"import numpy as np": "import numpy as np\nfrom numpy import random", "np.random.seed(3)": "random.seed(3)"}),
    he({"    np.random.seed(3)\n": "    start()\n"}, header="import numpy as np\n\ndef start():\n    np.random.seed(3)\n"),
], ids=["keyword", "float", "alias", "from-import", "module-import", "own-helper"])
def test_a_seed_written_another_way_is_no_missing_seed(source):
    assert not shows(NO_SEED, source, "initialize_parameters_he")


def test_a_seed_in_the_course_s_code_before_the_student_s_counts_for_nothing():
    course = "import numpy as np\n\ndef start():\n    np.random.seed(3)\n"
    source = he({"    np.random.seed(3)\n": "    start()\n"}, header=course)
    assert not shows(NO_SEED, source, "initialize_parameters_he")
    student_lines = lambda line: line > course.count("\n")  # noqa: E731
    assert shows(NO_SEED, source, "initialize_parameters_he", own=student_lines)


@pytest.mark.parametrize("source, found", [
    (he({"    np.random.seed(3)\n": "", "        parameters['W'": "        np.random.seed(3)\n        parameters['W'"}), True),
    (he({"    np.random.seed(3)\n    parameters = {}\n": "    parameters = {}\n    while len(parameters) < 0:\n"
         "        np.random.seed(3)\n"}), True),
    (he({"    np.random.seed(3)\n": "    [np.random.seed(3) for _ in range(2)]\n"}), True),
    (he({"    np.random.seed(3)\n": "    for _ in [np.random.seed(3)]:\n        pass\n"}), False),  # runs once
    (he(), False),
], ids=["for-body", "while-body", "comprehension", "loop-iterable", "before-the-loop"])
def test_a_seed_inside_a_loop_is_found_only_there(source, found):
    assert shows(SEED_IN_LOOP, source, "initialize_parameters_he") is found


@pytest.mark.parametrize("bias", [
    "parameters['b' + str(l)] = np.random.randn(layers_dims[l], 1)",
    "parameters[f'b{l}'] = np.random.rand(layers_dims[l], 1) * 0.01",
    "b = np.random.randn(layers_dims[l], 1); parameters['b' + str(l)] = b",
    "parameters['b' + str(l)], extra = np.random.randn(layers_dims[l], 1), 0",
])
def test_biases_drawn_at_random_are_found_at_any_scale(bias):
    source = he({"parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))": bias})
    assert shows(BIAS_DRAWN, source, "initialize_parameters_he")


def test_weights_and_zero_biases_assigned_together_are_no_biases_drawn():
    pair = ("parameters['W' + str(l)], parameters['b' + str(l)] = "
            "np.random.randn(layers_dims[l], layers_dims[l - 1]), np.zeros((layers_dims[l], 1))")
    source = he({"parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))": "pass"}).replace(
        "parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(2 / layers_dims[l - 1])",
        pair)
    assert pair in source and not shows(BIAS_DRAWN, source, "initialize_parameters_he")
    assert shows(BIAS_DRAWN, source.replace("np.zeros((layers_dims[l], 1))", "np.random.randn(layers_dims[l], 1)"),
                 "initialize_parameters_he")


@pytest.mark.parametrize("source, found", [
    ("def relu(Z):\n    return max(0, Z)\n", True),
    ("def relu(Z):\n    return np.max(Z)\n", False),
    ("def relu(Z):\n    return Z.max(axis=0)\n", False),
    ("from numpy import maximum as max\n\ndef relu(Z):\n    return max(0, Z)\n", False),
    ("def relu(Z):\n    return helper(Z)\n\ndef helper(Z):\n    return max(0, Z)\n", True),
    ("def relu(Z):\n    return Z\n\ndef unused(Z):\n    return max(0, Z)\n", False),
], ids=["builtin", "np-max", "method", "imported-as-max", "own-helper", "unused-def"])
def test_python_s_max_is_told_from_numpy_s(source, found):
    assert shows(BUILTIN_MAX, source, "relu") is found


@pytest.mark.parametrize("source", ["def relu(Z:\n", "def other(Z):\n    return max(Z)\n", "(" * 300 + ")" * 300])
def test_a_pattern_never_guesses_about_code_it_cannot_read(source):
    assert not shows(BUILTIN_MAX, source, "relu")
    assert not shows(Pattern("max", absent=True), source, "relu")


def test_the_last_definition_is_the_one_searched():
    source = "def relu(Z):\n    return max(0, Z)\n\ndef relu(Z):\n    return np.maximum(0, Z)\n"
    assert not shows(BUILTIN_MAX, source, "relu")
