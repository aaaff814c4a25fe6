"""Enrolment rules: every row or none, problems listed by line, existing accounts never changed, one staff kept."""
import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from grader.courses.models import Course, Enrollment
from grader.staff import enrolment
from grader.staff.enrolment import EnrolmentError, Person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # hashing is not under test
BASE = "https://grader.example.org"


@pytest.fixture
def course():
    course = Course.objects.create(slug="dnn", title="Deep nets")
    teacher = get_user_model().objects.create_user("teacher", "teacher@example.org", "pw-teacher")
    Enrollment.objects.create(user=teacher, course=course, role=Enrollment.Role.STAFF)
    return course


def test_a_header_names_the_columns_in_any_common_spelling_with_excels_byte_order_mark():
    people = enrolment.parse_csv("\ufeffUser name;E-mail;First Name;Surname;Role\r\nada;ada@example.org;Ada;L;Staff\r\n\r\n"
                                 .replace("User name", "username").encode("utf-8"))
    assert people == [Person("ada", "ada@example.org", "Ada", "L", "staff", line=2)]


@pytest.mark.parametrize("text, expect", [
    ("name,email\nada,a@b.c\n", "Unknown column(s) 'name'"),
    ("email\na@b.c\n", "with a \"username\" column"),
    ("username,username\nada,ada\n", "named twice: username"),
    ("username,email\nada,a@b.c,extra\n", "3 values but the header names 2 columns"),
    ("username\n\n", "nobody in it"),
    ("", "The CSV is empty"),
])
def test_a_malformed_csv_says_what_is_wrong(text, expect):
    with pytest.raises(EnrolmentError) as raised:
        enrolment.parse_csv(text.encode())
    assert expect in str(raised.value)


def test_a_file_that_is_not_utf8_is_refused_with_how_to_save_it():
    with pytest.raises(EnrolmentError, match="CSV UTF-8"):
        enrolment.parse_csv("username\nzoë\n".encode("latin-1"))


def test_one_bad_row_changes_nothing_and_every_problem_is_listed_by_line(course):
    get_user_model().objects.create_user("bob", "bob@example.org")
    people = enrolment.parse_csv(b"username,email,role\n"
                                 b"new1,new1@example.org,student\n"   # fine on its own
                                 b"bad name,x@example.org,\n"         # invalid username
                                 b"new2,,student\n"                    # unknown and no e-mail
                                 b"bob,other@example.org,staff\n"      # an existing account with another address
                                 b"new3,not-an-address,teacher\n"      # two problems
                                 b"new1,new1@example.org,student\n")   # twice
    with pytest.raises(EnrolmentError) as raised:
        enrolment.enrol(course, people, BASE)
    found = {(p.line, p.field) for p in raised.value.problems}
    assert found == {(3, "username"), (4, "email"), (5, "email"), (6, "email"), (6, "role"), (7, "username")}
    assert not get_user_model().objects.filter(username__startswith="new").exists()
    assert course.enrollments.count() == 1 and not mail.outbox


def test_new_people_get_an_account_without_password_and_a_link_existing_ones_are_enrolled_as_they_are(course):
    User = get_user_model()
    bob = User.objects.create_user("bob", "bob@example.org", "pw-bob", first_name="Bob")
    outcome = enrolment.enrol(course, [Person("ada", "ada@example.org", "Ada", "Lovelace", "staff"),
                                       Person("bob", "BOB@example.org", "Robert", "", "student"),
                                       Person("teacher", "", "", "", "staff")], BASE)
    assert (outcome.created, outcome.enrolled, outcome.unchanged) == (["ada"], ["bob"], ["teacher"])
    ada = User.objects.get(username="ada")
    assert not ada.has_usable_password() and ada.get_full_name() == "Ada Lovelace"
    bob.refresh_from_db()
    assert bob.first_name == "Bob" and bob.check_password("pw-bob")  # an existing account is never changed
    assert dict(course.enrollments.values_list("user__username", "role")) == {
        "teacher": "staff", "ada": "staff", "bob": "student"}
    assert [m.to for m in mail.outbox] == [["ada@example.org"]]
    assert BASE + "/accounts/set-password/" in mail.outbox[0].body and "a member of staff" in mail.outbox[0].body


def test_enrolling_again_sets_the_role_and_is_otherwise_harmless(course):
    enrolment.enrol(course, [Person("ada", "ada@example.org")], BASE)
    outcome = enrolment.enrol(course, [Person("ada", "", role="staff")], BASE)
    assert outcome.role_changed == ["ada"] and len(mail.outbox) == 1
    assert course.enrollments.get(user__username="ada").role == "staff"


def test_the_course_always_keeps_one_member_of_staff(course):
    teacher = get_user_model().objects.get(username="teacher")
    with pytest.raises(EnrolmentError, match="without staff"):
        enrolment.enrol(course, [Person("teacher", role="student", line=2)], BASE)
    with pytest.raises(EnrolmentError, match="without staff"):
        enrolment.change_role(course, teacher, "student")
    with pytest.raises(EnrolmentError, match="last member of staff"):
        enrolment.remove(course, teacher)
    enrolment.enrol(course, [Person("ada", "ada@example.org", role="staff")], BASE)
    enrolment.change_role(course, teacher, "student")
    enrolment.remove(course, teacher)
    assert list(course.enrollments.values_list("user__username", flat=True)) == ["ada"]


def test_a_mail_server_that_fails_does_not_undo_the_enrolment(course, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens there
    outcome = enrolment.enrol(course, [Person("ada", "ada@example.org")], BASE)
    assert outcome.unsent == ["ada"] and course.enrollments.filter(user__username="ada").exists()


def test_a_username_that_differs_by_capitals_only_is_refused_with_the_existing_spelling(course):
    get_user_model().objects.create_user("Ada.L", "ada@example.org")
    problems = enrolment.check(course, [Person("ada.l", "ada@example.org", line=2)])
    assert [(p.line, p.field) for p in problems] == [(2, "username")] and "Ada.L" in problems[0].message


def test_a_class_of_thousands_is_enrolled_in_one_go(course):
    rows = "username,email\n" + "".join(f"s{i:04d},s{i:04d}@example.org\n" for i in range(3000))
    outcome = enrolment.enrol(course, enrolment.parse_csv(rows.encode()), BASE)
    assert len(outcome.created) == 3000 and course.enrollments.count() == 3001 and len(mail.outbox) == 3000
