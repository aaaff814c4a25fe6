"""A student's pages say which submission counts, its score after any late penalty, and their extension."""
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
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
    assert page.count("Counts (best)") == 1
    assert f'<tr class="counting"><td data-label="Submission"><a href="/submissions/{regrade.pk}/">' in page
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
    assert "4.40 / 10.00</strong> (late, &minus;45%)" in home and "your latest submission counts" in home


def test_the_student_sees_their_extension(client, course, ada, due):
    adam = rows.assignment(course, due_at=due, late_policy=Assignment.LatePolicy.PENALTY, late_penalty_percent=50)
    Extension.objects.create(user=ada, assignment=adam, due_at=due + 2 * DAY, reason="ill")
    rows.submitted(ada, adam, 10, due + DAY)
    client.force_login(ada)
    page = client.get("/courses/dnn/adam/").content.decode()
    extended = (due + 2 * DAY).strftime("%Y-%m-%d %H:%M")
    assert f"Due <time datetime=\"{(due + 2 * DAY).isoformat()}\" data-local=\"minutes\">{extended} UTC</time>" in page
    assert f"You have an extension: your due date moved from <time datetime=\"{due.isoformat()}\"" in page
    assert "Counting score: <strong>10.00 / 10.00</strong>" in page
    assert "day late" not in page and "late penalty" not in page
    home = client.get("/").content.decode()
    assert f"{extended} UTC</time>" in home and "extended for you from" in home


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
    row = client.get("/").content.decode().split('id="assignment-adam"')[1].split("</tr>")[0]
    assert "10.00 / 10.00 on visible checks" in row and "5.00" not in row


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


def _row(page: str, slug: str) -> str:
    return page.split(f'id="assignment-{slug}"')[1].split("</tr>")[0]


def test_the_home_page_lists_assignments_in_the_course_order_with_points_status_and_what_counts(client, course, ada, due):
    later = rows.assignment(course, slug="adam", order=2, title="Adam", due_at=due)
    first = rows.assignment(course, slug="zeta", order=1, title="Zeta first", due_at=due,
                            counting=Assignment.Counting.LATEST)
    rows.assignment(course, slug="momentum", order=3, title="Momentum")
    best = rows.submitted(ada, later, 8, due - 2 * HOUR)
    rows.submitted(ada, later, 6, due - HOUR)
    rows.upload(ada, first)
    client.force_login(ada)
    page = client.get("/").content.decode()
    assert page.index('id="assignment-zeta"') < page.index('id="assignment-adam"') < page.index('id="assignment-momentum"')
    adam = _row(page, "adam")
    assert f'<a href="/submissions/{best.pk}/">#{best.pk}</a>:' in adam and "<strong>8.00 / 10.00</strong>" in adam
    assert "your best submission counts" in adam and "10.00</td>" in adam and ">Graded<" in adam
    zeta = _row(page, "zeta")
    assert ">Waiting<" in zeta and "nothing graded yet" in zeta and "your latest submission counts" in zeta
    assert ">Not submitted<" in _row(page, "momentum") and "no due date" in _row(page, "momentum")


def test_due_date_time_left_and_late_status_on_the_home_and_assignment_pages(client, course, ada):
    now = timezone.now()
    rows.assignment(course, slug="adam", due_at=now + 2 * DAY + 3 * HOUR + timedelta(minutes=1))
    gone = rows.assignment(course, slug="momentum", order=1, due_at=now - 5 * HOUR - timedelta(minutes=1))
    rows.submitted(ada, gone, 7, now - HOUR)
    client.force_login(ada)
    home = client.get("/").content.decode()
    assert "2 days 3 hours left" in _row(home, "adam")
    assert "due 5 hours 1 minute ago" in _row(home, "momentum") and ">Late<" in _row(home, "momentum")
    assert "(late)" in _row(home, "momentum")
    page = client.get("/courses/dnn/adam/").content.decode()
    assert "Due <time" in page and "(2 days 3 hours left)" in page and "Late work is accepted and marked late." in page
    late = client.get("/courses/dnn/momentum/").content.decode()
    assert "Past due" in late and "(due 5 hours 1 minute ago)" in late


