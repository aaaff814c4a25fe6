"""A student's pages say which submission counts, its score after any late penalty, and their extension."""
from datetime import timedelta

import pytest
from django.utils import timezone

from grader.courses.models import Assignment, Extension
from grader.grading.feedback import FunctionReport, Report
from grader.submissions import services
from tests.grader.submissions import grading_rows as rows

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@pytest.fixture
def due():
    return (timezone.now() + 10 * DAY).replace(microsecond=0)


@pytest.fixture
def course():
    return rows.course()


@pytest.fixture
def ada(course):
    return rows.person("ada", course)


def test_the_assignment_page_marks_the_counting_submission_and_states_the_rule(client, course, ada, due):
    adam = rows.assignment(course, due_at=due)
    rows.submitted(ada, adam, 4, due - 2 * HOUR)
    best = rows.submitted(ada, adam, 9, due - HOUR)
    regrade = rows.graded(services.regrade(best), 9.5)
    client.force_login(ada)
    page = client.get("/courses/dnn/adam/").content.decode()
    assert "Your best submission counts." in page
    assert "Counting score: <strong>9.50 / 10.00</strong>" in page
    assert f'href="/submissions/{regrade.pk}/">#{regrade.pk}' in page
    assert page.count("<strong>counts</strong>") == 1
    assert f'<tr class="counting"><td><a href="/submissions/{regrade.pk}/">' in page
    assert f"regrade of #{best.pk}" in page and "replaced by a later grading" in page


def test_the_latest_rule_and_the_late_penalty_are_spelled_out(client, course, ada, due):
    adam = rows.assignment(course, due_at=due, counting=Assignment.Counting.LATEST,
                           late_policy=Assignment.LatePolicy.PENALTY, late_penalty_percent=15)
    rows.submitted(ada, adam, 9, due - HOUR)
    rows.submitted(ada, adam, 8, due + 2 * DAY + HOUR)
    client.force_login(ada)
    page = client.get("/courses/dnn/adam/").content.decode()
    assert "Your latest submission counts." in page and "loses 15% of its score per day" in page
    assert "Counting score: <strong>4.40 / 10.00</strong>" in page
    assert "submitted 3 days late: a late penalty of 45% took 3.60 points off 8.00" in page
    home = client.get("/").content.decode()
    assert "4.40 / 10.00 (late, &minus;45%)" in home and "latest submission counts" in home


def test_the_student_sees_their_extension(client, course, ada, due):
    adam = rows.assignment(course, due_at=due, late_policy=Assignment.LatePolicy.PENALTY, late_penalty_percent=50)
    Extension.objects.create(user=ada, assignment=adam, due_at=due + 2 * DAY, reason="ill")
    rows.submitted(ada, adam, 10, due + DAY)
    client.force_login(ada)
    page = client.get("/courses/dnn/adam/").content.decode()
    extended = (due + 2 * DAY).strftime("%Y-%m-%d %H:%M")
    assert f"Due {extended} UTC: your due date was extended from {due:%Y-%m-%d %H:%M}" in page
    assert "Counting score: <strong>10.00 / 10.00</strong>" in page
    assert "day late" not in page and "late penalty" not in page
    assert f"your due date is extended to {extended} UTC" in client.get("/").content.decode()


def test_an_unrevealed_hidden_verdict_keeps_the_counting_score_to_the_visible_checks(client, course, ada, due):
    adam = rows.assignment(course, due_at=due)
    row = rows.upload(ada, adam, due - HOUR)
    row.advance(row.Status.RUNNING)
    services.record_report(row, Report(assignment="adam", functions=[FunctionReport(
        name="update_parameters_with_adam", status="failed", score=5.0, max_score=10.0,
        checks=[{"name": "published", "passed": True, "message": ""},
                {"name": "hidden", "passed": False, "message": "", "reveal": "after_due"}],
        cases=[{"hidden": False, "reveal": "now", "passed": True},
               {"hidden": True, "reveal": "after_due", "passed": False}])]))
    client.force_login(ada)
    page = client.get("/courses/dnn/adam/").content.decode()
    assert "10.00 / 10.00 over the checks you can see now" in page
    assert "5.00" not in page
    assert "5.00" not in client.get("/").content.decode().split("<table>")[1].split("</td>")[3]


def test_the_upload_limit_is_shown_without_failed_uploads(client, course, ada, due):
    adam = rows.assignment(course, due_at=due, max_submissions=3)
    rows.failed(rows.upload(ada, adam))
    rows.submitted(ada, adam, 5)
    client.force_login(ada)
    assert "Uploads: 1 of 3 used" in client.get("/courses/dnn/adam/").content.decode()


def test_the_starter_link_shows_only_when_the_version_has_a_starter(client, course, ada):
    from django.core.files.base import ContentFile

    from grader.authoring.models import AssignmentVersion, BundleFile

    adam = rows.assignment(course)
    client.force_login(ada)
    page = client.get("/courses/dnn/adam/").content.decode()
    assert "Download the starter notebook" not in page and client.get("/courses/dnn/adam/starter-kit.zip").status_code == 404
    version = AssignmentVersion.objects.create(assignment=adam, number=99, slug="adam", title="Adam", manifest={},
                                               digest="starter-test")
    row = BundleFile(version=version, role=BundleFile.Role.STARTER, name="starter.ipynb", sha256="0" * 64, size_bytes=2)
    row.file.save("starter.ipynb", ContentFile(b"{}"), save=False)
    row.save()
    type(adam).objects.filter(pk=adam.pk).update(current_version=version)
    assert "Download the starter notebook" in client.get("/courses/dnn/adam/").content.decode()
