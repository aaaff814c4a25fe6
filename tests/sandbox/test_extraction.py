"""Extracting the graded functions from an upload (sandbox/extraction.py), run here in the test process: in
grading it runs only inside the sandbox, on the environment's Python (tests/sandbox/test_parse_job.py)."""
import json
import sys
from pathlib import Path

import nbformat
import pytest

from assignments import bundle_folders
from assignments.bundle import load_bundle
from sandbox.extraction import FileProblem, extract, newer_syntax, parse_upload
from tests import student_files as files

FROZEN = Path(__file__).resolve().parents[1] / "data" / "frozen"

GRADED = ["update_parameters_with_gd", "initialize_velocity"]


def notebook_of(*cells: str) -> bytes:
    return nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])).encode()


def test_notebook_keeps_graded_defs_and_needed_imports_and_drops_top_level_code():
    data = notebook_of(
        "import numpy as np\nimport matplotlib.pyplot as plt\n%matplotlib inline",
        "def update_parameters_with_gd(parameters, grads, learning_rate):\n    return np.copy(parameters)",
        "print('training')\nfor i in range(100000000):\n    pass",
    )
    result = extract(data, "a.ipynb", GRADED)
    assert result["found"] == ["update_parameters_with_gd"]
    assert result["missing"] == ["initialize_velocity"]
    assert "import numpy as np" in result["source"]
    assert "matplotlib" not in result["source"] and "print(" not in result["source"] and "range(" not in result["source"]
    assert any("%matplotlib inline" in n for n in result["notes"])
    assert any("import matplotlib.pyplot as plt" in n for n in result["notes"])
    assert any("2 top-level statement(s) were not run" in n for n in result["notes"])


def test_last_definition_of_a_function_wins_and_the_student_is_told():
    data = notebook_of(
        "def initialize_velocity(parameters):\n    return 'draft'",
        "def initialize_velocity(parameters):\n    return 'final'",
    )
    result = extract(data, "a.ipynb", GRADED)
    assert "'final'" in result["source"] and "'draft'" not in result["source"]
    assert any("defined more than once" in n for n in result["notes"])


def test_helpers_called_by_graded_functions_come_along_transitively():
    source = (
        "import math\n"
        "def _scale(x):\n    return _twice(x)\n"
        "def _twice(x):\n    return 2 * math.sqrt(x)\n"
        "def unused():\n    return 1\n"
        "def initialize_velocity(parameters):\n    return _scale(4)\n"
    ).encode()
    result = extract(source, "a.py", GRADED)
    assert "def _scale" in result["source"] and "def _twice" in result["source"] and "import math" in result["source"]
    assert "def unused" not in result["source"]


def test_course_helper_star_imports_are_kept():
    result = extract(b"from opt_utils import *\nfrom sklearn import *\ndef initialize_velocity(p):\n    return p\n",
                     "a.py", GRADED, helper_modules=("opt_utils",))
    assert "from opt_utils import *" in result["source"]
    assert "sklearn" not in result["source"]


def test_syntax_error_in_a_py_file_names_the_line():
    with pytest.raises(FileProblem, match="Syntax error at line 3"):
        extract(files.SYNTAX_ERROR_PY, "a.py", GRADED)


def test_syntax_error_in_one_cell_costs_only_the_function_defined_there():
    data = notebook_of(
        "import numpy as np",
        "def update_parameters_with_gd(parameters, grads, learning_rate)\n    return parameters",
        "def initialize_velocity(parameters):\n    return {}",
        "print(unbalanced",
    )
    result = extract(data, "a.ipynb", GRADED)
    message = result["syntax_errors"]["update_parameters_with_gd"]["message"]
    assert "at cell `def update_parameters_with_gd(parameters, grads, learning...`, line 1" in message
    assert "cell 2" not in message  # Jupyter shows no cell numbers
    assert result["found"] == ["initialize_velocity"]
    assert any(n.startswith("The cell `print(unbalanced` was skipped") for n in result["notes"])


def test_traceback_lines_map_back_to_the_notebook_cell():
    data = notebook_of("import numpy as np", "x = 1\n\ndef initialize_velocity(parameters):\n    return 1 / 0")
    result = extract(data, "a.ipynb", GRADED)
    line = result["source"].splitlines().index("    return 1 / 0") + 1
    start, end, origin, first_line = next(entry for entry in result["line_map"] if entry[0] <= line <= entry[1])
    assert (origin, first_line + line - start) == ("cell `x = 1`, line 3", 4)


@pytest.mark.parametrize(
    "data, name, message",
    [
        (b"", "a.py", "empty"),
        (b"   \n\n", "a.ipynb", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "a.ipynb", "binary"),
        (b"\xff\xfe\xfa invalid", "a.py", "not UTF-8"),
        (b'{"cells": [', "a.ipynb", r"not valid JSON \(line 1"),
        (json.dumps([1, 2]).encode(), "a.ipynb", "not a Jupyter notebook"),
        (json.dumps({"cells": "nope"}).encode(), "a.ipynb", "not a Jupyter notebook"),
    ],
)
def test_unreadable_files_get_a_clear_message(data, name, message):
    with pytest.raises(FileProblem, match=message):
        extract(data, name, GRADED)


