"""A bundle's starter notebook: normalise it after editing in Jupyter, and check it is fit to hand out.

The notebook is the source: an instructor edits it in Jupyter, then runs
`python -m assignments.starter --write assignments/<slug>/` to strip what
Jupyter adds (outputs, execution counts, UI state, random cell ids), so the
committed file only changes where the text does. Without `--write` the same
command lists what would embarrass us in front of students: outputs left in,
a graded function without its `# GRADED FUNCTION: <name>` cell, or a solution
left between `### START CODE HERE ###` and `### END CODE HERE ###`.

Plain Python (nbformat, no Django): the tests and the CLI use it directly.
"""
from __future__ import annotations

import argparse
import ast
import json
import re
import sys
import tomllib
import warnings
from pathlib import Path

import nbformat

MANIFEST_NAME = "assignment.toml"

# Cell metadata that records an editor's state rather than the author's intent. Anything
# else (non-empty tags, editable, deletable, nbgrader, slideshow) is kept as written.
NOISY_CELL_METADATA = frozenset({
    "execution", "ExecuteTime", "scrolled", "collapsed", "jupyter", "trusted",
    "vscode", "colab", "executionInfo", "outputId", "id", "pycharm",
})
# Notebook metadata is the other way round: extensions dump arbitrary state there, so only
# the keys nbformat itself documents survive.
KEPT_NOTEBOOK_METADATA = ("kernelspec", "language_info", "title", "authors")
PYTHON_KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
PYTHON_LANGUAGE_INFO = {"name": "python"}

STABLE_ID = re.compile(r"cell-(\d+)")
MARKER = "# GRADED FUNCTION: {name}"
MARKER_LINE = re.compile(r"# GRADED FUNCTION: ([A-Za-z_]\w*)")
# Anything that looks like an attempt at a marker, to point out a misspelt one.
MARKER_LIKE = re.compile(r"\s*#+\s*GRADED\s+FUNCTION\b", re.IGNORECASE)
START = re.compile(r"\s*### START CODE HERE ###")  # may go on: "(≈ 2 lines of code)", "(approx. 1 line)", a comment
END = re.compile(r"\s*### END CODE HERE ###")


def normalize(text: str) -> str:
    """The notebook as it should be committed, so re-saving in Jupyter never shows up as a diff.

    Clears outputs and execution counts, drops editor state from cell and
    notebook metadata, pins kernelspec/language_info for Python, and gives
    each cell a stable id: an id of the form `cell-NN` is kept (the first time
    it occurs); a missing, random or duplicate one becomes `cell-<position>`,
    or the next unused number when that is taken. Idempotent. Raises
    ValueError when the text is not a notebook.
    """
    notebook = _read(text)
    notebook.nbformat, notebook.nbformat_minor = 4, nbformat.v4.nbformat_minor
    notebook.metadata = _notebook_metadata(notebook.metadata)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        if not cell.get("attachments", True):
            del cell["attachments"]
        cell.metadata = nbformat.NotebookNode({
            key: value for key, value in cell.get("metadata", {}).items()
            if key not in NOISY_CELL_METADATA and not (key == "tags" and not value)
        })
    _stable_ids(notebook.cells)
    try:
        nbformat.validate(notebook)
    except nbformat.ValidationError as error:
        raise ValueError(f"not a valid notebook after normalising: {_first_line(error)}") from None
    return nbformat.writes(notebook, version=4, indent=1).rstrip("\n") + "\n"


