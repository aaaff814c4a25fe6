"""Turning an upload's bytes into code cells, the way Python and Jupyter themselves read them.

A notebook is recognised by its content, whatever its name says; a script's
PEP 263 coding declaration is honoured; lines are split only where Python
splits them (never at U+2028, form feeds and the like); and only
statement-level IPython syntax (`%magic`, `!cmd`, `?obj`) is dropped, never a
line that continues an open bracket. The student is told what was assumed.

Runs inside the sandbox, beside the runner (sandbox/extraction.py uses it), on the environment's own Python:
it imports only the standard library.
"""
from __future__ import annotations

import ast
import io
import json
import re
import tokenize

NEWLINES = re.compile(r"\r\n|\r|\n")
_IPYTHON_LINE = re.compile(r"^\s*([%!]|\?+[\w.]|[\w.]+\?{1,2}\s*$)")  # %magic, !cmd, ?obj, obj?, obj??


CELL_LABEL_CHARS = 60  # of the line that names a cell
MARKER_LINE = re.compile(r"#\s*GRADED FUNCTION:\s*\w+")

class FileProblem(Exception):
    """The upload as a whole cannot be read; `message` is written for the student."""

    def __init__(self, message: str, line: int | None = None, newer: dict | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.newer = newer  # {"feature", "python"}: syntax of a newer Python than the sandbox's (extraction.py)


def read_cells(data: bytes, filename: str) -> tuple[list[tuple[str | None, str]], list[str]]:
    """[(the cell's label (`cell_label`) or None for a script, source)] with "\\n" line ends, and notes about what
    was assumed."""
    text, notes = _decode(data)
    named_notebook = filename.lower().endswith(".ipynb")
    looks_like_json = text.lstrip().startswith("{")
    if named_notebook and not _is_json(text) and _parses_as_python(text):
        notes.append("The file is named .ipynb but holds Python source; it was graded as a .py file.")
        return [(None, text)], notes
    if not named_notebook and looks_like_json and _is_notebook_json(text):
        notes.append(f"{filename} holds a Jupyter notebook; it was graded as one.")
        named_notebook = True
    if named_notebook:
        return _notebook_cells(text), notes
    return [(None, text)], notes


def _decode(data: bytes) -> tuple[str, list[str]]:
    if not data.strip():
        raise FileProblem("The file is empty. Upload the .py or .ipynb that holds your graded functions.")
    if b"\x00" in data[:8192]:
        raise FileProblem("This looks like a binary file, not Python source or a notebook. Upload a .py or .ipynb.")
    try:
        text = data.decode("utf-8-sig")
        notes = []
    except UnicodeDecodeError as error:
        encoding = _declared_encoding(data)
        if encoding is None:
            raise FileProblem(
                f"The file is not UTF-8 text (bad byte at position {error.start}). Upload a .py or .ipynb saved "
                "as UTF-8, or declare its encoding on its first line (# -*- coding: latin-1 -*-)."
            ) from None
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            raise FileProblem(f"The file declares the encoding {encoding} but is not valid {encoding} text.") from None
        notes = [f"The file was read as {encoding}, as its coding line declares."]
    return NEWLINES.sub("\n", text), notes


def _declared_encoding(data: bytes) -> str | None:
    """The PEP 263 declaration of the first two lines, if any (never the UTF-8 default)."""
    try:
        encoding, lines = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        return None
    return encoding if lines and encoding not in ("utf-8", "utf-8-sig") else None


def _parses_as_python(text: str) -> bool:
    try:
        ast.parse(strip_magics(text)[0])
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


def _is_notebook_json(text: str) -> bool:
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError):
        return False
    return isinstance(raw, dict) and ("cells" in raw or "worksheets" in raw)


