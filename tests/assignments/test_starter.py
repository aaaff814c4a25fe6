"""The starter notebooks students download are clean, and assignments/starter.py finds what makes one unclean.

The committed notebooks are edited in Jupyter and normalised with
`python -m assignments.starter --write`; these tests keep them so. The
synthetic notebooks below check each kind of problem is caught, each next to
a clean variant so a check that reports everything would fail too.
"""
from __future__ import annotations

import json
import tomllib

import nbformat
import pytest

from assignments import bundle_folders
from assignments.starter import main, normalize, problems

BUNDLES = bundle_folders()

GRADED_BODY = '''# GRADED FUNCTION: square

def square(x):
    """x squared."""
    ### START CODE HERE ### (≈ 1 line of code)
    y = None
    ### END CODE HERE ###
    return y'''


def _manifest(folder):
    return tomllib.loads((folder / "assignment.toml").read_text(encoding="utf-8"))


def _starter_text(folder):
    """The committed bytes, decoded: read_text would hide a CRLF file from normalize(text) == text."""
    return (folder / _manifest(folder)["starter"]).read_bytes().decode("utf-8")


def _notebook(*sources, ids=True):
    """A notebook of code cells (a `("markdown", text)` pair makes a markdown cell), as text."""
    notebook = nbformat.v4.new_notebook()
    for number, source in enumerate(sources):
        if isinstance(source, tuple):
            cell = nbformat.v4.new_markdown_cell(source[1])
        else:
            cell = nbformat.v4.new_code_cell(source)
        if ids:
            cell.id = f"cell-{number:02d}"
        notebook.cells.append(cell)
    return nbformat.writes(notebook)


def _with_cell(text, index, **changes):
    notebook = nbformat.reads(text, as_version=4)
    notebook.cells[index].update(changes)
    return nbformat.writes(notebook)


# The committed notebooks


def test_every_course_bundle_names_a_starter_notebook_that_exists():
    assert {"optimization", "regularization", "initialization", "gradient-checking", "softmax-batchnorm"} <= set(BUNDLES)
    for slug, folder in BUNDLES.items():
        starter = _manifest(folder).get("starter")
        assert isinstance(starter, str), slug
        assert (folder / starter).is_file(), slug


@pytest.mark.parametrize("slug", sorted(BUNDLES))
def test_committed_starter_has_no_problems(slug):
    folder = BUNDLES[slug]
    graded = [function["name"] for function in _manifest(folder)["functions"]]
    assert graded
    assert problems(_starter_text(folder), graded) == []


@pytest.mark.parametrize("slug", sorted(BUNDLES))
def test_committed_starter_is_normalised(slug):
    text = _starter_text(BUNDLES[slug])
    assert normalize(text) == text, "run `python -m assignments.starter --write` on the bundle folder"


# problems(): one clean notebook, then each fault


def test_a_clean_notebook_has_no_problems():
    text = _notebook("import numpy as np", GRADED_BODY, "print(square(3))")
    assert problems(text, ["square"]) == []


def test_blanked_lines_may_be_none_assignments_comments_pass_and_blank_lines():
    body = GRADED_BODY.replace("    y = None\n", (
        "    # compute y\n"
        "\n"
        "    y = None                 # Step 1\n"
        "    cache[i], _ = None\n"
        "    a = b = None\n"
        "    z: float = None\n"
        "    pass\n"
    ))
    assert problems(_notebook(body), ["square"]) == []


def test_blanked_lines_may_sit_deeper_than_their_markers():
    """As in initialize_adam, where the markers are at the level of the `for` they are in."""
    body = GRADED_BODY.replace("    y = None\n", "        y = None\n").replace(
        "    ### START", "    for _ in range(1):\n    ### START")
    assert problems(_notebook(body), ["square"]) == []
    filled = body.replace("        y = None\n", "        y = x * x\n")
    assert problems(_notebook(filled), ["square"]) == ["cell 0: square: the solution is filled in (line 7: `y = x * x`)"]


