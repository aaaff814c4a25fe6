"""Pull the graded functions out of a student's .py or .ipynb without running any of it, with the sandbox's Python.

Students' files are messy: IPython magics, imports the sandbox lacks, earlier
drafts of a function, training loops and prints at the top level. We keep the
module imports and the function/class definitions the graded functions need
(the last definition of a name wins) and drop the rest, listing what was
dropped so the student can see it.

Runs inside the sandbox (a "parse" job of sandbox/runner.py), never in the worker: the worker's Python may be
older than the syntax students write, and parsing untrusted text is itself an attack surface. The result is a
plain JSON document (`parse_upload`); the worker checks every field of it. Imports only the standard library.
"""
from __future__ import annotations

import ast
import re
import sys

try:
    import source_patterns  # inside the sandbox, beside this file
except ImportError:
    from sandbox import source_patterns

try:
    from reading import FileProblem, misplaced_definitions, read_cells, strip_magics  # in the sandbox, beside this file
except ImportError:
    from sandbox.reading import FileProblem, misplaced_definitions, read_cells, strip_magics

# Modules whose star-import is kept: they exist in the sandbox and students rely on them.
SANDBOX_MODULES = {"numpy", "math", "h5py", "copy", "random", "functools", "itertools", "collections"}
NOTES_MAX = 200
LINE_CHARS = 300  # of the line a syntax error quotes
SKIPPED_SHOWN = 20  # unneeded imports quoted in their one note
# The course's answer blocks, and a line of an untouched one: `dW1 = None`, `parameters["W" + str(l)] = None`.
ANSWER_BLOCK = re.compile(r"^[ \t]*### START CODE HERE ###[^\n]*\n(.*?)^[ \t]*### END CODE HERE ###", re.M | re.S)
PLACEHOLDER_LINE = re.compile(r"^[^=#]+=\s*None\s*(?:#.*)?$")
HEADER = "# Extracted by Gradebox: imports and definitions only."
# Syntax a newer Python accepts than some environment's: (key, the Python that introduced it, what the error line
# shows, what the error message says or None). Checked only when the environment's Python is older, so a syntax
# error it explains can name the version; the texts for students are the worker's (grader/grading/messages.py).
NEWER_SYNTAX = (
    ("except_without_parentheses", (3, 14), re.compile(r"^\s*except\*?\s+[^\s():][^():]*,"),
     "multiple exception types must be parenthesized"),
    ("template_string", (3, 14), re.compile(r"(?<![\w.'\"])(?:[tT][rR]?|[rR][tT])(?:'|\")"), None),
    ("type_parameters", (3, 12), re.compile(r"^\s*(?:async\s+def|def|class)\s+\w+\s*\["), None),
    ("type_alias", (3, 12), re.compile(r"^\s*type\s+\w+\s*(?:\[.*\])?\s*="), None),
    ("fstring_nested_quotes", (3, 12), re.compile(r"(?:^|[^\w])[fF][rR]?(?:'|\")|[rR][fF](?:'|\")"), "f-string"),
    ("except_star", (3, 11), re.compile(r"^\s*except\s*\*"), None),
)


def parse_upload(data: bytes, filename: str, graded: list, helper_modules: list, patterns: list = ()) -> dict:
    """The whole answer of a parse job: {"status": "ok", "extraction": {...}} or why the file cannot be read
    ({"status": "file_problem", "message", "line", "newer"} or {"status": "too_complex"}), with this Python's
    version. Nothing of the upload runs."""
    answer = {"python": ".".join(map(str, sys.version_info[:3]))}
    try:
        answer.update(status="ok", extraction=extract(data, filename, list(graded), tuple(helper_modules)))
        # the catalogued mistakes only the source shows, looked for in what was extracted (the student's code)
        answer["extraction"]["patterns_shown"] = source_patterns.shown(answer["extraction"]["source"], list(patterns))
    except FileProblem as problem:
        answer.update(status="file_problem", message=problem.message, line=problem.line, newer=problem.newer)
    except (RecursionError, MemoryError):  # nested deeper or larger than this Python's parser takes
        answer.update(status="too_complex")
    return answer


def extract(data: bytes, filename: str, graded: list, helper_modules: tuple = ()) -> dict:
    """`helper_modules`: module names the job provides (e.g. "opt_utils"); their star-imports are kept.
    Raises FileProblem when the upload as a whole cannot be read."""
    cells, notes = read_cells(data, filename)
    chunks: list = []  # (node, text, origin, first_line): the top-level statements kept for the sandbox
    syntax_errors: dict = {}
    dropped_statements = 0
    for cell_number, cell_source in cells:
        source, magics = strip_magics(cell_source)
        notes.extend(f"IPython command ignored: {m.strip()}" for m in magics)
        try:
            tree = ast.parse(source)
        except SyntaxError as error:
            where = f"{cell_number}, line {error.lineno}" if cell_number else f"line {error.lineno}"
            message = f"Syntax error at {where}: {error.msg}"
            if error.text:
                message += f"\n    {error.text.rstrip()[:LINE_CHARS]}"
            newer = newer_syntax(error)
            if cell_number is None:
                raise FileProblem(message, error.lineno, newer) from None
            affected = [name for name in graded if re.search(rf"\bdef\s+{re.escape(name)}\s*[\[(]", source)]
            for name in affected:
                syntax_errors[name] = {"message": message, "newer": newer}
            if not affected:
                notes.append(f"The {cell_number} was skipped: it has a syntax error and defines no graded function.")
            continue
        lines = source.split("\n")
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)) or _is_guarded_import(node) \
                    or _is_constant(node):
                first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
                text = "\n".join(lines[first - 1 : node.end_lineno])
                origin = f"{cell_number}, line {first}" if cell_number else f"line {first}"
                chunks.append((node, text, origin, first))
            elif not _is_docstring(node):
                dropped_statements += 1
    extraction = _assemble(chunks, graded, notes, syntax_errors, set(SANDBOX_MODULES) | set(helper_modules),
                           dropped_statements)
    if extraction["missing"] and any(number is not None for number, _ in cells):
        extraction["misplaced"] = misplaced_definitions(data, filename, extraction["missing"])
    if len(extraction["notes"]) > NOTES_MAX:
        extra = len(extraction["notes"]) - NOTES_MAX + 1
        extraction["notes"] = extraction["notes"][: NOTES_MAX - 1] + [f"... and {extra} more notes like these."]
    return extraction


