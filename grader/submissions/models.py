"""A submission and its per-function results. The database is the source of truth."""
from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from grader.courses.models import Assignment


def upload_path(submission: "Submission", filename: str) -> str:
    return f"submissions/{submission.assignment_id}/{uuid.uuid4().hex}/{filename}"


class Submission(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        GRADED = "graded", "Graded"
        FAILED = "failed", "Could not be graded"  # our infrastructure failed, never the student's fault
        # the file is not gradable (empty, not a notebook or Python, too large): the student is told why
        # (error_message); it never counts, nor against the upload limit
        REJECTED = "rejected", "Rejected"

    # Order in which statuses may follow one another; a status never goes backwards.
    _RANK = {Status.QUEUED: 0, Status.RUNNING: 1, Status.GRADED: 2, Status.FAILED: 2, Status.REJECTED: 2}

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions")
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="submissions")
    version = models.ForeignKey("authoring.AssignmentVersion", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="submissions", help_text="the assignment version it is graded with")
    file = models.FileField(upload_to=upload_path, max_length=300)
    original_name = models.CharField(max_length=255)
    size_bytes = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    score = models.FloatField(null=True, blank=True)
    max_score = models.FloatField(default=0)
    result = models.JSONField(null=True, blank=True, help_text="the result document of DESIGN.md")
    notes = models.JSONField(default=list, blank=True, help_text="what extraction dropped or changed")
    error_message = models.TextField(blank=True)
    failure_detail = models.TextField(blank=True, help_text="staff only: what the worker logged when grading failed "
                                                            "on our side (the exception and where it was raised)")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    graded_at = models.DateTimeField(null=True, blank=True)
    first_feedback_at = models.DateTimeField(null=True, blank=True,
                                             help_text="when its first function cards were stored (time to feedback)")
    regrade_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="regrades",
                                   help_text="the student's upload this row grades again (None: an upload)")
    superseded = models.BooleanField(default=False, db_index=True,
                                     help_text="a later grading of the same upload replaced it; kept, never counted")
    batch = models.ForeignKey("RegradeBatch", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    lease_owner = models.CharField(max_length=200, blank=True,
                                   help_text="the worker grading it now (empty: nobody); see grader.submissions.leases")
    lease_expires_at = models.DateTimeField(null=True, blank=True,
                                            help_text="past this, another worker may take the grading over")
    enqueued_at = models.DateTimeField(null=True, blank=True, db_index=True,
                                       help_text="when its grading task was last sent (the sweeper's clock)")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.original_name} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("submissions:detail", args=[self.pk])

    @property
    def upload(self) -> "Submission":
        """The student's upload this row grades (itself, unless it is a regrade)."""
        return self.regrade_of if self.regrade_of_id else self

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.GRADED, self.Status.FAILED, self.Status.REJECTED)

    def advance(self, status: str, **fields) -> bool:
        """Move to `status` under a row lock; refuses to go backwards (a redelivered task is harmless)."""
        with transaction.atomic():
            current = Submission.objects.select_for_update().get(pk=self.pk)
            if self._RANK[current.status] >= self._RANK[status]:
                return False
            now = timezone.now()
            updates = {"status": status, **fields}
            if status == self.Status.RUNNING:
                updates["started_at"] = now
            if status in (self.Status.GRADED, self.Status.FAILED, self.Status.REJECTED):
                updates["graded_at"] = now
                updates.update(lease_owner="", lease_expires_at=None)
            Submission.objects.filter(pk=self.pk).update(**updates)
        self.refresh_from_db()
        return True


def plot_path(result: "FunctionResult", filename: str) -> str:
    return f"plots/{result.submission_id}/{filename}"