@pytest.mark.parametrize("solution", [
    "y = x ** 2",
    "y = None if x is None else x * x",
    "return x * x",
    "print(x)",
])
def test_a_filled_in_solution_is_a_problem(solution):
    body = GRADED_BODY.replace("    y = None\n", f"    y = None\n    {solution}\n")
    assert problems(_notebook("import numpy as np", body), ["square"]) == [
        f"cell 1: square: the solution is filled in (line 7: `{solution}`)"
    ]


def test_a_filled_in_line_that_does_not_parse_is_still_filled_in():
    body = GRADED_BODY.replace("    y = None\n", "    y = (None\n")
    assert problems(_notebook(body), ["square"]) == [
        "cell 0: square: not valid Python (line 6: '(' was never closed)",
        "cell 0: square: the solution is filled in (line 6: `y = (None`)",
    ]


def test_a_filled_in_solution_names_the_first_line_and_counts_the_rest():
    body = GRADED_BODY.replace("    y = None\n", "    t = x\n    y = t * t\n    y = y + 0\n")
    assert problems(_notebook(body), ["square"]) == [
        "cell 0: square: the solution is filled in (line 6: `t = x`, and 2 more line(s))"
    ]


def test_every_marked_region_is_checked_not_only_the_first():
    body = GRADED_BODY.replace(
        "    return y",
        "    ### START CODE HERE ### (approx. 1 line)\n    y = y + 1\n    ### END CODE HERE ###\n    return y",
    )
    assert problems(_notebook(body), ["square"]) == ["cell 0: square: the solution is filled in (line 9: `y = y + 1`)"]


def test_code_outside_the_markers_is_the_course_s_and_not_checked():
    body = GRADED_BODY.replace("    return y", "    y = x * x  # given\n    return y")
    assert problems(_notebook(body), ["square"]) == []


def test_outputs_and_execution_counts_are_problems():
    text = _notebook("import numpy as np", GRADED_BODY, "print(square(3))")
    output = nbformat.v4.new_output("stream", name="stdout", text="9\n")
    assert problems(_with_cell(text, 2, outputs=[output]), ["square"]) == [
        "cell 2: has 1 output(s); clear them (--write does)"
    ]
    assert problems(_with_cell(text, 0, execution_count=4), ["square"]) == [
        "cell 0: has execution count 4; clear it (--write does)"
    ]


def test_a_graded_function_without_its_marker_cell_is_a_problem():
    text = _notebook(GRADED_BODY.replace("# GRADED FUNCTION: square\n", ""))
    assert problems(text, ["square"]) == ["notebook: square: no code cell starts with `# GRADED FUNCTION: square`"]


def test_a_function_the_manifest_grades_must_have_a_cell_even_when_others_do():
    text = _notebook(GRADED_BODY)
    assert problems(text, ["square", "cube"]) == ["notebook: cube: no code cell starts with `# GRADED FUNCTION: cube`"]


def test_a_misplaced_or_misspelt_marker_is_pointed_out():
    late = _notebook("\n" + GRADED_BODY)
    assert problems(late, ["square"]) == [
        "cell 0: line 2: `# GRADED FUNCTION: square` is not read as a marker; "
        "the cell's first line must be exactly `# GRADED FUNCTION: <name>`",
        "notebook: square: no code cell starts with `# GRADED FUNCTION: square`",
    ]
    misspelt = _notebook(GRADED_BODY.replace("# GRADED FUNCTION: ", "#GRADED FUNCTION:"))
    assert problems(misspelt, ["square"])[0].startswith("cell 0: line 1: `#GRADED FUNCTION:square` is not read")


def test_a_duplicate_marker_is_a_problem():
    text = _notebook(GRADED_BODY, "print(square(3))", GRADED_BODY)
    assert problems(text, ["square"]) == [
        "cells 0, 2: square: more than one cell starts with `# GRADED FUNCTION: square`"
    ]


def test_a_marker_for_a_function_the_manifest_does_not_grade_is_a_problem():
    text = _notebook(GRADED_BODY)
    assert problems(text, []) == ["cell 0: `# GRADED FUNCTION: square` marks a function the manifest does not grade"]


