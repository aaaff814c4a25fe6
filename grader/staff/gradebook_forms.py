"""The gradebook's query form and the per-student extension form."""
from __future__ import annotations

from django import forms
from django.utils import formats

from grader.courses.models import Assignment, Extension
from grader.staff.gradebook import (SHOW_ALL, SHOW_LATE, SHOW_MISSING, SORT_ASSIGNMENT, SORT_NAME, SORT_TOTAL,
                                    Query)


class GradebookQueryForm(forms.Form):
    """Search, filter and sort of the gradebook (a GET form: its values stay in the page's address)."""

    q = forms.CharField(required=False, max_length=100, label="Search",
                        help_text="username, name or email; several words must all match")
    assignment = forms.ChoiceField(required=False, label="Assignment")
    show = forms.ChoiceField(required=False, label="Show", choices=[
        (SHOW_ALL, "every student"), (SHOW_LATE, "late work only"), (SHOW_MISSING, "missing work only")])
    sort = forms.ChoiceField(required=False, label="Sort by")

    def __init__(self, data=None, *, assignments: list[Assignment]):
        super().__init__(data)
        self.assignments = {a.slug: a for a in assignments}
        self.fields["assignment"].choices = [("", "all assignments"), *[(a.slug, a.title) for a in assignments]]
        self.fields["sort"].choices = [
            (SORT_NAME, "name, A to Z"), (f"-{SORT_NAME}", "name, Z to A"),
            (f"-{SORT_TOTAL}", "total, highest first"), (SORT_TOTAL, "total, lowest first"),
            *[choice for a in assignments for choice in (
                (f"-{SORT_ASSIGNMENT}:{a.slug}", f"{a.title}, highest first"),
                (f"{SORT_ASSIGNMENT}:{a.slug}", f"{a.title}, lowest first"))],
        ]

    def query(self) -> Query:
        """The query the valid form asks for; the whole course by name when the form is unbound or invalid."""
        if not self.is_bound or not self.is_valid():
            return Query()
        data = self.cleaned_data
        sort = data["sort"] or SORT_NAME
        descending = sort.startswith("-")
        kind, _, slug = sort.lstrip("-").partition(":")
        return Query(search=data["q"].strip(), assignment=self.assignments.get(data["assignment"]),
                     show=data["show"] or SHOW_ALL, sort=kind, sort_assignment=self.assignments.get(slug),
                     descending=descending)


class ExtensionForm(forms.ModelForm):
    """A per-student due date, later than the assignment's (it also moves a hard deadline by as much)."""

    class Meta:
        model = Extension
        fields = ["due_at", "reason"]
        labels = {"due_at": "New due date (UTC)", "reason": "Reason"}
        widgets = {"due_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")}

    def __init__(self, *args, assignment: Assignment, **kwargs):
        super().__init__(*args, **kwargs)
        self.assignment = assignment
        self.fields["due_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]

    def clean_due_at(self):
        due_at = self.cleaned_data["due_at"]
        if self.assignment.due_at is not None and due_at <= self.assignment.due_at:
            raise forms.ValidationError(
                "An extension gives more time: choose a date after the assignment's due date, "
                f"{formats.date_format(self.assignment.due_at, 'DATETIME_FORMAT')}.")
        return due_at
