"""What the API says about courses, assignments, submissions and grades (the student's view of results)."""
from __future__ import annotations

import os

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from grader.api.identity import InvalidExternalId, clean_external_id
from grader.submissions.forms import ALLOWED_SUFFIXES
from grader.submissions.models import Submission
from grader.submissions.visibility import student_cards


class CourseSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    assignments_url = serializers.SerializerMethodField()

    def get_assignments_url(self, course) -> str:
        return self.context["request"].build_absolute_uri(reverse("api:assignments", args=[course.slug]))


class GradedFunctionSerializer(serializers.Serializer):
    name = serializers.CharField()
    points = serializers.FloatField()


class ModelCheckSerializer(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()
    points = serializers.FloatField()


class AssignmentSerializer(serializers.Serializer):
    """Published facts only: never a case's inputs or expected values."""

    id = serializers.IntegerField()
    course = serializers.SlugField(source="course.slug")
    slug = serializers.SlugField()
    title = serializers.CharField()
    due_at = serializers.DateTimeField(allow_null=True)
    is_open = serializers.BooleanField()
    max_score = serializers.FloatField()
    max_submissions = serializers.IntegerField(allow_null=True)
    late_policy = serializers.CharField()
    version = serializers.IntegerField(source="current_version.number")
    functions = serializers.SerializerMethodField()
    model_checks = serializers.SerializerMethodField()
    submissions_url = serializers.SerializerMethodField()

    @extend_schema_field(GradedFunctionSerializer(many=True))
    def get_functions(self, assignment) -> list[dict]:
        return [{"name": f["name"], "points": float(f.get("points", 0))}
                for f in assignment.current_version.manifest.get("functions", [])]

    @extend_schema_field(ModelCheckSerializer(many=True))
    def get_model_checks(self, assignment) -> list[dict]:
        return [{"id": m["id"], "title": m.get("title", m["id"]), "points": float(m.get("points", 0))}
                for m in assignment.current_version.manifest.get("model_checks", [])]

    def get_submissions_url(self, assignment) -> str:
        return self.context["request"].build_absolute_uri(reverse("api:submissions", args=[assignment.pk]))


def _card_document(card) -> dict:
    document = {
        "status": card.status, "score": card.score, "max_score": card.max_score,
        "checks": [{"name": c["name"], "passed": c["passed"], "message": c["message"]} for c in card.checks],
        "hint": card.hint, "summary": card.summary, "withheld_checks": card.withheld,
    }
    if card.metrics:
        document["metrics"] = card.metrics
    return document


def student_result(submission: Submission) -> tuple[dict | None, float | None]:
    """The result document of DESIGN.md as the student may see it now, and the score to show (None: stored)."""
    if submission.status != Submission.Status.GRADED:
        return None, None
    results = list(submission.function_results.all())
    cards, shown_score = student_cards(submission, results, timezone.now())
    document = {
        "assignment": submission.assignment.slug,
        "score": submission.score if shown_score is None else shown_score,
        "max_score": submission.max_score,
        "functions": {c.name: _card_document(c) for c in cards if c.kind == "function"},
        "notes": submission.notes,
    }
    models = {c.name: _card_document(c) for c in cards if c.kind == "model"}
    if models:
        document["models"] = models
    return document, shown_score


class SubmissionSerializer(serializers.Serializer):
    """A submission; `result` (detail only, once graded) withholds hidden verdicts until their reveal time."""

    id = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    assignment = serializers.IntegerField(source="assignment_id")
    external_user_id = serializers.SerializerMethodField()
    filename = serializers.CharField(source="original_name")
    status = serializers.ChoiceField(choices=Submission.Status.choices)
    score = serializers.SerializerMethodField()
    max_score = serializers.FloatField()
    score_is_visible_checks_only = serializers.SerializerMethodField()
    version = serializers.SerializerMethodField()
    regrade_of = serializers.IntegerField(source="regrade_of_id", allow_null=True)
    created_at = serializers.DateTimeField()
    graded_at = serializers.DateTimeField(allow_null=True)
    error = serializers.SerializerMethodField()
    result = serializers.SerializerMethodField()

    def _student(self, submission) -> tuple[dict | None, float | None]:
        cache = self.context.setdefault("_results", {})
        if submission.pk not in cache:
            cache[submission.pk] = student_result(submission)
        return cache[submission.pk]

    def get_url(self, submission) -> str:
        return self.context["request"].build_absolute_uri(reverse("api:submission", args=[submission.pk]))

    def get_external_user_id(self, submission) -> str | None:
        return self.context.get("external_ids", {}).get(submission.user_id)

    def get_score(self, submission) -> float | None:
        """Over the visible checks while hidden verdicts are withheld."""
        if submission.status != Submission.Status.GRADED:
            return None
        _, shown = self._student(submission)
        return submission.score if shown is None else shown

    def get_score_is_visible_checks_only(self, submission) -> bool:
        return self._student(submission)[1] is not None

    def get_version(self, submission) -> int | None:
        return submission.version.number if submission.version_id else None

    def get_error(self, submission) -> str | None:
        finished_without_score = (Submission.Status.FAILED, Submission.Status.REJECTED)
        return submission.error_message or None if submission.status in finished_without_score else None

    @extend_schema_field({"type": "object", "nullable": True, "description": "the result document of DESIGN.md"})
    def get_result(self, submission):
        return self._student(submission)[0] if self.context.get("with_result") else None


class SubmitSerializer(serializers.Serializer):
    """Multipart (`file`) or JSON (`filename` + `content`), with the LMS's id of the user who submits."""

    external_user_id = serializers.CharField(max_length=255, trim_whitespace=True)
    file = serializers.FileField(required=False, allow_empty_file=True, use_url=False)
    filename = serializers.CharField(required=False, max_length=255)
    content = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)

    def validate_external_user_id(self, value: str) -> str:
        try:
            return clean_external_id(value)
        except InvalidExternalId as error:
            raise serializers.ValidationError(str(error)) from None

    def validate(self, data: dict) -> dict:
        if data.get("file") is not None:
            if "content" in data:
                raise serializers.ValidationError("Send either a `file` or `filename` and `content`, not both.")
            upload = data["file"]
        elif "content" in data:
            if not data.get("filename"):
                raise serializers.ValidationError({"filename": ["Name the file (e.g. Optimization_methods.ipynb)."]})
            name = data["filename"]
            if os.path.basename(name.replace("\\", "/")) != name or "\x00" in name or not name.strip():
                raise serializers.ValidationError({"filename": ["Give a plain file name, without folders."]})
            upload = SimpleUploadedFile(name, data["content"].encode("utf-8"))
        else:
            raise serializers.ValidationError({"file": ["Send the file as multipart `file`, or JSON `filename` and `content`."]})
        name = upload.name or ""  # Django keeps only the last part of an uploaded file's name
        if not name.lower().endswith(ALLOWED_SUFFIXES):
            raise serializers.ValidationError({"filename": ["Submit a Jupyter notebook (.ipynb) or a Python file (.py)."]})
        data["upload"] = upload
        return data


class GradeSerializer(serializers.Serializer):
    """The stored grade that counts (best or latest, late penalty applied): what a gradebook shows."""

    external_user_id = serializers.SerializerMethodField()
    username = serializers.CharField(source="user.username")
    score = serializers.FloatField(allow_null=True)
    raw_score = serializers.FloatField(allow_null=True)
    max_score = serializers.FloatField()
    late = serializers.BooleanField()
    days_late = serializers.IntegerField()
    penalty_percent = serializers.FloatField()
    submissions_count = serializers.IntegerField()
    submission = serializers.IntegerField(source="submission_id", allow_null=True)
    updated_at = serializers.DateTimeField()

    def get_external_user_id(self, grade) -> str | None:
        return self.context.get("external_ids", {}).get(grade.user_id)



class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem document, sent as application/problem+json."""

    type = serializers.CharField(help_text="/api/problems/<name>: GET it for what the problem means")
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = serializers.DictField(required=False, help_text="validation problems: field -> messages")


class _Page(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="the next page (None: this is the last)")
    previous = serializers.URLField(allow_null=True)


class SubmissionPage(_Page):
    results = SubmissionSerializer(many=True)


class GradePage(_Page):
    results = GradeSerializer(many=True)
