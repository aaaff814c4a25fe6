"""Every student file of tests/ grades exactly as it did before the assignments became bundles.

tests/data/frozen/<slug>/ holds the files and the result documents recorded
with the code of the time (tests/data/freeze.py); a student's .py is stored
as .py.txt (it is data here) and graded under its own name. Where a later change moves
a result on purpose, the document is re-recorded and the change is listed in
tests/data/frozen/CHANGES.md.
"""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from assignments import bundle_folders
from assignments.bundle import load_bundle

FROZEN = Path(__file__).resolve().parents[2] / "data" / "frozen"
MODELS_ON = {"correct.ipynb"}
FILES = sorted(p for p in FROZEN.glob("*/*") if p.suffix != ".json" and p.is_file())
STORED_AS = ".txt"  # students' .py files, kept as data


def student_name(path: Path) -> str:
    return path.name.removesuffix(STORED_AS)


@pytest.fixture(scope="module")
def graders():
    from grader.grading.setup import get_grader

    grader = get_grader()
    return {True: dataclasses.replace(grader, model_checks=True), False: dataclasses.replace(grader, model_checks=False)}


@pytest.mark.slow
@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_grades_as_recorded(path, graders):
    bundle = load_bundle(bundle_folders()[path.parent.name])
    name = student_name(path)
    report = graders[name in MODELS_ON].grade(bundle, name, path.read_bytes())
    recorded = json.loads(path.with_name(f"{name}.json").read_text())
    assert json.loads(json.dumps(report.document(), default=str)) == recorded


def test_every_frozen_file_has_its_document():
    assert FILES and all(p.with_name(f"{student_name(p)}.json").is_file() for p in FILES)
