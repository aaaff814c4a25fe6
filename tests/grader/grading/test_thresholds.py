"""A case with a threshold judges the returned number by its bound, not by the reference's value."""
from __future__ import annotations

import pytest

from assignments.bundle import load_bundle
from grader.grading.setup import get_grader
from tests.grader.authoring.bundles import function, manifest

pytestmark = pytest.mark.sandbox

BOUND = {"threshold": {"op": "<", "value": 2e-7}}
DIFFERENCE = {**function("difference", 2, [3.0], [40.0], **BOUND), "outputs": ["difference"]}
DIFFERENCE["cases"][0].update(BOUND)
MANIFEST = manifest("check", [DIFFERENCE], cases=None, supplied=None, mistakes=None, job_files=None)
REFERENCE = "def difference(x):\n    return 1e-9 * x\n"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    folder = tmp_path_factory.mktemp("check")
    (folder / "assignment.toml").write_text(MANIFEST)
    (folder / "reference.py").write_text(REFERENCE)
    return load_bundle(folder)


def grade(bundle, body: str) -> dict:
    source = f"def difference(x):\n    {body}\n".encode()
    return get_grader().grade(bundle, "student.py", source).document()["functions"]["difference"]


def test_any_value_under_the_bound_passes_though_it_differs_from_the_reference(bundle):
    result = grade(bundle, "return 5e-8")
    assert result["status"] == "passed" and result["score"] == 2.0
    assert "published case: the value is < 2e-07." in [c["message"] for c in result["checks"]]


def test_a_value_over_the_bound_fails_saying_so_and_hidden_bounds_stay_unnamed(bundle):
    result = grade(bundle, "return 1e-8 * x")  # 3e-8 on the published case, 4e-7 on the hidden one
    assert result["status"] == "failed" and result["score"] == 1.0
    hidden = [c["message"] for c in result["checks"] if not c["passed"]]
    assert hidden == ["hidden case 2: wrong values in difference."]
    result = grade(bundle, "return float('nan')")
    assert "published case: difference is nan; it must be < 2e-07." in [c["message"] for c in result["checks"]]
