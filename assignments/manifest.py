"""The keys of assignment.toml and mistakes.toml, and what each must hold.

`check` returns the manifest with only the entries whose keys are all well
formed (so the loader can build from it) and appends one message per problem,
each naming the key: unknown keys, missing keys, wrong types, negative
tolerances, duplicate names, functions without a hidden case.
"""
from __future__ import annotations

import math
import re

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ACTIVATIONS = ("relu", "tanh", "sigmoid", "softmax", "linear")
METRICS = ("train_accuracy", "test_accuracy")
OPS = (">=", "<=", ">", "<")
REVEALS = ("now", "after_due", "never")
MODEL_KINDS = ("classifier",)


def _str(value):
    return None if isinstance(value, str) and value.strip() else "must be a non-empty string"


def _text(value):
    return None if isinstance(value, str) else "must be a string"


def _identifier(value):
    return None if isinstance(value, str) and value.isidentifier() else "must be a Python name"


def _slug(value):
    return None if isinstance(value, str) and SLUG.match(value) else "must match [a-z0-9-]+ (e.g. \"optimization\")"


def _bool(value):
    return None if isinstance(value, bool) else "must be true or false"


def _number(minimum=0.0, strict=False):
    def check(value):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return "must be a number"
        if value < minimum or (strict and value == minimum):
            return f"must be {'greater than' if strict else 'at least'} {minimum:g}"
        return None
    return check


def _names(value):
    if not isinstance(value, list) or not all(isinstance(v, str) and v.isidentifier() for v in value):
        return "must be a list of Python names"
    return None


def _strings(value):
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        return "must be a list of file names"
    return None


def _one_of(choices):
    return lambda value: None if value in choices else f"must be one of {', '.join(map(repr, choices))}"


def _args(value):
    if isinstance(value, (str, list)):
        return None
    return 'must be a list of literal arguments, "cases.py:NAME" or an HDF5 file name'


def _callees(value):
    if not isinstance(value, dict):
        return 'must be a table of callee = "cases.py:NAME"'
    for callee, target in value.items():
        if not callee.isidentifier() or not (isinstance(target, str) and target.startswith("cases.py:")):
            return f'{callee} = {target!r}: must be callee = "cases.py:NAME"'
    return None


def _reasons(value):
    if not (isinstance(value, dict) and all(k.isidentifier() and isinstance(v, str) and v.strip() for k, v in value.items())):
        return 'must be a table of parameter = "why the right answer does not depend on it"'
    return None


GRAPH_INPUT_KINDS = ("placeholder", "variables")


def _graph_inputs(value):
    if not (isinstance(value, dict) and value
            and all(k.isidentifier() and v in GRAPH_INPUT_KINDS for k, v in value.items())):
        return f'must be a table of parameter = {" or ".join(repr(k) for k in GRAPH_INPUT_KINDS)}'
    return None


def _bound(value):
    if not (isinstance(value, dict) and set(value) == {"op", "value"} and value["op"] in OPS
            and not isinstance(value["value"], bool) and isinstance(value["value"], (int, float))):
        return f"must be a table {{ op = one of {', '.join(OPS)}, value = a number }}"
    return None


def _layers(value):
    if not (isinstance(value, list) and len(value) >= 2 and all(type(v) is int and v > 0 for v in value)):
        return "must list at least two positive layer sizes [n_x, ..., n_L]"
    return None


def _activations(value):
    if not (isinstance(value, list) and value and all(v in ACTIVATIONS for v in value)):
        return f"must be a list of {', '.join(ACTIVATIONS)}"
    return None


def _data(value):
    if not (isinstance(value, dict) and set(value) == {"file", "X", "Y"} and all(isinstance(v, str) for v in value.values())):
        return 'must be a table { file = "...h5", X = "dataset", Y = "dataset" }'
    return None


TOP = {
    "slug": (_slug, True), "title": (_str, True), "description": (_text, False), "environment": (_slug, True),
    "reference": (_str, True), "cases": (_str, False), "supplied": (_str, False), "mistakes": (_str, False),
    "starter": (_str, False), "job_files": (_strings, False), "private_files": (_strings, False),
    "functions": (None, True), "model_checks": (None, False),
}
def _term(value):
    if isinstance(value, str) and value.startswith("cases.py:") and value.split(":", 1)[1].isidentifier():
        return None
    return 'must be "cases.py:NAME"'


def _factor(value):
    problem = _number(-math.inf)(value)
    return problem or (None if value != 0 else "must not be 0 (a difference of zero explains nothing)")


def _keys_hint(value):
    """A hint naming the keys an explanation found: "{keys}" is its only field."""
    if not (isinstance(value, str) and value.strip()):
        return "must be a non-empty string"
    try:
        value.format(keys="dW1")
    except (KeyError, IndexError, ValueError) as error:
        return f"may use {{keys}} and no other field ({type(error).__name__}: {error})"
    return None