def _notebook_cells(text: str) -> list[tuple[int, str]]:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise FileProblem(
            f"The notebook is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg}). "
            "Download it again from Jupyter with File > Download as > Notebook (.ipynb)."
        ) from None
    except RecursionError:
        raise FileProblem("The notebook is nested too deeply to be a Jupyter notebook.") from None
    # Read the cells as data, tolerating what Jupyter itself tolerates: nbformat 3's worksheets ("input"),
    # a cell without "source" or "outputs", metadata that is not a dict. Only code cells matter.
    if isinstance(raw, dict) and isinstance(raw.get("cells"), list):
        cells, source_key = raw["cells"], "source"
    elif isinstance(raw, dict) and isinstance(raw.get("worksheets"), list):
        cells = [cell for sheet in raw["worksheets"] if isinstance(sheet, dict)
                 for cell in (sheet.get("cells") if isinstance(sheet.get("cells"), list) else [])]
        source_key = "input"
    else:
        raise FileProblem("The file is JSON but not a Jupyter notebook (it has no cells).")
    return [
        (cell_label(cell, source_key), NEWLINES.sub("\n", _cell_text(cell.get(source_key, ""))))
        for cell in cells
        if isinstance(cell, dict) and cell.get("cell_type") == "code"
    ]


def cell_label(cell: dict, source_key: str = "source", kind: str = "") -> str:
    """A cell named by what Jupyter shows of it: "cell `# GRADED FUNCTION: relu` (In [12])": its marker line, else
    its first non-blank line (clipped), and its execution count when the file kept one. Jupyter shows no cell
    numbers, so none is given."""
    lines = [line.strip() for line in _cell_text(cell.get(source_key, "")).splitlines() if line.strip()]
    marker = next((line for line in lines if MARKER_LINE.match(line)), None)
    first = marker or (lines[0] if lines else "")
    first = first if len(first) <= CELL_LABEL_CHARS else first[: CELL_LABEL_CHARS - 3] + "..."
    label = f"{kind + ' ' if kind else ''}cell `{first.replace('`', chr(39))}`" if first else f"an empty {kind or 'code'} cell"
    count = cell.get("execution_count", cell.get("prompt_number"))
    if type(count) is int:
        label += f" (In [{count}])"
    return label


def misplaced_definitions(data: bytes, filename: str, names: list[str]) -> dict[str, str]:
    """{name: "cell 12, a Markdown cell"} for graded functions whose marker or def sits in a non-code cell."""
    try:
        text, _ = _decode(data)
        raw = json.loads(text)
    except (FileProblem, ValueError, RecursionError):
        return {}
    cells = raw.get("cells") if isinstance(raw, dict) else None
    found = {}
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, dict) or cell.get("cell_type") == "code":
            continue
        source = _cell_text(cell.get("source", ""))
        kind = {"markdown": "Markdown", "raw": "Raw"}.get(str(cell.get("cell_type")), str(cell.get("cell_type")))
        for name in names:
            if name not in found and re.search(rf"(GRADED FUNCTION:\s*{re.escape(name)}\b|\bdef\s+{re.escape(name)}\s*\()", source):
                found[name] = f"the {cell_label(cell, kind=kind)}"
    return found


def _cell_text(source) -> str:
    """A cell's source is a string or a list of lines; anything else counts as empty."""
    if isinstance(source, str):
        return source
    if isinstance(source, list):
        return "".join(part for part in source if isinstance(part, str))
    return ""


def strip_magics(source: str) -> tuple[str, list[str]]:
    """Blank the lines that are IPython syntax at statement level (line numbers stay); returns (source, dropped)."""
    kept, magics = [], []
    for line, starts_statement in zip(source.split("\n"), statement_starts(source)):
        if starts_statement and _IPYTHON_LINE.match(line) and not line.lstrip().startswith("#"):
            magics.append(line)
            kept.append("")
        else:
            kept.append(line)
    return "\n".join(kept), magics


def statement_starts(source: str) -> list[bool]:
    """Per line: does it begin outside any open bracket, string or backslash continuation?"""
    starts, depth, quote, continued = [], 0, "", False
    for line in source.split("\n"):
        starts.append(depth == 0 and not quote and not continued)
        continued = False
        i = 0
        while i < len(line):
            char = line[i]
            if quote:
                if char == "\\":
                    i += 2
                    continue
                if line.startswith(quote, i):
                    i += len(quote)
                    quote = ""
                    continue
            elif char == "#":
                break
            elif char in "\"'":
                quote = line[i:i + 3] if line[i:i + 3] in ('"""', "'''") else char
                i += len(quote)
                continue
            elif char in "([{":
                depth += 1
            elif char in ")]}":
                depth = max(depth - 1, 0)
            i += 1
        if quote in ('"', "'"):  # a one-line string cannot run on (unless the line ends in a backslash)
            quote = quote if line.endswith("\\") else ""
        continued = line.endswith("\\") and not quote
    return starts
