"""Who may see what: students see their own work, course staff see the course's."""
from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from grader.courses.models import Assignment, Enrollment


def visible_assignments(user) -> QuerySet[Assignment]:
    """The assignments the user's student pages show: published ones of the user's courses.

    A draft (no published version) is staff-only: it appears on the staff pages, never here.
    """
    assignments = Assignment.objects.select_related("course").filter(current_version__isnull=False)
    if user.is_superuser:
        return assignments
    return assignments.filter(course__enrollments__user=user).distinct()


def assignment_for(user, course_slug: str, slug: str) -> Assignment:
    return get_object_or_404(visible_assignments(user), course__slug=course_slug, slug=slug)


def is_staff_of(user, course) -> bool:
    if user.is_superuser:
        return True
    return Enrollment.objects.filter(user=user, course=course, role=Enrollment.Role.STAFF).exists()


def require_submission_access(user, submission) -> None:
    if submission.user_id == user.pk or is_staff_of(user, submission.assignment.course):
        return
    raise Http404("No such submission.")
