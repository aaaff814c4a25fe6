"""One student's record in a course, for staff: every submission per assignment, the stored grade, the extension."""
from __future__ import annotations

from dataclasses import dataclass

from grader.courses.models import Assignment, Course, Extension
from grader.staff.gradebook import display_name
from grader.staff.gradebook_forms import ExtensionForm
from grader.submissions.grades import days_late, extended
from grader.submissions.models import Grade, Submission


@dataclass(frozen=True)
class Attempt:
    """A submission row as staff see it: which kind of row it is, its lateness, whether it counts."""

    submission: Submission
    days_late: int
    counts: bool

    @property
    def kind(self) -> str:
        if self.submission.regrade_of_id:
            return f"regrade of #{self.submission.regrade_of_id}"
        return "upload"


@dataclass(frozen=True)
class AssignmentRecord:
    assignment: Assignment
    grade: Grade | None
    extension: Extension | None
    due: object
    attempts: list[Attempt]
    form: ExtensionForm


def student_record(course: Course, student, bound: dict[int, ExtensionForm] | None = None) -> dict:
    """The student page's context: one record per published assignment, and per draft the student submitted to.

    Lateness is against the student's due date (the extension's when granted), as `update_grade` measures it;
    `bound` holds a submitted extension form to show again with its errors.
    """
    bound = bound or {}
    submissions = (Submission.objects.filter(user=student, assignment__course=course)
                   .select_related("version").order_by("created_at", "id"))
    by_assignment: dict[int, list[Submission]] = {}
    for submission in submissions:
        by_assignment.setdefault(submission.assignment_id, []).append(submission)
    grades = {g.assignment_id: g for g in Grade.objects.filter(user=student, assignment__course=course)}
    extensions = {e.assignment_id: e for e in Extension.objects.filter(user=student, assignment__course=course)
                  .select_related("granted_by")}
    records = []
    for assignment in course.assignments.order_by("order", "title", "pk"):
        if not assignment.is_published and assignment.pk not in by_assignment:
            continue
        extension = extensions.get(assignment.pk)
        due = extended(assignment.due_at, extension.due_at if extension else None)
        grade = grades.get(assignment.pk)
        attempts = [Attempt(s, days_late(s.created_at, due), bool(grade and grade.submission_id == s.pk))
                    for s in by_assignment.get(assignment.pk, [])]
        form = bound.get(assignment.pk) or ExtensionForm(instance=extension, assignment=assignment,
                                                          prefix=assignment.slug)
        records.append(AssignmentRecord(assignment, grade, extension, due, attempts, form))
    return {"course": course, "student": student, "name": display_name(student), "records": records}
