"""Who is in a course: adding people by username or CSV (all rows or none), roles, removal, set-password links.

A person the platform does not know yet gets an account with an unusable password and an e-mail
with a link to choose one (`grader.staff.invites`). Course staff never change an existing account: a row naming an existing username
with another e-mail address is an error, since it most likely names someone else.
"""
from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower

from grader.courses.models import Course, Enrollment
from grader.staff import invites

log = logging.getLogger(__name__)

COLUMNS = ("username", "email", "first_name", "last_name", "role")
# Header spellings spreadsheets use, after lower-casing and turning spaces and hyphens into underscores.
HEADER_ALIASES = {"firstname": "first_name", "given_name": "first_name", "lastname": "last_name",
                  "surname": "last_name", "family_name": "last_name", "e_mail": "email", "mail": "email",
                  "user": "username", "login": "username"}
MAX_CSV_BYTES = 1 * 2**20
MAX_CSV_ROWS = 5000
NAME_MAX = 150  # django.contrib.auth's first_name / last_name / username lengths
EMAIL_MAX = 254


@dataclass(frozen=True)
class Person:
    """One row to enrol: `line` is where it came from (the CSV's line number; 0 for the single-person form)."""

    username: str
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    role: str = Enrollment.Role.STUDENT
    line: int = 0


@dataclass(frozen=True)
class Problem:
    """What is wrong with one row (line 0: the upload as a whole), and the column it is about."""

    line: int
    field: str
    message: str
    username: str = ""


