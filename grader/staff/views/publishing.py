"""Preview, validate, publish and regrade a version: staff's pages; the work itself runs in workers (bulk queue).

Nothing here runs bundle code or a sandbox: the pages send a task, show its
stored state, and poll a small JSON endpoint until it ends.
"""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from grader.authoring import preview as previews
from grader.authoring import version_jobs
from grader.authoring.models import AssignmentVersion, ImmutableVersion
from grader.authoring.services import publish as publish_version
from grader.authoring.tasks import VALIDATE, preview_version, validate_version
from grader.staff.access import staff_assignment, staff_view
from grader.submissions import regrades
from grader.submissions.models import RegradeBatch

ITEMS_SHOWN = 500


def staff_version(course, slug: str, number: int) -> AssignmentVersion:
    """The version `number` of the course's assignment `slug` (drafts included); Http404 otherwise."""
    assignment = staff_assignment(course, slug)
    return get_object_or_404(AssignmentVersion.objects.select_related("assignment__course"),
                             assignment=assignment, number=number)


def _state(record) -> dict:
    return {"state": record.state if record else "none", "finished": bool(record and record.finished)}


@staff_view
@require_http_methods(["GET", "POST"])
def preview(request, course, slug, number):
    """GET computes the preview once (a worker fills it; the page polls); POST computes it again."""
    version = staff_version(course, slug, number)
    record = version_jobs.request(previews.KIND, version.digest, preview_version, version.pk,
                                  again=request.method == "POST")
    if request.method == "POST":
        return redirect("staff:preview", course.slug, slug, number)
    done = record.state == version_jobs.DONE
    return render(request, "staff/preview.html", {"course": course, "version": version, "record": record,
                                                  "preview": record.result if done else None})


@staff_view
@require_GET
def preview_state(request, course, slug, number):
    version = staff_version(course, slug, number)
    return JsonResponse(_state(version_jobs.read(previews.KIND, version.digest)))


def validation(version: AssignmentVersion) -> tuple[object, list]:
    """The version's validation record (None: never run with this grading code) and its failing rows."""
    record = version_jobs.read(VALIDATE, version.digest)
    rows = record.result.get("rows", []) if record and record.state == version_jobs.DONE else []
    return record, [row for row in rows if not row[3]]


@staff_view
@require_http_methods(["GET", "POST"])
def validate(request, course, slug, number):
    version = staff_version(course, slug, number)
    if request.method == "POST":
        version_jobs.request(VALIDATE, version.digest, validate_version, version.pk, again=True)
        return redirect("staff:validate", course.slug, slug, number)
    record, failing = validation(version)
    return render(request, "staff/validate.html", {
        "course": course, "version": version, "record": record, "failing": failing,
        "rows": record.result.get("rows", []) if record and record.state == version_jobs.DONE else [],
    })


@staff_view
@require_GET
def validate_state(request, course, slug, number):
    version = staff_version(course, slug, number)
    return JsonResponse(_state(version_jobs.read(VALIDATE, version.digest)))


