"""The people page: members and roles, adding one person or a CSV, the set-password link, removal."""
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from grader.courses.models import Assignment, Course, Enrollment
from grader.submissions.models import Submission

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # hashing is not under test


@pytest.fixture
def world():
    User = get_user_model()
    course = Course.objects.create(slug="dnn", title="Deep nets")
    other = Course.objects.create(slug="other", title="Other course")
    teacher = User.objects.create_user("teacher", "teacher@example.org", "pw-teacher")
    student = User.objects.create_user("stu", "stu@example.org", "pw-stu", first_name="Stu", last_name="Dent")
    outsider = User.objects.create_user("outsider", "out@example.org", "pw-out")
    Enrollment.objects.create(user=teacher, course=course, role=Enrollment.Role.STAFF)
    Enrollment.objects.create(user=student, course=course)
    Enrollment.objects.create(user=outsider, course=other)
    return course, teacher, student, outsider


def url(name="", username=None):
    return f"/courses/dnn/staff/people/{username + '/' if username else ''}{name}"


def test_the_page_lists_members_with_their_roles_and_the_staff_home_links_to_it(client, world):
    _, teacher, *_ = world
    client.force_login(teacher)
    page = client.get(url()).content.decode()
    assert "1 student, 1 staff" in page and "Stu Dent" in page and "stu@example.org" in page
    assert re.search(r'id="member-stu".*?<option value="student" selected>', page, re.S)
    assert "outsider" not in page
    assert url() in client.get("/courses/dnn/staff/").content.decode()


def test_someone_new_gets_an_account_and_a_link_that_lets_them_choose_a_password_and_log_in(client, world):
    course, teacher, *_ = world
    client.force_login(teacher)
    response = client.post(url("add"), {"username": "ada", "email": "ada@example.org", "first_name": "Ada",
                                        "last_name": "", "role": "student"})
    assert response.status_code == 302
    assert "each sent a link to choose a password" in client.get(url()).content.decode()
    ada = get_user_model().objects.get(username="ada")
    assert not ada.has_usable_password() and course.enrollments.filter(user=ada, role="student").exists()
    (message,) = mail.outbox
    assert message.to == ["ada@example.org"] and "Deep nets" in message.subject and "Your username is: ada" in message.body
    link = re.search(r"http://testserver(/accounts/set-password/\S+)", message.body).group(1)
    client.logout()
    form = client.get(link, follow=True)  # Django swaps the token for a session and redirects
    assert "Choose your password" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": "a-long-password", "new_password2": "a-long-password"})
    assert done.status_code == 302 and "Your password is set" in client.get(done["Location"]).content.decode()
    assert client.post("/accounts/login/", {"username": "ada", "password": "a-long-password"}).status_code == 302
    assert "This link no longer works" in client.get(link, follow=True).content.decode()


def test_an_unknown_username_without_an_email_is_refused_on_that_field_with_the_input_kept(client, world):
    _, teacher, *_ = world
    client.force_login(teacher)
    response = client.post(url("add"), {"username": "ghost", "email": "", "first_name": "Gho", "role": "staff"})
    page = response.content.decode()
    assert response.status_code == 400 and "give an e-mail address" in page
    assert 'value="ghost"' in page and 'value="Gho"' in page and '<option value="staff" selected>' in page
    assert not get_user_model().objects.filter(username="ghost").exists() and not mail.outbox


def test_an_existing_account_is_added_as_it_is_without_an_email(client, world):
    course, teacher, _, outsider = world
    client.force_login(teacher)
    assert client.post(url("add"), {"username": "outsider", "role": "staff"}).status_code == 302
    assert course.enrollments.get(user=outsider).role == "staff" and not mail.outbox


def test_a_csv_with_one_bad_row_adds_nobody_lists_the_problems_by_line_and_keeps_the_rows(client, world):
    course, teacher, *_ = world
    client.force_login(teacher)
    rows = b"username,email,first_name,last_name,role\nann,ann@example.org,Ann,A,student\nbo b,bo@example.org,,,student\n"
    response = client.post(url("upload"), {"file": SimpleUploadedFile("class.csv", rows, "text/csv")})
    page = response.content.decode()
    assert response.status_code == 400 and "Nothing was changed: 1 problem." in page
    assert re.search(r"<td>3</td><td>bo b</td><td>username</td><td>&#x27;bo b&#x27; is not a valid username", page)
    assert "ann,ann@example.org,Ann,A,student" in page  # the file's rows come back in the text box
    assert course.enrollments.count() == 2 and not get_user_model().objects.filter(username="ann").exists()


