"""The staff editor's forms: an assignment's settings, its bundle's files and its assignment.toml as text.

Functions and cases have theirs in `case_forms`.
"""
from __future__ import annotations

from django import forms
from django.conf import settings

from assignments.manifest import SLUG
from grader.authoring import drafts
from grader.authoring.case_args import hdf5_layout
from grader.authoring.models import BundleFile
from grader.courses.models import Assignment

RESERVED_SLUGS = {"staff", "new"}  # /courses/<c>/staff/ is the staff pages; assignments/new/ the creation page
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
TEXT_SUFFIXES = (".py", ".toml", ".txt", ".md", ".csv", ".json")
TEXT_EDIT_BYTES = 512 * 2**10


class AssignmentForm(forms.ModelForm):
    """Settings staff change at any time; grades move with the due date, the late policy and the counting rule."""

    GRADE_FIELDS = ("due_at", "late_policy", "late_penalty_percent", "counting")

    class Meta:
        model = Assignment
        fields = ["title", "description", "due_at", "is_open", "late_policy", "late_penalty_percent", "hard_deadline",
                  "max_submissions", "counting"]
        labels = {"is_open": "Open for uploads", "late_penalty_percent": "Late penalty (% of the score per day late)",
                  "hard_deadline": "Hard deadline", "max_submissions": "Uploads allowed per student",
                  "due_at": "Due date"}
        help_texts = {"due_at": f"Times are {settings.TIME_ZONE}.",
                      "hard_deadline": "Policy 'refuse': no upload is taken after it (empty: the due date).",
                      "max_submissions": "Empty: no limit. Failed gradings never count."}
        widgets = {"due_at": DATETIME, "hard_deadline": DATETIME, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("due_at", "hard_deadline"):
            self.fields[name].input_formats = DATETIME_FORMATS

    def clean_late_penalty_percent(self):
        value = self.cleaned_data["late_penalty_percent"]
        if value is not None and not 0 <= value <= 100:
            raise forms.ValidationError("Give a percentage between 0 and 100.")
        return value

    def clean_max_submissions(self):
        value = self.cleaned_data["max_submissions"]
        if value is not None and value < 1:
            raise forms.ValidationError("Allow at least one upload, or leave it empty for no limit.")
        return value

    def clean(self):
        data = super().clean()
        policy, due, hard = data.get("late_policy"), data.get("due_at"), data.get("hard_deadline")
        if policy == Assignment.LatePolicy.PENALTY:
            if not data.get("late_penalty_percent"):
                self.add_error("late_penalty_percent", "The penalty policy needs a penalty above 0%.")
            if due is None:
                self.add_error("due_at", "A late penalty needs a due date to count days late from.")
        if policy == Assignment.LatePolicy.REFUSE and due is None and hard is None:
            self.add_error("hard_deadline", "Refusing late work needs a due date or a hard deadline.")
        if due and hard and hard < due:
            self.add_error("hard_deadline", "The hard deadline cannot be before the due date.")
        return data

    def moves_grades(self) -> bool:
        """Whether saving changes how stored grades are computed (so they must be recomputed)."""
        return any(name in self.changed_data for name in self.GRADE_FIELDS)


class NewAssignmentForm(AssignmentForm):
    """A new assignment: its settings and its slug, which names it in every URL and grade and never changes."""

    class Meta(AssignmentForm.Meta):
        fields = ["title", "slug", "description"] + AssignmentForm.Meta.fields[2:]
        help_texts = {**AssignmentForm.Meta.help_texts,
                      "slug": "Lowercase letters, digits and dashes, e.g. optimization-2026. It cannot change later."}

    def __init__(self, *args, course, **kwargs):
        super().__init__(*args, **kwargs)
        self.course = course

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if not SLUG.match(slug):
            raise forms.ValidationError("Use lowercase letters, digits and single dashes between them.")
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(f"'{slug}' is taken by the site's own pages; choose another.")
        if Assignment.objects.filter(course=self.course, slug=slug).exists():
            raise forms.ValidationError("This course already has an assignment with this slug.")
        return slug

    def save(self, commit=True):
        self.instance.course = self.course
        self.instance.order = Assignment.objects.filter(course=self.course).count()
        return super().save(commit)


class ManifestForm(forms.Form):
    """assignment.toml as text, for the keys the other forms do not show (model checks, explanations, ...)."""

    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 30, "cols": 100, "spellcheck": "false"}),
                           strip=False, label="assignment.toml")

    def clean_text(self):
        try:
            self.cleaned_data["text"] = unix_lines(self.cleaned_data["text"])
            self.cleaned_data["manifest"] = drafts.parse_manifest(self.cleaned_data["text"])
        except drafts.EditRefused as error:
            raise forms.ValidationError(str(error)) from None
        return self.cleaned_data["text"]


class FileForm(forms.Form):
    """A file of the bundle by role: uploaded, or typed in for a text file."""

    role = forms.ChoiceField(choices=BundleFile.Role.choices)
    file = forms.FileField(required=False, label="Upload")
    name = forms.CharField(required=False, max_length=200, label="File name",
                           help_text="Job and private files keep their name (students import job modules by it).")
    text = forms.CharField(required=False, strip=False, label="Or type it",
                           widget=forms.Textarea(attrs={"rows": 8, "cols": 100, "spellcheck": "false"}))

    def clean(self):
        data = super().clean()
        upload, text, role = data.get("file"), data.get("text"), data.get("role")
        if bool(upload) == bool(text):
            raise forms.ValidationError("Upload a file or type its text (one of the two).")
        if upload is not None and upload.size > settings.GRADER_MAX_BUNDLE_BYTES:
            self.add_error("file", f"The file has {upload.size:,} bytes; the limit is {settings.GRADER_MAX_BUNDLE_BYTES:,}.")
            return data
        name = data.get("name") or (upload.name if upload else "")
        if role in (BundleFile.Role.JOB, BundleFile.Role.PRIVATE, BundleFile.Role.INPUT) and not name:
            self.add_error("name", "Name the file (e.g. opt_utils.py).")
        data["name"] = name
        data["data"] = upload.read() if upload else unix_lines(text).encode()
        if role == BundleFile.Role.INPUT and "data" in data:
            try:
                hdf5_layout(data["data"])
            except ValueError as error:
                self.add_error("file", str(error))
        return data


class FileTextForm(forms.Form):
    text = forms.CharField(required=False, strip=False,
                           widget=forms.Textarea(attrs={"rows": 30, "cols": 100, "spellcheck": "false"}))

    def clean_text(self):
        return unix_lines(self.cleaned_data["text"])


def unix_lines(text: str) -> str:
    """Browsers send a textarea's lines ending in CR LF; files keep the LF they had."""
    return text.replace("\r\n", "\n")


class ZipForm(forms.Form):
    file = forms.FileField(label="Bundle zip", help_text="The bundle's folder zipped: assignment.toml and every file "
                                                         "it names. It replaces the draft.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.GRADER_MAX_BUNDLE_BYTES:
            raise forms.ValidationError(f"The zip has {upload.size:,} bytes; the limit is {settings.GRADER_MAX_BUNDLE_BYTES:,}.")
        return upload
