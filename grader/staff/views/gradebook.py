"""The gradebook (stored grades of every student), its CSV exports, and one student's page with extensions."""
from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from grader import storage
from grader.courses.models import Extension
from grader.staff import gradebook
from grader.staff.access import staff_assignment, staff_view
from grader.staff.gradebook_forms import ExtensionForm, GradebookQueryForm
from grader.staff.student_record import student_record
from grader.submissions.grades import update_grade
from grader.submissions.models import Submission

STUDENTS_PER_PAGE = 50


def _query(request, course):
    assignments = gradebook.gradebook_assignments(course)
    form = GradebookQueryForm(request.GET or None, assignments=assignments)
    return assignments, form, form.query()


@staff_view
@require_GET
def gradebook_page(request, course):
    assignments, form, query = _query(request, course)
    students = gradebook.matching_students(course, assignments, query)
    page = Paginator(students, STUDENTS_PER_PAGE).get_page(request.GET.get("page"))
    current = (form.cleaned_data.get("sort") if form.is_bound and form.is_valid() else "") or gradebook.SORT_NAME
    return render(request, "staff/gradebook.html", {
        "course": course,
        "assignments": assignments,
        "columns": [(a, _toggle(current, f"{gradebook.SORT_ASSIGNMENT}:{a.slug}", first_descending=True))
                    for a in assignments],
        "name_sort": _toggle(current, gradebook.SORT_NAME, first_descending=False),
        "total_sort": _toggle(current, gradebook.SORT_TOTAL, first_descending=True),
        "form": form,
        "query": query,
        "page": page,
        "rows": gradebook.table_rows(assignments, page.object_list),
        "max_total": sum(a.max_score for a in assignments),
    }, status=400 if form.is_bound and not form.is_valid() else 200)


def _toggle(current: str, key: str, first_descending: bool) -> str:
    """The sort a column heading links to: its first direction, or the other one when it sorts already."""
    if current.lstrip("-") == key:
        return key if current.startswith("-") else f"-{key}"
    return f"-{key}" if first_descending else key


class _Echo:
    def write(self, value):
        return value


def _csv_response(request, course, name: str, table) -> HttpResponse:
    assignments, form, query = _query(request, course)
    if form.is_bound and not form.is_valid():
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain; charset=utf-8")
    rows = gradebook.iter_rows(assignments, gradebook.matching_students(course, assignments, query))
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse((writer.writerow(line) for line in table(assignments, rows)),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{course.slug}-{name}"'
    return response


@staff_view
@require_GET
def gradebook_csv(request, course):
    return _csv_response(request, course, "gradebook.csv", gradebook.csv_table)


@staff_view
@require_GET
def gradebook_canvas_csv(request, course):
    return _csv_response(request, course, "gradebook-canvas.csv",
                         lambda assignments, rows: gradebook.canvas_table(course, assignments, rows))


def _student(course, username):
    return get_object_or_404(get_user_model(), username=username, enrollments__course=course)


@staff_view
@require_GET
def student(request, course, username):
    person = _student(course, username)
    return render(request, "staff/student.html", student_record(course, person))


@staff_view
@require_POST
def extension(request, course, username, slug):
    """Grants, changes (`save`) or removes (`remove`) the student's extension, then updates the stored grade."""
    person = _student(course, username)
    assignment = staff_assignment(course, slug)
    current = Extension.objects.filter(user=person, assignment=assignment).first()
    if "remove" in request.POST:
        if current is not None:
            current.delete()
        grade = update_grade(person, assignment)
        messages.success(request, f"{assignment.title}: extension removed; the counting score is now "
                                  f"{gradebook.points(grade.score) or 'none'}.")
    else:
        form = ExtensionForm(request.POST, instance=current or Extension(user=person, assignment=assignment),
                             assignment=assignment, prefix=assignment.slug)
        if not form.is_valid():
            return render(request, "staff/student.html", student_record(course, person, bound={assignment.pk: form}),
                          status=400)
        saved = form.save(commit=False)
        saved.granted_by = request.user
        saved.save()
        grade = update_grade(person, assignment)
        messages.success(request, f"{assignment.title}: extension saved; the counting score is now "
                                  f"{gradebook.points(grade.score) or 'none'}.")
    return redirect(reverse("staff:student", args=[course.slug, person.username]) + f"#{assignment.slug}")


@staff_view
@require_GET
def submission_download(request, course, pk):
    """The submitted file as the student uploaded it (only a submission of this course)."""
    submission = get_object_or_404(Submission, pk=pk, assignment__course=course)
    return storage.serve(submission.file, filename=submission.original_name, as_attachment=True)