@pytest.mark.parametrize("slug", sorted(bundle_folders()))
def test_every_starter_notebook_extracts_every_graded_function(slug):
    bundle = load_bundle(bundle_folders()[slug])
    data = bundle.files["starter"].read_bytes()
    result = extract(data, "starter.ipynb", [f.name for f in bundle.functions], bundle.job_module_names)
    assert result["found"] == [f.name for f in bundle.functions]
    assert result["missing"] == []


def test_an_import_with_a_fallback_is_kept_as_an_import():
    source = (b"try:\n    from reg_utils import relu\nexcept ImportError:\n    from my_utils import relu\n"
              b"try:\n    x = 1\nexcept Exception:\n    pass\n"
              b"def initialize_velocity(p):\n    return relu(p)\n")
    result = extract(source, "a.py", GRADED)
    assert "from reg_utils import relu" in result["source"] and "from my_utils import relu" in result["source"]
    assert "x = 1" not in result["source"]


CODE = "def update_parameters_with_gd(parameters, grads, learning_rate):\n    return parameters\n"


@pytest.mark.parametrize("notebook", [
    {"nbformat": 4, "cells": [{"cell_type": "code", "metadata": [], "source": CODE}]},  # metadata not a dict
    {"nbformat": 4, "cells": [{"cell_type": "markdown"}, {"cell_type": "code", "source": CODE.splitlines(True)}]},
    {"nbformat": 4, "cells": [{"cell_type": "code"}, {"cell_type": "code", "source": CODE}]},  # no source, no outputs
    {"nbformat": 3, "worksheets": [{"cells": [{"cell_type": "code", "input": CODE.splitlines(True)}]}]},
], ids=["metadata-list", "source-lines", "missing-source", "nbformat-3"])
def test_notebooks_jupyter_tolerates_are_read(notebook):
    result = extract(json.dumps(notebook).encode(), "a.ipynb", GRADED)
    assert result["found"] == ["update_parameters_with_gd"]


def test_constants_the_graded_functions_use_are_kept_and_the_rest_dropped():
    source = (b"ADAM_EPSILON = 1e-8\nKEYS = ('W', 'b')\nUNUSED = 3\nresult = compute()\n"
              b"def initialize_velocity(p, eps=ADAM_EPSILON):\n    return {k: eps for k in KEYS}\n")
    result = extract(source, "a.py", GRADED)
    assert "ADAM_EPSILON = 1e-8" in result["source"] and "KEYS = ('W', 'b')" in result["source"]
    assert "UNUSED" not in result["source"] and "compute()" not in result["source"]
    assert any("Kept ADAM_EPSILON" in note for note in result["notes"])
    assert any(note.startswith("2 top-level statement(s) were not run") for note in result["notes"])


def test_a_graded_function_in_a_markdown_cell_is_named_with_its_cell():
    cells = [{"cell_type": "code", "source": "import numpy as np\n"},
             {"cell_type": "markdown", "source": "# GRADED FUNCTION: initialize_velocity\n\ndef initialize_velocity(p):\n"}]
    result = extract(json.dumps({"nbformat": 4, "cells": cells}).encode(), "a.ipynb", GRADED)
    assert result["missing"] == ["update_parameters_with_gd", "initialize_velocity"]
    assert result["misplaced"] == {"initialize_velocity": "the Markdown cell `# GRADED FUNCTION: initialize_velocity`"}


def test_a_cell_is_named_by_its_marker_and_its_in_number_when_the_file_has_one():
    cells = [{"cell_type": "code", "execution_count": 12, "source": ["import numpy as np\n", "\n",
              "# GRADED FUNCTION: initialize_velocity\n", "def initialize_velocity(p)\n", "    return {}\n"]}]
    result = extract(json.dumps({"nbformat": 4, "cells": cells}).encode(), "a.ipynb", GRADED)
    assert result["syntax_errors"]["initialize_velocity"]["message"].startswith(
        "Syntax error at cell `# GRADED FUNCTION: initialize_velocity` (In [12]), line 4: ")


def test_the_extraction_names_the_definitions_it_keeps_for_the_supplied_code():
    source = b"import numpy as np\nclass Layer:\n    pass\ndef helper(x):\n    return Layer()\ndef unused():\n    pass\n" \
             b"def initialize_velocity(p):\n    return helper(p)\n"
    assert extract(source, "a.py", GRADED)["defined"] == ["Layer", "helper", "initialize_velocity"]


def test_a_graded_function_with_type_parameters_is_found_when_its_cell_fails():
    data = notebook_of("def initialize_velocity[T](parameters: T) -> T\n    return parameters")
    result = extract(data, "a.ipynb", GRADED)
    assert "initialize_velocity" in result["syntax_errors"]