class PublishForm(forms.Form):
    """Publishing needs a passing contract and, when students have uploads, a finished dry run first."""

    DRY_RUN, PUBLISH = "dry_run", "publish"
    action = forms.ChoiceField(choices=[(DRY_RUN, "Dry run"), (PUBLISH, "Publish")], widget=forms.HiddenInput)
    regrade_all = forms.BooleanField(required=False, label="Regrade every counted upload on this version now")

    def __init__(self, version: AssignmentVersion, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.version = version

    def clean(self):
        cleaned = super().clean()
        version, action = self.version, cleaned.get("action")
        if version.is_published:
            raise forms.ValidationError(f"v{version.number} is already published.")
        record, failing = validation(version)
        if record is None or record.state != version_jobs.DONE:
            raise forms.ValidationError("This version has not been validated with the current grading code: "
                                        "validate it first.")
        if failing:
            raise forms.ValidationError([f"Contract check failed: {row[0]} on {row[1]} ({row[2]}): {row[4]}"
                                         for row in failing])
        if action == self.DRY_RUN and regrades.unfinished(version.assignment, RegradeBatch.Kind.DRY_RUN).filter(
                version=version).exists():
            raise forms.ValidationError("A dry run of this version is under way; wait for it to finish.")
        if action == self.PUBLISH and regrades.counted_results(version.assignment) and not latest_dry_run(version):
            raise forms.ValidationError("Students have uploads: run the dry run first, to see how many scores "
                                        "this version would change.")
        if cleaned.get("regrade_all") and action == self.PUBLISH and regrades.unfinished(
                version.assignment, RegradeBatch.Kind.REGRADE).exists():
            self.add_error("regrade_all", "A regrade of this assignment is under way; wait for it to finish.")
        return cleaned


def latest_dry_run(version: AssignmentVersion) -> RegradeBatch | None:
    """The newest finished dry run of the version."""
    return RegradeBatch.objects.filter(version=version, kind=RegradeBatch.Kind.DRY_RUN,
                                       finished_at__isnull=False).order_by("-id").first()


@staff_view
@require_http_methods(["GET", "POST"])
def publish(request, course, slug, number):
    version = staff_version(course, slug, number)
    form = PublishForm(version, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["action"] == PublishForm.DRY_RUN:
            regrades.start(version, RegradeBatch.Kind.DRY_RUN, request.user)
            return redirect("staff:publish", course.slug, slug, number)
        record, _ = validation(version)
        version.validation_report = record.result["rows"]
        try:
            publish_version(version, contract=False)  # the contract held: `validation` read its verdict for this code
        except ImmutableVersion:  # published meanwhile (another click, another staff member)
            messages.info(request, f"v{version.number} was already published.")
            return redirect("staff:publish", course.slug, slug, number)
        messages.success(request, f"v{version.number} is published: students now get it.")
        if form.cleaned_data["regrade_all"]:
            batch = regrades.start(version, RegradeBatch.Kind.REGRADE, request.user)
            return redirect("staff:batch", course.slug, batch.pk)
        return redirect("staff:publish", course.slug, slug, number)
    record, failing = validation(version)
    dry_runs = RegradeBatch.objects.filter(version=version, kind=RegradeBatch.Kind.DRY_RUN).order_by("-id")
    running = dry_runs.filter(finished_at__isnull=True).first()
    finished = latest_dry_run(version)
    return render(request, "staff/publish.html", {
        "course": course, "version": version, "form": form, "record": record, "failing": failing,
        "uploads": len(regrades.counted_results(version.assignment)),
        "running": regrades.progress(running) if running else None,
        "dry_run": regrades.progress(finished) if finished else None, "dry_run_batch": finished,
    }, status=400 if request.method == "POST" else 200)


class RegradeForm(forms.Form):
    version = forms.ModelChoiceField(queryset=AssignmentVersion.objects.none(), empty_label=None,
                                     label="Grade every counted upload on")
    confirm = forms.BooleanField(label="Yes, grade them all again (old results are kept and viewable)")

    def __init__(self, assignment, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.assignment = assignment
        self.fields["version"].queryset = assignment.versions.filter(state=AssignmentVersion.State.PUBLISHED)
        self.fields["version"].label_from_instance = lambda v: (
            f"v{v.number}" + (" (current)" if v.pk == assignment.current_version_id else "")
            + f", published {v.published_at:%Y-%m-%d %H:%M}")
        self.initial.setdefault("version", assignment.current_version_id)

    def clean(self):
        cleaned = super().clean()
        if regrades.unfinished(self.assignment, RegradeBatch.Kind.REGRADE).exists():
            raise forms.ValidationError("A regrade of this assignment is under way; wait for it to finish.")
        return cleaned


@staff_view
@require_http_methods(["GET", "POST"])
def regrade(request, course, slug):
    assignment = staff_assignment(course, slug)
    form = RegradeForm(assignment, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        batch = regrades.start(form.cleaned_data["version"], RegradeBatch.Kind.REGRADE, request.user)
        return redirect("staff:batch", course.slug, batch.pk)
    batches = RegradeBatch.objects.filter(assignment=assignment).select_related("version", "created_by")[:20]
    return render(request, "staff/regrade.html", {
        "course": course, "assignment": assignment, "form": form,
        "uploads": len(regrades.counted_results(assignment)),
        "batches": [(b, regrades.progress(b)) for b in batches],
    }, status=400 if request.method == "POST" else 200)


def _batch(course, pk) -> RegradeBatch:
    return get_object_or_404(RegradeBatch.objects.select_related("assignment", "version", "created_by"),
                             pk=pk, assignment__course=course)


@staff_view
@require_GET
def batch(request, course, pk):
    found = _batch(course, pk)
    items = (found.items.select_related("source__user", "source__regrade_of", "regrade").order_by("id")[:ITEMS_SHOWN])
    return render(request, "staff/batch.html", {
        "course": course, "batch": found, "progress": regrades.progress(found), "items": items,
        "shown": ITEMS_SHOWN, "progress_url": reverse("staff:batch_progress", args=[course.slug, found.pk]),
    })


@staff_view
@require_GET
def batch_progress(request, course, pk):
    return JsonResponse(regrades.progress(_batch(course, pk)))
