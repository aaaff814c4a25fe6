"""The one door of every staff page: the course role decides, never Django's `is_staff` flag.

Anonymous visitors are sent to log in; a logged-in user who is not staff of
the course gets a 404 (the page does not say whether the course exists), so
staff of one course see nothing of another.
"""
from __future__ import annotations

import functools

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404

from grader.courses.access import is_staff_of
from grader.courses.models import Assignment, Course


def staff_view(view):
    """Decorates `view(request, course, ...)`: resolves `course_slug` and checks the course's staff role.

    Raises Http404 for a user who is not staff of the course (superusers, the operators, pass).
    """

    @login_required
    @functools.wraps(view)
    def wrapped(request, course_slug, *args, **kwargs):
        course = Course.objects.filter(slug=course_slug).first()
        if course is None or not is_staff_of(request.user, course):
            raise Http404("No such course.")
        request.course = course
        return view(request, course, *args, **kwargs)

    return wrapped


def staff_assignment(course: Course, slug: str) -> Assignment:
    """The course's assignment of that slug, drafts included (Http404 when there is none)."""
    return get_object_or_404(Assignment.objects.select_related("course", "current_version"), course=course, slug=slug)
