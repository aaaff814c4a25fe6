"""Check your work before uploading: the assignment's published test cases, run on your notebook, on your computer.

This file is `gradebox_check.py` in an assignment's starter kit (built by
grader/grading/kit.py). It runs the cases the notebook itself publishes (the
hidden cases that also count stay on the server) and prints the same lines
the grader's visible checks show, because it uses the grader's own code: its
reader of notebooks (sandbox/extraction.py), its value format
(sandbox/wire.py), its comparison (grader/grading/compare.py) and its
messages (grader/grading/messages.py, grader/grading/checks.py), shipped
beside it in the kit's `gradebox/` folder. Needs Python 3.10+ and NumPy only.

    python gradebox_check.py                  # the kit's notebook
    python gradebox_check.py my_answers.ipynb  # or any .ipynb / .py
    !python gradebox_check.py                 # from a Jupyter or Colab cell (save the notebook first)

Like the grader, it takes only the imports and definitions from your file:
top-level statements (training loops, plots) never run. Exit status 0 when
every published check passes, 1 otherwise, 2 when the file cannot be read.
"""
from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
if (_HERE / "gradebox").is_dir():  # inside a starter kit: the grader's modules ship in gradebox/
    sys.path.insert(0, str(_HERE / "gradebox"))
    sys.path.insert(0, str(_HERE))  # the course's helper modules the notebook imports

import numpy as np  # noqa: E402

from grader.grading import messages  # noqa: E402
from grader.grading.checks import value_checks  # noqa: E402
from sandbox import wire  # noqa: E402
from sandbox.extraction import extract  # noqa: E402
from sandbox.reading import FileProblem  # noqa: E402

CASES_JSON, CASES_NPZ = "published.json", "published.npz"


