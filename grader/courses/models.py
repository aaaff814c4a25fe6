"""What is taught and graded: courses, who is in them, assignments, functions, test cases."""
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
    """An assignment of a course; `slug` names the spec in assignments/ it is graded by."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="assignments")
    slug = models.SlugField()
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    is_open = models.BooleanField(default=True)
    due_at = models.DateTimeField(null=True, blank=True)
    max_score = models.FloatField(default=0)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["course", "order", "title"]
        constraints = [models.UniqueConstraint(fields=["course", "slug"], name="one_assignment_slug_per_course")]

    def __str__(self) -> str:
        return f"{self.course.slug}/{self.slug}"

    def get_absolute_url(self) -> str:
        return reverse("courses:assignment", args=[self.course.slug, self.slug])


class GradedFunction(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="functions")
    name = models.CharField(max_length=100)
    points = models.FloatField()
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["assignment", "order"]
        constraints = [models.UniqueConstraint(fields=["assignment", "name"], name="one_function_name_per_assignment")]

    def __str__(self) -> str:
        return self.name


class TestCase(models.Model):
    """A call of a graded function; hidden cases count but never show inputs or expected values."""

    function = models.ForeignKey(GradedFunction, on_delete=models.CASCADE, related_name="test_cases")
    case_id = models.CharField(max_length=100)
    hidden = models.BooleanField(default=False)
    rtol = models.FloatField(default=1e-5)
    atol = models.FloatField(default=1e-8)
    description = models.TextField(blank=True)
    version = models.CharField(max_length=64, help_text="hash of the inputs this case was built with")

    class Meta:
        ordering = ["function", "hidden", "case_id"]
        constraints = [models.UniqueConstraint(fields=["function", "case_id"], name="one_case_id_per_function")]

    def __str__(self) -> str:
        return f"{self.function.name}/{self.case_id}"
