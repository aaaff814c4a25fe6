"""`manage.py grade` grades a file through the same pipeline and sandbox as the web."""
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from assignments import bundle_folders
from tests import student_files as files

pytestmark = [pytest.mark.sandbox, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def loaded():
    folders = [str(bundle_folders()[slug]) for slug in ("optimization", "softmax-batchnorm")]
    call_command("load_assignments", *folders, "--skip-contract", stdout=StringIO())


@pytest.fixture
def functions_only(monkeypatch):
    """The CLI's Grader without model checks, for tests about the function cards (the Grader is built once per
    process, so the setting alone would not reach it)."""
    import dataclasses

    from grader.grading.setup import get_grader
    from grader.submissions.management.commands import grade as command

    monkeypatch.setattr(command, "get_grader", lambda: dataclasses.replace(get_grader(), model_checks=False))


def grade(tmp_path, name: str, data: bytes, slug: str = "optimization") -> dict:
    path = tmp_path / name
    path.write_bytes(data)
    out = StringIO()
    call_command("grade", str(path), "--assignment", slug, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_correct_file_passes_every_function(tmp_path):
    document = grade(tmp_path, "correct.py", files.python_file())
    assert document["assignment"] == "optimization"
    assert document["score"] == document["max_score"] == 10.0
    assert {f["status"] for f in document["functions"].values()} == {"passed"}
    assert set(document["functions"]) == {
        "update_parameters_with_gd", "random_mini_batches", "initialize_velocity",
        "update_parameters_with_momentum", "initialize_adam", "update_parameters_with_adam",
    }
    for result in document["functions"].values():
        assert set(result) >= {"status", "score", "max_score", "checks", "hint"}
        assert all(set(check) == {"name", "passed", "message"} for check in result["checks"])


def test_adam_without_bias_correction_fails_exactly_that_function_naming_the_keys(tmp_path, functions_only):
    data = files.python_file(replace={"update_parameters_with_adam": files.ADAM_WITHOUT_BIAS_CORRECTION})
    document = grade(tmp_path, "adam.py", data)
    statuses = {name: f["status"] for name, f in document["functions"].items()}
    assert [name for name, status in statuses.items() if status != "passed"] == ["update_parameters_with_adam"]
    adam = document["functions"]["update_parameters_with_adam"]
    assert adam["status"] == "failed" and adam["score"] == 0
    values = next(c for c in adam["checks"] if c["name"] == "published case: values")
    for key in ('parameters["W1"]', 'parameters["b1"]', 'parameters["W2"]', 'parameters["b2"]'):
        assert key in values["message"]
    assert "(1 - beta1**t)" in adam["hint"]


def test_hidden_case_messages_never_show_values(tmp_path, functions_only):
    data = files.python_file(replace={"update_parameters_with_adam": files.ADAM_WITHOUT_BIAS_CORRECTION})
    adam = grade(tmp_path, "adam.py", data)["functions"]["update_parameters_with_adam"]
    hidden = [c["message"] for c in adam["checks"] if c["name"].startswith("hidden") and not c["passed"]]
    assert hidden and all("largest error" not in m and "expected" not in m for m in hidden)
    assert "hidden check" in adam["summary"]


def test_unreadable_notebook_still_completes_with_exit_zero_and_a_message(tmp_path):
    document = grade(tmp_path, "broken.ipynb", b"{not json")
    assert document["score"] == 0 and "not valid JSON" in document["rejected"]
    assert all(f["status"] == "error" and "not valid JSON" in f["checks"][0]["message"]
               for f in document["functions"].values())


def test_unknown_assignment_slug_is_a_clear_command_error(tmp_path):
    path = tmp_path / "a.py"
    path.write_text("x = 1\n")
    with pytest.raises(CommandError, match="unknown assignment 'optimisation'; loaded assignments: optimization, softmax-batchnorm"):
        call_command("grade", str(path), "--assignment", "optimisation", "--json")


def grade_both_ways(tmp_path, slug: str, data: bytes) -> tuple[dict, dict]:
    path = tmp_path / "submission.py"
    path.write_bytes(data)
    documents = []
    for how in (["--assignment", slug], ["--bundle", str(bundle_folders()[slug])]):
        out = StringIO()
        call_command("grade", str(path), *how, "--json", stdout=out)
        documents.append(json.loads(out.getvalue()))
    return documents[0], documents[1]


def test_a_loaded_assignment_and_its_folder_grade_alike(tmp_path):
    data = files.python_file("softmax-batchnorm", header="import numpy as np\n")
    loaded, folder = grade_both_ways(tmp_path, "softmax-batchnorm", data)
    assert loaded == folder
    assert loaded["assignment"] == "softmax-batchnorm" and loaded["score"] == loaded["max_score"] > 0


def test_a_broken_bundle_folder_is_refused_with_every_problem(tmp_path):
    folder = tmp_path / "bundle"
    folder.mkdir()
    (folder / "assignment.toml").write_text('slug = "Bad Slug"\ntitle = ""\nreference = "missing.py"\n')
    path = tmp_path / "a.py"
    path.write_text("x = 1\n")
    with pytest.raises(CommandError) as raised:
        call_command("grade", str(path), "--bundle", str(folder), "--json")
    message = str(raised.value)
    for problem in ("assignment.toml.slug", "assignment.toml.title", "'environment' is missing",
                    "reference = 'missing.py': no such file", "the bundle grades no function"):
        assert problem in message
