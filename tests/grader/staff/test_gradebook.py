"""The gradebook, its CSV exports, a student's page with extensions, and submission downloads."""
import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from grader.courses.models import Assignment, Enrollment, Extension
from grader.staff.gradebook import safe_cell
from grader.submissions import services
from grader.submissions.models import Grade
from tests.grader.submissions import grading_rows as rows

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@pytest.fixture
def book():
    """Course dnn: ada (best 9 on adam, 6 on init), bob (late on adam, nothing on init), carl (nothing).

    adam counts the best submission with a 10% per day penalty; init counts the latest. Another course
    has its own staff, student and assignment.
    """
    due = (timezone.now() + 10 * DAY).replace(microsecond=0)
    course = rows.course()
    teacher = rows.person("tess", course, role=Enrollment.Role.STAFF)
    ada = rows.person("ada", course, first_name="Ada", last_name="Lovelace", email="ada@math.example")
    bob = rows.person("bob", course, first_name="Bob", last_name="Babbage", email="bob@engines.example")
    carl = rows.person("carl", course, first_name="Carl", last_name="Gauss", email="carl@gauss.example")
    adam = rows.assignment(course, "adam", order=1, title="Adam", due_at=due,
                           late_policy=Assignment.LatePolicy.PENALTY, late_penalty_percent=10)
    init = rows.assignment(course, "init", order=2, title="Initialization", due_at=due,
                           counting=Assignment.Counting.LATEST)
    rows.submitted(ada, adam, 4, due - 3 * HOUR)
    ada_best = rows.submitted(ada, adam, 9, due - 2 * HOUR)
    rows.submitted(ada, init, 8, due - 2 * HOUR)
    rows.submitted(ada, init, 6, due - HOUR)
    bob_late = rows.submitted(bob, adam, 10, due + DAY + HOUR)  # two started days late: 8
    other = rows.course("cv", "Vision")
    olga = rows.person("olga", other, role=Enrollment.Role.STAFF)
    zed = rows.person("zed", other)
    conv = rows.assignment(other, "conv", due_at=due)
    zed_row = rows.submitted(zed, conv, 5, due - HOUR)
    return dict(course=course, teacher=teacher, ada=ada, bob=bob, carl=carl, adam=adam, init=init, due=due,
                ada_best=ada_best, bob_late=bob_late, olga=olga, zed=zed, zed_row=zed_row)


def url(name, *args):
    base = "/courses/dnn/staff/"
    return base + {"gradebook": "gradebook/", "csv": "gradebook.csv", "canvas": "gradebook-canvas.csv",
                   "student": "students/{}/", "extension": "students/{}/extensions/{}",
                   "download": "submissions/{}/download"}[name].format(*args)


def parse(response):
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def names_in(response):
    page = response.content.decode()
    return [n for n in ("Ada Lovelace", "Bob Babbage", "Carl Gauss") if n in page]


def order_in(response):
    page = response.content.decode()
    found = {n: page.find(n) for n in ("Ada Lovelace", "Bob Babbage", "Carl Gauss") if n in page}
    return sorted(found, key=found.get)


def test_only_the_courses_staff_get_in(client, book):
    pages = [url("gradebook"), url("csv"), url("canvas"), url("student", "ada"),
             url("download", book["ada_best"].pk)]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for outsider in (book["ada"], book["olga"]):
        client.force_login(outsider)
        for page in pages:
            assert client.get(page).status_code == 404, (outsider, page)
        assert client.post(url("extension", "ada", "adam"), {"adam-due_at": "2030-01-01T00:00"}).status_code == 404
    assert not Extension.objects.exists()
    client.force_login(book["teacher"])
    for page in pages:
        assert client.get(page).status_code == 200, page


def test_the_staff_pages_link_the_gradebook(client, book):
    client.force_login(book["teacher"])
    assert url("gradebook") in client.get("/courses/dnn/staff/").content.decode()


def test_cells_show_the_stored_grade_with_its_lateness_and_counting_submission(client, book):
    Grade.objects.filter(user=book["ada"], assignment=book["adam"]).update(score=7.125)  # read, never recomputed
    client.force_login(book["teacher"])
    page = client.get(url("gradebook")).content.decode()
    assert "7.13 / 10" in page and f"/submissions/{book['ada_best'].pk}/" in page
    assert "Best submission counts" in page and "Latest submission counts" in page
    assert f"/submissions/{book['bob_late'].pk}/" in page
    assert "8 / 10" in page and "2 days, &minus;20% (raw 10)" in page
    assert "missing" in page
    assert "/courses/dnn/staff/students/carl/" in page