@pytest.mark.parametrize("line, message, feature, python", [
    ("    except ValueError, TypeError:\n", "multiple exception types must be parenthesized",
     "except_without_parentheses", "3.14"),
    ('    return t"{x}"\n', "invalid syntax", "template_string", "3.14"),
])
def test_syntax_of_a_newer_python_is_named_with_the_version_that_introduced_it(line, message, feature, python):
    error = SyntaxError(message, ("a.py", 3, 5, line))
    assert newer_syntax(error) == {"feature": feature, "python": python}


def test_an_ordinary_syntax_error_is_not_blamed_on_the_python_version():
    assert newer_syntax(SyntaxError("expected ':'", ("a.py", 1, 10, "def f(x)\n"))) is None


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="only an older Python refuses same-quote f-strings")
def test_a_same_quote_f_string_on_an_older_python_is_named_as_python_3_12_syntax():
    answer = parse_upload(b'def initialize_velocity(p):\n    return f"{p["W1"]}"\n', "a.py", GRADED, [])
    assert answer["status"] == "file_problem" and answer["newer"] == {"feature": "fstring_nested_quotes", "python": "3.12"}


DEEP = [
    (b"x = " + b"(" * 100_000 + b"1" + b")" * 100_000, "a.py"),  # past the parser's nesting limit
    (b"def f():\n    return " + b"-" * 500_000 + b"1\n", "a.py"),  # past the compiler's recursion limit
    (b"[" * 200_000, "a.ipynb"),  # a notebook's JSON nested past json's recursion limit
]


@pytest.mark.parametrize("data, name", DEEP, ids=["brackets", "unary-minus", "notebook-json"])
def test_deeply_nested_input_is_a_verdict_never_an_exception(data, name):
    answer = parse_upload(data, name, GRADED, [])
    assert answer["status"] in ("file_problem", "too_complex") and answer["python"]
    json.dumps(answer)  # the answer travels as JSON


def test_a_cell_nested_too_deeply_is_skipped_like_a_syntax_error():
    cells = [{"cell_type": "code", "source": "x = " + "[" * 50_000},
             {"cell_type": "code", "source": "def initialize_velocity(p):\n    return p\n"}]
    answer = parse_upload(json.dumps({"nbformat": 4, "cells": cells}).encode(), "a.ipynb", GRADED, [])
    assert answer["status"] == "ok" and answer["extraction"]["found"] == ["initialize_velocity"]


def test_notes_are_capped():
    data = notebook_of(*(f"%magic {i}" for i in range(500)), "def initialize_velocity(p):\n    return p")
    notes = extract(data, "a.ipynb", GRADED)["notes"]
    assert len(notes) == 200 and notes[-1].startswith("... and 301 more notes")


def test_names_in_docstrings_comments_and_strings_are_not_referenced():
    source = ('import numpy as np\n\n'
              'def relu(Z):\n'
              '    """Used by model() and by forward_propagation."""\n'
              '    # model calls this too\n'
              '    label = "model"\n'
              '    return np.maximum(0, Z) + helper(Z)\n\n'
              'def helper(Z):\n'
              '    return 0 * Z\n')
    result = extract(source.encode(), "answer.py", ["relu"], ())
    assert "model" not in result["referenced"] and "forward_propagation" not in result["referenced"]
    assert {"np", "helper"} <= set(result["referenced"])


def test_the_imports_the_graded_functions_do_not_need_make_one_note():
    data = (FROZEN / "optimization" / "correct.ipynb").read_bytes()
    bundle = load_bundle(bundle_folders()["optimization"])
    result = extract(data, "correct.ipynb", [f.name for f in bundle.functions], bundle.job_module_names)
    skipped = [note for note in result["notes"] if "import" in note and "Skipped" in note]
    assert len(skipped) == 1, result["notes"]
    assert skipped[0].startswith("Skipped 6 imports the graded functions do not need (not an error): ")
    assert "`import matplotlib.pyplot as plt`" in skipped[0] and "`import sklearn.datasets`" in skipped[0]


@pytest.mark.parametrize("slug", sorted(bundle_folders()))
def test_every_function_of_an_untouched_starter_is_unfinished_and_none_of_the_reference(slug):
    bundle = load_bundle(bundle_folders()[slug])
    names = [f.name for f in bundle.functions]
    starter = extract(bundle.files["starter"].read_bytes(), "starter.ipynb", names, bundle.job_module_names)
    assert starter["unfinished"] == starter["found"] == names
    reference = extract(bundle.text("reference").encode(), "reference.py", names, bundle.job_module_names)
    assert reference["unfinished"] == []


def test_an_answer_block_with_one_line_written_is_not_unfinished():
    source = ("def relu(Z):\n    ### START CODE HERE ### (1 line)\n    A = None\n    B = Z * 2\n"
              "    ### END CODE HERE ###\n    return A\n")
    assert extract(source.encode(), "a.py", ["relu"], ())["unfinished"] == []
    untouched = source.replace("    B = Z * 2\n", "    # B = ...\n")
    assert extract(untouched.encode(), "a.py", ["relu"], ())["unfinished"] == ["relu"]
