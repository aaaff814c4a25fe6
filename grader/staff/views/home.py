"""The staff home of a course: its assignments (draft or published), their activity, and every staff page."""
from __future__ import annotations

from django.db.models import Count, Q
from django.shortcuts import render

from grader.courses.models import Enrollment
from grader.staff.access import staff_view
from grader.submissions.models import Submission


@staff_view
def home(request, course):
    assignments = (course.assignments.select_related("current_version")
                   .annotate(uploads=Count("submissions", filter=Q(submissions__regrade_of__isnull=True)),
                             failed=Count("submissions", filter=Q(submissions__status=Submission.Status.FAILED)))
                   .order_by("order", "title"))
    people = dict(Enrollment.objects.filter(course=course).values_list("role").annotate(n=Count("id")))
    return render(request, "staff/home.html", {
        "course": course,
        "assignments": assignments,
        "students": people.get(Enrollment.Role.STUDENT, 0),
        "staff": people.get(Enrollment.Role.STAFF, 0),
        "failed": Submission.objects.filter(assignment__course=course, status=Submission.Status.FAILED).count(),
    })
