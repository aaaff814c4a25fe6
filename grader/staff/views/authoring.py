"""The assignment editor: create an assignment, change its settings, and edit its draft's files and manifest.

Every edit goes to the assignment's draft (`grader.authoring.drafts`), made on
the first edit as a copy of the current version; published versions never
change. Bundle code is stored and parsed, never run here: the preview and
validation pages run it in the sandbox.
"""
from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.db.models import ProtectedError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from assignments import starter
from grader.authoring import drafts
from grader.authoring.case_args import hdf5_layout
from grader.authoring.forms import (
    TEXT_EDIT_BYTES, TEXT_SUFFIXES, AssignmentForm, FileForm, FileTextForm, ManifestForm, NewAssignmentForm, ZipForm,
)
from grader.authoring.models import AssignmentVersion, BundleFile
from grader.authoring.services import render_manifest
from grader.staff.access import staff_assignment, staff_view
from grader.submissions.grades import update_grades


def editing(course, assignment) -> dict:
    """What every editor page shows: the draft (or the version an edit starts from) and its problems."""
    draft = drafts.current_draft(assignment)
    working = draft or drafts.working_version(assignment)
    base = f"/courses/{course.slug}/staff/assignments/{assignment.slug}/versions/{draft.number}/" if draft else ""
    return {"course": course, "assignment": assignment, "draft": draft, "working": working,
            "manifest": working.manifest if working else drafts.empty_manifest(assignment),
            "preview_url": base and base + "preview/", "validate_url": base and base + "validate/"}


def _told(request, problems: list[str], done: str) -> None:
    if problems:
        messages.warning(request, f"{done} The draft has {len(problems)} problem(s) to fix before it can be validated.")
    else:
        messages.success(request, f"{done} The draft loads.")


@staff_view
def assignment_new(request, course):
    form = NewAssignmentForm(request.POST or None, course=course)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            assignment = form.save()
            drafts.open_draft(assignment, request.user)
        messages.success(request, f"{assignment.title} made, with an empty draft: add its files and functions. "
                                  "Students see it once a version is published.")
        return redirect("staff:assignment", course.slug, assignment.slug)
    return render(request, "staff/assignment_new.html", {"course": course, "form": form},
                  status=400 if request.method == "POST" else 200)


@staff_view
def assignment(request, course, slug):
    shown = staff_assignment(course, slug)
    form = AssignmentForm(request.POST or None, instance=staff_assignment(course, slug))
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            if {"title", "description"} & set(form.changed_data):
                _bundle_title(saved, request.user)
        moved = update_grades(saved) if form.moves_grades() else None
        messages.success(request, "Settings saved." + (f" {moved} student grade(s) recomputed." if moved else ""))
        return redirect("staff:assignment", course.slug, slug)
    context = {**editing(course, shown), "form": form,
               "versions": shown.versions.order_by("-number")[:5]}
    return render(request, "staff/assignment_settings.html", context, status=400 if request.method == "POST" else 200)


def _bundle_title(assignment, user) -> None:
    """The title and description are the bundle's too: the draft carries them into the next published version."""
    def retitle(manifest):
        manifest["title"] = assignment.title
        if assignment.description:
            manifest["description"] = assignment.description
        else:
            manifest.pop("description", None)

    drafts.edit(assignment, user, lambda draft: drafts.change_manifest(draft, retitle))


def _layout(row: BundleFile) -> dict | None:
    """An HDF5 file's datasets (names, shapes, dtypes: metadata only), or why h5py cannot read it."""
    if not row.name.endswith(".h5"):
        return None
    with row.file.open("rb") as handle:
        try:
            return {"datasets": hdf5_layout(handle.read())}
        except ValueError as error:
            return {"error": str(error)}


def _starter_problems(rows, manifest: dict) -> list[str]:
    """Why the starter notebook must not be handed out as it is (outputs, markers, solutions): read, never run."""
    row = next((r for r in rows if r.role == BundleFile.Role.STARTER), None)
    if row is None:
        return []
    graded = [f["name"] for f in manifest.get("functions", []) if isinstance(f, dict) and isinstance(f.get("name"), str)]
    with row.file.open("rb") as handle:
        return starter.problems(handle.read().decode("utf-8", errors="replace"), graded)


def _editable(row: BundleFile) -> bool:
    return row.name.endswith(TEXT_SUFFIXES) and row.size_bytes <= TEXT_EDIT_BYTES