def test_sorting_by_name_total_and_an_assignments_score(client, book):
    client.force_login(book["teacher"])
    assert order_in(client.get(url("gradebook"))) == ["Bob Babbage", "Carl Gauss", "Ada Lovelace"]
    assert order_in(client.get(url("gradebook"), {"sort": "-name"})) == ["Ada Lovelace", "Carl Gauss", "Bob Babbage"]
    assert order_in(client.get(url("gradebook"), {"sort": "-total"})) == ["Ada Lovelace", "Bob Babbage", "Carl Gauss"]
    assert order_in(client.get(url("gradebook"), {"sort": "total"})) == ["Carl Gauss", "Bob Babbage", "Ada Lovelace"]
    # a missing score sorts last in both directions
    assert order_in(client.get(url("gradebook"), {"sort": "assignment:adam"})) == [
        "Bob Babbage", "Ada Lovelace", "Carl Gauss"]
    assert order_in(client.get(url("gradebook"), {"sort": "-assignment:adam"})) == [
        "Ada Lovelace", "Bob Babbage", "Carl Gauss"]


def test_filters_late_and_missing_work_per_assignment_or_overall(client, book):
    client.force_login(book["teacher"])
    get = lambda **params: names_in(client.get(url("gradebook"), params))  # noqa: E731
    assert get(show="late") == ["Bob Babbage"]
    assert get(show="late", assignment="init") == []
    assert get(show="missing") == ["Bob Babbage", "Carl Gauss"]
    assert get(show="missing", assignment="adam") == ["Carl Gauss"]
    assert get(show="missing", assignment="init") == ["Bob Babbage", "Carl Gauss"]


def test_search_matches_username_name_and_email(client, book):
    client.force_login(book["teacher"])
    get = lambda q: names_in(client.get(url("gradebook"), {"q": q}))  # noqa: E731
    assert get("engines.example") == ["Bob Babbage"]
    assert get("ada lovelace") == ["Ada Lovelace"]
    assert get("carl") == ["Carl Gauss"]
    assert get("nobody") == []