class EnrolmentError(Exception):
    """Nothing was changed; `problems` lists every reason, row by row."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


@dataclass
class Outcome:
    """What `enrol` did, by username."""

    created: list[str] = field(default_factory=list)   # new accounts: a set-password link was sent
    enrolled: list[str] = field(default_factory=list)  # existing accounts added to the course
    role_changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # already in the course with that role
    unsent: list[str] = field(default_factory=list)     # new accounts whose e-mail could not be sent


def parse_csv(data: bytes | str) -> list[Person]:
    """The rows of a CSV with a header naming its columns (username required; see COLUMNS).

    Accepts UTF-8 (with or without Excel's byte-order mark), separated by commas, semicolons or tabs;
    blank lines are skipped; an empty role means student. Raises EnrolmentError listing every
    problem of the header and of each row's shape (values are checked by `check`).
    """
    if isinstance(data, bytes):
        if len(data) > MAX_CSV_BYTES:
            raise EnrolmentError([Problem(0, "file", f"The file is larger than {MAX_CSV_BYTES // 2**20} MiB.")])
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise EnrolmentError([Problem(0, "file", f"The file is not UTF-8 text (byte {error.start}): save it "
                                          "from your spreadsheet as \"CSV UTF-8\".")]) from None
    text = data.lstrip("\ufeff")
    if not text.strip():
        raise EnrolmentError([Problem(0, "file", "The CSV is empty: it needs a header line and one line per person.")])
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), delimiter=dialect.delimiter)
    header = next(reader)
    columns = [_column(name) for name in header]
    problems = []
    unknown = [raw for raw, column in zip(header, columns) if column not in COLUMNS]
    if unknown:
        problems.append(Problem(1, "header", f"Unknown column(s) {', '.join(repr(u) for u in unknown)}; the columns "
                                f"are {', '.join(COLUMNS)} (only username is required)."))
    if "username" not in columns:
        problems.append(Problem(1, "header", "The first line must be a header naming the columns, with a "
                                f"\"username\" column; the columns are {', '.join(COLUMNS)}."))
    repeated = sorted({c for c in columns if c in COLUMNS and columns.count(c) > 1})
    if repeated:
        problems.append(Problem(1, "header", f"Column(s) named twice: {', '.join(repeated)}."))
    if problems:
        raise EnrolmentError(problems)
    people = []
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(people) >= MAX_CSV_ROWS:
            raise EnrolmentError([Problem(line, "file", f"More than {MAX_CSV_ROWS} people in one upload: split it.")])
        if len(cells) > len(columns):
            problems.append(Problem(line, "row", f"{len(cells)} values but the header names {len(columns)} columns "
                                    "(a separator inside a value needs quotes)."))
            continue
        values = {column: cell.strip() for column, cell in zip(columns, cells)}
        people.append(Person(username=get_user_model().normalize_username(values.get("username", "")),
                             email=values.get("email", ""),
                             first_name=values.get("first_name", ""), last_name=values.get("last_name", ""),
                             role=values.get("role", "").lower() or Enrollment.Role.STUDENT, line=line))
    if problems:
        raise EnrolmentError(problems)
    if not people:
        raise EnrolmentError([Problem(0, "file", "The CSV has a header but nobody in it.")])
    return people


def _column(name: str) -> str:
    key = name.strip().lower().replace(" ", "_").replace("-", "_")
    return HEADER_ALIASES.get(key, key)


def check(course: Course, people: list[Person]) -> list[Problem]:
    """Every reason the rows cannot all be enrolled (empty: they can), without changing anything."""
    User = get_user_model()
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    existing = {u.username: u for u in User.objects.filter(username__in=[p.username for p in people])}
    folded = {}  # usernames differ by case only: one person with two accounts, or a typo
    unknown = [p.username.lower() for p in people if p.username not in existing]
    for username in (User.objects.annotate(folded=Lower("username")).filter(folded__in=unknown)
                     .values_list("username", flat=True)):
        folded[username.lower()] = username
    for person in people:
        def say(column, message):
            problems.append(Problem(person.line, column, message, person.username))

        if not person.username:
            say("username", "The username is empty.")
            continue
        try:
            User.username_validator(person.username)
        except ValidationError:
            say("username", f"{person.username!r} is not a valid username: use letters, digits and @ . + - _ only.")
        if len(person.username) > NAME_MAX:
            say("username", f"The username is longer than {NAME_MAX} characters.")
        if person.username in seen:
            say("username", f"{person.username} is also on line {seen[person.username]}.")
        seen.setdefault(person.username, person.line)
        if person.role not in Enrollment.Role.values:
            say("role", f"The role {person.role!r} is neither student nor staff.")
        for column in ("first_name", "last_name"):
            if len(getattr(person, column)) > NAME_MAX:
                say(column, f"The {column.replace('_', ' ')} is longer than {NAME_MAX} characters.")
        if person.email:
            try:
                validate_email(person.email)
            except ValidationError:
                say("email", f"{person.email!r} is not an e-mail address.")
        if person.email and len(person.email) > EMAIL_MAX:
            say("email", f"The e-mail address is longer than {EMAIL_MAX} characters.")
        user = existing.get(person.username)
        if user is None and person.username.lower() in folded:
            say("username", f"There is an account {folded[person.username.lower()]}, spelt with other capitals: use "
                            "that spelling to enrol it.")
            continue
        if user is None and not person.email:
            say("email", f"There is no account {person.username} yet: give an e-mail address, so that the link to "
                         "choose a password can be sent.")
        if user is not None and person.email and user.email and user.email.lower() != person.email.lower():
            say("email", f"The account {person.username} exists with another e-mail address: check that it is the "
                         "same person (leave the e-mail empty to enrol the existing account).")
    if not problems:
        problems += _staff_left(course, {p.username: p.role for p in people}, people)
    return problems


def _staff_left(course: Course, roles: dict[str, str], people: list[Person]) -> list[Problem]:
    """A course always keeps one member of staff: else nobody could open its staff pages."""
    staff = set(course.enrollments.filter(role=Enrollment.Role.STAFF).values_list("user__username", flat=True))
    after = {u for u in staff if roles.get(u, Enrollment.Role.STAFF) == Enrollment.Role.STAFF}
    after |= {u for u, role in roles.items() if role == Enrollment.Role.STAFF}
    if after:
        return []
    return [Problem(p.line, "role", f"This would leave {course.title} without staff: keep at least one.", p.username)
            for p in people if p.username in staff] or [Problem(0, "role", f"{course.title} needs one member of staff.")]


def enrol(course: Course, people: list[Person], base_url: str, by=None) -> Outcome:
    """Enrols every row or none: raises EnrolmentError (nothing changed) when any row has a problem.

    New usernames become accounts with an unusable password; after the commit each is sent a
    set-password link built on `base_url` (scheme and host, e.g. "https://grader.example.org").
    An existing member's role is set to the row's. A few thousand rows take a handful of queries.
    """
    User = get_user_model()
    outcome = Outcome()
    names = [person.username for person in people]
    with transaction.atomic():
        problems = check(course, people)
        if problems:
            raise EnrolmentError(problems)
        known = set(User.objects.filter(username__in=names).values_list("username", flat=True))
        new_users = []
        for person in people:
            if person.username not in known:
                user = User(username=person.username, email=User.objects.normalize_email(person.email),
                            first_name=person.first_name, last_name=person.last_name)
                user.set_unusable_password()
                new_users.append(user)
        User.objects.bulk_create(new_users)
        outcome.created = [user.username for user in new_users]
        users = {user.username: user for user in User.objects.filter(username__in=names)}
        members = {e.user_id: e for e in Enrollment.objects.filter(course=course, user__in=users.values())}
        added, changed = [], []
        for person in people:
            user, member = users[person.username], members.get(users[person.username].pk)
            if member is None:
                added.append(Enrollment(user=user, course=course, role=person.role))
                if person.username in known:
                    outcome.enrolled.append(person.username)
            elif member.role != person.role:
                member.role = person.role
                changed.append(member)
                outcome.role_changed.append(person.username)
            else:
                outcome.unchanged.append(person.username)
        Enrollment.objects.bulk_create(added)
        Enrollment.objects.bulk_update(changed, ["role"])
    log.info("people enrolled", extra={"course": course.slug, "accounts_created": len(outcome.created),
                                       "enrolled": len(outcome.enrolled), "role_changed": len(outcome.role_changed)})
    roles = {person.username: person.role for person in people}
    outcome.unsent = invites.send_set_password_links([users[name] for name in outcome.created], course, base_url, by, roles)
    return outcome


def change_role(course: Course, user, role: str) -> None:
    """Sets the member's role; raises EnrolmentError when it would leave the course without staff."""
    if role not in Enrollment.Role.values:
        raise EnrolmentError([Problem(0, "role", f"The role {role!r} is neither student nor staff.")])
    with transaction.atomic():
        enrollment = Enrollment.objects.select_for_update().get(course=course, user=user)
        problems = _staff_left(course, {user.username: role}, [Person(user.username, role=role)])
        if problems:
            raise EnrolmentError(problems)
        enrollment.role = role
        enrollment.save(update_fields=["role"])


def remove(course: Course, user) -> None:
    """Takes the member out of the course; their submissions, grades and extensions are kept.

    Raises EnrolmentError when they are the course's last member of staff.
    """
    with transaction.atomic():
        enrollment = Enrollment.objects.select_for_update().get(course=course, user=user)
        if enrollment.role == Enrollment.Role.STAFF and not course.enrollments.filter(
                role=Enrollment.Role.STAFF).exclude(pk=enrollment.pk).exists():
            raise EnrolmentError([Problem(0, "user", f"{user.username} is the last member of staff of "
                                                      f"{course.title}: add another before removing them.")])
        enrollment.delete()