class FunctionResult(models.Model):
    """One card on the feedback page: a graded function, or a model-level check."""

    class Kind(models.TextChoices):
        FUNCTION = "function", "Graded function"
        MODEL = "model", "Model-level check"

    class Status(models.TextChoices):
        PASSED = "passed", "Passed"
        FAILED = "failed", "Failed"
        ERROR = "error", "Error"
        TIMEOUT = "timeout", "Timed out"
        MISSING = "missing", "Missing"

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="function_results")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.FUNCTION)
    name = models.CharField(max_length=100)
    order = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=16, choices=Status.choices)
    score = models.FloatField()
    max_score = models.FloatField()
    checks = models.JSONField(default=list)
    hint = models.TextField(null=True, blank=True)
    mistake = models.CharField(max_length=200, blank=True,
                               help_text="the stable key of what the hint diagnoses, e.g. mistake:<catalogue key>")
    summary = models.CharField(max_length=300, blank=True)
    output = models.TextField(blank=True, help_text="excerpt of what the function printed")
    traceback = models.TextField(blank=True)
    metrics = models.JSONField(default=dict, blank=True)
    about = models.TextField(blank=True, help_text="model checks: what the check is and what it is worth")
    plot_alt = models.JSONField(default=dict, blank=True,
                                help_text="model checks: each plot's facts as text (final costs, accuracies)")
    cases = models.JSONField(default=list, blank=True, help_text="per case: hidden, reveal, passed (for withholding)")
    staff_notes = models.JSONField(default=list, blank=True,
                                   help_text="withheld from the student: what hidden cases raised and printed")
    cost_plot = models.FileField(upload_to=plot_path, blank=True)
    boundary_plot = models.FileField(upload_to=plot_path, blank=True)

    class Meta:
        ordering = ["submission", "kind", "order"]
        constraints = [models.UniqueConstraint(fields=["submission", "name"], name="one_result_per_function")]

    def __str__(self) -> str:
        return f"{self.name}: {self.status}"


class Grade(models.Model):
    """The grade that counts for one student and assignment (DESIGN.md "Statuses and grades").

    A stored row, recomputed by `grader.submissions.grades.update_grade` whenever a grading ends, a
    regrade replaces a result, an extension is granted or the assignment's policy changes; the
    gradebook, the API and LTI passback read it. `score` is after the late penalty, `raw_score` before.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grades")
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="grades")
    submission = models.ForeignKey(Submission, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                   help_text="the submission that counts (None: nothing graded yet)")
    score = models.FloatField(null=True, blank=True)
    raw_score = models.FloatField(null=True, blank=True)
    max_score = models.FloatField(default=0)
    late = models.BooleanField(default=False)
    days_late = models.PositiveIntegerField(default=0)
    penalty_percent = models.FloatField(default=0)
    submissions_count = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["assignment", "user"]
        constraints = [models.UniqueConstraint(fields=["user", "assignment"], name="one_grade_per_student")]

    def __str__(self) -> str:
        return f"{self.user} on {self.assignment}: {self.score}/{self.max_score}"


class RegradeBatch(models.Model):
    """Every counted upload of an assignment graded on one version: for real, or as a dry run (nothing stored).

    Progress is its items: done / total, failures. A dry run grades the function phase only and records
    which scores would change; a real regrade makes a new Submission row per upload and keeps the old.
    """

    class Kind(models.TextChoices):
        DRY_RUN = "dry_run", "Dry run"
        REGRADE = "regrade", "Regrade"

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="regrade_batches")
    version = models.ForeignKey("authoring.AssignmentVersion", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.assignment} on v{self.version.number}"


class RegradeItem(models.Model):
    """One upload in a batch: its score before, after (None until done), and the regrade row when real."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    batch = models.ForeignKey(RegradeBatch, on_delete=models.CASCADE, related_name="items")
    source = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="+",
                               help_text="the result being re-graded")
    regrade = models.ForeignKey(Submission, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    old_score = models.FloatField(null=True, blank=True)
    new_score = models.FloatField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["batch", "id"]

    @property
    def changed(self) -> bool:
        return self.status == self.Status.DONE and self.old_score != self.new_score
