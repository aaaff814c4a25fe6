"""Reading bundle code without running it (assignments/source.py): names, a def's text, edits, callee modules."""
from __future__ import annotations

import textwrap

import pytest

from assignments.source import SourceError, apply_edits, callee_module, def_source, defined_names


def code(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


MODULE = code('''
    import functools

    import numpy as np

    EPSILON = 1e-8


    def relu(Z):
        """The rectified linear unit.

        Elementwise max(0, Z).
        """
        # the positive part
        A = np.maximum(0, Z)
        return A


    @functools.lru_cache(maxsize=None)
    @staticmethod
    def cached(n):
        """Decorated twice."""
        return n


    def undocumented(x):
        return x + EPSILON


    def only_a_docstring():
        """Nothing else."""


    class Layer:
        pass
''')


# defined_names

def test_defined_names_are_the_top_level_defs_and_classes():
    text = MODULE + "\nasync def fetch():\n    def inner():\n        pass\n"
    assert defined_names(text) == {"relu", "cached", "undocumented", "only_a_docstring", "Layer", "fetch"}


def test_a_syntax_error_names_the_label_and_the_line():
    with pytest.raises(SourceError, match=r"^cases\.py: syntax error on line 3: "):
        defined_names("import numpy\n\ndef f(:\n    pass\n", "cases.py")


# def_source

def test_def_source_keeps_the_docstring_by_default():
    assert def_source(MODULE, "relu") == code('''
        def relu(Z):
            """The rectified linear unit.

            Elementwise max(0, Z).
            """
            # the positive part
            A = np.maximum(0, Z)
            return A
    ''')


def test_def_source_without_docstring_drops_only_the_docstring():
    assert def_source(MODULE, "relu", keep_docstring=False) == code('''
        def relu(Z):
            # the positive part
            A = np.maximum(0, Z)
            return A
    ''')


@pytest.mark.parametrize("keep_docstring", [True, False])
def test_def_source_includes_the_decorators(keep_docstring):
    doc = '    """Decorated twice."""\n' if keep_docstring else ""
    expected = "@functools.lru_cache(maxsize=None)\n@staticmethod\ndef cached(n):\n" + doc + "    return n\n"
    assert def_source(MODULE, "cached", keep_docstring=keep_docstring) == expected


@pytest.mark.parametrize("keep_docstring", [True, False])
def test_a_def_without_docstring_is_the_same_either_way(keep_docstring):
    assert def_source(MODULE, "undocumented", keep_docstring=keep_docstring) == \
        "def undocumented(x):\n    return x + EPSILON\n"


def test_a_docstring_that_is_the_whole_body_stays():
    assert def_source(MODULE, "only_a_docstring", keep_docstring=False) == \
        'def only_a_docstring():\n    """Nothing else."""\n'


def test_the_last_def_of_a_name_counts():
    text = "def f():\n    return 1\n\n\ndef f():\n    return 2\n"
    assert def_source(text, "f") == "def f():\n    return 2\n"


@pytest.mark.parametrize("name", ["softmax", "Layer", "EPSILON"])
def test_a_name_that_is_not_a_function_is_a_source_error(name):
    with pytest.raises(SourceError, match=rf"^the reference defines no function '{name}'$"):
        def_source(MODULE, name, "the reference")


# apply_edits

def test_edits_apply_in_turn_each_replacing_every_occurrence():
    source = "a = x + x\nb = y\n"
    assert apply_edits(source, [["x", "y", 2], ["y", "z", 3]], "m") == "a = z + z\nb = z\n"
    assert apply_edits(source, [], "m") == source


@pytest.mark.parametrize("edits, message", [
    ([["x", "y", 1]], "mistakes.k: edit 1 expects 1 of 'x' in the reference, found 2"),
    ([["x", "y", 3]], "mistakes.k: edit 1 expects 3 of 'x' in the reference, found 2"),
    ([["x", "y", 2], ["x", "z", 1]], "mistakes.k: edit 2 expects 1 of 'x' in the reference, found 0"),
])
def test_an_edit_whose_count_does_not_match_is_a_source_error(edits, message):
    with pytest.raises(SourceError) as raised:
        apply_edits("a = x + x\n", edits, "mistakes.k")
    assert str(raised.value) == message


# callee_module

CALLEES = code('''
    import numpy as np
    from math import sqrt

    EPSILON = 1e-8
    UNUSED = 3
    SCALE: float = 2.0
    LOW, HIGH = -1.0, 1.0


    def helper(x):
        return x * SCALE


    def stand_in(x):
        return helper(x) + EPSILON


    def clipped(x):
        return np.clip(x, LOW, HIGH)


    def graded(x):
        return sqrt(x)


    def hidden_builder():
        return (np.arange(3.0),)
''')


def test_a_callee_module_keeps_the_named_defs_and_what_they_use():
    module = callee_module(CALLEES, ["stand_in"], "reference")
    assert module == code('''
        EPSILON = 1e-8

        SCALE: float = 2.0

        def helper(x):
            return x * SCALE

        def stand_in(x):
            return helper(x) + EPSILON
    ''')
    namespace: dict = {}
    exec(compile(module, "callees", "exec"), namespace)  # the test's own text, not bundle code
    assert namespace["stand_in"](1.0) == 2.0 + 1e-8


def test_a_callee_module_keeps_only_the_imports_its_defs_use():
    """cases.py may import supplied.py, which no student's job holds: a callee that does not use it must not need it."""
    text = "import supplied\nfrom math import *\nimport os.path\nimport numpy as np\n\n\n" \
           "def twice(x):\n    return np.multiply(2, x)\n\n\ndef where():\n    return os.path.sep\n"
    lines = [line for line in callee_module(text, ["twice"], "cases").splitlines() if line]
    assert lines[:3] == ["from math import *", "import numpy as np", "def twice(x):"]
    assert "import os.path" in callee_module(text, ["where"], "cases")
    assert "supplied" not in callee_module(text, ["twice", "where"], "cases")


def test_a_callee_module_keeps_constants_bound_by_unpacking():
    module = callee_module(CALLEES, ["clipped"], "reference")
    assert "LOW, HIGH = -1.0, 1.0\n" in module
    namespace: dict = {}
    exec(compile(module, "callees", "exec"), namespace)
    assert namespace["clipped"](5.0) == 1.0


@pytest.mark.parametrize("left_out", ["def graded", "def hidden_builder", "UNUSED"])
def test_a_callee_module_leaves_out_other_defs_and_constants(left_out):
    module = callee_module(CALLEES, ["stand_in", "clipped"], "reference")
    assert left_out not in module
    assert "def stand_in" in module and "def clipped" in module


def test_a_callee_module_for_a_missing_function_is_a_source_error():
    with pytest.raises(SourceError, match=r"^cases defines no function 'twice', 'EPSILON'$"):
        callee_module(CALLEES, ["stand_in", "twice", "EPSILON"], "cases")