def _literals(value):
    if isinstance(value, list) and all(isinstance(v, (bool, int, float, str)) for v in value):
        return None
    return "must be a list of numbers, strings or booleans"


def _glob(value):
    return None if isinstance(value, str) and value.strip() and " " not in value else "must be a name or glob, e.g. \"numpy.random.*\""


FUNCTION = {
    "name": (_identifier, True), "points": (_number(), True), "outputs": (_names, True), "description": (_text, False),
    "wall_s": (_number(0.0, strict=True), False), "cases": (None, True), "printing_only": (_names, False),
    "unused_arguments": (_reasons, False), "explanations": (None, False), "graph_outputs": (_bool, False),
    "graph_inputs": (_graph_inputs, False),
}
EXPLANATION = {"id": (_identifier, True), "term": (_term, True), "output": (_identifier, False),
               "factor": (_factor, True), "hint": (_keys_hint, True)}
PATTERN = {"call": (_glob, True), "args": (_literals, False), "in_loop": (_bool, False), "stored_in": (_glob, False),
           "absent": (_bool, False)}
CASE = {
    "id": (_str, True), "args": (_args, True), "hidden": (_bool, False), "reveal": (_one_of(REVEALS), False),
    "rtol": (_number(), False), "atol": (_number(), False), "description": (_text, False),
    "stand_ins": (_names, False), "callees": (_callees, False), "threshold": (_bound, False),
}
MODEL_CHECK = {
    "id": (_identifier, True), "kind": (_one_of(MODEL_KINDS), True), "title": (_str, True),
    "driver": (_identifier, True), "args": (_args, True), "depends_on": (_names, False),
    "points": (_number(), False), "wall_s": (_number(0.0, strict=True), False), "layers": (_layers, True),
    "activations": (_activations, True), "train": (_data, True), "test": (_data, False), "plot": (_bool, False),
    "thresholds": (None, True),
}
THRESHOLD = {"metric": (_one_of(METRICS), True), "op": (_one_of(OPS), True), "value": (_number(-math.inf), True),
             "why": (_text, False)}
MISTAKE = {"key": (_str, True), "function": (_identifier, True), "hint": (_str, True), "edits": (None, False),
           "source": (_str, False), "pattern": (None, False)}


def _table(entry, keys: dict, where: str, errors: list[str]) -> bool:
    """Checks one table against its keys; True when it is sound enough to build from."""
    if not isinstance(entry, dict):
        errors.append(f"{where}: must be a table")
        return False
    sound = True
    for key in entry:
        if key not in keys:
            errors.append(f"{where}: unknown key {key!r} (known: {', '.join(keys)})")
    for key, (check, required) in keys.items():
        if key not in entry:
            if required:
                errors.append(f"{where}: {key!r} is missing")
                sound = False
            continue
        problem = check(entry[key]) if check else None
        if problem:
            errors.append(f"{where}.{key}: {problem}")
            sound = False
    return sound


def _list(value, where: str, errors: list[str]) -> list:
    if not isinstance(value, list):
        errors.append(f"{where}: must be a list of tables ([[{where}]])")
        return []
    return value


def _unique(values: list[str], what: str, errors: list[str]) -> None:
    for value in sorted({v for v in values if values.count(v) > 1}):
        errors.append(f"{what}: {value!r} appears more than once")


def _listed(table: dict, key: str) -> list:
    """table[key] when it is a list (its other forms are reported by _list), else []."""
    value = table.get(key, [])
    return value if isinstance(value, list) else []


