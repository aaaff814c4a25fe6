"""Hidden verdicts with reveal "after_due" or "never" stay withheld from students until their time; staff see all."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import formats, timezone

from assignments.bundle import load_bundle
from grader.authoring.services import load_folder
from grader.courses.models import Assignment, Course, Enrollment, Extension
from grader.grading.setup import get_grader
from grader.submissions.models import FunctionResult, Submission
from grader.submissions.services import record_report
from tests.grader.authoring.bundles import activations, manifest, write_bundle

pytestmark = [pytest.mark.sandbox, pytest.mark.django_db]
# relu: published case shown now, hidden_wide after the due date; leaky_relu: hidden_slope never.
REVEALING = manifest(functions=activations(relu={"reveal": "after_due"}, leaky_relu={"reveal": "never"}))
# Right on the published cases, wrong on both hidden ones (only they hold values below -1.5).
WRONG_WHEN_LARGE = (b"import numpy as np\n\ndef relu(Z):\n    return np.maximum(0, Z) + (Z < -1.5)\n\n"
                    b"def leaky_relu(Z, slope):\n    return np.where(Z > 0, Z, slope * Z) + (Z < -1.5)\n")


@pytest.fixture
def graded(tmp_path):
    bundle = load_bundle(write_bundle(tmp_path / "bundle", **{"assignment.toml": REVEALING}))
    report = get_grader().grade(bundle, "student.py", WRONG_WHEN_LARGE)
    User = get_user_model()
    student, teacher = User.objects.create(username="s"), User.objects.create(username="t")
    course = Course.objects.create(slug="c", title="C")
    Enrollment.objects.create(user=student, course=course)
    Enrollment.objects.create(user=teacher, course=course, role=Enrollment.Role.STAFF)
    assignment = Assignment.objects.create(course=course, slug="activations", title="A",
                                           due_at=timezone.now() + timedelta(days=2))
    submission = Submission.objects.create(user=student, assignment=assignment, original_name="student.py", size_bytes=1)
    record_report(submission, report)
    return report, submission, student, teacher


def test_the_document_marks_late_revealed_checks_and_counts_every_case(graded):
    report, *_ = graded
    relu = report.document()["functions"]["relu"]
    assert relu["score"] == 0.5 and relu["status"] == "failed"
    assert [c["passed"] for c in relu["cases"]] == [True, False]
    assert [c.get("reveal") for c in relu["checks"] if c["name"].startswith("hidden")] == ["after_due"] * 4


def page(client, user, submission):
    client.force_login(user)
    return client.get(f"/submissions/{submission.pk}/").content.decode(), client.get(f"/submissions/{submission.pk}/status").json()


def test_before_the_due_date_a_student_sees_visible_verdicts_only(client, graded):
    _, submission, student, teacher = graded
    html, status = page(client, student, submission)
    assert "Score on the checks you can see: 3.00 / 3.00" in html
    assert "hidden case 2" not in html and "hidden checks count toward your grade (their verdicts show after your due date" in html
    assert "are not shown" in html  # leaky_relu's hidden case never reveals
    assert status["score"] == 3.0 and status["score_is_visible_checks_only"] is True
    html, status = page(client, teacher, submission)
    assert "hidden case 2" in html and status["score"] == 1.5 and status["score_is_visible_checks_only"] is False


def test_after_the_due_date_after_due_verdicts_show_and_never_ones_do_not(client, graded):
    _, submission, student, _ = graded
    Assignment.objects.filter(pk=submission.assignment_id).update(due_at=timezone.now() - timedelta(minutes=1))
    html, status = page(client, student, submission)
    relu = FunctionResult.objects.get(submission=submission, name="relu")
    assert "hidden case 2: wrong values in A." in html and relu.score == 0.5
    assert "are not shown" in html and status["score"] == 0.5 + 2.0



def test_visible_checks_that_all_pass_never_read_as_passed_while_hidden_ones_wait(client, graded, tmp_path):
    _, submission, student, teacher = graded
    load_folder(submission.assignment.course, tmp_path / "bundle", contract=False)  # published: the lists show it
    html, _ = page(client, student, submission)
    relu = html.split('id="fn-relu"')[1].split('id="fn-leaky_relu"')[0]
    assert re.search(r"All \d+ visible checks passed; \d+ hidden checks count toward your grade", relu)
    assert ">Visible checks passed</span>" in relu and ">Passed</span>" not in html
    assert "points on visible checks" in relu
    for listing in ("/", "/courses/c/activations/"):  # a total must not give away what the cards withhold
        text = client.get(listing).content.decode()
        assert re.search(r"3.00 / 3.00 (<span class=\"muted\">)?on visible checks; hidden checks pending", text)
        assert "1.50" not in text
    html, _ = page(client, teacher, submission)
    assert "All" not in html.split('id="fn-relu"')[1].split("</div>")[0] and ">Failed</span>" in html


def test_a_students_extension_keeps_after_due_verdicts_withheld_until_their_own_due_date(client, graded):
    _, submission, student, teacher = graded
    assignment = submission.assignment
    Assignment.objects.filter(pk=assignment.pk).update(due_at=timezone.now() - timedelta(hours=1))
    extension = Extension.objects.create(user=student, assignment=assignment, due_at=timezone.now() + timedelta(days=1),
                                         granted_by=teacher)
    html, status = page(client, student, submission)
    assert "hidden case 2" not in html and status["score_is_visible_checks_only"] is True
    assert formats.date_format(extension.due_at, "DATETIME_FORMAT") in html  # their own due date is named
    Extension.objects.filter(pk=extension.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    html, status = page(client, student, submission)
    assert "hidden case 2: wrong values in A." in html and status["score"] == 0.5 + 2.0


# Wrong on relu's published case; raises on its hidden case (only it holds values below -1.5).
WRONG_AND_RAISING = (b"import numpy as np\n\ndef relu(Z):\n    if Z.min() < -1.5:\n        raise ValueError('no')\n"
                     b"    return 2 * np.maximum(0, Z)\n\n"
                     b"def leaky_relu(Z, slope):\n    return np.where(Z > 0, Z, slope * Z)\n")


def test_a_withheld_case_that_raised_does_not_show_in_the_cards_status(client, tmp_path):
    bundle = load_bundle(write_bundle(tmp_path / "bundle", **{"assignment.toml": REVEALING}))
    report = get_grader().grade(bundle, "student.py", WRONG_AND_RAISING)
    relu = report.document()["functions"]["relu"]
    assert relu["status"] == "error" and [c["status"] for c in relu["cases"]] == ["failed", "error"]
    User = get_user_model()
    student = User.objects.create(username="s")
    course = Course.objects.create(slug="c", title="C")
    Enrollment.objects.create(user=student, course=course)
    assignment = Assignment.objects.create(course=course, slug="activations", title="A",
                                           due_at=timezone.now() + timedelta(days=2))
    submission = Submission.objects.create(user=student, assignment=assignment, original_name="student.py", size_bytes=1)
    record_report(submission, report)
    html, _ = page(client, student, submission)
    card = html.split('id="fn-relu"')[1].split('id="fn-leaky_relu"')[0]
    assert '<span class="badge failed">Failed</span>' in card and "raised" not in card
    Assignment.objects.filter(pk=assignment.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    html, _ = page(client, student, submission)
    assert '<span class="badge error">Error</span>' in html.split('id="fn-relu"')[1].split('id="fn-leaky_relu"')[0]
