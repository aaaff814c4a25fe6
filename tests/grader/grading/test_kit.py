"""The starter kit of every NumPy assignment runs its published checks on a Python that has NumPy and nothing else.

Each kit is unpacked into a temporary folder and its `gradebox_check.py` runs
in a fresh interpreter (`-I -S`: no site-packages, no environment) whose
sys.path holds only the kit and a folder with NumPy alone: on the reference it
passes everything; on a catalogued mistake the mistake's function fails with
the very message the platform's visible check gives.
"""
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from assignments import bundle_folders
from assignments.bundle import load_bundle
from grader.grading.feedback import function_report
from grader.grading.extract import Extraction
from grader.grading.kit import kit_name, starter_kit
from grader.grading.setup import get_grader
from sandbox.results import CaseRun, FunctionRun

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]  # a cold cache computes the expected outputs in the sandbox
NUMPY_BUNDLES = sorted(slug for slug, folder in bundle_folders().items()
                       if load_bundle(folder).environment == "numpy")
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def numpy_only(tmp_path_factory) -> Path:
    """A folder holding NumPy's package (and its bundled libraries) and nothing else."""
    folder = tmp_path_factory.mktemp("numpy-only")
    site = Path(np.__file__).resolve().parents[1]
    for entry in site.iterdir():
        if entry.name == "numpy" or entry.name.startswith(("numpy.", "numpy-")):
            (folder / entry.name).symlink_to(entry)
    return folder


def unpack(slug: str, target: Path) -> Path:
    bundle = load_bundle(bundle_folders()[slug])
    data = starter_kit(bundle, get_grader())
    with zipfile.ZipFile(io.BytesIO(data)) as kit:
        kit.extractall(target)
    return target / kit_name(bundle).removesuffix(".zip")


def run_check(kit: Path, numpy_only: Path, submission: Path) -> subprocess.CompletedProcess:
    code = ("import sys; sys.path[:] = [sys.argv[1], sys.argv[2]] + [p for p in sys.path if 'site-packages' not in p]; "
            "import runpy; sys.argv = ['gradebox_check.py', sys.argv[3]]; "
            "runpy.run_path('gradebox_check.py', run_name='__main__')")
    return subprocess.run([sys.executable, "-I", "-S", "-c", code, str(kit), str(numpy_only), str(submission)],
                          cwd=kit, capture_output=True, text=True, timeout=120, env={"PATH": os.environ["PATH"]})


@pytest.mark.parametrize("slug", NUMPY_BUNDLES)
def test_the_kit_holds_the_notebook_its_helpers_and_no_hidden_case(slug, tmp_path):
    bundle = load_bundle(bundle_folders()[slug])
    kit = unpack(slug, tmp_path)
    assert (kit / f"{slug}.ipynb").read_bytes() == bundle.files["starter"].read_bytes()
    for path in bundle.job_files:
        assert (kit / path.name).read_bytes() == path.read_bytes()
    for path in bundle.private_files:
        assert not (kit / path.name).exists()
    # the platform's own modules, byte for byte
    for module in ("grader/grading/compare.py", "grader/grading/messages.py", "sandbox/wire.py"):
        assert (kit / "gradebox" / module).read_bytes() == (ROOT / module).read_bytes()
    published = json.loads((kit / "gradebox" / "published.json").read_text())
    shipped = {(f["name"], c["id"]) for f in published["functions"] for c in f["cases"]}
    assert shipped == {(f.name, c.id) for f in bundle.functions for c in f.cases if not c.hidden}
    assert not (kit / "gradebox" / "reference.py").exists() and "reference" not in published


@pytest.mark.parametrize("slug", NUMPY_BUNDLES)
def test_the_kits_check_passes_the_reference_on_numpy_alone(slug, tmp_path, numpy_only):
    kit = unpack(slug, tmp_path)
    bundle = load_bundle(bundle_folders()[slug])
    submission = tmp_path / "answers.py"
    submission.write_text(bundle.text("reference"))
    result = run_check(kit, numpy_only, submission)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All published checks passed." in result.stdout
    assert "FAIL" not in result.stdout and "h5py" not in result.stdout
    probe = subprocess.run([sys.executable, "-I", "-S", "-c", "import sys; sys.path[:0] = [sys.argv[1]]; import h5py",
                            str(numpy_only)], capture_output=True, text=True)
    assert probe.returncode != 0  # the check really ran without h5py


@pytest.mark.parametrize("slug", NUMPY_BUNDLES)
def test_a_catalogued_mistake_fails_locally_with_the_platforms_message(slug, tmp_path, numpy_only):
    bundle = load_bundle(bundle_folders()[slug])
    expected = get_grader().expected_for(bundle)
    mistake, platform_message = None, None
    for candidate in expected.mistakes:  # the first whose published case fails on the platform
        graded = bundle.function(candidate.function)
        run = FunctionRun(graded.name, "ok", cases=[CaseRun(case_id, "ok", value=value)
                                                    for case_id, value in candidate.outputs.items()])
        report = function_report(graded, run, expected.outputs[graded.name],
                                 Extraction(source="", found=[graded.name], missing=[]), [], {})
        failed = [c for c in report.checks if not c["passed"] and not c["name"].startswith("hidden")]
        if failed and all(c.id in candidate.outputs for c in graded.cases if not c.hidden):
            mistake, platform_message = candidate, failed[0]["message"]
            break
    assert mistake is not None, f"{slug}: no catalogued mistake fails a published case"
    source = next(m.source for m in bundle.mistakes if m.key == mistake.key)
    submission = tmp_path / "answers.py"
    submission.write_text(bundle.text("reference") + "\n\n" + source)
    result = run_check(kit := unpack(slug, tmp_path), numpy_only, submission)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"\n{mistake.function}: FAILED\n" in result.stdout
    assert "  FAIL " + platform_message.replace("\n", "\n       ") in result.stdout, (platform_message, result.stdout)
    assert kit.is_dir()


@pytest.mark.parametrize("slug", NUMPY_BUNDLES)
def test_the_kits_untouched_notebook_gets_one_line_per_function(slug, tmp_path, numpy_only):
    bundle = load_bundle(bundle_folders()[slug])
    kit = unpack(slug, tmp_path)
    result = run_check(kit, numpy_only, kit / f"{slug}.ipynb")
    assert result.returncode == 1, result.stdout + result.stderr
    for graded in bundle.functions:
        section = result.stdout.split(f"\n{graded.name}: FAILED\n", 1)[1].split("\n\n", 1)[0]
        assert section == f"  FAIL {graded.name} still returns None: fill in the START/END CODE block.", section
