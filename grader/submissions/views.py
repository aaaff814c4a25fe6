import secrets
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from grader import storage
from grader.courses.access import assignment_for, is_staff_of, require_submission_access
from grader.courses.views import UPLOAD_ERRORS
from grader.submissions import services
from grader.submissions.forms import UploadForm
from grader.submissions.models import Submission
from grader.submissions.grades import days_late, effective_due
from grader.submissions.visibility import student_cards
from grader.submissions.waiting import place_in_line
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
        return _back_with_error(request, assignment, too_fast)
    refusal = services.refusal(assignment, request.user)
    if refusal is not None:
        return _back_with_error(request, assignment, refusal)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _back_with_error(request, assignment, " ".join(form.errors.get("file", []) or
                                                              [e for errors in form.errors.values() for e in errors]))
    submission = services.submit(request.user, assignment, form.cleaned_data["file"])
    request.session.get(UPLOAD_ERRORS, {}).pop(f"{course_slug}/{slug}", None)
    request.session.modified = True
    return redirect(submission)


def _back_with_error(request, assignment, message: str):
    """Post/redirect/get: the refusal waits in the session for the assignment page the redirect opens.

    A reload of that page shows the message again (the URL names it); a reload never posts the file twice.
    """
    token = secrets.token_urlsafe(6)
    errors = request.session.get(UPLOAD_ERRORS, {})
    errors[f"{assignment.course.slug}/{assignment.slug}"] = {"id": token, "message": message}
    request.session[UPLOAD_ERRORS] = errors
    response = HttpResponseRedirect(f"{assignment.get_absolute_url()}?{urlencode({'upload': token})}#id_file")
    response.status_code = 303  # See Other: the browser follows with a GET, and a reload never re-posts
    return response


def _refuse_too_large(request, course_slug, slug, size):
    response = _back_with_error(request, assignment_for(request.user, course_slug, slug), too_large_message(size))
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
    now = timezone.now()
    if not staff:
        results, shown_score = student_cards(submission, results, now)
    due = effective_due(submission.assignment, submission.user)
    return {"submission": submission, "results": results, "shown_score": shown_score, "is_staff": staff,
            "place": place_in_line(submission, now), "days_late": days_late(submission.created_at, due),
            "score_now": submission.score if shown_score is None else shown_score}


@login_required
@require_GET
def status(request, pk):
    submission = _load(request, pk)
    context = _feedback_context(request, submission)
    shown_score, place = context["shown_score"], context["place"]
    return JsonResponse({
        "id": submission.pk,
        "status": submission.status,
        "status_display": submission.get_status_display(),
        "finished": submission.is_finished,
        "score": submission.score if shown_score is None else shown_score,
        "score_is_visible_checks_only": shown_score is not None,
        "max_score": submission.max_score,
        "results": submission.function_results.count(),  # rises when the function cards arrive before the models
        "position": place.position if place else None,  # in the queue of uploads; 1 is next
        "estimate_s": place.estimate_s if place else None,
    })


@login_required
@require_GET
def download(request, pk):
    """The uploaded file itself, under its own name, for whoever may see the submission."""
    submission = _load(request, pk)
    return storage.serve(submission.file, filename=submission.original_name, as_attachment=True)


@login_required
@require_GET
def plot(request, pk, result_id, which):
    """Model-check plots are private to the submission, like the rest of its feedback."""
    submission = _load(request, pk)
    result = get_object_or_404(submission.function_results, pk=result_id)
    image = {"cost": result.cost_plot, "boundary": result.boundary_plot}.get(which)
    if not image:
        raise Http404("No such plot.")
    return storage.serve(image, content_type="image/png")