def test_a_bad_query_is_shown_with_its_error_and_the_page_still_lists_the_course(client, book):
    client.force_login(book["teacher"])
    response = client.get(url("gradebook"), {"sort": "assignment:nope", "q": "ada"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Select a valid choice" in page and 'value="ada"' in page
    assert client.get(url("csv"), {"show": "everything"}).status_code == 400


def test_big_courses_are_paginated(client, book):
    User = get_user_model()
    users = User.objects.bulk_create([User(username=f"s{i:03d}", last_name=f"Zz{i:03d}") for i in range(60)])
    Enrollment.objects.bulk_create([Enrollment(user=u, course=book["course"]) for u in users])
    client.force_login(book["teacher"])
    first = client.get(url("gradebook")).content.decode()
    assert "63 students, page 1 of 2" in first and "Zz046" in first and "Zz047" not in first
    second = client.get(url("gradebook"), {"page": 2}).content.decode()
    assert "Zz047" in second and "Zz059" in second and "Ada Lovelace" not in second
    assert len(parse(client.get(url("csv")))) == 1 + 63


def test_the_csv_holds_the_stored_grades(client, book):
    client.force_login(book["teacher"])
    response = client.get(url("csv"))
    assert response["Content-Type"].startswith("text/csv")
    assert 'attachment; filename="dnn-gradebook.csv"' == response["Content-Disposition"]
    table = parse(response)
    assert table[0] == ["username", "name", "email", "adam", "init", "total"]
    by_user = {line[0]: line for line in table[1:]}
    assert set(by_user) == {"ada", "bob", "carl"}  # students only: neither staff nor another course
    for username, line in by_user.items():
        grades = {g.assignment.slug: g for g in Grade.objects.filter(user__username=username)}
        for column, slug in ((3, "adam"), (4, "init")):
            stored = grades.get(slug)
            if stored is None or stored.score is None:
                assert line[column] == ""
            else:
                assert float(line[column]) == stored.score
        assert float(line[5]) == pytest.approx(sum(g.score for g in grades.values() if g.score is not None))
    assert by_user["ada"][1:3] == ["Ada Lovelace", "ada@math.example"]
    assert by_user["ada"][3:] == ["9", "6", "15"] and by_user["bob"][3:] == ["8", "", "8"]


def test_the_csv_follows_the_filter(client, book):
    client.force_login(book["teacher"])
    table = parse(client.get(url("csv"), {"show": "late"}))
    assert [line[0] for line in table[1:]] == ["bob"]


def test_the_canvas_csv_has_canvas_columns_and_the_points_possible_row(client, book):
    client.force_login(book["teacher"])
    response = client.get(url("canvas"))
    assert 'filename="dnn-gradebook-canvas.csv"' in response["Content-Disposition"]
    table = parse(response)
    adam, init = book["adam"], book["init"]
    assert table[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", f"Adam ({adam.pk})",
                        f"Initialization ({init.pk})"]
    assert table[1][0].strip() == "Points Possible" and table[1][5:] == ["10", "10"]
    students = {line[3]: line for line in table[2:]}
    assert students["ada"][:5] == ["Lovelace, Ada", "", "", "ada", "Deep nets"]
    for login, line in students.items():
        for column, assignment in ((5, adam), (6, init)):
            stored = Grade.objects.filter(user__username=login, assignment=assignment).first()
            expected = "" if stored is None or stored.score is None else stored.score
            assert (float(line[column]) if line[column] else "") == expected
    assert students["bob"][5:] == ["8", ""]


def test_cells_that_would_start_a_formula_are_made_text(client, book):
    for text, expected in (("=1+2", "'=1+2"), ("+cmd", "'+cmd"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
                           ("plain", "plain"), ("", "")):
        assert safe_cell(text) == expected
    get_user_model().objects.filter(pk=book["carl"].pk).update(first_name="=HYPERLINK(\"http://x\")",
                                                               last_name="-Gauss", email="@carl")
    client.force_login(book["teacher"])
    carl = [line for line in parse(client.get(url("csv")))[1:] if line[0] == "carl"][0]
    assert carl[1] == "'=HYPERLINK(\"http://x\") -Gauss" and carl[2] == "'@carl"
    canvas = [line for line in parse(client.get(url("canvas")))[2:] if line[3] == "carl"][0]
    assert canvas[0] == "'-Gauss, =HYPERLINK(\"http://x\")"


def test_the_student_page_lists_every_submission_labelled(client, book):
    ada, adam = book["ada"], book["adam"]
    best = book["ada_best"]
    regrade = rows.graded(services.regrade(best), 9.5)
    broken = rows.failed(rows.upload(ada, adam, book["due"] - HOUR))
    client.force_login(book["teacher"])
    page = client.get(url("student", "ada")).content.decode()
    assert f"regrade of #{best.pk}" in page and "superseded by a later grading" in page
    assert "Could not be graded" in page and f"/submissions/{broken.pk}/" in page
    assert page.count("<strong>counts</strong>") == 2  # adam's regrade, init's latest
    assert "v1" in page and url("download", regrade.pk) in page
    assert "Best submission counts" in page and "Latest submission counts" in page
    assert client.get(url("student", "zed")).status_code == 404  # another course's student


def test_an_extension_changes_the_stored_grade_and_can_be_removed(client, book):
    bob, adam, due = book["bob"], book["adam"], book["due"]
    client.force_login(book["teacher"])
    new_due = (due + 2 * DAY).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url("extension", "bob", "adam"), {"adam-due_at": new_due, "adam-reason": "ill"})
    assert response.status_code == 302 and response["Location"].endswith("/students/bob/#adam")
    extension = Extension.objects.get(user=bob, assignment=adam)
    assert (extension.reason, extension.granted_by) == ("ill", book["teacher"])
    grade = Grade.objects.get(user=bob, assignment=adam)
    assert (grade.score, grade.late, grade.penalty_percent) == (10.0, False, 0.0)
    page = client.get(response["Location"]).content.decode()
    assert "extension saved; the counting score is now 10" in page and "ill" in page
    client.post(url("extension", "bob", "adam"), {"remove": ""})
    assert not Extension.objects.exists()
    assert Grade.objects.get(user=bob, assignment=adam).score == 8.0


def test_an_extension_before_the_due_date_is_refused_with_the_input_kept(client, book):
    client.force_login(book["teacher"])
    early = (book["due"] - DAY).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url("extension", "bob", "adam"), {"adam-due_at": early, "adam-reason": "asked"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "choose a date after the assignment" in page and early in page and "asked" in page
    assert client.post(url("extension", "bob", "adam"), {"adam-due_at": "soon"}).status_code == 400
    assert not Extension.objects.exists()


def test_an_extension_on_another_courses_assignment_is_not_found(client, book):
    client.force_login(book["teacher"])
    response = client.post(url("extension", "bob", "conv"), {"conv-due_at": "2099-01-01T00:00"})
    assert response.status_code == 404
    assert not Extension.objects.exists()


def test_downloads_are_attachments_of_this_courses_submissions_only(client, book):
    client.force_login(book["teacher"])
    response = client.get(url("download", book["ada_best"].pk))
    assert response["Content-Disposition"] == 'attachment; filename="adam.py"'
    assert b"".join(response.streaming_content) == b"x = 1\n"
    assert client.get(url("download", book["zed_row"].pk)).status_code == 404
    client.force_login(book["olga"])
    assert client.get(f"/courses/cv/staff/submissions/{book['zed_row'].pk}/download").status_code == 200
    assert client.get(f"/courses/cv/staff/submissions/{book['ada_best'].pk}/download").status_code == 404
