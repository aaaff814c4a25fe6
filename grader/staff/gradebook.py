"""The course gradebook: enrolled students x published assignments, read from the stored `Grade` rows.

Nothing here computes a grade: `grader.submissions.grades.update_grade` writes the rows, the
gradebook page and both CSV exports only read them, so every reader shows the same number.
Filtering, sorting and the total run in the database, so a page of a large course loads only
its own rows.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, FloatField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Lower, NullIf

from grader.courses.models import Assignment, Course, Enrollment
from grader.submissions.models import Grade

SHOW_ALL, SHOW_LATE, SHOW_MISSING = "all", "late", "missing"
SORT_NAME, SORT_TOTAL, SORT_ASSIGNMENT = "name", "total", "assignment"

# Spreadsheet programs run a cell that starts with one of these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CANVAS_STUDENT_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
# Canvas's importer recognises the row that carries each assignment's points by this text in its first cell.
CANVAS_POINTS_POSSIBLE = "    Points Possible"


@dataclass(frozen=True)
class Query:
    """What the gradebook shows: a search over username, name and email, one filter and one sort.

    `assignment` narrows the late/missing filter to one assignment (None: any assignment);
    `sort_assignment` is the column `sort="assignment"` sorts by.
    """

    search: str = ""
    assignment: Assignment | None = None
    show: str = SHOW_ALL
    sort: str = SORT_NAME
    sort_assignment: Assignment | None = None
    descending: bool = False


@dataclass(frozen=True)
class Row:
    """One student's line: a Grade (or None: never submitted) per assignment, in column order."""

    student: object
    grades: list[Grade | None]
    total: float
    name: str


def gradebook_assignments(course: Course) -> list[Assignment]:
    """The gradebook's columns: the course's published assignments in course order (drafts have no students)."""
    return list(course.assignments.filter(current_version__isnull=False).order_by("order", "title", "pk"))


def display_name(user) -> str:
    return user.get_full_name() or user.username


def matching_students(course: Course, assignments: list[Assignment], query: Query) -> QuerySet:
    """The course's students that match the query, sorted, each annotated with `total` (points after penalties).

    A missing score sorts last whatever the direction; ties fall back to the name.
    """
    ids = [a.pk for a in assignments]
    students = (get_user_model().objects
                .filter(enrollments__course=course, enrollments__role=Enrollment.Role.STUDENT)
                .annotate(total=Coalesce(Sum("grades__score", filter=Q(grades__assignment__in=ids)), Value(0.0),
                                         output_field=FloatField()),
                          sort_name=Lower(Coalesce(NullIf("last_name", Value("")), "username"))))
    for word in query.search.split():
        students = students.filter(Q(username__icontains=word) | Q(first_name__icontains=word)
                                   | Q(last_name__icontains=word) | Q(email__icontains=word))
    scope = [query.assignment.pk] if query.assignment else ids
    if query.show == SHOW_LATE:
        students = students.filter(Exists(Grade.objects.filter(user=OuterRef("pk"), assignment__in=scope, late=True)))
    elif query.show == SHOW_MISSING:
        graded = Count("grades", filter=Q(grades__assignment__in=scope, grades__score__isnull=False))
        students = students.alias(graded=graded).filter(graded__lt=len(scope))
    names = (F("sort_name"), Lower("first_name"), Lower("username"))
    if query.sort == SORT_TOTAL:
        key = F("total")
    elif query.sort == SORT_ASSIGNMENT and query.sort_assignment is not None:
        students = students.annotate(sort_score=Subquery(
            Grade.objects.filter(user=OuterRef("pk"), assignment=query.sort_assignment).values("score")[:1]))
        key = F("sort_score")
    else:
        return students.order_by(*[name.desc() if query.descending else name.asc() for name in names])
    ordered = key.desc(nulls_last=True) if query.descending else key.asc(nulls_last=True)
    return students.order_by(ordered, *[name.asc() for name in names])


def table_rows(assignments: list[Assignment], students: Iterable) -> list[Row]:
    """The students' rows with their stored Grade rows, in one query (the counting submission joined)."""
    students = list(students)
    found = {(g.user_id, g.assignment_id): g
             for g in Grade.objects.filter(user__in=students, assignment__in=assignments).select_related("submission")}
    rows = []
    for student in students:
        grades = [found.get((student.pk, a.pk)) for a in assignments]
        total = getattr(student, "total", None)
        if total is None:
            total = sum(g.score for g in grades if g is not None and g.score is not None)
        rows.append(Row(student=student, grades=grades, total=round(total, 6), name=display_name(student)))
    return rows


def safe_cell(value: object) -> str:
    """A text cell a spreadsheet shows as text: one that would start a formula gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def points(value: float | None) -> str:
    """A score as a plain decimal (no exponent, no trailing zeros); empty for a missing score."""
    if value is None:
        return ""
    return f"{round(value, 6):.6f}".rstrip("0").rstrip(".")


def csv_table(assignments: list[Assignment], rows: Iterable[Row]) -> Iterator[list[str]]:
    """gradebook.csv: username, name, email, one column per assignment (its slug), total."""
    yield ["username", "name", "email", *[safe_cell(a.slug) for a in assignments], "total"]
    for row in rows:
        yield [safe_cell(row.student.username), safe_cell(row.name), safe_cell(row.student.email),
               *[points(g.score if g else None) for g in row.grades], points(row.total)]


def canvas_name(user) -> str:
    """Canvas's sortable name ("Last, First"), which its importer matches students by when no id matches."""
    if user.last_name and user.first_name:
        return f"{user.last_name}, {user.first_name}"
    return user.get_full_name() or user.username


def canvas_table(course: Course, assignments: list[Assignment], rows: Iterable[Row]) -> Iterator[list[str]]:
    """A Canvas gradebook import: Canvas's five student columns, one `Title (id)` column per assignment.

    The second row is Canvas's "Points Possible" row. The Canvas user id and SIS user id are not known
    here, so those cells stay empty: Canvas then matches a student by SIS Login ID (the username) or
    by name. No total column: Canvas would take it for an assignment.
    """
    yield [*CANVAS_STUDENT_COLUMNS, *[safe_cell(f"{a.title} ({a.pk})") for a in assignments]]
    yield [CANVAS_POINTS_POSSIBLE, "", "", "", "", *[points(a.max_score) for a in assignments]]
    for row in rows:
        yield [safe_cell(canvas_name(row.student)), "", "", safe_cell(row.student.username), safe_cell(course.title),
               *[points(g.score if g else None) for g in row.grades]]


def iter_rows(assignments: list[Assignment], students: QuerySet, chunk: int = 500) -> Iterator[Row]:
    """Every matching student's row, `chunk` students per query, for exports of any course size."""
    batch = []
    for student in students.iterator(chunk_size=chunk):
        batch.append(student)
        if len(batch) == chunk:
            yield from table_rows(assignments, batch)
            batch = []
    if batch:
        yield from table_rows(assignments, batch)