def problems(text: str, graded: list[str]) -> list[str]:
    """Why this starter notebook must not be handed out as it is (empty when it can be), each naming its cell.

    `graded` holds the manifest's function names. Cells are counted from 0,
    as the normalised ids (`cell-00`, ...) are. Only the cells marked
    `# GRADED FUNCTION: <name>` are inspected for solutions; code outside
    the START/END markers is the course's and is not checked.
    """
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        return [f"notebook: not JSON (line {error.lineno}, column {error.colno}: {error.msg})"]
    try:
        notebook = _read(text)
        nbformat.validate(notebook)
    except ValueError as error:
        return [f"notebook: not an nbformat 4 notebook ({error})"]
    except nbformat.ValidationError as error:
        return [f"notebook: not a valid nbformat 4 notebook ({_first_line(error)})"]

    found = []
    marked: dict[str, list[int]] = {}
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        if cell.get("outputs"):
            found.append(f"cell {index}: has {len(cell.outputs)} output(s); clear them (--write does)")
        if cell.get("execution_count") is not None:
            found.append(f"cell {index}: has execution count {cell.execution_count}; clear it (--write does)")
        lines = cell.source.splitlines()
        exact = MARKER_LINE.fullmatch(lines[0].rstrip()) if lines else None
        if exact:
            marked.setdefault(exact.group(1), []).append(index)
        for number, line in enumerate(lines, start=1):
            if MARKER_LIKE.match(line) and not (number == 1 and exact):
                found.append(f"cell {index}: line {number}: `{line.strip()}` is not read as a marker; "
                             f"the cell's first line must be exactly `{MARKER.format(name='<name>')}`")

    for name in sorted(set(marked) - set(graded)):
        cells = ", ".join(str(index) for index in marked[name])
        found.append(f"cell {cells}: `{MARKER.format(name=name)}` marks a function the manifest does not grade")
    for name in graded:
        cells = marked.get(name, [])
        if not cells:
            found.append(f"notebook: {name}: no code cell starts with `{MARKER.format(name=name)}`")
            continue
        if len(cells) > 1:
            found.append(f"cells {', '.join(map(str, cells))}: {name}: "
                         f"more than one cell starts with `{MARKER.format(name=name)}`")
        for index in cells:
            found.extend(f"cell {index}: {name}: {message}"
                         for message in _graded_cell_problems(notebook.cells[index].source, name))
    return found


def check(path: Path) -> list[str]:
    """Problems of one starter file, plus whether it is normalised, so the CLI checks what the tests check."""
    graded, found = _graded_names(path.parent / MANIFEST_NAME)
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return found + [f"cannot read: {error}"]
    found += problems(text, graded)
    try:
        if normalize(text) != text:
            found.append(f"not normalised: run `python -m assignments.starter --write {path}`")
    except ValueError:
        pass  # problems() has said why it does not parse
    return found


def starter_path(target: Path) -> Path:
    """The notebook a CLI argument means: the folder's manifest `starter`, or the notebook itself."""
    if not target.is_dir():
        return target
    manifest = target / MANIFEST_NAME
    try:
        starter = tomllib.loads(manifest.read_text(encoding="utf-8")).get("starter")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ValueError(f"{target}: cannot read {MANIFEST_NAME}: {error}") from None
    if not isinstance(starter, str):
        raise ValueError(f"{target}: {MANIFEST_NAME} names no starter notebook")
    return target / starter


def main(argv: list[str] | None = None) -> int:
    """`python -m assignments.starter [--write] FOLDER_OR_NOTEBOOK...`: 0 when clean (or written), 1 otherwise."""
    parser = argparse.ArgumentParser(prog="python -m assignments.starter", description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="rewrite each starter notebook normalised")
    parser.add_argument("targets", nargs="+", type=Path, metavar="FOLDER_OR_NOTEBOOK")
    arguments = parser.parse_args(argv)
    failed = False
    for target in arguments.targets:
        try:
            path = starter_path(target)
        except ValueError as error:
            print(error)
            failed = True
            continue
        if arguments.write:
            try:
                text = path.read_bytes().decode("utf-8")
                normalised = normalize(text)
            except (OSError, UnicodeDecodeError, ValueError) as error:
                print(f"{path}: not written: {error}")
                failed = True
                continue
            if normalised != text:
                path.write_text(normalised, encoding="utf-8", newline="\n")
            print(f"{path}: {'normalised' if normalised != text else 'unchanged'}")
        else:
            for message in check(path):
                print(f"{path}: {message}")
                failed = True
    return 1 if failed else 0


def _read(text: str) -> nbformat.NotebookNode:
    """The notebook in `text` as nbformat 4; ValueError, or nbformat.ValidationError, when it is none."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # missing ids and the like: normalize() repairs them
        try:
            notebook = nbformat.reads(text, as_version=4)
        except nbformat.ValidationError:
            raise
        except Exception as error:  # nbformat raises what its converters raise on odd JSON
            raise ValueError(f"{type(error).__name__}: {error}") from None
    if not isinstance(notebook.get("cells"), list):
        raise ValueError("no list of cells")
    return notebook


def _notebook_metadata(metadata: dict) -> nbformat.NotebookNode:
    """Only the documented keys; a Python kernel always written the same way, whoever's Jupyter saved it."""
    kept = {key: metadata[key] for key in KEPT_NOTEBOOK_METADATA if key in metadata}
    kernelspec, language_info = kept.get("kernelspec") or {}, kept.get("language_info") or {}
    language = kernelspec.get("language") or language_info.get("name") or "python"
    if language == "python":
        kept["kernelspec"], kept["language_info"] = dict(PYTHON_KERNELSPEC), dict(PYTHON_LANGUAGE_INFO)
    else:
        kept["kernelspec"] = {key: kernelspec[key] for key in ("display_name", "language", "name") if key in kernelspec}
        kept["language_info"] = {"name": language}
    return nbformat.from_dict(kept)


