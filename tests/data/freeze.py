"""Writes the student files of tests/ and their result documents as committed data (tests/data/frozen/).

Run it to re-record the documents after a change that moves results on
purpose (and say what moved in tests/data/frozen/CHANGES.md).

The files come from tests/student_files.py: per assignment a correct notebook
and .py, one file per catalogued mistake, one per missing function, and the
special cases the tests use. Each is graded through `grade --json`; the
documents are what tests/grader/grading/test_frozen.py compares against.
Usage: .venv/bin/python tests/data/freeze.py [--grade-only]
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FROZEN = ROOT / "tests" / "data" / "frozen"
MODELS_ON = {"correct.ipynb"}
FROZEN_SLUGS = ("gradient-checking", "initialization", "optimization", "regularization")  # model checks train for seconds: only the correct notebooks run them


def write_files() -> None:
    sys.path.insert(0, str(ROOT))
    from tests import student_files as sf

    for slug in FROZEN_SLUGS:
        folder = FROZEN / slug
        folder.mkdir(parents=True, exist_ok=True)
        bundle = sf.get_bundle(slug)
        files = {"correct.ipynb": sf.notebook(slug), "correct.py": sf.python_file(slug)}
        for mistake in bundle.mistakes:
            files[f"mistake-{mistake.key}.py"] = sf.python_file(slug, replace={mistake.function: mistake.source})
        for graded in bundle.functions:
            files[f"missing-{graded.name}.py"] = sf.python_file(slug, replace={graded.name: None})
        if slug == "optimization":
            files["adam-without-bias-correction.ipynb"] = sf.notebook(
                slug, replace={"update_parameters_with_adam": sf.ADAM_WITHOUT_BIAS_CORRECTION})
            files["gd-raises.py"] = sf.python_file(slug, replace={"update_parameters_with_gd": sf.GD_RAISES})
            files["velocity-uses-global.py"] = sf.python_file(slug, replace={"initialize_velocity": sf.VELOCITY_USES_GLOBAL})
            files["syntax-error.py"] = sf.SYNTAX_ERROR_PY
            files["not-a-notebook.ipynb"] = sf.not_a_notebook()
        for name, data in files.items():  # a .py is data here: stored as .py.txt, graded under its own name
            (folder / (name + ".txt" if name.endswith(".py") else name)).write_bytes(data)


def grade_all() -> None:
    sys.path.insert(0, str(ROOT))
    from assignments import bundle_folders

    for folder in sorted(p for p in FROZEN.iterdir() if p.is_dir()):
        for path in sorted(folder.iterdir()):
            if path.suffix == ".json":
                continue
            name = path.name.removesuffix(".txt")
            env = dict(os.environ, GRADER_MODEL_CHECKS="true" if name in MODELS_ON else "false")
            with tempfile.TemporaryDirectory() as scratch:
                student = Path(scratch) / name
                student.write_bytes(path.read_bytes())
                out = subprocess.run([sys.executable, "manage.py", "grade", str(student), "--bundle",
                                      str(bundle_folders()[folder.name]), "--json"],
                                     cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
            (folder / (name + ".json")).write_text(json.dumps(json.loads(out), indent=1, sort_keys=True) + "\n")
            print(folder.name, path.name, json.loads(out)["score"], flush=True)


if __name__ == "__main__":
    if "--grade-only" not in sys.argv:
        write_files()
    grade_all()
