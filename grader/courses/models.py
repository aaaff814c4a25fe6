"""What is taught: courses, who is in them, and their assignments (each graded by its current version)."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse


class Course(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.title


class Enrollment(models.Model):
    class Role(models.TextChoices):
        STUDENT = "student", "Student"
        STAFF = "staff", "Staff"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrollments")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.STUDENT)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="one_enrollment_per_course")]

    def __str__(self) -> str:
        return f"{self.user} in {self.course} ({self.role})"


class Assignment(models.Model):
    """An assignment of a course; what it grades is its current published version (grader.authoring).

    Students see an assignment only once a version is published (`current_version` set): a draft is
    staff-only. Lateness is measured against the due date, moved per student by an `Extension`.
    """

    class LatePolicy(models.TextChoices):
        ACCEPT = "accept", "Accept late work, flagged late"
        PENALTY = "penalty", "Accept late work with a penalty per day late"
        REFUSE = "refuse", "Refuse work after the hard deadline"

    class Counting(models.TextChoices):
        BEST = "best", "Best submission counts"
        LATEST = "latest", "Latest submission counts"

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="assignments")
    slug = models.SlugField()
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    is_open = models.BooleanField(default=True)
    due_at = models.DateTimeField(null=True, blank=True)
    max_score = models.FloatField(default=0)
    order = models.PositiveIntegerField(default=0)
    late_policy = models.CharField(max_length=16, choices=LatePolicy.choices, default=LatePolicy.ACCEPT)
    late_penalty_percent = models.FloatField(
        default=0, help_text="percent of the score taken off per started day late (late policy 'penalty')")
    hard_deadline = models.DateTimeField(
        null=True, blank=True, help_text="late policy 'refuse': no upload is taken after it (the due date when empty)")
    max_submissions = models.PositiveIntegerField(
        null=True, blank=True, help_text="uploads a student may make (empty: no limit); failed gradings never count")
    counting = models.CharField(max_length=16, choices=Counting.choices, default=Counting.BEST)
    current_version = models.ForeignKey("authoring.AssignmentVersion", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+", help_text="the published version new submissions are graded with")

    class Meta:
        ordering = ["course", "order", "title"]
        constraints = [models.UniqueConstraint(fields=["course", "slug"], name="one_assignment_slug_per_course")]

    def __str__(self) -> str:
        return f"{self.course.slug}/{self.slug}"

    def get_absolute_url(self) -> str:
        return reverse("courses:assignment", args=[self.course.slug, self.slug])

    @property
    def is_published(self) -> bool:
        """Students see it (a version is published) - a draft assignment is staff-only."""
        return self.current_version_id is not None


class Extension(models.Model):
    """A per-student due date granted by course staff; it also moves the hard deadline by as much."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="extensions")
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="extensions")
    due_at = models.DateTimeField()
    reason = models.CharField(max_length=300, blank=True)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    granted_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "assignment"], name="one_extension_per_student")]

    def __str__(self) -> str:
        return f"{self.user} on {self.assignment}: due {self.due_at:%Y-%m-%d %H:%M}"