def test_a_graded_cell_without_its_def_is_a_problem():
    text = _notebook(GRADED_BODY.replace("def square(x):", "def squared(x):"))
    assert problems(text, ["square"]) == ["cell 0: square: no top-level `def square(...)` in the cell"]


def test_a_graded_cell_that_does_not_parse_is_a_problem_but_its_def_is_still_found():
    text = _notebook(GRADED_BODY.replace("    return y", "    return y +"))
    assert problems(text, ["square"]) == ["cell 0: square: not valid Python (line 8: invalid syntax)"]


def test_a_graded_cell_without_start_and_end_markers_is_a_problem():
    body = "\n".join(line for line in GRADED_BODY.splitlines() if "CODE HERE" not in line)
    assert problems(_notebook(body), ["square"]) == [
        "cell 0: square: no `### START CODE HERE ###` ... `### END CODE HERE ###` markers around the part students write"
    ]


def test_unbalanced_markers_are_problems():
    no_end = GRADED_BODY.replace("    ### END CODE HERE ###\n", "")
    assert problems(_notebook(no_end), ["square"]) == [
        "cell 0: square: line 5: `### START CODE HERE ###` has no `### END CODE HERE ###`"
    ]
    no_start = GRADED_BODY.replace("    ### START CODE HERE ### (≈ 1 line of code)\n", "")
    assert problems(_notebook(no_start), ["square"]) == [
        "cell 0: square: line 6: `### END CODE HERE ###` without a START"
    ]


def test_a_file_that_is_not_a_notebook_is_a_problem():
    assert problems("{not json", ["square"]) == ["notebook: not JSON (line 1, column 2: Expecting property name "
                                                 "enclosed in double quotes)"]
    broken = json.loads(_notebook(GRADED_BODY))
    broken["cells"][0]["outputs"] = "none"
    [message] = problems(json.dumps(broken), ["square"])
    assert message.startswith("notebook: not ")


# normalize()