def load_cases(folder: Path) -> tuple[dict, dict]:
    """The published cases (`published.json`) and their arrays (`published.npz`, read without pickle)."""
    document = json.loads((folder / CASES_JSON).read_text(encoding="utf-8"))
    with np.load(folder / CASES_NPZ, allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    return document, arrays


def course_code(document: dict, defined: set[str]) -> str:
    """The course's given code the grader puts before a file defining `defined`: its imports, and the defs the
    file lacks (grader/grading/supplied.py)."""
    return "\n\n".join(source for source, name in document["given"] if name is None or name not in defined)


def load_namespace(source: str, filename: str) -> tuple[dict, list[str]]:
    """Runs the extracted imports and definitions one statement at a time, as the grader does; a statement that
    fails (an import this Python lacks) is skipped and listed."""
    namespace: dict = {"__name__": "submission"}
    failed = []
    for node in ast.parse(source, filename).body:
        try:
            exec(compile(ast.Module([node], []), filename, "exec"), namespace)  # noqa: S102 - the student's own code
        except Exception as error:  # noqa: BLE001 - reported, like the grader's setup notes
            line = ast.get_source_segment(source, node) or ""
            failed.append(f"`{line.splitlines()[0] if line else '?'}` failed on this computer and was skipped: "
                          f"{type(error).__name__}: {error}")
    return namespace, failed


def run_case(function, name: str, label: str, case: dict, arrays: dict, namespace: dict, callees: dict):
    """(value, None) or (None, the check that says what the call raised)."""
    args = wire.decode(case["args"], arrays)
    given = case.get("callees", {})  # callee -> the notebook's given def answering it on this case
    replaced = {callee: namespace.get(callee) for callee in given}
    namespace.update({callee: callees[target] for callee, target in given.items()})
    try:
        return function(*args), None
    except Exception as error:  # noqa: BLE001 - the student's code may raise anything
        text = str(error)
        if isinstance(error, NameError) and getattr(error, "name", None):
            message = messages.say("name_error", case=label, function=name, name=error.name)
        else:
            message = messages.say("raised", case=label, function=name, error_type=type(error).__name__,
                                   error_message=text[:500])
        return None, {"name": f"{label}: runs", "passed": False, "message": message}
    finally:
        namespace.update(replaced)


def check_function(entry: dict, arrays: dict, namespace: dict, callees: dict) -> tuple[bool, list[dict], list[str]]:
    """(all passed, the checks, hints) of one graded function over its published cases."""
    name = entry["name"]
    function = namespace.get(name)
    if not callable(function):
        return False, [{"name": "defined", "passed": False, "message": messages.say("missing", function=name)}], \
            [messages.hint("missing", function=name)]
    checks, hints, passed = [], [], True
    for case in entry["cases"]:
        label = f"{case['id']} case"
        value, raised = run_case(function, name, label, case, arrays, namespace, callees)
        if raised:
            checks.append(raised)
            passed = False
            continue
        checks.append({"name": f"{label}: runs", "passed": True, "message": messages.say("ran", case=label)})
        expected = wire.decode(case["expected"], arrays) if "expected" in case else None
        threshold = tuple(case["threshold"]) if case.get("threshold") else None
        case_checks, case_hints = value_checks(label, value, expected, tuple(entry["outputs"]), case["rtol"],
                                               case["atol"], threshold)
        checks += case_checks
        hints += [text for _, text in case_hints if text and text not in hints]
        passed = passed and not case_hints
    return passed, checks, hints


def check_file(path: Path, folder: Path = _HERE / "gradebox") -> tuple[int, str]:
    """(exit status, report text) of the published checks on the notebook or .py at `path`."""
    document, arrays = load_cases(folder)
    names = [entry["name"] for entry in document["functions"]]
    try:
        extraction = extract(path.read_bytes(), path.name, names, tuple(document["helper_modules"]))
    except FileProblem as problem:
        return 2, f"{path.name} could not be read: {problem.message}"
    lines = [f"Published checks of {document['title']} on {path.name} (hidden cases run only on the grader)."]
    prefix = course_code(document, set(extraction["defined"]))
    namespace, setup_notes = load_namespace(prefix + "\n\n" + extraction["source"], str(path))
    callees, _ = load_namespace(document["callee_source"], "published callees") if document["callee_source"] \
        else ({}, [])
    all_passed = True
    for entry in document["functions"]:
        name = entry["name"]
        if name in extraction["syntax_errors"]:
            error = extraction["syntax_errors"][name]
            text = error["message"] if isinstance(error, dict) else str(error)
            passed, checks, hints = False, [{"passed": False, "message": messages.say("syntax_error", function=name,
                                                                                       message=text)}], []
        else:
            passed, checks, hints = check_function(entry, arrays, namespace, callees)
            if not passed and name in extraction.get("unfinished", []):  # the starter's placeholders: one line
                checks, hints = [{"passed": False, "message": messages.say("unfinished", function=name)}], []
        all_passed = all_passed and passed
        lines.append(f"\n{name}: {'passed' if passed else 'FAILED'}")
        lines += [f"  {'ok  ' if c['passed'] else 'FAIL'} " + c["message"].replace("\n", "\n       ") for c in checks]
        lines += [f"  Hint: {text}" for text in hints[:1]]
    lines += [f"\nNote: {note}" for note in setup_notes]
    lines.append("\nAll published checks passed." if all_passed else "\nSome published checks failed.")
    return (0 if all_passed else 1), "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """`python gradebox_check.py [FILE]`: FILE defaults to the kit's notebook."""
    argv = sys.argv[1:] if argv is None else argv
    if argv:
        path = Path(argv[0])
    else:
        document = json.loads((_HERE / "gradebox" / CASES_JSON).read_text(encoding="utf-8"))
        path = _HERE / document["notebook"]
    if not path.is_file():
        print(f"No such file: {path}")
        return 2
    status, text = check_file(path)
    print(text)
    return status


if __name__ == "__main__":
    sys.exit(main())
