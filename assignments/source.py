"""Reading a bundle's Python files without running them: defined names, a def's text, mistakes by edits.

Bundle code is content that runs only in the sandbox; the trusted side may
parse it (with `ast`) to find names and cut out definitions, never import or
execute it.
"""
from __future__ import annotations

import ast


class SourceError(ValueError):
    """A bundle's Python file does not say what the manifest needs; the message names the problem."""


def parse(text: str, label: str) -> ast.Module:
    """Parses `text`; a SyntaxError becomes a SourceError naming `label` and the line."""
    try:
        return ast.parse(text, label)
    except SyntaxError as error:
        raise SourceError(f"{label}: syntax error on line {error.lineno}: {error.msg}") from None
    except (ValueError, RecursionError, MemoryError) as error:
        raise SourceError(f"{label}: cannot be parsed ({type(error).__name__})") from None


def defined_names(text: str, label: str = "<source>") -> set[str]:
    """Names bound by top-level `def` and `class` statements."""
    return {
        node.name for node in parse(text, label).body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    }


def def_source(text: str, name: str, label: str = "<source>", keep_docstring: bool = True) -> str:
    """The text of the last top-level def of `name` (decorators included), optionally without its docstring.

    Raises SourceError when `text` defines no function `name`.
    """
    lines = text.splitlines(keepends=True)
    found = None
    for node in parse(text, label).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            found = node
    if found is None:
        raise SourceError(f"{label} defines no function {name!r}")
    first = min([found.lineno] + [d.lineno for d in found.decorator_list])
    body = found.body
    if not keep_docstring and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str) and len(body) > 1:
        kept = lines[first - 1:body[0].lineno - 1] + lines[body[0].end_lineno:found.end_lineno]
    else:
        kept = lines[first - 1:found.end_lineno]
    return "".join(kept).rstrip("\n") + "\n"


def apply_edits(source: str, edits: list, label: str) -> str:
    """Each [old, new, count] must occur exactly `count` times, so a changed reference cannot hide a mistake."""
    for number, edit in enumerate(edits, start=1):
        old, new, count = edit
        found = source.count(old)
        if found != count:
            raise SourceError(f"{label}: edit {number} expects {count} of {old!r} in the reference, found {found}")
        source = source.replace(old, new)
    return source


def callee_module(text: str, names: list[str], label: str) -> str:
    """A module with the defs of `names`, plus the top-level defs, constants and imports they use.

    It answers a graded function's callees in the sandbox (stand-ins and given
    callees) without shipping the rest of the file (other graded functions, or
    builders of hidden cases), nor importing what only the rest needs (cases.py
    may import supplied.py, which no student's job holds). Star imports are kept.
    """
    tree = parse(text, label)
    lines = text.splitlines(keepends=True)
    bound: dict[str, ast.stmt] = {}
    imports = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            imports.append(node)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound[node.name] = node
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):  # X = ..., X: float = ..., A, B = ...
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name) and isinstance(name.ctx, ast.Store):
                        bound[name.id] = node
    missing = [name for name in names if not isinstance(bound.get(name), (ast.FunctionDef, ast.AsyncFunctionDef))]
    if missing:
        raise SourceError(f"{label} defines no function {', '.join(map(repr, missing))}")
    wanted: list[ast.stmt] = []
    queue = list(names)
    while queue:
        node = bound.get(queue.pop())
        if node is None or node in wanted:
            continue
        wanted.append(node)
        queue.extend(n.id for n in ast.walk(node) if isinstance(n, ast.Name) and n.id in bound)
    used = {n.id for node in wanted for n in ast.walk(node) if isinstance(n, ast.Name)}
    imports = [node for node in imports
               if any(alias.name == "*" or (alias.asname or alias.name.split(".")[0]) in used for alias in node.names)]
    keep = sorted(imports + wanted, key=lambda node: node.lineno)

    def segment(node):
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        return "".join(lines[first - 1:node.end_lineno])

    return "\n".join(segment(node) for node in keep)


NO_DEFAULT = object()  # a parameter without a default
NOT_LITERAL = object()  # a default the trusted side cannot read without running code (e.g. np.zeros(3))


def parameters(text: str, name: str, label: str = "<source>") -> list[tuple[str, bool, object]]:
    """(name, positional, default) of each parameter of the last top-level def of `name`, in order.

    `positional` is False for keyword-only parameters (a case passes its
    arguments by position, so it can never pass them); *args and **kwargs are
    left out. `default` is the literal value, NO_DEFAULT or NOT_LITERAL.
    Raises SourceError when `text` defines no function `name`.
    """
    found = None
    for node in parse(text, label).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            found = node
    if found is None:
        raise SourceError(f"{label} defines no function {name!r}")
    arguments = found.args
    positional = arguments.posonlyargs + arguments.args
    defaults = [NO_DEFAULT] * (len(positional) - len(arguments.defaults)) + list(arguments.defaults)
    listed = [(a.arg, True, d) for a, d in zip(positional, defaults)]
    listed += [(a.arg, False, NO_DEFAULT if d is None else d) for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults)]
    return [(arg, is_positional, _literal(default)) for arg, is_positional, default in listed]


def _literal(node):
    if node is NO_DEFAULT:
        return NO_DEFAULT
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return NOT_LITERAL
