"""The whole path: HTTP upload -> database -> broker -> real Celery worker -> bwrap sandbox -> feedback rows."""
from __future__ import annotations

import time

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from grader.courses.models import Assignment
from grader.submissions.models import Submission
from tests import student_files as files

pytestmark = [pytest.mark.slow, pytest.mark.sandbox, pytest.mark.django_db(transaction=True)]
ASSIGNMENT_URL = "/courses/improving-dnn/optimization/"


@pytest.fixture
def student_client(client, celery_worker_process):
    call_command("seed_demo", "--skip-contract", stdout=open("/dev/null", "w"))
    client.force_login(get_user_model().objects.get(username="student"))
    return client


def upload(client, name: str, data: bytes) -> Submission:
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(ASSIGNMENT_URL + "submit", {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 302, response.content[:2000]
    submission = Submission.objects.latest("id")
    assert response["Location"] == reverse("submissions:detail", args=[submission.pk])
    return submission


def wait_graded(client, submission: Submission, timeout_s: float = 90, status: str = Submission.Status.GRADED) -> dict:
    """Polls the same JSON endpoint the page polls, and records every status it saw."""
    seen = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        state = client.get(reverse("submissions:status", args=[submission.pk])).json()
        if not seen or seen[-1] != state["status"]:
            seen.append(state["status"])
        if state["finished"]:
            submission.refresh_from_db()
            assert submission.status == status, submission.error_message
            return {r.name: r for r in submission.function_results.all()} | {"_seen": seen}  # functions and models
        time.sleep(0.05)
    pytest.fail(f"submission {submission.pk} not graded within {timeout_s} s (statuses seen: {seen})")


def test_correct_notebook_passes_every_function_and_page_shows_it(student_client):
    submission = upload(student_client, "Optimization_methods.ipynb", files.notebook())
    results = wait_graded(student_client, submission)
    seen = results.pop("_seen")
    assert seen[-1] == "graded"
    assert {name: r.status for name, r in results.items()} == {name: "passed" for name in results}
    assert sorted(r.kind for r in results.values()) == ["function"] * 6 + ["model"] * 3
    submission.refresh_from_db()
    assert submission.score == submission.max_score == Assignment.objects.get(slug="optimization").max_score
    assert any("IPython command ignored: %matplotlib inline" in note for note in submission.notes)
    assert any("import sklearn" in note for note in submission.notes)
    page = student_client.get(reverse("submissions:detail", args=[submission.pk])).content.decode()
    assert "update_parameters_with_adam" in page and "Score: 10.00 / 10.00" in page
    history = student_client.get(ASSIGNMENT_URL).content.decode()
    assert f">{submission.pk}</a>" in history


def test_one_wrong_function_fails_only_that_function(student_client):
    data = files.notebook(replace={"update_parameters_with_adam": files.ADAM_WITHOUT_BIAS_CORRECTION})
    results = wait_graded(student_client, upload(student_client, "adam.ipynb", data))
    results.pop("_seen")
    assert results["update_parameters_with_adam"].status == "failed"
    assert all(r.status == "passed" for name, r in results.items()
               if name != "update_parameters_with_adam" and r.kind == "function")
    failing = [c["message"] for c in results["update_parameters_with_adam"].checks if not c["passed"]]
    assert any('parameters["W1"]' in message and "largest error" in message for message in failing)


@pytest.mark.parametrize(
    "name, data, expect",
    [
        ("missing.ipynb", files.notebook(replace={"initialize_adam": None}),
         {"initialize_adam": ("missing", "was not found"), "update_parameters_with_gd": ("passed", "")}),
        ("raises.py", files.python_file(replace={"update_parameters_with_gd": files.GD_RAISES}),
         {"update_parameters_with_gd": ("error", "KeyError"), "initialize_adam": ("passed", "")}),
        ("global.py", files.python_file(replace={"initialize_velocity": files.VELOCITY_USES_GLOBAL}),
         {"initialize_velocity": ("error", "uses `num_layers`, which is not defined"), "initialize_adam": ("passed", "")}),
    ],
)
def test_bad_input_is_stored_and_explained(student_client, name, data, expect):
    submission = upload(student_client, name, data)
    results = wait_graded(student_client, submission)
    results.pop("_seen")
    assert Submission.objects.get(pk=submission.pk).file.read() == data  # nothing lost
    for function, result in results.items():
        if result.kind == "model":
            continue
        status, text = expect.get(function, expect.get("*", (None, None))) if function in expect or "*" in expect else (None, None)
        if status is None:
            continue
        assert result.status == status, (function, result.checks)
        messages = " ".join(c["message"] for c in result.checks)
        assert text in messages, (function, messages)
    page = student_client.get(reverse("submissions:detail", args=[submission.pk])).content.decode()
    assert "Score:" in page


@pytest.mark.parametrize(
    "name, data, text",
    [
        ("syntax.py", files.SYNTAX_ERROR_PY, "Syntax error at line 3"),
        ("broken.ipynb", b'{"cells": [', "not valid JSON"),
        ("other.ipynb", files.not_a_notebook(), "not a Jupyter notebook"),
        ("empty.py", b"", "The file is empty"),
        ("empty.ipynb", b"", "The file is empty"),
        ("binary.ipynb", bytes(range(256)) * 4, "binary file"),  # a known format (a PNG) is refused at upload
    ],
)
def test_an_unreadable_file_is_rejected_with_one_message_and_no_score(student_client, name, data, text):
    submission = upload(student_client, name, data)
    results = wait_graded(student_client, submission, status=Submission.Status.REJECTED)
    assert results.pop("_seen")[-1] == "rejected" and results == {}  # no "0 of N" cards
    submission.refresh_from_db()
    assert submission.score is None and text in submission.error_message
    assert submission.result["rejected"] == submission.error_message
    page = student_client.get(reverse("submissions:detail", args=[submission.pk])).content.decode()
    assert "Not graded: this file could not be read" in page and "Nothing is counted" in page
    assert "Score:" not in page and 'class="badge rejected"' in page


def test_upload_over_the_size_limit_is_refused_with_the_limit_named(student_client, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.GRADER_MAX_UPLOAD_BYTES = 100_000
    before = Submission.objects.count()
    response = student_client.post(ASSIGNMENT_URL + "submit", {"file": SimpleUploadedFile("big.ipynb", b"x" * 300_000)})
    assert response.status_code == 303
    assert "97.7 KiB" in student_client.get(response["Location"]).content.decode()
    assert Submission.objects.count() == before


def test_model_checks_join_the_page_after_the_functions_with_their_plots(student_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = student_client.post("/courses/improving-dnn/initialization/submit",
                                   {"file": SimpleUploadedFile("Initialization.ipynb", files.notebook("initialization"))})
    assert response.status_code == 302
    submission = Submission.objects.latest("id")
    results = wait_graded(student_client, submission, timeout_s=180)
    results.pop("_seen")
    models = {name: r for name, r in results.items() if r.kind == "model"}
    assert set(models) == {"zeros", "random", "he"}
    assert all(r.status == "passed" for r in results.values())
    assert models["he"].metrics["test_accuracy"] >= 0.96
    for which in ("cost", "boundary"):
        image = student_client.get(reverse("submissions:plot", args=[submission.pk, models["he"].pk, which]))
        assert image.status_code == 200 and b"".join(image.streaming_content).startswith(b"\x89PNG")
    page = student_client.get(reverse("submissions:detail", args=[submission.pk])).content.decode()
    from django.utils.html import escape

    he = models["he"]
    assert "Model-level checks" in page and he.about and escape(he.about) in page
    assert he.plot_alt["boundary"] and f'alt="{escape(he.plot_alt["boundary"])}"' in page  # the plot's facts
    assert f'alt="{escape(he.plot_alt["cost"])}"' in page and "the reference ends at" in he.plot_alt["cost"]
