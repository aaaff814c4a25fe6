"""Who is in the course: the member list, adding people (one, or a CSV: all rows or none), roles, removal."""
from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from grader.courses.models import Enrollment
from grader.staff import enrolment, invites
from grader.staff.access import staff_view

ROLE_CHOICES = Enrollment.Role.choices


class PersonForm(forms.Form):
    username = forms.CharField(max_length=enrolment.NAME_MAX)
    email = forms.EmailField(required=False, help_text="needed for someone without an account: the link to choose "
                                                       "a password goes there")
    first_name = forms.CharField(max_length=enrolment.NAME_MAX, required=False)
    last_name = forms.CharField(max_length=enrolment.NAME_MAX, required=False)
    role = forms.ChoiceField(choices=ROLE_CHOICES, initial=Enrollment.Role.STUDENT)

    def person(self) -> enrolment.Person:
        data = self.cleaned_data
        return enrolment.Person(get_user_model().normalize_username(data["username"].strip()), data["email"].strip(),
                                data["first_name"].strip(), data["last_name"].strip(), data["role"])


class CsvForm(forms.Form):
    file = forms.FileField(required=False, label="CSV file",
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}))
    text = forms.CharField(required=False, label="or paste the rows", strip=False,
                           widget=forms.Textarea(attrs={"rows": 6, "cols": 70, "spellcheck": "false",
                                                        "placeholder": "username,email,first_name,last_name,role"}))

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None and upload.size > enrolment.MAX_CSV_BYTES:
            raise forms.ValidationError(f"The file is larger than {enrolment.MAX_CSV_BYTES // 2**20} MiB.")
        if upload is None and not (data.get("text") or "").strip():
            raise forms.ValidationError("Choose a CSV file or paste its rows.")
        return data


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=ROLE_CHOICES)


def _page(request, course, person_form=None, csv_form=None, problems=(), status=200):
    members = (Enrollment.objects.filter(course=course).select_related("user")
               .annotate(uploads=Count("user__submissions", filter=Q(user__submissions__assignment__course=course,
                                                                     user__submissions__regrade_of__isnull=True)))
               .order_by("role", "user__username"))
    rows = [(m, invites.may_resend(m.user)) for m in members]
    return render(request, "staff/people.html", {
        "course": course,
        "rows": rows,
        "staff_count": sum(m.role == Enrollment.Role.STAFF for m in members),
        "student_count": sum(m.role == Enrollment.Role.STUDENT for m in members),
        "person_form": person_form or PersonForm(),
        "csv_form": csv_form or CsvForm(),
        "problems": problems,
        "columns": enrolment.COLUMNS,
        "role_choices": ROLE_CHOICES,
    }, status=status)


def _base_url(request) -> str:
    """Scheme and host of the links e-mailed: GRADER_BASE_URL when set, else the host the request came to."""
    return settings.GRADER_BASE_URL or request.build_absolute_uri("/")


def _report(request, outcome: enrolment.Outcome) -> None:
    parts = []
    if outcome.created:
        parts.append(f"created {len(outcome.created)} account{'s' if len(outcome.created) > 1 else ''} "
                     f"({', '.join(outcome.created)}), each sent a link to choose a password")
    if outcome.enrolled:
        parts.append(f"added {', '.join(outcome.enrolled)}")
    if outcome.role_changed:
        parts.append(f"changed the role of {', '.join(outcome.role_changed)}")
    if outcome.unchanged:
        parts.append(f"{', '.join(outcome.unchanged)} already in the course with that role")
    messages.success(request, "Done: " + "; ".join(parts) + ".")
    if outcome.unsent:
        messages.error(request, f"The e-mail to {', '.join(outcome.unsent)} could not be sent: use \"send the link "
                                "again\" once mail works.")


@staff_view
def people(request, course):
    return _page(request, course)


@staff_view
@require_POST
def add_person(request, course):
    form = PersonForm(request.POST)
    if form.is_valid():
        try:
            outcome = enrolment.enrol(course, [form.person()], _base_url(request), by=request.user)
        except enrolment.EnrolmentError as error:
            for problem in error.problems:
                form.add_error(problem.field if problem.field in form.fields else None, problem.message)
        else:
            _report(request, outcome)
            return redirect("staff:people", course.slug)
    return _page(request, course, person_form=form, status=400)


@staff_view
@require_POST
def upload_people(request, course):
    form = CsvForm(request.POST, request.FILES)
    problems = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read() if upload is not None else form.cleaned_data["text"]
        try:
            outcome = enrolment.enrol(course, enrolment.parse_csv(data), _base_url(request), by=request.user)
        except enrolment.EnrolmentError as error:
            problems = error.problems
            if upload is not None:  # keep what was sent: the rows come back in the text box to be corrected
                try:
                    text = data.decode("utf-8-sig")
                except UnicodeDecodeError:
                    text = ""
                form = CsvForm(initial={"text": text})
        else:
            _report(request, outcome)
            return redirect("staff:people", course.slug)
    return _page(request, course, csv_form=form, problems=problems, status=400)


def _member(course, username) -> Enrollment:
    return get_object_or_404(Enrollment.objects.select_related("user"), course=course, user__username=username)


@staff_view
@require_POST
def change_role(request, course, username):
    member = _member(course, username)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"{username}: choose student or staff.")
        return redirect("staff:people", course.slug)
    try:
        enrolment.change_role(course, member.user, form.cleaned_data["role"])
    except enrolment.EnrolmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{username} is now {Enrollment.Role(form.cleaned_data['role']).label.lower()}.")
        if member.user == request.user and form.cleaned_data["role"] != Enrollment.Role.STAFF:
            return redirect("courses:home")  # no longer staff: these pages are no longer theirs
    return redirect("staff:people", course.slug)


@staff_view
@require_http_methods(["GET", "POST"])
def remove_person(request, course, username):
    """GET asks to confirm; POST removes. Submissions and grades stay, and come back if they are added again."""
    member = _member(course, username)
    if request.method == "POST":
        try:
            enrolment.remove(course, member.user)
        except enrolment.EnrolmentError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{username} is no longer in {course.title}.")
            if member.user == request.user:  # they left: these pages are no longer theirs
                return redirect("courses:home")
        return redirect("staff:people", course.slug)
    uploads = member.user.submissions.filter(assignment__course=course, regrade_of__isnull=True).count()
    return render(request, "staff/people_remove.html", {"course": course, "member": member, "uploads": uploads,
                                                        "is_self": member.user == request.user})


@staff_view
@require_POST
def send_link(request, course, username):
    member = _member(course, username)
    if not invites.may_resend(member.user):
        messages.error(request, f"{username} has chosen a password already (or has no e-mail address): no link sent.")
    elif invites.send_set_password_link(member.user, course, _base_url(request), by=request.user):
        messages.success(request, f"A new link to choose a password was sent to {username}.")
    else:
        messages.error(request, f"The e-mail to {username} could not be sent.")
    return redirect("staff:people", course.slug)
