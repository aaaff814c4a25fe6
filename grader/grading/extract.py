"""Pull the graded functions out of a student's .py or .ipynb without running any of it.

Students' files are messy: IPython magics, imports the sandbox lacks, earlier
drafts of a function, training loops and prints at the top level. We keep the
module imports and the function/class definitions the graded functions need
(the last definition of a name wins) and drop the rest, listing what was
dropped so the student can see it.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field, replace

from grader.grading.reading import FileProblem, misplaced_definitions, read_cells, strip_magics  # noqa: F401 (FileProblem: part of this API)


# Modules whose star-import is kept: they exist in the sandbox and students rely on them.
SANDBOX_MODULES = {"numpy", "math", "h5py", "copy", "random", "functools", "itertools", "collections"}


@dataclass
class Chunk:
    """A top-level statement kept for the sandbox, with where it came from."""

    node: ast.stmt
    text: str
    origin: str  # "line 12" or "cell 5, line 3"
    first_line: int  # line in the original file or cell


@dataclass
class Extraction:
    source: str  # submission.py as the sandbox sees it
    found: list[str]  # graded functions defined in the upload
    missing: list[str]
    notes: list[str] = field(default_factory=list)
    syntax_errors: dict[str, str] = field(default_factory=dict)  # graded function -> message
    line_map: list[tuple[int, int, str, int]] = field(default_factory=list)  # (start, end, origin, first_line)
    misplaced: dict[str, str] = field(default_factory=dict)  # missing function -> the non-code cell that holds it

    def with_prefix(self, text: str) -> "Extraction":
        """The same extraction with `text` (supplied code) before the student's source; line map shifted."""
        shift = text.count("\n")
        return replace(self, source=text + self.source,
                       line_map=[(a + shift, b + shift, origin, first) for a, b, origin, first in self.line_map])

    def with_suffix(self, text: str) -> "Extraction":
        """The same extraction with `text` (the model checks' drivers) after the student's source."""
        return replace(self, source=self.source + text)

    def origin_of(self, line: int) -> str | None:
        """Where line `line` of submission.py stood in the student's upload."""
        for start, end, origin, first_line in self.line_map:
            if start <= line <= end:
                where, _, _ = origin.partition(", line ")
                offset = first_line + (line - start)
                return f"{where}, line {offset}" if where.startswith("cell") else f"line {offset}"
        return None


def extract(data: bytes, filename: str, graded: list[str], helper_modules: tuple[str, ...] = ()) -> Extraction:
    """`helper_modules`: module names the job provides (e.g. "opt_utils"); their star-imports are kept."""
    cells, notes = read_cells(data, filename)
    chunks: list[Chunk] = []
    syntax_errors: dict[str, str] = {}
    dropped_statements = 0
    for cell_number, cell_source in cells:
        source, magics = strip_magics(cell_source)
        notes.extend(f"IPython command ignored: {m.strip()}" for m in magics)
        try:
            tree = ast.parse(source)
        except SyntaxError as error:
            where = f"cell {cell_number}, line {error.lineno}" if cell_number else f"line {error.lineno}"
            message = f"Syntax error at {where}: {error.msg}"
            if error.text:
                message += f"\n    {error.text.rstrip()}"
            if cell_number is None:
                raise FileProblem(message, error.lineno) from None
            affected = [name for name in graded if re.search(rf"\bdef\s+{name}\s*\(", source)]
            for name in affected:
                syntax_errors[name] = message
            if not affected:
                notes.append(f"Cell {cell_number} was skipped: it has a syntax error and defines no graded function.")
            continue
        lines = source.split("\n")
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)) or _is_guarded_import(node) \
                    or _is_constant(node):
                first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
                text = "\n".join(lines[first - 1 : node.end_lineno])
                origin = f"cell {cell_number}, line {first}" if cell_number else f"line {first}"
                chunks.append(Chunk(node, text, origin, first))
            elif not _is_docstring(node):
                dropped_statements += 1
    extraction = _assemble(chunks, graded, notes, syntax_errors, set(SANDBOX_MODULES) | set(helper_modules),
                           dropped_statements)
    if extraction.missing and any(number is not None for number, _ in cells):
        extraction.misplaced = misplaced_definitions(data, filename, extraction.missing)
    return extraction


