"""A hostile student's view of everything they can reach: no hidden input and no expected value, ever.

The student's functions print their arguments (to stdout and stderr), return them as dictionary keys,
raise with them in the message, name a NameError and an exception class after them, and keep them
(in memory and in /tmp) for a visible case that comes after the hidden ones and raises with all it finds. The file is
graded through the real pipeline and sandbox; then every page and JSON endpoint the student can
reach from the home page (links, images, the live-status endpoints) is crawled, before and after
the due date, and no response may hold a hidden case's input or expected value in any of the ways a
page could print a float. Staff, who see what hidden cases printed, do see them: the proof that the
file really leaked them and that this test would notice.
"""
from __future__ import annotations

import html
import re
from datetime import timedelta

import numpy as np
import pytest
import tomli_w
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from grader.authoring.services import load_folder
from grader.courses.models import Assignment, Course, Enrollment
from grader.submissions import tasks
from grader.submissions.models import Submission
from tests.grader.authoring.bundles import write_bundle

pytestmark = [pytest.mark.slow, pytest.mark.sandbox, pytest.mark.django_db]

LATER = np.array([[48.91734, -63.28519, 17.31416]])            # relu, hidden, verdict after the due date
NOW_Z, NOW_SLOPE = np.array([[-27.43861, 39.02745]]), 0.3719    # leaky_relu, hidden, verdict at once
NEVER_Z, NEVER_SLOPE = np.array([[-58.17264, 12.64019, -91.35782]]), 0.6183  # leaky_relu, hidden, never revealed
MANIFEST = tomli_w.dumps({
    "slug": "activations", "title": "Activation functions", "environment": "numpy", "reference": "reference.py",
    "cases": "cases.py", "supplied": "supplied.py", "mistakes": "mistakes.toml", "job_files": ["act_utils.py"],
    "functions": [
        {"name": "relu", "points": 1, "outputs": ["A"], "cases": [
            {"id": "published", "args": [{"array": [[-1.0, 0.0, 2.0]]}]},
            {"id": "later", "args": "cases.py:later", "hidden": True, "reveal": "after_due"}]},
        {"name": "leaky_relu", "points": 2, "outputs": ["A"], "cases": [
            {"id": "published", "args": [{"array": [[-1.0, 0.5]]}, 0.1]},
            {"id": "now", "args": "cases.py:now", "hidden": True},
            {"id": "never", "args": "cases.py:never", "hidden": True, "reveal": "never"},
            {"id": "after", "args": [{"array": [[3.0, -4.0, 5.0, -6.0]]}, 0.25]}]},  # visible, after the hidden
    ]})
CASES = f"""import numpy as np


def later():
    return (np.array({LATER.tolist()}),)


def now():
    return (np.array({NOW_Z.tolist()}), {NOW_SLOPE!r})


def never():
    return (np.array({NEVER_Z.tolist()}), {NEVER_SLOPE!r})
"""
STUDENT = b'''import sys
import numpy as np


def relu(Z):
    print("relu got", Z, Z.tolist(), repr(Z))
    print("relu got", Z.tolist(), file=sys.stderr)
    if Z[0, 0] > 40:  # the hidden case: hand back a structure built from its input
        return {f"{Z[0, 0]}": Z, "sum": float(Z.sum())}
    return np.maximum(0, Z)


SEEN = []


def leaky_relu(Z, slope):
    print("leaky_relu got", Z, slope, Z.tolist())
    try:  # what earlier calls left behind, in this process or in /tmp
        left = open("/tmp/seen.txt").read()
    except OSError:
        left = ""
    SEEN.append(Z.tolist())
    with open("/tmp/seen.txt", "a") as handle:
        handle.write(f"{Z.tolist()} {slope}\\n")
    if Z.shape[1] == 4:  # the visible case after the hidden ones: its message is shown in full
        raise ValueError(f"earlier calls: {SEEN[:-1]} {left!r}")
    if Z.shape[1] == 2 and Z[0, 0] < -10:
        raise type(f"Saw_{int(abs(Z[0, 0]) * 1000)}", (ValueError,), {})(f"inputs {Z.tolist()} slope {slope!r}")
    if Z.shape[1] == 3:
        raise NameError(f"name 'v{int(abs(Z[0, 0]) * 1000)}' is not defined; slope {slope}")
    return np.where(Z > 0, Z, slope * Z)
'''


def renderings(value: float) -> set[str]:
    """How a page, a JSON document or NumPy could print the value; only forms with 4+ digits (no chance match)."""
    forms = {repr(value), str(value), f"{value:.6g}", f"{value:.5g}", f"{value:.4g}", f"{value:.8g}", f"{value:.4f}",
             f"{value:.3f}", f"{value:.2f}", f"{value:e}", f"{value:.3e}", f"{value:.2e}",
             np.format_float_positional(value), np.format_float_scientific(value), str(np.float32(value)),
             str(int(abs(value) * 1000)), f"{abs(value):.4g}"}
    return {form for form in forms if sum(ch.isdigit() for ch in form) >= 4}