def newer_syntax(error: SyntaxError):
    """{"feature", "python"} when the line holds syntax a newer Python than this one accepts, else None."""
    line = error.text or ""
    for key, introduced, pattern, says in NEWER_SYNTAX:
        if sys.version_info[:2] >= introduced:
            continue
        if pattern.search(line) and (says is None or says in str(error.msg)):
            return {"feature": key, "python": ".".join(map(str, introduced))}
    return None


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


def _bound_names(node: ast.stmt) -> list:
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


def _referenced(node: ast.AST) -> set:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _assemble(chunks: list, graded: list, notes: list, syntax_errors: dict, available: set,
              dropped_statements: int = 0) -> dict:
    dropped_note_at = len(notes)
    definitions: dict = {}
    constants: dict = {}  # the last binding wins, as in the notebook
    redefined: set = set()
    for chunk in chunks:
        node = chunk[0]
        if isinstance(node, ast.Assign):
            constants.update({target.id: chunk for target in node.targets})
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            if node.name in definitions:
                redefined.add(node.name)
            definitions[node.name] = chunk  # the last definition wins, as in the notebook
    for name in sorted(redefined & set(graded)):
        notes.append(f"{name} is defined more than once; the last definition is graded.")

    needed = [name for name in graded if name in definitions and name not in syntax_errors]
    wanted: set = set()
    stack = list(needed)
    while stack:
        name = stack.pop()
        if name in wanted:
            continue
        wanted.add(name)
        stack.extend(n for n in _referenced(definitions[name][0]) if n in definitions and n not in wanted)
    used = set().union(*(_referenced(definitions[name][0]) for name in wanted)) if wanted else set()

    kept: list = []
    seen_imports: set = set()
    skipped: list = []  # imports the graded functions do not need: one note for all of them
    for chunk in chunks:
        node, text = chunk[0], chunk[1]
        if isinstance(node, (ast.Import, ast.ImportFrom, ast.Try)):
            star_module = node.module if isinstance(node, ast.ImportFrom) and node.names[0].name == "*" else None
            keep = (star_module is not None and star_module.split(".")[0] in available) or bool(
                set(_bound_names(node)) & used
            )
            if not keep:
                skipped.append(" ".join(text.split()))
            elif text not in seen_imports:
                seen_imports.add(text)
                kept.append(chunk)
        elif isinstance(node, ast.Assign):
            names = [target.id for target in node.targets if constants.get(target.id) is chunk and target.id in used]
            if names and names[0] not in definitions:
                kept.append(chunk)
                notes.append(f"Kept {', '.join(names)} (a value set at the top of your file) because your graded "
                             "functions use it.")
        elif definitions.get(node.name) is chunk and node.name in wanted:
            kept.append(chunk)

    if skipped:
        shown = "; ".join(f"`{line[:LINE_CHARS]}`" for line in dict.fromkeys(skipped[:SKIPPED_SHOWN]))
        more = f" and {len(skipped) - SKIPPED_SHOWN} more" if len(skipped) > SKIPPED_SHOWN else ""
        notes.append(f"Skipped {len(skipped)} import{'s' if len(skipped) > 1 else ''} the graded functions do not "
                     f"need (not an error): {shown}{more}.")
    dropped_statements += sum(1 for chunk in chunks if isinstance(chunk[0], ast.Assign) and chunk not in kept)
    if dropped_statements:
        notes.insert(dropped_note_at,
                     f"{dropped_statements} top-level statement(s) were not run (test calls, prints, training loops): "
                     "only imports and definitions are graded.")

    lines: list = [HEADER]
    line_map = []
    for node, text, origin, first_line in kept:
        lines.append("")
        start = len(lines) + 1
        lines.extend(text.split("\n"))
        line_map.append([start, len(lines), origin, first_line])
    return {
        "source": "\n".join(lines) + "\n",
        "found": needed,
        "missing": [name for name in graded if name not in definitions and name not in syntax_errors],
        "notes": notes,
        "syntax_errors": syntax_errors,
        "line_map": line_map,
        "misplaced": {},
        "defined": sorted(chunk[0].name for chunk in kept if isinstance(chunk[0], (ast.FunctionDef, ast.ClassDef))),
        # names the graded functions (and the defs they need) use as code: never a word of a docstring, a comment
        # or a string, so "your functions call X" is said only of a real use
        "referenced": sorted(used),
        "unfinished": [name for name in needed if _untouched(definitions[name][1])],
    }


def _untouched(text: str) -> bool:
    """Whether every START/END CODE block of a def still holds only the starter's `... = None` placeholders."""
    blocks = ANSWER_BLOCK.findall(text)
    lines = [line.strip() for block in blocks for line in block.split("\n")]
    code = [line for line in lines if line and not line.startswith("#")]
    return bool(blocks) and all(PLACEHOLDER_LINE.match(line) for line in code)