def test_a_pasted_csv_adds_everyone_and_sets_roles(client, world):
    course, teacher, student, _ = world
    client.force_login(teacher)
    text = "username;email;role\r\nann;ann@example.org;staff\r\nstu;;staff\r\nteacher;;staff\r\n"
    response = client.post(url("upload"), {"text": text})
    assert response.status_code == 302
    page = client.get(url()).content.decode()
    assert "changed the role of stu" in page and "teacher already in the course with that role" in page
    assert dict(course.enrollments.values_list("user__username", "role")) == {"teacher": "staff", "stu": "staff", "ann": "staff"}
    assert [m.to for m in mail.outbox] == [["ann@example.org"]]


def test_an_empty_csv_form_asks_for_a_file_or_rows(client, world):
    _, teacher, *_ = world
    client.force_login(teacher)
    response = client.post(url("upload"), {"text": "  "})
    assert response.status_code == 400 and "Choose a CSV file or paste its rows." in response.content.decode()


def test_roles_change_but_the_last_member_of_staff_stays(client, world):
    course, teacher, student, _ = world
    client.force_login(teacher)
    assert client.post(url("role", "stu"), {"role": "staff"}).status_code == 302
    assert course.enrollments.get(user=student).role == "staff"
    client.post(url("role", "stu"), {"role": "student"})
    response = client.post(url("role", "teacher"), {"role": "student"}, follow=True)
    assert "without staff" in response.content.decode() and course.enrollments.get(user=teacher).role == "staff"
    assert client.post(url("role", "stu"), {"role": "admin"}, follow=True).status_code == 200
    assert course.enrollments.get(user=student).role == "student"
    client.post(url("role", "stu"), {"role": "staff"})
    response = client.post(url("role", "teacher"), {"role": "student"})  # stepping down: off to the student pages
    assert response["Location"] == "/" and course.enrollments.get(user=teacher).role == "student"


def test_removing_asks_first_then_keeps_the_submissions(client, world):
    course, teacher, student, _ = world
    assignment = Assignment.objects.create(course=course, slug="a", title="A")
    Submission.objects.create(user=student, assignment=assignment, original_name="a.py", size_bytes=1)
    client.force_login(teacher)
    page = client.get(url("remove", "stu")).content.decode()
    assert "Remove stu from Deep nets?" in page and "Their 1 upload, grades and extensions are kept" in page
    assert client.post(url("remove", "stu")).status_code == 302
    assert not course.enrollments.filter(user=student).exists() and Submission.objects.filter(user=student).count() == 1
    assert "last member of staff" in client.post(url("remove", "teacher"), follow=True).content.decode()
    client.post(url("add"), {"username": "outsider", "role": "staff"})
    assert "This is you" in client.get(url("remove", "teacher")).content.decode()
    assert client.post(url("remove", "teacher"))["Location"] == "/"
    assert not course.enrollments.filter(user=teacher).exists()


def test_members_of_another_course_cannot_be_changed_from_this_one(client, world):
    course, teacher, _, outsider = world
    client.force_login(teacher)
    assert client.get(url("remove", "outsider")).status_code == 404
    assert client.post(url("role", "outsider"), {"role": "staff"}).status_code == 404
    assert client.post(url("link", "outsider")).status_code == 404
    assert not course.enrollments.filter(user=outsider).exists()


def test_the_link_is_sent_again_only_to_whoever_has_not_chosen_a_password(client, world):
    _, teacher, *_ = world
    client.force_login(teacher)
    client.post(url("add"), {"username": "ada", "email": "ada@example.org", "role": "student"})
    assert "Send the link again" in client.get(url()).content.decode()
    client.post(url("link", "ada"))
    assert len(mail.outbox) == 2
    assert "has chosen a password already" in client.post(url("link", "stu"), follow=True).content.decode()
    assert len(mail.outbox) == 2


def test_links_in_emails_use_the_configured_base_url(client, world, settings):
    settings.GRADER_BASE_URL = "https://grader.example.org"
    _, teacher, *_ = world
    client.force_login(teacher)
    client.post(url("add"), {"username": "ada", "email": "ada@example.org", "role": "student"})
    assert "https://grader.example.org/accounts/set-password/" in mail.outbox[0].body
