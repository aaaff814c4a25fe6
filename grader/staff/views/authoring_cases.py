"""Graded functions and their test cases in forms, written into the draft's manifest in the format's own keys."""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from assignments.source import NO_DEFAULT, NOT_LITERAL, SourceError, defined_names, parameters
from grader.authoring import drafts
from grader.authoring.case_args import hdf5_args_problem, hdf5_layout
from grader.authoring.case_forms import CaseForm, FunctionForm, remove_case, remove_function
from grader.authoring.models import BundleFile
from grader.staff.access import staff_assignment, staff_view
from grader.staff.views.authoring import _told, editing


def _function(manifest: dict, name: str) -> dict:
    for entry in manifest.get("functions", []):
        if isinstance(entry, dict) and entry.get("name") == name:
            return entry
    raise Http404("No such function.")


def _case(entry: dict, case_id: str) -> dict:
    for case in entry.get("cases", []):
        if isinstance(case, dict) and case.get("id") == case_id:
            return case
    raise Http404("No such case.")


def visibility(case: dict) -> str:
    if not case.get("hidden"):
        return "visible"
    return {"after_due": "hidden, verdict after the due date", "never": "always hidden"}.get(
        case.get("reveal"), "hidden, verdict shown")


def arguments(case: dict) -> str:
    args = case.get("args")
    if isinstance(args, list):
        return f"{len(args)} literal value(s)"
    return str(args)


@staff_view
def assignment_functions(request, course, slug):
    assignment = staff_assignment(course, slug)
    context = editing(course, assignment)
    names = [f.get("name") for f in context["manifest"].get("functions", []) if isinstance(f, dict)]
    form = FunctionForm(request.POST or None, others=names)
    if request.method == "POST" and form.is_valid():
        try:
            draft, problems = drafts.edit(assignment, request.user, lambda draft: drafts.change_manifest(
                draft, lambda manifest: form.apply(manifest, None)))
        except drafts.EditRefused as error:
            form.add_error(None, str(error))
        else:
            name = form.cleaned_data["name"]
            _told(request, problems, f"{name} added to draft v{draft.number}; now add its cases.")
            return redirect("staff:function", course.slug, slug, name)
    functions = [(f, [(c, visibility(c), arguments(c)) for c in f.get("cases", []) if isinstance(c, dict)])
                 for f in context["manifest"].get("functions", []) if isinstance(f, dict)]
    return render(request, "staff/assignment_functions.html", {**context, "form": form, "functions": functions},
                  status=400 if request.method == "POST" else 200)


def _text_of(working, role: str) -> str | None:
    row = working.files.filter(role=role).first() if working else None
    if row is None:
        return None
    with row.file.open("rb") as handle:
        try:
            return handle.read().decode("utf-8")
        except UnicodeDecodeError:
            return None


def signature(reference: str | None, name: str) -> str | None:
    """The reference's def of `name` as a call, e.g. "leaky_relu(Z, slope=0.01)" (parsed, never run)."""
    if reference is None:
        return None
    try:
        listed = parameters(reference, name, "reference.py")
    except SourceError:
        return None
    shown, starred = [], False
    for arg, positional, default in listed:
        if not positional and not starred:
            shown.append("*")
            starred = True
        shown.append(arg if default is NO_DEFAULT else f"{arg}=..." if default is NOT_LITERAL else f"{arg}={default!r}")
    return f"{name}({', '.join(shown)})"


@staff_view
def function(request, course, slug, name):
    assignment = staff_assignment(course, slug)
    context = editing(course, assignment)
    entry = _function(context["manifest"], name)
    others = [f.get("name") for f in context["manifest"].get("functions", []) if f is not entry]
    form = FunctionForm(request.POST or None, others=others, initial=FunctionForm.initial_of(entry))
    if request.method == "POST" and form.is_valid():
        try:
            draft, problems = drafts.edit(assignment, request.user, lambda draft: drafts.change_manifest(
                draft, lambda manifest: form.apply(manifest, name)))
        except drafts.EditRefused as error:
            form.add_error(None, str(error))
        else:
            _told(request, problems, f"{form.cleaned_data['name']} saved in draft v{draft.number}.")
            return redirect("staff:function", course.slug, slug, form.cleaned_data["name"])
    cases = [(c, visibility(c), arguments(c)) for c in entry.get("cases", []) if isinstance(c, dict)]
    return render(request, "staff/assignment_function.html", {
        **context, "form": form, "entry": entry, "cases": cases,
        "signature": signature(_text_of(context["working"], BundleFile.Role.REFERENCE), name),
    }, status=400 if request.method == "POST" else 200)


