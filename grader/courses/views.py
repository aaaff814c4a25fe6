from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils import timezone

from grader.authoring.services import bundle_of
from grader.courses.access import assignment_for, visible_assignments
from grader.courses.standing import standing
from grader.grading.kit import cached_starter_kit
from grader.grading.setup import get_grader
from grader.submissions.forms import UploadForm
from grader.submissions.models import Submission
from grader.submissions.visibility import shown_score


@login_required
def home(request):
    assignments = list(visible_assignments(request.user))
    latest = {}
    for submission in Submission.objects.filter(user=request.user, assignment__in=assignments).order_by("created_at"):
        latest[submission.assignment_id] = submission
    now = timezone.now()
    for submission in latest.values():  # a total must not reveal what the cards withhold
        submission.shown_score, submission.score_is_visible_only = shown_score(submission, now)
    rows = [(a, latest.get(a.pk), standing(request.user, a, now)) for a in assignments]
    return render(request, "courses/home.html", {"rows": rows})


@login_required
def assignment_detail(request, course_slug, slug, form=None, status=200, upload_error=None):
    assignment = assignment_for(request.user, course_slug, slug)
    history = Submission.objects.filter(user=request.user, assignment=assignment).prefetch_related("function_results")
    context = {
        "assignment": assignment,
        "functions": assignment.current_version.manifest.get("functions", []) if assignment.current_version else [],
        "form": form or UploadForm(),
        "has_starter": assignment.current_version is not None
        and assignment.current_version.files.filter(role="starter").exists(),
        "standing": standing(request.user, assignment, timezone.now(), history),
        "upload_error": upload_error,
    }
    return render(request, "courses/assignment.html", context, status=status)


@login_required
def starter_kit(request, course_slug, slug):
    """The assignment's starter kit (grader/grading/kit.py): the notebook, the course's helpers and data, and a
    local check of the published cases."""
    assignment = assignment_for(request.user, course_slug, slug)
    version = assignment.current_version
    if version is None or not version.files.filter(role="starter").exists():
        raise Http404("This assignment has no starter notebook.")
    path = cached_starter_kit(bundle_of(version), get_grader())
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"{assignment.slug}-starter-kit.zip",
                        content_type="application/zip")
