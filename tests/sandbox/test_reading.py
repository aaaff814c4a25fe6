"""Reading uploads as Python and Jupyter do (sandbox/reading.py, run inside the sandbox by a parse job): content over
file names, declared encodings, Python's own line ends."""
from __future__ import annotations

import ast
import json

import pytest

from sandbox.reading import FileProblem, read_cells, statement_starts, strip_magics

FUNCTION = "def f(m, size):\n    return m\n"


@pytest.mark.parametrize("source, dropped", [
    ("%matplotlib inline\n" + FUNCTION, ["%matplotlib inline"]),
    ("!pip install numpy\n" + FUNCTION, ["!pip install numpy"]),
    ("np.dot?\n?np.sum\nnp.exp??\n" + FUNCTION, ["np.dot?", "?np.sum", "np.exp??"]),
    ('print("%d of %d" %\n      (1, 2))\n' + FUNCTION, []),  # a % continuing an open bracket is code
    ("if (\n    m\n    % size\n    != 0\n):\n    pass\n", []),  # a formatter's layout keeps its meaning
    ('text = """\n%not a magic\n"""\n', []),
    ("x = 1  # really?\n", []),
    ("total = 1 + \\\n    !2\n", []),
])
def test_only_statement_level_ipython_syntax_is_dropped(source, dropped):
    kept, magics = strip_magics(source)
    assert [m.strip() for m in magics] == dropped
    assert len(kept.split("\n")) == len(source.split("\n"))  # line numbers stay
    if not dropped and "!2" not in source:
        assert kept == source and ast.parse(kept)


def test_statement_starts_follow_brackets_strings_and_backslashes():
    assert statement_starts("a = (1,\n2)\nb = '''\nx'''\nc = 1 + \\\n2\nd") == [True, False, True, False, True, False, True]


def test_line_ends_are_pythons_own_not_unicode_separators():
    source = "def f(x):\n    # pasted \u2028 from a page\f\n    return x\r\n"
    (_, text), = read_cells(source.encode(), "a.py")[0]
    assert text.split("\n")[1] == "    # pasted \u2028 from a page\f" and ast.parse(text)


def test_a_declared_encoding_is_honoured_and_noted():
    data = "# -*- coding: latin-1 -*-\ndef f(x):\n    return 'café'\n".encode("latin-1")
    cells, notes = read_cells(data, "a.py")
    assert "café" in cells[0][1] and notes == ["The file was read as iso-8859-1, as its coding line declares."]
    with pytest.raises(FileProblem, match="declare its encoding"):
        read_cells("def f():\n    return 'café'\n".encode("latin-1"), "a.py")


def test_a_notebook_is_a_notebook_whatever_its_name_and_a_script_a_script():
    notebook = json.dumps({"nbformat": 4, "cells": [{"cell_type": "code", "source": FUNCTION}]}).encode()
    cells, notes = read_cells(notebook, "homework.py")
    assert cells == [("cell `def f(m, size):`", FUNCTION)] and "holds a Jupyter notebook" in notes[0]
    cells, notes = read_cells(FUNCTION.encode(), "homework.ipynb")
    assert cells == [(None, FUNCTION)] and "holds Python source" in notes[0]
    with pytest.raises(FileProblem, match="not valid JSON"):
        read_cells(b"def f(:\n", "homework.ipynb")
