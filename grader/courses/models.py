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
    """An assignment of a course; what it grades is its current published version (grader.authoring)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="assignments")
    slug = models.SlugField()
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    is_open = models.BooleanField(default=True)
    due_at = models.DateTimeField(null=True, blank=True)
    max_score = models.FloatField(default=0)
    order = models.PositiveIntegerField(default=0)
    current_version = models.ForeignKey("authoring.AssignmentVersion", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+", help_text="the published version new submissions are graded with")

    class Meta:
        ordering = ["course", "order", "title"]
        constraints = [models.UniqueConstraint(fields=["course", "slug"], name="one_assignment_slug_per_course")]

    def __str__(self) -> str:
        return f"{self.course.slug}/{self.slug}"

    def get_absolute_url(self) -> str:
        return reverse("courses:assignment", args=[self.course.slug, self.slug])
