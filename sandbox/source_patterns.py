"""Source patterns (a kind): whether a student's function shows a catalogued mistake in its code, read with `ast`.

Some mistakes leave no output to match: without `np.random.seed(3)` the
weights differ on every run; biases drawn at random differ with each scale
a student picks. A mistake's `pattern` (assignments.bundle.Pattern, or the
same fields as a dict in a parse job) names a call, looked for in the
student's graded function and the student's own helper functions it uses.
A student's source is read only inside the sandbox, by the parse job
(sandbox/extraction.py), with the environment's Python; the worker uses this
module on bundle code only (the contract: no pattern may match the
reference). Standard library only: it runs in the sandbox.
"""
from __future__ import annotations

import ast
import fnmatch
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Callable

_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_DEFAULT_ALIASES = {"np": "numpy"}  # the course's own import, for code that uses np without importing it here
_NOT_LITERAL = object()


@dataclass(frozen=True)
class Call:
    """One call in the student's code, as much of it as a pattern can ask about."""

    name: str  # dotted, import aliases resolved: "numpy.random.seed"; "" when it is not a plain name
    values: tuple  # literal values of the positional then keyword arguments (_NOT_LITERAL where not literal)
    in_loop: bool
    stored_in: tuple[str, ...]  # names and leading dict-key texts of the assignment holding the call


def shows(pattern, source: str, function: str, own: Callable[[int], bool] = lambda line: True) -> bool:
    """Whether `function` in `source`, with the helper defs it uses, shows `pattern`.

    `own(line)` says whether a def starting on `line` is the student's (the
    course's code put before it is not searched). False when the source
    cannot be read or defines no `function`: a pattern never guesses.
    """
    if isinstance(pattern, dict):
        pattern = from_dict(pattern)
    calls = _calls(source, function, own)
    if calls is None:
        return False
    found = any(_matches(pattern, call) for call in calls)
    return not found if pattern.absent else found


def from_dict(fields: dict) -> SimpleNamespace:
    """A pattern sent as JSON: call, and optionally args, in_loop, stored_in, absent."""
    args = fields.get("args")
    return SimpleNamespace(call=str(fields.get("call", "")), args=tuple(args) if isinstance(args, list) else None,
                           in_loop=fields.get("in_loop"), stored_in=fields.get("stored_in"),
                           absent=bool(fields.get("absent", False)))


def shown(source: str, patterns: list) -> list:
    """The keys of `patterns` ({"key", "function", "pattern": {...}}) that the source's functions show."""
    keys = []
    for entry in patterns:
        try:
            if shows(entry["pattern"], source, entry["function"]):
                keys.append(entry["key"])
        except (KeyError, TypeError, ValueError, RecursionError, MemoryError):
            continue
    return keys


def _matches(pattern, call: Call) -> bool:
    if not call.name or not fnmatch.fnmatchcase(call.name, pattern.call):
        return False
    if pattern.args is not None and (len(call.values) < len(pattern.args) or not all(
            map(_same, call.values, pattern.args))):
        return False
    if pattern.in_loop is not None and call.in_loop != pattern.in_loop:
        return False
    if pattern.stored_in is not None and not any(fnmatch.fnmatchcase(label, pattern.stored_in)
                                                 for label in call.stored_in):
        return False
    return True


def _same(value, wanted) -> bool:
    """3 == 3.0, but True is not 1 and "3" is not 3."""
    if isinstance(value, bool) or isinstance(wanted, bool):
        return value is wanted
    if isinstance(wanted, (int, float)):
        return isinstance(value, (int, float)) and value == wanted
    return type(value) is type(wanted) and value == wanted