@staff_view
def assignment_files(request, course, slug):
    assignment = staff_assignment(course, slug)
    form = FileForm(request.POST or None, request.FILES or None, initial={"role": request.GET.get("role", "job")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            draft, problems = drafts.edit(assignment, request.user,
                                          lambda draft: drafts.put_file(draft, data["role"], data["name"], data["data"]))
        except drafts.EditRefused as error:
            form.add_error(None, str(error))
        else:
            _told(request, problems, f"{data['name'] or data['role']} saved in draft v{draft.number}.")
            return redirect("staff:assignment_files", course.slug, slug)
    return _files_page(request, course, assignment, form, ZipForm(), status=400 if request.method == "POST" else 200)


def _files_page(request, course, assignment, form, zip_form, status=200):
    context = editing(course, assignment)
    order = list(BundleFile.Role.values)
    rows = sorted(context["working"].files.all(), key=lambda r: (order.index(r.role), r.name)) if context["working"] else []
    context.update(form=form, zip_form=zip_form, files=[(row, _editable(row), _layout(row)) for row in rows],
                   starter_problems=_starter_problems(rows, context["manifest"]))
    return render(request, "staff/assignment_files.html", context, status=status)


@staff_view
@require_POST
def assignment_zip(request, course, slug):
    assignment = staff_assignment(course, slug)
    form = ZipForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            loaded = drafts.load_zip(assignment, form.cleaned_data["file"], request.user)
        except drafts.EditRefused as error:
            form.add_error("file", str(error))
        else:
            if loaded.slug_was:
                messages.info(request, f"The zip's slug {loaded.slug_was!r} became {assignment.slug!r}.")
            if loaded.left_out:
                messages.info(request, "Left out (the manifest names them nowhere): " + ", ".join(loaded.left_out))
            _told(request, loaded.draft.problems, f"The zip is now draft v{loaded.draft.number}.")
            return redirect("staff:assignment_files", course.slug, slug)
    return _files_page(request, course, assignment, FileForm(), form, status=400)


def _draft_file(assignment, name: str) -> tuple[AssignmentVersion, BundleFile]:
    working = drafts.working_version(assignment)
    row = working.files.filter(name=name).first() if working else None
    if row is None:
        raise Http404("No such file.")
    return working, row


@staff_view
def assignment_file(request, course, slug, name):
    """A text file of the draft in a textarea (saving it makes the draft if there is none yet)."""
    assignment = staff_assignment(course, slug)
    working, row = _draft_file(assignment, name)
    if not _editable(row):
        raise Http404("This file is not edited as text; upload it again on the files page.")
    if request.method == "POST":
        form = FileTextForm(request.POST)
        if form.is_valid():
            try:
                text = form.cleaned_data["text"].encode()
                draft, problems = drafts.edit(assignment, request.user,
                                              lambda draft: drafts.put_file(draft, row.role, row.name, text))
            except drafts.EditRefused as error:
                form.add_error(None, str(error))
            else:
                _told(request, problems, f"{row.name} saved in draft v{draft.number}.")
                return redirect("staff:assignment_file", course.slug, slug, row.name)
    else:
        with row.file.open("rb") as handle:
            try:
                text = handle.read().decode("utf-8")
            except UnicodeDecodeError:
                raise Http404("This file is not UTF-8 text; upload it again on the files page.") from None
        form = FileTextForm(initial={"text": text})
    context = {**editing(course, assignment), "row": row, "form": form}
    return render(request, "staff/assignment_file.html", context, status=400 if form.errors else 200)


@staff_view
@require_POST
def assignment_file_remove(request, course, slug, name):
    assignment = staff_assignment(course, slug)
    _draft_file(assignment, name)
    try:
        draft, problems = drafts.edit(assignment, request.user, lambda draft: drafts.remove_file(draft, name))
    except drafts.EditRefused as error:
        messages.error(request, str(error))
    else:
        _told(request, problems, f"{name} removed from draft v{draft.number}.")
    return redirect("staff:assignment_files", course.slug, slug)


@staff_view
def assignment_manifest(request, course, slug):
    """assignment.toml as text: every key of the format, model checks and explanations included."""
    assignment = staff_assignment(course, slug)
    context = editing(course, assignment)
    form = ManifestForm(request.POST or None, initial={"text": render_manifest(context["manifest"])})
    if request.method == "POST" and form.is_valid():
        try:
            manifest = form.cleaned_data["manifest"]
            draft, problems = drafts.edit(assignment, request.user, lambda draft: drafts.save_manifest(draft, manifest))
        except drafts.EditRefused as error:
            form.add_error("text", str(error))
        else:
            _told(request, problems, f"assignment.toml saved in draft v{draft.number}.")
            return redirect("staff:assignment_manifest", course.slug, slug)
    return render(request, "staff/assignment_manifest.html", {**context, "form": form},
                  status=400 if request.method == "POST" else 200)


@staff_view
@require_POST
def draft_discard(request, course, slug):
    assignment = staff_assignment(course, slug)
    draft = drafts.current_draft(assignment)
    if draft is None:
        raise Http404("This assignment has no draft.")
    try:
        drafts.discard(draft)
    except ProtectedError:
        messages.error(request, f"Draft v{draft.number} has graded previews or regrades; it stays.")
    else:
        messages.success(request, f"Draft v{draft.number} discarded.")
    return redirect("staff:assignment", course.slug, slug)