def _is_guarded_import(node: ast.stmt) -> bool:
    """`try: from a import x` / `except ImportError: from b import x`: an import with a fallback."""
    if not isinstance(node, ast.Try) or node.orelse or node.finalbody:
        return False
    bodies = [node.body] + [handler.body for handler in node.handlers]
    return all(isinstance(n, (ast.Import, ast.ImportFrom, ast.Pass)) for body in bodies for n in body)


def _is_constant(node: ast.stmt) -> bool:
    """`EPSILON = 1e-8`, `KEYS = ("W", "b")`: names bound to literals, kept when a graded function uses them."""
    if not (isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in node.targets)):
        return False
    try:
        ast.literal_eval(node.value)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def _is_docstring(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def _bound_names(node: ast.stmt) -> list[str]:
    if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.Try):
        return [name for n in ast.walk(node) if isinstance(n, (ast.Import, ast.ImportFrom)) for name in _bound_names(n)]
    names = []
    for alias in node.names:  # type: ignore[attr-defined]
        if alias.name == "*":
            continue
        names.append(alias.asname or alias.name.split(".")[0])
    return names


def _referenced(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _assemble(
    chunks: list[Chunk], graded: list[str], notes: list[str], syntax_errors: dict[str, str], available: set[str],
    dropped_statements: int = 0,
) -> Extraction:
    dropped_note_at = len(notes)
    definitions: dict[str, Chunk] = {}
    constants: dict[str, Chunk] = {}  # the last binding wins, as in the notebook
    redefined: set[str] = set()
    for chunk in chunks:
        if isinstance(chunk.node, ast.Assign):
            constants.update({target.id: chunk for target in chunk.node.targets})
        elif isinstance(chunk.node, (ast.FunctionDef, ast.ClassDef)):
            if chunk.node.name in definitions:
                redefined.add(chunk.node.name)
            definitions[chunk.node.name] = chunk  # the last definition wins, as in the notebook
    for name in sorted(redefined & set(graded)):
        notes.append(f"{name} is defined more than once; the last definition is graded.")

    needed = [name for name in graded if name in definitions and name not in syntax_errors]
    wanted: set[str] = set()
    stack = list(needed)
    while stack:
        name = stack.pop()
        if name in wanted:
            continue
        wanted.add(name)
        stack.extend(n for n in _referenced(definitions[name].node) if n in definitions and n not in wanted)
    used = set().union(*(_referenced(definitions[name].node) for name in wanted)) if wanted else set()

    kept: list[Chunk] = []
    seen_imports: set[str] = set()
    for chunk in chunks:
        node = chunk.node
        if isinstance(node, (ast.Import, ast.ImportFrom, ast.Try)):
            star_module = node.module if isinstance(node, ast.ImportFrom) and node.names[0].name == "*" else None
            keep = (star_module is not None and star_module.split(".")[0] in available) or bool(
                set(_bound_names(node)) & used
            )
            if not keep:
                notes.append(f"Skipped an import the graded functions do not need: {chunk.text.strip()}")
            elif chunk.text not in seen_imports:
                seen_imports.add(chunk.text)
                kept.append(chunk)
        elif isinstance(node, ast.Assign):
            names = [target.id for target in node.targets if constants.get(target.id) is chunk and target.id in used]
            if names and names[0] not in definitions:
                kept.append(chunk)
                notes.append(f"Kept {', '.join(names)} (a value set at the top of your file) because your graded "
                             "functions use it.")
        elif definitions.get(node.name) is chunk and node.name in wanted:
            kept.append(chunk)

    dropped_statements += sum(1 for chunk in chunks if isinstance(chunk.node, ast.Assign) and chunk not in kept)
    if dropped_statements:
        notes.insert(dropped_note_at,
                     f"{dropped_statements} top-level statement(s) were not run (test calls, prints, training loops): "
                     "only imports and definitions are graded.")

    lines: list[str] = ["# Extracted by Gradebox: imports and definitions only."]
    line_map = []
    for chunk in kept:
        lines.append("")
        start = len(lines) + 1
        lines.extend(chunk.text.split("\n"))
        line_map.append((start, len(lines), chunk.origin, chunk.first_line))
    missing = [name for name in graded if name not in definitions and name not in syntax_errors]
    return Extraction(
        source="\n".join(lines) + "\n",
        found=needed,
        missing=missing,
        notes=notes,
        syntax_errors=syntax_errors,
        line_map=line_map,
    )