@staff_view
@require_POST
def function_remove(request, course, slug, name):
    assignment = staff_assignment(course, slug)
    try:
        draft, problems = drafts.edit(assignment, request.user, lambda draft: drafts.change_manifest(
            draft, lambda manifest: remove_function(manifest, name)))
    except drafts.EditRefused as error:
        messages.error(request, str(error))
    else:
        _told(request, problems, f"{name} removed from draft v{draft.number}.")
    return redirect("staff:assignment_functions", course.slug, slug)


def _builders(working) -> list[str]:
    """The functions cases.py defines (parsed, never run), offered as builders."""
    text = _text_of(working, BundleFile.Role.CASES)
    try:
        return sorted(n for n in defined_names(text, "cases.py") if not n.startswith("_")) if text else []
    except SourceError:
        return []


def _case_page(request, course, slug, name, case_id=None):
    assignment = staff_assignment(course, slug)
    context = editing(course, assignment)
    entry = _function(context["manifest"], name)
    case = _case(entry, case_id) if case_id is not None else None
    working = context["working"]
    chosen = case.get("args") if case and isinstance(case.get("args"), str) and not case["args"].startswith("cases.py:") \
        else None
    inputs = [row.name for row in working.files.all() if row.role == BundleFile.Role.INPUT or row.name == chosen] \
        if working else []
    others = [c.get("id") for c in entry.get("cases", []) if c is not case]
    initial = CaseForm.initial_of(case) if case else {"id": "published" if not others else f"case{len(others) + 1}"}
    form = CaseForm(request.POST or None, request.FILES or None, others=others, inputs=inputs, initial=initial)
    form.fields["builder"].widget.attrs["list"] = "builders"
    if request.method == "POST" and form.is_valid():
        try:
            draft, problems = drafts.edit(assignment, request.user, lambda draft: _save_case(draft, form, name, case_id))
        except drafts.EditRefused as error:
            form.add_error(None, str(error))
        else:
            _told(request, problems, f"{name}: case {form.cleaned_data['id']} saved in draft v{draft.number}.")
            return redirect("staff:function", course.slug, slug, name)
    layout = problem = None
    if chosen and working and working.files.filter(name=chosen).exists():
        with working.files.get(name=chosen).file.open("rb") as handle:
            try:
                layout = hdf5_layout(handle.read())
                problem = hdf5_args_problem(layout)
            except ValueError as error:
                problem = str(error)
    context.update(form=form, entry=entry, case=case, builders=_builders(working), layout=layout,
                   layout_problem=problem, chosen=chosen)
    return render(request, "staff/assignment_case.html", context, status=400 if request.method == "POST" else 200)


def _save_case(draft, form: CaseForm, name: str, case_id: str | None) -> list[str]:
    """Stores an uploaded HDF5 arguments file (under inputs/) and writes the case naming it."""
    hdf5_name = None
    upload = form.cleaned_data.get("hdf5_upload")
    if form.cleaned_data["kind"] == "hdf5" and upload is not None:
        drafts.put_file(draft, BundleFile.Role.INPUT, upload.name, form.cleaned_data["hdf5_data"])
        hdf5_name = drafts.stored_name(BundleFile.Role.INPUT, upload.name)
    return drafts.change_manifest(draft, lambda manifest: form.apply(manifest, name, case_id, hdf5_name))


@staff_view
def case_new(request, course, slug, name):
    return _case_page(request, course, slug, name)


@staff_view
def case(request, course, slug, name, case_id):
    return _case_page(request, course, slug, name, case_id)


@staff_view
@require_POST
def case_remove(request, course, slug, name, case_id):
    assignment = staff_assignment(course, slug)
    try:
        draft, problems = drafts.edit(assignment, request.user, lambda draft: drafts.change_manifest(
            draft, lambda manifest: remove_case(manifest, name, case_id)))
    except drafts.EditRefused as error:
        messages.error(request, str(error))
    else:
        _told(request, problems, f"{name}: case {case_id} removed from draft v{draft.number}.")
    return redirect("staff:function", course.slug, slug, name)