def _calls(source: str, function: str, own: Callable[[int], bool]) -> list[Call] | None:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    defs = {node.name: node for node in tree.body
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and own(node.lineno)}
    if function not in defs:
        return None
    aliases = dict(_DEFAULT_ALIASES)
    for node in tree.body:
        _bind_imports(node, aliases)
    searched, queue = [], [function]
    while queue:
        name = queue.pop()
        node = defs.get(name)
        if node is None or node in searched:
            continue
        searched.append(node)
        queue.extend(n.id for n in ast.walk(node) if isinstance(n, ast.Name) and n.id in defs)
    calls: list[Call] = []
    try:
        for node in searched:
            local = dict(aliases)
            for inner in ast.walk(node):
                _bind_imports(inner, local)
            _collect(node, local, False, (), calls)
    except RecursionError:
        return None
    return calls


def _bind_imports(node: ast.AST, aliases: dict[str, str]) -> None:
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                aliases[alias.asname] = alias.name
            else:
                top = alias.name.split(".")[0]
                aliases[top] = top
    elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
        for alias in node.names:
            if alias.name != "*":
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"


def _collect(node: ast.AST, aliases: dict, in_loop: bool, stored_in: tuple[str, ...], calls: list[Call]) -> None:
    """Walks `node` keeping track of loops and of the assignment each call stands in."""
    pairs = _paired(node)
    if pairs:  # W, b = np.random.randn(...), np.zeros(...): each value is stored in its own target
        for target, value in pairs:
            labels = tuple(_labels(target))
            _collect(target, aliases, in_loop, labels, calls)
            _collect(value, aliases, in_loop, labels, calls)
        return
    if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        stored_in = tuple(label for target in targets for label in _labels(target))
    if isinstance(node, ast.Call):
        calls.append(Call(_dotted(node.func, aliases), _values(node), in_loop, stored_in))
    for field, value in ast.iter_fields(node):
        for child in value if isinstance(value, list) else [value]:
            if isinstance(child, ast.AST):
                _collect(child, aliases, in_loop or _repeats(node, field, child), stored_in, calls)


def _paired(node: ast.AST) -> list[tuple[ast.AST, ast.AST]]:
    """(target, value) pairs of `a, b = x, y`; [] for any other statement."""
    if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
        return []
    target, value = node.targets[0], node.value
    if isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, (ast.Tuple, ast.List)) \
            and len(target.elts) == len(value.elts) and not any(isinstance(e, ast.Starred) for e in target.elts):
        return list(zip(target.elts, value.elts))
    return []


def _repeats(node: ast.AST, field: str, child: ast.AST) -> bool:
    """Whether `child` (in `field` of `node`) runs once per iteration: a loop's body, a comprehension's element."""
    if isinstance(node, _LOOPS):
        return field in ("body", "test")
    if isinstance(node, _COMPREHENSIONS):
        return not (field == "generators" and child is node.generators[0])
    return isinstance(node, ast.comprehension) and field == "ifs"


def _dotted(node: ast.AST, aliases: dict[str, str]) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return ""
    parts.append(aliases.get(node.id, node.id))
    return ".".join(reversed(parts))


def _values(call: ast.Call) -> tuple:
    def literal(node):
        try:
            return ast.literal_eval(node)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return _NOT_LITERAL

    return tuple(literal(arg) for arg in call.args if not isinstance(arg, ast.Starred)) + \
        tuple(literal(keyword.value) for keyword in call.keywords if keyword.arg)


def _labels(target: ast.AST) -> list[str]:
    """What an assignment stores into: a name, an attribute, or the leading text of a dict key."""
    if isinstance(target, (ast.Tuple, ast.List)):
        return [label for element in target.elts for label in _labels(element)]
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Attribute):
        return [target.attr]
    if isinstance(target, ast.Subscript):
        text = _leading_text(target.slice)
        return [text] if text else []
    return []


def _leading_text(node: ast.AST) -> str:
    """'b' of 'b' + str(l), f"b{l}" or "b1"; "" when the key does not start with text."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _leading_text(node.left)
    if isinstance(node, ast.JoinedStr) and node.values:
        return _leading_text(node.values[0])
    return ""