def test_a_late_upload_is_marked_late_in_the_history_and_on_its_page(client, course, ada, due):
    adam = rows.assignment(course, due_at=due)
    on_time = rows.submitted(ada, adam, 5, due - HOUR)
    late = rows.submitted(ada, adam, 9, due + DAY + HOUR)
    client.force_login(ada)
    history = client.get("/courses/dnn/adam/").content.decode().split('id="history"')[1]
    late_row = history.split(f'href="/submissions/{late.pk}/"')[1].split("</tr>")[0]
    on_time_row = history.split(f'href="/submissions/{on_time.pk}/"')[1].split("</tr>")[0]
    assert '<span class="badge late">Late</span> <span class="muted">2 days</span>' in late_row
    assert "Late" not in on_time_row
    card = client.get(f"/submissions/{late.pk}/").content.decode()
    assert '<span class="badge late">Late</span>' in card and "2 days after the due date" in card
    assert "badge late" not in client.get(f"/submissions/{on_time.pk}/").content.decode()


def test_the_history_is_paginated_and_the_file_name_downloads_the_upload(client, course, ada):
    adam = rows.assignment(course)
    uploads = [rows.upload(ada, adam, content=f"x = {n}\n".encode(), name=f"try{n}.py") for n in range(12)]
    client.force_login(ada)
    first = client.get("/courses/dnn/adam/").content.decode().split('id="history"')[1]
    assert first.count('data-label="Submission"') == 10 and "Page 1 of 2" in first
    assert 'href="?page=2#history" rel="next">Older submissions' in first
    second = client.get("/courses/dnn/adam/?page=2").content.decode().split('id="history"')[1]
    assert second.count('data-label="Submission"') == 2
    assert f'href="/submissions/{uploads[0].pk}/"' in second and f'href="/submissions/{uploads[0].pk}/"' not in first
    assert f'<a href="/submissions/{uploads[0].pk}/file" download>try0.py</a>' in second
    response = client.get(f"/submissions/{uploads[0].pk}/file")
    assert b"".join(response.streaming_content) == b"x = 0\n"
    assert 'filename="try0.py"' in response["Content-Disposition"]
    client.force_login(rows.person("eve", course))
    assert client.get(f"/submissions/{uploads[0].pk}/file").status_code == 404


def test_times_are_machine_readable_and_labelled_utc_before_the_script_localises_them(client, course, ada, due):
    adam = rows.assignment(course, due_at=due)
    row = rows.upload(ada, adam, due - HOUR)
    client.force_login(ada)
    page = client.get("/courses/dnn/adam/").content.decode()
    at = row.created_at
    assert f'<time datetime="{at.isoformat()}" data-local="seconds">{at:%Y-%m-%d %H:%M:%S} UTC</time>' in page
    assert "Intl.DateTimeFormat" in page


def test_a_refused_upload_redirects_to_the_form_with_the_error_tied_to_the_input_and_a_reload_keeps_it(client, course, ada):
    rows.assignment(course)
    client.force_login(ada)
    response = client.post("/courses/dnn/adam/submit", {"file": SimpleUploadedFile("notes.txt", b"hello")})
    assert response.status_code == 303
    target = response["Location"]
    assert target.startswith("/courses/dnn/adam/?upload=") and target.endswith("#id_file")
    for _ in range(2):  # the page, then a reload of it
        page = client.get(target).content.decode()
        assert '<p class="errorlist" id="upload-error" role="alert"><strong>Not uploaded:</strong> Upload a Jupyter' in page
        assert 'aria-invalid="true" aria-describedby="upload-error" autofocus' in page
    plain = client.get("/courses/dnn/adam/").content.decode()
    assert "Not uploaded" not in plain and "aria-describedby" not in plain
    ok = client.post("/courses/dnn/adam/submit", {"file": SimpleUploadedFile("adam.py", b"x = 1\n")})
    assert ok.status_code == 302
    assert "Not uploaded" not in client.get(target).content.decode()  # a later upload went through


def test_the_upload_form_starts_fresh_after_back(client, course, ada):
    rows.assignment(course)
    client.force_login(ada)
    page = client.get("/courses/dnn/adam/").content.decode()
    assert 'autocomplete="off"' in page and 'addEventListener("pageshow"' in page and "form.reset()" in page


def test_a_failed_login_ties_its_error_to_the_fields(client, course):
    rows.person("bob", course, password="right-password")
    page = client.post("/accounts/login/", {"username": "bob", "password": "wrong"}).content.decode()
    assert '<p class="errorlist" id="login-error" role="alert">' in page
    assert page.count('aria-invalid="true" aria-describedby="login-error"') == 2
    assert 'value="bob"' in page and "autofocus" in page
    assert client.post("/accounts/login/", {"username": "bob", "password": "right-password"}).status_code == 302
