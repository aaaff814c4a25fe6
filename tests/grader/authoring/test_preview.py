"""The preview of a version: values rendered compactly; builders, reference and mistakes run in the sandbox only."""
from __future__ import annotations

import numpy as np
import pytest

from grader.authoring import preview, version_jobs
from grader.authoring.services import load_folder
from grader.authoring.tasks import preview_version
from grader.courses.models import Course
from tests.grader.authoring.bundles import CASES, write_bundle


def test_a_large_array_shows_its_shape_dtype_and_a_few_values():
    text = preview.render(np.arange(1000, dtype=np.float32).reshape(10, 100))
    assert text.startswith("float32 (10, 100)\n")
    assert "..." in text and "999." in text and len(text) < 300


def test_dicts_and_tuples_show_each_member():
    text = preview.render({"W1": np.zeros((2, 3)), "b1": np.ones((2, 1)), "lr": 0.01})
    assert "W1: float64 (2, 3)" in text and "b1: float64 (2, 1)" in text and "lr: 0.01" in text
    assert preview.render((np.float64(2.5), [1, 2])).startswith("tuple of 2:")
    assert preview.render(np.float64(2.5)) == "2.5 (float64)"


def test_parameter_names_come_from_the_reference_def_read_not_run():
    assert preview.parameter_names("def leaky_relu(Z, slope):\n    return Z\n", "leaky_relu") == ["Z", "slope"]
    assert preview.parameter_names("def (", "f") == []


@pytest.mark.sandbox
@pytest.mark.django_db
def test_the_preview_is_computed_by_the_task_and_no_bundle_code_runs_outside_the_sandbox(tmp_path):
    canary = tmp_path / "canary"
    course = Course.objects.create(slug="preview-course", title="Preview")
    version = load_folder(course, write_bundle(tmp_path / "bundle", canary=canary), draft=True).version
    preview_version(version.pk)  # in this process: what bundle code there is must run in the sandbox
    assert not canary.exists()
    record = version_jobs.read(preview.KIND, version.digest)
    assert record.state == version_jobs.DONE
    relu, leaky = record.result["functions"]
    hidden = leaky["cases"][1]
    assert (hidden["id"], hidden["hidden"], hidden["source"]) == ("hidden", True, "cases.py:slope")
    assert [v["label"] for v in hidden["inputs"]] == ["Z", "slope"] and hidden["inputs"][1]["text"] == "0.3"
    assert hidden["expected"][0]["text"].startswith("float64 (2, 5)\n[[-0.6 ")
    mistake = relu["mistakes"][0]
    assert mistake["key"] == "relu_minimum" and "largest error" in mistake["cases"][1]["difference"]


@pytest.mark.sandbox
@pytest.mark.django_db
def test_a_builder_that_raises_leaves_its_traceback_for_staff(tmp_path):
    course = Course.objects.create(slug="broken-course", title="Broken")
    broken = CASES.format(prefix="") + "\n\ndef wide():\n    raise ValueError('no grid today')\n"
    version = load_folder(course, write_bundle(tmp_path / "bundle", **{"cases.py": broken}), draft=True).version
    preview_version(version.pk)
    record = version_jobs.read(preview.KIND, version.digest)
    assert record.state == version_jobs.FAILED
    assert "BundleProblem" in record.error and "no grid today" in record.error
