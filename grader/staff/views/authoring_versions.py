"""An assignment's versions: who made each and when, how many gradings used it, and what changed from the one before."""
from __future__ import annotations

import difflib
import io
import zipfile

from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from assignments.bundle import MANIFEST
from grader import storage
from grader.authoring.forms import TEXT_EDIT_BYTES, TEXT_SUFFIXES
from grader.authoring.models import AssignmentVersion
from grader.authoring.services import render_manifest
from grader.staff.access import staff_assignment, staff_view
from grader.staff.views.authoring import editing
from grader.submissions.models import Submission

DIFF_LINES = 2000


@staff_view
def versions(request, course, slug):
    assignment = staff_assignment(course, slug)
    rows = (assignment.versions.select_related("created_by")
            .annotate(graded=Count("submissions", filter=Q(submissions__status=Submission.Status.GRADED)))
            .order_by("-number"))
    return render(request, "staff/version_list.html", {**editing(course, assignment), "versions": rows})


def _version(course, slug, number) -> AssignmentVersion:
    assignment = staff_assignment(course, slug)
    return get_object_or_404(AssignmentVersion.objects.select_related("created_by", "assignment"),
                             assignment=assignment, number=number)


def _text(row) -> str | None:
    """A file's text for a diff, when it is text and not too large to read."""
    if not row.name.endswith(TEXT_SUFFIXES) or row.size_bytes > TEXT_EDIT_BYTES:
        return None
    with row.file.open("rb") as handle:
        try:
            return handle.read().decode("utf-8")
        except UnicodeDecodeError:
            return None


def _diff(old: str, new: str, old_label: str, new_label: str) -> list[str]:
    lines = list(difflib.unified_diff(old.splitlines(), new.splitlines(), old_label, new_label, lineterm=""))
    return lines[:DIFF_LINES] + ([f"... {len(lines) - DIFF_LINES} more lines"] if len(lines) > DIFF_LINES else [])


def file_changes(previous: AssignmentVersion | None, version: AssignmentVersion) -> list[dict]:
    """Each file of either version: added, removed, changed (with a diff of text files) or unchanged."""
    old = {row.name: row for row in previous.files.all()} if previous else {}
    new = {row.name: row for row in version.files.all()}
    changes = []
    for name in sorted(set(old) | set(new)):
        before, after = old.get(name), new.get(name)
        if before is None:
            change = {"state": "added"}
        elif after is None:
            change = {"state": "removed"}
        elif before.sha256 == after.sha256:
            change = {"state": "unchanged"}
        else:
            change = {"state": "changed"}
            texts = _text(before), _text(after)
            if None not in texts:
                change["diff"] = _diff(*texts, f"v{previous.number}/{name}", f"v{version.number}/{name}")
        changes.append({"name": name, "row": after or before, **change})
    return changes


@staff_view
def version(request, course, slug, number):
    shown = _version(course, slug, number)
    previous = shown.assignment.versions.filter(number__lt=shown.number).order_by("-number").first()
    manifest_diff = _diff(render_manifest(previous.manifest) if previous else "", render_manifest(shown.manifest),
                          f"v{previous.number}/{MANIFEST}" if previous else "(nothing)", f"v{shown.number}/{MANIFEST}")
    graded = shown.submissions.filter(status=Submission.Status.GRADED).count()
    base = f"/courses/{course.slug}/staff/assignments/{slug}/versions/{shown.number}/"
    return render(request, "staff/version_detail.html", {
        **editing(course, shown.assignment), "version": shown, "previous": previous, "manifest_diff": manifest_diff,
        "files": file_changes(previous, shown), "graded": graded,
        "version_preview_url": base + "preview/", "version_validate_url": base + "validate/",
    })


@staff_view
def version_file(request, course, slug, number, name):
    shown = _version(course, slug, number)
    row = shown.files.filter(name=name).first()
    if row is None:
        raise Http404("No such file.")
    return storage.serve(row.file, filename=name.rsplit("/", 1)[-1], as_attachment=True)


@staff_view
def version_zip(request, course, slug, number):
    """The version as a bundle folder, zipped: it uploads (or loads) back to the same digest."""
    shown = _version(course, slug, number)
    buffer = io.BytesIO()
    folder = f"{shown.slug}-v{shown.number}"
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{folder}/{MANIFEST}", render_manifest(shown.manifest))
        for row in shown.files.all():
            with row.file.open("rb") as handle:
                archive.writestr(f"{folder}/{row.name}", handle.read())
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{folder}.zip"'
    return response
