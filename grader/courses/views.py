from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
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

HISTORY_PER_PAGE = 10
UPLOAD_ERRORS = "upload_errors"  # session key: {"<course>/<slug>": {"id": ..., "message": ...}}


@login_required
def home(request):
    """Every assignment of the student's courses in the course's order: points, due date, status, what counts."""
    assignments = list(visible_assignments(request.user).order_by("course_id", "order", "title"))
    history: dict[int, list[Submission]] = {a.pk: [] for a in assignments}
    for submission in Submission.objects.filter(user=request.user, assignment__in=assignments):  # newest first
        history[submission.assignment_id].append(submission)
    now = timezone.now()
    rows = [standing(request.user, a, now, history[a.pk]) for a in assignments]
    return render(request, "courses/home.html", {"rows": rows})


@login_required
def assignment_detail(request, course_slug, slug):
    assignment = assignment_for(request.user, course_slug, slug)
    history = Submission.objects.filter(user=request.user, assignment=assignment).prefetch_related("function_results")
    mine = standing(request.user, assignment, timezone.now(), history)
    page = Paginator(mine.history, HISTORY_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "assignment": assignment,
        "functions": assignment.current_version.manifest.get("functions", []) if assignment.current_version else [],
        "form": UploadForm(),
        "has_starter": assignment.current_version is not None
        and assignment.current_version.files.filter(role="starter").exists(),
        "standing": mine,
        "history_page": page,
        "upload_error": upload_error(request, assignment, request.GET.get("upload")),
    }
    return render(request, "courses/assignment.html", context)


def upload_error(request, assignment, token: str | None) -> str | None:
    """The refused upload's message the redirect points at (`?upload=<id>`): it stays as long as the URL does."""
    if not token:
        return None
    error = request.session.get(UPLOAD_ERRORS, {}).get(f"{assignment.course.slug}/{assignment.slug}")
    return error["message"] if error and error.get("id") == token else None


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