def _stable_ids(cells: list) -> None:
    """Keep the first `cell-NN` id of each number; number every other cell by position, or past the highest."""
    kept, used = set(), set()
    for position, cell in enumerate(cells):
        match = STABLE_ID.fullmatch(str(cell.get("id", "")))
        if match and cell.id not in used:
            kept.add(position)
            used.add(cell.id)
    numbers = [int(STABLE_ID.fullmatch(cell_id).group(1)) for cell_id in used]
    following = max(numbers, default=-1) + 1
    for position, cell in enumerate(cells):
        if position in kept:
            continue
        cell_id = f"cell-{position:02d}"
        while cell_id in used:
            cell_id, following = f"cell-{following:02d}", following + 1
        cell.id = cell_id
        used.add(cell_id)


def _graded_cell_problems(source: str, name: str) -> list[str]:
    """A graded cell's own faults: its def missing, markers missing or unbalanced, a solution between them."""
    found = []
    lines = source.splitlines()
    try:
        tree = ast.parse(_without_magics(source))
    except SyntaxError as error:
        found.append(f"not valid Python (line {error.lineno}: {error.msg})")
        has_def = re.search(rf"^def\s+{re.escape(name)}\s*\(", source, re.MULTILINE) is not None
    else:
        has_def = any(isinstance(node, ast.FunctionDef) and node.name == name for node in tree.body)
    if not has_def:
        found.append(f"no top-level `def {name}(...)` in the cell")

    blocks, opened = [], None
    for number, line in enumerate(lines, start=1):
        if START.match(line):
            if opened is not None:
                found.append(f"line {number}: `### START CODE HERE ###` before the END of the one on line {opened}")
            opened = number
        elif END.match(line):
            if opened is None:
                found.append(f"line {number}: `### END CODE HERE ###` without a START")
            else:
                blocks.append((opened, number))
                opened = None
    if opened is not None:
        found.append(f"line {opened}: `### START CODE HERE ###` has no `### END CODE HERE ###`")
    if not blocks and opened is None and not any(END.match(line) for line in lines):
        found.append("no `### START CODE HERE ###` ... `### END CODE HERE ###` markers around the part students write")

    for start, end in blocks:
        filled = [number for number in range(start + 1, end) if not _is_blank_line(lines[number - 1])]
        if filled:
            more = f", and {len(filled) - 1} more line(s)" if len(filled) > 1 else ""
            found.append(f"the solution is filled in (line {filled[0]}: `{lines[filled[0] - 1].strip()}`{more})")
    return found


def _is_blank_line(line: str) -> bool:
    """Whether a line between the markers leaves the work to the student: blank, a comment, `pass`, `x = None`."""
    stripped = line.strip()
    if not stripped or stripped.startswith("#"):
        return True
    try:
        statements = ast.parse(stripped).body
    except SyntaxError:
        return False
    return bool(statements) and all(_is_blank_statement(statement) for statement in statements)


def _is_blank_statement(statement: ast.stmt) -> bool:
    """`pass`, or an assignment (plain or annotated) whose value is the literal None."""
    if isinstance(statement, ast.Pass):
        return True
    if isinstance(statement, (ast.Assign, ast.AnnAssign)):
        value = statement.value
        return isinstance(value, ast.Constant) and value.value is None
    return False


def _without_magics(source: str) -> str:
    """IPython `%magic` and `!shell` lines turned into `pass`, so `ast` can read the rest at the same line numbers."""
    return "\n".join(
        line[: len(line) - len(line.lstrip())] + "pass" if line.lstrip().startswith(("%", "!")) else line
        for line in source.splitlines()
    )


def _graded_names(manifest: Path) -> tuple[list[str], list[str]]:
    """([[functions]] names of the manifest next to the notebook, problems reading it)."""
    try:
        data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        return [], [f"cannot read the graded functions from {manifest}: {error}"]
    functions = data.get("functions", [])
    names = [entry["name"] for entry in functions if isinstance(entry, dict) and isinstance(entry.get("name"), str)]
    return names, []


def _first_line(error: Exception) -> str:
    """The first line of a (jsonschema) error, which otherwise quotes the whole offending instance."""
    return str(getattr(error, "message", error)).splitlines()[0] if str(error) else type(error).__name__


if __name__ == "__main__":
    sys.exit(main())
