"""Submissions whose grading failed on our side: why, and a button to grade them again (DESIGN.md "Statuses")."""
from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from grader.staff.access import staff_view
from grader.submissions import services
from grader.submissions.models import Submission


def failed_submissions(course):
    """The course's `failed` submissions, the most recent failure first."""
    return (Submission.objects.filter(assignment__course=course, status=Submission.Status.FAILED)
            .select_related("user", "assignment", "version", "regrade_of").order_by("-graded_at", "-id"))


@staff_view
def failed(request, course):
    return render(request, "staff/failed.html", {"course": course, "submissions": failed_submissions(course)})


@staff_view
@require_POST
def requeue(request, course, pk):
    submission = get_object_or_404(Submission, pk=pk, assignment__course=course)
    if services.requeue(submission):
        messages.success(request, f"Submission #{pk} of {submission.user.username} is queued to be graded again.")
    else:
        messages.error(request, f"Submission #{pk} is {submission.get_status_display().lower()}, not failed: "
                                "nothing to do.")
    return redirect("staff:failed", course.slug)


@staff_view
@require_POST
def requeue_all(request, course):
    count = sum(services.requeue(submission) for submission in failed_submissions(course))
    messages.success(request, f"{count} failed submission{'s' if count != 1 else ''} queued to be graded again.")
    return redirect("staff:failed", course.slug)
