"""The course staff's LMS page: link the course to a deployment, the values to paste into the LMS, what
each link opens, grade passbacks (resend failed ones), the roster sync, and the deep-linking picker."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_http_methods, require_POST

from grader.courses.models import Assignment
from grader.lti import passback
from grader.lti.models import Context, Deployment, Passback, Platform, ResourceLink
from grader.lti.setup_values import tool_values
from grader.lti.tool import REASONS, Refused, restored_launch
from grader.lti.views import DEEP_LINK_SESSION_KEY
from grader.staff.access import staff_view

DEPLOYMENT_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"


class DeploymentForm(forms.Form):
    platform = forms.ModelChoiceField(queryset=Platform.objects.all(), help_text="registered by the operators")
    deployment_id = forms.CharField(max_length=255, help_text="the LMS shows it once the tool is deployed")

    def clean_deployment_id(self):
        return self.cleaned_data["deployment_id"].strip()


def _page(request, course, form, status=200):
    links = ResourceLink.objects.filter(context__deployment__course=course).select_related("assignment", "context")
    return render(request, "lti/staff.html", {
        "course": course, "form": form, "values": tool_values(request),
        "deployments": Deployment.objects.filter(course=course).select_related("platform"),
        "contexts": Context.objects.filter(deployment__course=course),
        "links": links, "assignments": Assignment.objects.filter(course=course),
        "passbacks": Passback.objects.filter(link__context__deployment__course=course, link__assignment__isnull=False)
        .select_related("user", "link__assignment").order_by("status", "-updated_at"),
    }, status=status)


@staff_view
@require_http_methods(["GET", "POST"])
def lti(request, course):
    """The page; a POST links a deployment of a registered platform to this course (one course per deployment)."""
    form = DeploymentForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return _page(request, course, form, status=400)
        with transaction.atomic():
            row, _ = Deployment.objects.select_for_update().get_or_create(
                platform=form.cleaned_data["platform"], deployment_id=form.cleaned_data["deployment_id"])
            if row.course_id not in (None, course.pk):
                form.add_error("deployment_id", "That deployment serves another course.")
                return _page(request, course, form, status=400)
            row.course = course
            row.save(update_fields=["course"])
        messages.success(request, f"Launches from {row} now open {course.title}.")
        return redirect("staff:lti", course.slug)
    return _page(request, course, form)


@staff_view
@require_POST
def link_assignment(request, course, pk):
    """Chooses the assignment an LMS link opens; students who launched it get their grades sent."""
    link = get_object_or_404(ResourceLink, pk=pk, context__deployment__course=course)
    link.assignment = get_object_or_404(Assignment, course=course, slug=request.POST.get("assignment", ""))
    link.save(update_fields=["assignment"])
    passback.resend(list(link.passbacks.all()))  # the students who launched it: their grades of this assignment
    messages.success(request, f"The LMS link {link.title or link.resource_link_id} opens {link.assignment.title}.")
    return redirect("staff:lti", course.slug)


@staff_view
@require_POST
def resend(request, course, pk):
    """Sends one student's score again (after a failure, or to overwrite a change made in the LMS)."""
    row = get_object_or_404(Passback, pk=pk, link__context__deployment__course=course)
    passback.resend([row])
    messages.success(request, f"The score of {row.user} is being sent again.")
    return redirect("staff:lti", course.slug)


@staff_view
@require_POST
def resend_failed(request, course):
    """Sends every failed score of the course again."""
    rows = list(Passback.objects.filter(link__context__deployment__course=course, status=Passback.Status.FAILED))
    passback.resend(rows)
    messages.success(request, f"{len(rows)} failed score(s) are being sent again.")
    return redirect("staff:lti", course.slug)


@staff_view
@require_POST
def roster_sync(request, course, pk):
    """Queues reading the LMS course's members (NRPS) and enrolling them (grader.lti.roster)."""
    from grader.lti.tasks import sync_roster

    context = get_object_or_404(Context, pk=pk, deployment__course=course)
    if not context.memberships_url:
        messages.error(request, "The LMS did not offer its roster (Names and Role Provisioning) for this course.")
        return redirect("staff:lti", course.slug)
    context.roster_status = "queued"
    context.save(update_fields=["roster_status"])
    transaction.on_commit(lambda: sync_roster.delay(context.pk))
    messages.success(request, "The roster is being read from the LMS.")
    return redirect("staff:lti", course.slug)


@staff_view
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def deep_link(request, course):
    """Deep linking's second step: staff pick an assignment; it goes back to the LMS as an LtiResourceLink."""
    launch_id = request.session.get(DEEP_LINK_SESSION_KEY)
    if not launch_id:
        return render(request, "lti/deep_link.html", {"course": course, "no_launch": True},
                      status=400 if request.method == "POST" else 200)
    try:
        launch = restored_launch(request, launch_id)
    except Refused as error:
        return render(request, "lti/refused.html", {"reason": error.reason, "message": "Open the link from the LMS again.",
                                                    "detail": error.detail}, status=400)
    claims = launch.get_launch_data()
    if not Deployment.objects.filter(course=course, platform__issuer=claims["iss"],
                                     deployment_id=claims.get(DEPLOYMENT_CLAIM)).exists():
        return render(request, "lti/refused.html", {"reason": "deployment", "message": REASONS["deployment"],
                                                    "detail": "the launch came for another course"}, status=400)
    assignments = Assignment.objects.filter(course=course, current_version__isnull=False)
    if request.method == "POST":
        chosen = assignments.filter(slug=request.POST.get("assignment", "")).first()
        if chosen is None:
            return render(request, "lti/deep_link.html", {"course": course, "assignments": assignments,
                                                         "error": "Choose a published assignment."}, status=400)
        del request.session[DEEP_LINK_SESSION_KEY]
        return HttpResponse(passback.deep_link_form(launch, chosen, request))
    return render(request, "lti/deep_link.html", {"course": course, "assignments": assignments})