def check(manifest: dict, errors: list[str]) -> dict:
    """The manifest with only sound entries kept; problems appended to `errors`."""
    _table(manifest, TOP, "assignment.toml", errors)
    clean = {k: v for k, v in manifest.items() if k in TOP and (TOP[k][0] is None or not TOP[k][0](v))}
    functions = []
    for number, entry in enumerate(_list(manifest.get("functions", []), "functions", errors), start=1):
        name = entry.get("name") if isinstance(entry, dict) else None
        where = f"functions.{name}" if isinstance(name, str) else f"functions[{number}]"
        sound = _table(entry, FUNCTION, where, errors)
        cases = []
        for c_number, case in enumerate(_list(entry.get("cases", []) if isinstance(entry, dict) else [], f"{where}.cases", errors), start=1):
            case_where = f"{where}.cases.{case.get('id')}" if isinstance(case, dict) and isinstance(case.get("id"), str) else f"{where}.cases[{c_number}]"
            if _table(case, CASE, case_where, errors):
                if "reveal" in case and not case.get("hidden", False):
                    errors.append(f"{case_where}.reveal: only hidden cases take 'reveal'")
                cases.append(case)
        explanations = []
        for e_number, explanation in enumerate(_list(entry.get("explanations", []) if isinstance(entry, dict) else [],
                                                     f"{where}.explanations", errors), start=1):
            e_where = f"{where}.explanations.{explanation.get('id')}" if isinstance(explanation, dict) and \
                isinstance(explanation.get("id"), str) else f"{where}.explanations[{e_number}]"
            if _table(explanation, EXPLANATION, e_where, errors):
                explanations.append(explanation)
        _unique([e.get("id") for e in _listed(entry, "explanations") if isinstance(e, dict) and isinstance(e.get("id"), str)]
                if isinstance(entry, dict) else [], f"{where}.explanations: id", errors)
        if isinstance(entry, dict) and isinstance(entry.get("cases"), list):
            if not entry["cases"]:
                errors.append(f"{where}.cases: a graded function needs at least one case")
            elif not any(isinstance(c, dict) and c.get("hidden") is True for c in entry["cases"]):
                errors.append(f"{where}: no hidden case (every function needs one, so a hard-coded answer cannot pass)")
            _unique([c.get("id") for c in entry["cases"] if isinstance(c, dict) and isinstance(c.get("id"), str)],
                    f"{where}.cases: case id", errors)
        if sound:
            functions.append({**entry, "cases": cases, "explanations": explanations})
    if not manifest.get("functions") and isinstance(manifest.get("functions", []), list):
        errors.append("functions: the bundle grades no function")
    _unique([f.get("name") for f in _listed(manifest, "functions") if isinstance(f, dict) and isinstance(f.get("name"), str)],
            "functions: function name", errors)
    clean["functions"] = functions
    checks = []
    for number, entry in enumerate(_list(manifest.get("model_checks", []), "model_checks", errors), start=1):
        where = f"model_checks.{entry.get('id')}" if isinstance(entry, dict) and isinstance(entry.get("id"), str) else f"model_checks[{number}]"
        sound = _table(entry, MODEL_CHECK, where, errors)
        thresholds = _list(entry.get("thresholds", []), f"{where}.thresholds", errors) if isinstance(entry, dict) else []
        sound = all([_table(t, THRESHOLD, f"{where}.thresholds[{i}]", errors) for i, t in enumerate(thresholds, start=1)]) and sound
        if sound and len(entry["activations"]) != len(entry["layers"]) - 1:
            errors.append(f"{where}.activations: {len(entry['layers']) - 1} layers need {len(entry['layers']) - 1} activations, "
                          f"not {len(entry['activations'])}")
            sound = False
        if sound:
            checks.append({**entry, "thresholds": thresholds})
    _unique([c.get("id") for c in _listed(manifest, "model_checks") if isinstance(c, dict) and isinstance(c.get("id"), str)],
            "model_checks: id", errors)
    clean["model_checks"] = checks
    return clean


def check_mistakes(document: dict, graded: set[str], errors: list[str]) -> list[dict]:
    """The sound [[mistakes]] entries of mistakes.toml; problems appended to `errors`."""
    unknown = set(document) - {"mistakes"}
    if unknown:
        errors.append(f"mistakes.toml: unknown key(s) {', '.join(sorted(unknown))}; entries go under [[mistakes]]")
    entries = []
    for number, entry in enumerate(_list(document.get("mistakes", []), "mistakes", errors), start=1):
        where = f"mistakes.{entry.get('key')}" if isinstance(entry, dict) and isinstance(entry.get("key"), str) else f"mistakes[{number}]"
        if not _table(entry, MISTAKE, where, errors):
            continue
        if ("edits" in entry) == ("source" in entry):
            errors.append(f"{where}: give either 'edits' or 'source'")
            continue
        edits = entry.get("edits", [])
        if not (isinstance(edits, list) and ("source" in entry or edits) and all(
                isinstance(e, list) and len(e) == 3 and isinstance(e[0], str) and e[0] and isinstance(e[1], str)
                and type(e[2]) is int and e[2] > 0 for e in edits)):
            errors.append(f"{where}.edits: must be a non-empty list of [old, new, count] with count a positive integer")
            continue
        if entry["function"] not in graded:
            errors.append(f"{where}.function: {entry['function']!r} is not a graded function of this bundle")
            continue
        if "pattern" in entry and not _pattern(entry["pattern"], f"{where}.pattern", errors):
            continue
        entries.append(entry)
    _unique([e.get("key") for e in document.get("mistakes", []) if isinstance(e, dict) and isinstance(e.get("key"), str)]
            if isinstance(document.get("mistakes"), list) else [], "mistakes: key", errors)
    return entries


def _pattern(pattern, where: str, errors: list[str]) -> bool:
    """A mistake's source pattern (assignments.bundle.Pattern); True when it is sound."""
    if not _table(pattern, PATTERN, where, errors):
        return False
    if pattern.get("absent") and ("in_loop" in pattern or "stored_in" in pattern):
        errors.append(f"{where}: an absent call has no place, so 'absent' takes neither 'in_loop' nor 'stored_in'")
        return False
    return True
