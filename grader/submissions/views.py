from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from grader.courses.access import assignment_for, is_staff_of, require_submission_access
from grader.courses.views import assignment_detail
from grader.submissions import services
from grader.submissions.forms import UploadForm
from grader.submissions.models import Submission
from grader.submissions.visibility import student_cards
from grader.submissions.uploads import SizeCapHandler, declared_too_large, too_large_message


@csrf_exempt  # the upload handler must be in place before the CSRF check reads the body
@login_required
@require_POST
def upload(request, course_slug, slug):
    assignment_for(request.user, course_slug, slug)
    oversized = declared_too_large(request)
    if oversized is not None:
        return _refuse_too_large(request, course_slug, slug, oversized)
    request.upload_handlers.insert(0, SizeCapHandler(request))
    return _upload_checked(request, course_slug, slug)


@csrf_protect
def _upload_checked(request, course_slug, slug):
    assignment = assignment_for(request.user, course_slug, slug)
    if getattr(request, "upload_too_large", False):
        return _refuse_too_large(request, course_slug, slug, None)
    too_fast = services.rate_refusal(request.user)
    if too_fast is not None:
        return assignment_detail(request, course_slug, slug, upload_error=too_fast, status=429)
    refusal = services.refusal(assignment, request.user)
    if refusal is not None:
        return assignment_detail(request, course_slug, slug, upload_error=refusal, status=409)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return assignment_detail(request, course_slug, slug, form=form, status=400)
    submission = services.submit(request.user, assignment, form.cleaned_data["file"])
    return redirect(submission)


def _refuse_too_large(request, course_slug, slug, size):
    response = assignment_detail(request, course_slug, slug, upload_error=too_large_message(size), status=413)
    response["Connection"] = "close"
    return response


def _load(request, pk) -> Submission:
    submission = get_object_or_404(Submission.objects.select_related("assignment__course", "user"), pk=pk)
    require_submission_access(request.user, submission)
    return submission


@login_required
@require_GET
def detail(request, pk):
    submission = _load(request, pk)
    return render(request, "submissions/detail.html", _feedback_context(request, submission))


@login_required
@require_GET
def feedback_fragment(request, pk):
    submission = _load(request, pk)
    return render(request, "submissions/_feedback.html", _feedback_context(request, submission))


def _feedback_context(request, submission) -> dict:
    """Staff see every verdict; a student sees hidden verdicts only once their reveal time has come."""
    results = list(submission.function_results.all())
    shown_score = None
    staff = is_staff_of(request.user, submission.assignment.course)
    if not staff:
        results, shown_score = student_cards(submission, results, timezone.now())
    return {"submission": submission, "results": results, "shown_score": shown_score, "is_staff": staff}


@login_required
@require_GET
def status(request, pk):
    submission = _load(request, pk)
    shown_score = _feedback_context(request, submission)["shown_score"]
    return JsonResponse({
        "id": submission.pk,
        "status": submission.status,
        "status_display": submission.get_status_display(),
        "finished": submission.is_finished,
        "score": submission.score if shown_score is None else shown_score,
        "score_is_visible_checks_only": shown_score is not None,
        "max_score": submission.max_score,
        "results": submission.function_results.count(),  # rises when the function cards arrive before the models
    })


@login_required
@require_GET
def plot(request, pk, result_id, which):
    """Model-check plots are private to the submission, like the rest of its feedback."""
    submission = _load(request, pk)
    result = get_object_or_404(submission.function_results, pk=result_id)
    image = {"cost": result.cost_plot, "boundary": result.boundary_plot}.get(which)
    if not image:
        raise Http404("No such plot.")
    return FileResponse(image.open("rb"), content_type="image/png")
