"""Files real students upload (tests/data/students/cases/, README.md there says what each is): each ends as a good
grader ends it, through the `grade` CLI and through the web path (upload, the grading task, the stored cards).

Every file is a correct solution with one thing changed about the file itself, so each gets full marks, except
the notebook whose gradient_check cell was switched to Markdown: that function is missing, and its card names
the cell and says to switch it back to Code.
"""
from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from assignments import bundle_folders

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]

CASES = Path(__file__).resolve().parents[2] / "data" / "students" / "cases"
SLUGS = {  # the README's table
    "01_percent-continuation.py": "optimization", "02_line-separator-in-comment.ipynb": "gradient-checking",
    "03_cell-turned-markdown.ipynb": "gradient-checking", "04_bom.ipynb": "gradient-checking",
    "04b_bom-crlf.py": "optimization", "05_latin1-coding-cookie.py": "optimization",
    "06_cell-metadata-list.ipynb": "gradient-checking", "07_source-string-no-execcount.ipynb": "gradient-checking",
    "08_no-outputs-key.ipynb": "gradient-checking", "09_nbformat-v3.ipynb": "gradient-checking",
    "11_notebook-saved-as.py": "gradient-checking", "11b_script-saved-as.ipynb": "gradient-checking",
    "12_module-constants.py": "optimization", "14_numpy2-pow.ipynb": "optimization", "15_float32.py": "optimization",
    "16_keyword-call-to-helper.ipynb": "gradient-checking", "17_colab-export.ipynb": "gradient-checking",
    "20_cell-missing-source.ipynb": "gradient-checking",
}
INTERNAL = ("Traceback", "stand_in", "<locals>", "KeyError", "AttributeError: 'list'", "problem on our side")


def expect(name: str, functions: dict) -> None:
    """functions: name -> (status, every message of its card joined)."""
    everything = " ".join(text for _, text in functions.values())
    assert not any(word in everything for word in INTERNAL), (name, everything[:500])
    if name == "03_cell-turned-markdown.ipynb":
        status, text = functions.pop("gradient_check")
        assert status == "missing" and "Markdown cell `# GRADED FUNCTION: gradient_check`" in text and "Code" in text, text
    assert {function: status for function, (status, _) in functions.items()} == \
        {function: "passed" for function in functions}, name


def test_every_case_of_the_readme_is_here():
    assert sorted(SLUGS) == sorted(p.name for p in CASES.iterdir() if p.name != "README.md")


@pytest.mark.parametrize("name", sorted(SLUGS))
def test_the_cli_ends_each_file_as_a_good_grader_does(name, monkeypatch):
    from grader.grading.setup import get_grader
    from grader.submissions.management.commands import grade

    # The process's Grader is built once (get_grader is cached), maybe with model checks on by an earlier test:
    # these files are about reading, so nothing is trained.
    monkeypatch.setattr(grade, "get_grader", lambda: dataclasses.replace(get_grader(), model_checks=False))
    out = io.StringIO()
    call_command("grade", str(CASES / name), "--bundle", str(bundle_folders()[SLUGS[name]]), "--json", stdout=out)
    document = json.loads(out.getvalue())
    expect(name, {function: (card["status"], " ".join([c["message"] for c in card["checks"]] + [card.get("hint") or ""]))
                  for function, card in document["functions"].items()})


@pytest.mark.django_db(transaction=True)
def test_the_web_path_ends_each_file_the_same_way(client, monkeypatch, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from grader.grading.setup import get_grader
    from grader.submissions import tasks
    from grader.submissions.models import Submission

    call_command("seed_demo", "--skip-contract", stdout=io.StringIO())
    client.force_login(get_user_model().objects.get(username="student"))
    sent = []
    monkeypatch.setattr(tasks.grade_submission, "apply_async", lambda args, **options: sent.append(args))
    monkeypatch.setattr(tasks, "get_grader", lambda: dataclasses.replace(get_grader(), model_checks=False))
    for name in sorted(SLUGS):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/courses/improving-dnn/{SLUGS[name]}/submit",
                                   {"file": SimpleUploadedFile(name, (CASES / name).read_bytes())})
        assert response.status_code == 302, name
        tasks.grade_submission(*sent.pop())  # what the worker runs
        submission = Submission.objects.latest("id")
        assert submission.status == Submission.Status.GRADED, (name, submission.error_message)
        expect(name, {r.name: (r.status, " ".join([c["message"] for c in r.checks] + [r.hint or ""]))
                      for r in submission.function_results.all()})
        assert client.get(response["Location"]).status_code == 200  # the page with the cards
