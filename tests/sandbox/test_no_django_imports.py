"""Imports flow grader -> grader.grading -> sandbox; the runner sees only stdlib, NumPy and h5py."""
import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNNER_FILES = [ROOT / "sandbox" / name for name in ("runner.py", "runner_child.py", "case_process.py", "wire.py",
                                                      "channel.py", "case_filter.py", "extraction.py", "reading.py",
                                                      "value_tree.py")]
# sandbox.channel: wire.py's import of channel when it is used on the host, outside the sandbox
RUNNER_ALLOWED = set(sys.stdlib_module_names) | {"source_patterns", "numpy", "h5py", "wire", "runner_child", "case_process", "channel",
                                                 "case_filter", "extraction", "reading", "sandbox", "value_tree",
                                                 "frameworks"}
# The one module that loads an environment's framework (DESIGN.md: "plus the framework of its environment").
FRAMEWORK_ALLOWED = set(sys.stdlib_module_names) | {"numpy", "tensorflow"}
# What reads student code in the sandbox runs on whatever Python the environment has: the standard library only.
PARSE_FILES = [ROOT / "sandbox" / name for name in ("extraction.py", "reading.py", "source_patterns.py")]
PARSE_ALLOWED = set(sys.stdlib_module_names) | {"reading", "sandbox.reading", "source_patterns", "sandbox"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                "import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
            names.add(str(node.args[0].value))
    return names


def python_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", ["sandbox", "reference", "assignments"])
def test_package_never_imports_django(package):
    offenders = {
        str(path.relative_to(ROOT)): sorted(name for name in imported_modules(path)
                                            if name.split(".")[0] in ("django", "rest_framework", "celery", "grader"))
        for path in python_files(package)
    }
    assert {path: names for path, names in offenders.items() if names} == {}


@pytest.mark.parametrize("path", RUNNER_FILES, ids=lambda path: path.name)
def test_runner_imports_only_stdlib_numpy_and_h5py(path):
    extra = {name for name in imported_modules(path) if name.split(".")[0] not in RUNNER_ALLOWED}
    assert extra == set()


def test_the_framework_module_imports_only_stdlib_numpy_and_the_frameworks_it_names():
    extra = {name for name in imported_modules(ROOT / "sandbox" / "frameworks.py")
             if name.split(".")[0] not in FRAMEWORK_ALLOWED}
    assert extra == set()


@pytest.mark.parametrize("path", PARSE_FILES, ids=lambda path: path.name)
def test_the_parse_modules_import_only_the_standard_library(path):
    assert {name for name in imported_modules(path) if name not in PARSE_ALLOWED} == set()


def test_the_worker_never_parses_student_code():
    """Only the bundle loader (assignments/) and supplied.py (bundle code) may parse on the worker."""
    parsing = {str(path.relative_to(ROOT)) for path in python_files("grader") if "ast" in imported_modules(path)}
    # kit_check.py is the starter kit's gradebox_check.py: it runs the student's own notebook on their laptop;
    # the worker only ships its text and reads its constants.
    assert parsing <= {"grader/grading/supplied.py", "grader/grading/kit_check.py"}