def secrets() -> dict[str, str]:
    """Every rendering of every hidden input and expected output -> what it renders."""
    values = {"relu later input": LATER, "relu later expected": np.maximum(0, LATER),
              "leaky now input": NOW_Z, "leaky now slope": np.array(NOW_SLOPE),
              "leaky now expected": np.where(NOW_Z > 0, NOW_Z, NOW_SLOPE * NOW_Z),
              "leaky never input": NEVER_Z, "leaky never slope": np.array(NEVER_SLOPE),
              "leaky never expected": np.where(NEVER_Z > 0, NEVER_Z, NEVER_SLOPE * NEVER_Z)}
    found = {}
    for what, array in values.items():
        for value in np.ravel(array):
            if value != 0:
                found.update({form: f"{what} {float(value)!r}" for form in renderings(float(value))})
    return found


LINK = re.compile(r'(?:href|src|action|data-[\w-]+-url)="(/[^"]*)"')


def crawl(client, start: list[str]) -> dict[str, tuple[int, bytes]]:
    """Every same-site URL reachable from `start` by GET, with its status and body (log-out is not followed)."""
    queue, pages = list(start), {}
    while queue:
        url = html.unescape(queue.pop())
        if url in pages or url.startswith(("/accounts/logout", "/admin")):
            continue
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        pages[url] = (response.status_code, body)
        if response.status_code in (301, 302):
            queue.append(response["Location"])
        if response.get("Content-Type", "").startswith("text/html"):
            queue += LINK.findall(body.decode())
    return pages


def leaks(pages: dict[str, tuple[int, bytes]]) -> list[str]:
    table = secrets()
    return [f"{url}: {form!r} ({what})" for url, (_, body) in pages.items() for form, what in table.items()
            if form.encode() in body]


@pytest.fixture
def graded(client, tmp_path, monkeypatch, django_capture_on_commit_callbacks, settings):
    """The student's file uploaded through the form and graded by the worker's task, in the sandbox."""
    settings.GRADER_MODEL_CHECKS = False
    User = get_user_model()
    course = Course.objects.create(slug="dnn", title="Deep nets")
    student, teacher = User.objects.create_user("stu"), User.objects.create_user("teacher")
    Enrollment.objects.create(user=student, course=course)
    Enrollment.objects.create(user=teacher, course=course, role=Enrollment.Role.STAFF)
    folder = write_bundle(tmp_path / "bundle", **{"assignment.toml": MANIFEST, "cases.py": CASES})
    assignment = load_folder(course, folder, contract=False).version.assignment
    Assignment.objects.filter(pk=assignment.pk).update(due_at=timezone.now() + timedelta(days=1))
    sent = []
    monkeypatch.setattr(tasks.grade_submission, "apply_async", lambda args, **options: sent.append(args))
    client.force_login(student)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/courses/dnn/activations/submit", {"file": SimpleUploadedFile("mine.py", STUDENT)})
    assert response.status_code == 302
    tasks.grade_submission(*sent.pop())  # what the worker runs
    submission = Submission.objects.get()
    assert submission.status == "graded", submission.error_message
    return submission, student, teacher


def student_crawl(client, submission, student):
    client.force_login(student)
    pages = crawl(client, ["/", f"/submissions/{submission.pk}/status", f"/submissions/{submission.pk}/feedback"])
    reached = {url for url, (status, _) in pages.items() if status == 200}
    assert {"/", "/courses/dnn/activations/", f"/submissions/{submission.pk}/",
            f"/submissions/{submission.pk}/status", f"/submissions/{submission.pk}/feedback"} <= reached
    return pages


def test_nothing_a_student_can_reach_holds_a_hidden_input_or_expected_value(client, graded):
    submission, student, teacher = graded
    leaky = submission.function_results.get(name="leaky_relu")
    assert "Saw_27438" in " ".join(leaky.staff_notes) and leaky.status == "error"  # the file did what it says
    assert "earlier calls: [] ''" in " ".join(check["message"] for check in leaky.checks)  # each case: a fresh process

    before = student_crawl(client, submission, student)
    assert not leaks(before), "\n".join(leaks(before))
    page = before[f"/submissions/{submission.pk}/"][1].decode()
    assert re.search(r"All \d+ visible checks passed; \d+ hidden checks count toward your grade", page)
    assert "all tests passed" not in page.lower() and ">Passed</span>" not in page

    Assignment.objects.filter(pk=submission.assignment_id).update(due_at=timezone.now() - timedelta(minutes=1))
    after = student_crawl(client, submission, student)
    assert not leaks(after), "\n".join(leaks(after))
    page = after[f"/submissions/{submission.pk}/"][1].decode()
    assert "hidden case 2: wrong structure in A" in page  # relu's verdict is revealed; its input is not

    client.force_login(teacher)
    staff_page = client.get(f"/submissions/{submission.pk}/").content.decode()
    leaked_to_staff = {what.split(" ")[1] for form, what in secrets().items() if form in staff_page}
    assert {"later", "now", "never"} <= leaked_to_staff  # what hidden cases printed and raised: staff only