def _messy_notebook():
    """What Jupyter leaves after a run: outputs, counts, UI state, random ids, extension metadata."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "gradebox-venv"},
        "language_info": {"name": "python", "version": "3.11.7", "codemirror_mode": {"name": "ipython", "version": 3}},
        "toc": {"nav_menu": {}},
        "title": "Squares",
    }
    cells = [
        nbformat.v4.new_markdown_cell("# Squares", id="3f2a9c1b", metadata={"jupyter": {"source_hidden": False}}),
        nbformat.v4.new_code_cell(GRADED_BODY, id="cell-01", execution_count=3, outputs=[
            nbformat.v4.new_output("stream", name="stdout", text="hello\n"),
        ], metadata={"execution": {"iopub.status.busy": "2026-01-01"}, "tags": [], "scrolled": True}),
        nbformat.v4.new_code_cell("print(square(3))", id="c0ffee00", execution_count=4, outputs=[
            nbformat.v4.new_output("execute_result", data={"text/plain": "9"}, execution_count=4),
        ], metadata={"tags": ["keep"], "editable": False, "collapsed": False}),
    ]
    notebook.cells = cells
    return nbformat.writes(notebook)


def test_normalize_clears_outputs_and_execution_counts():
    normalised = nbformat.reads(normalize(_messy_notebook()), as_version=4)
    code = [cell for cell in normalised.cells if cell.cell_type == "code"]
    assert [(cell.outputs, cell.execution_count) for cell in code] == [([], None), ([], None)]
    assert problems(normalize(_messy_notebook()), ["square"]) == []
    assert problems(_messy_notebook(), ["square"]) != []


def test_normalize_drops_editor_state_but_keeps_the_author_s_metadata():
    normalised = nbformat.reads(normalize(_messy_notebook()), as_version=4)
    assert [cell.metadata for cell in normalised.cells] == [{}, {}, {"tags": ["keep"], "editable": False}]
    assert normalised.metadata == {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
        "title": "Squares",
    }


def test_normalize_gives_stable_ids_keeping_the_ones_already_stable():
    normalised = nbformat.reads(normalize(_messy_notebook()), as_version=4)
    assert [cell.id for cell in normalised.cells] == ["cell-00", "cell-01", "cell-02"]
    # A cell inserted at the top keeps everyone else's id and takes the next free number.
    notebook = nbformat.reads(normalize(_messy_notebook()), as_version=4)
    notebook.cells.insert(0, nbformat.v4.new_code_cell("x = 1"))  # nbformat gives it a random id
    assert [cell.id for cell in nbformat.reads(normalize(nbformat.writes(notebook)), as_version=4).cells] == [
        "cell-03", "cell-00", "cell-01", "cell-02",
    ]


def test_normalize_repairs_duplicate_and_missing_ids_and_upgrades_to_4_5():
    duplicated = _notebook("a = 1", "b = 2", "c = 3", ids=False)
    data = json.loads(duplicated)
    for cell in data["cells"]:
        cell["id"] = "cell-01"
    assert [cell["id"] for cell in json.loads(normalize(json.dumps(data)))["cells"]] == ["cell-01", "cell-02", "cell-03"]
    data["nbformat_minor"] = 4
    for cell in data["cells"]:
        del cell["id"]
    normalised = json.loads(normalize(json.dumps(data)))
    assert normalised["nbformat_minor"] == 5
    assert [cell["id"] for cell in normalised["cells"]] == ["cell-00", "cell-01", "cell-02"]


def test_normalize_is_idempotent_and_ends_with_one_newline():
    once = normalize(_messy_notebook())
    assert normalize(once) == once
    assert once.endswith("}\n") and not once.endswith("\n\n")
    assert once.startswith('{\n "cells": [\n  {\n')  # indent=1, sorted keys
    assert "≈" in once  # written as UTF-8, not \u2248 escapes


def test_normalize_keeps_the_text_of_every_cell():
    before = nbformat.reads(_messy_notebook(), as_version=4)
    after = nbformat.reads(normalize(_messy_notebook()), as_version=4)
    assert [(cell.cell_type, cell.source) for cell in after.cells] == [(c.cell_type, c.source) for c in before.cells]


def test_normalize_refuses_text_that_is_not_a_notebook():
    with pytest.raises(ValueError):
        normalize("{not json")


# The command line


def _bundle(tmp_path, notebook_text):
    (tmp_path / "assignment.toml").write_text(
        'slug = "squares"\nstarter = "starter.ipynb"\n\n[[functions]]\nname = "square"\n', encoding="utf-8",
    )
    (tmp_path / "starter.ipynb").write_text(notebook_text, encoding="utf-8")
    return tmp_path


def test_cli_reports_problems_and_exits_1_then_write_normalises(tmp_path, capsys):
    folder = _bundle(tmp_path, _messy_notebook())
    assert main([str(folder)]) == 1
    report = capsys.readouterr().out
    assert f"{folder / 'starter.ipynb'}: cell 1: has 1 output(s)" in report
    assert "not normalised" in report

    assert main(["--write", str(folder)]) == 0
    assert "normalised" in capsys.readouterr().out
    assert main([str(folder / "starter.ipynb")]) == 0
    assert capsys.readouterr().out == ""
    assert main(["--write", str(folder)]) == 0
    assert capsys.readouterr().out.endswith("unchanged\n")


def test_cli_reads_the_graded_names_from_the_manifest(tmp_path, capsys):
    folder = _bundle(tmp_path, normalize(_notebook(GRADED_BODY.replace("square", "cube"))))
    assert main([str(folder)]) == 1
    report = capsys.readouterr().out
    assert "square: no code cell starts with `# GRADED FUNCTION: square`" in report
    assert "marks a function the manifest does not grade" in report


def test_cli_write_leaves_a_broken_notebook_alone_and_fails(tmp_path, capsys):
    folder = _bundle(tmp_path, "{not json")
    assert main(["--write", str(folder)]) == 1
    assert "not written" in capsys.readouterr().out
    assert (folder / "starter.ipynb").read_text(encoding="utf-8") == "{not json"
