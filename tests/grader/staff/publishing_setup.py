"""A course whose activations assignment has a published v1 and a draft v2 that gives relu 2 points instead of 1.

So a student whose relu passes scores 3 on v1 and 4 on v2, and one whose relu fails scores 2 on both: the
dry run and the real regrade have exactly one score to change between them.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model

from grader.authoring.models import AssignmentVersion
from grader.authoring.services import load_folder
from grader.courses.models import Course, Enrollment
from tests.grader.authoring.bundles import activations, function, manifest, write_bundle

RELU_WRONG = (b"import numpy as np\n\ndef relu(Z):\n    return np.minimum(Z, 0)\n\n"
              b"def leaky_relu(Z, slope):\n    return np.maximum(Z, slope * Z)\n")


@dataclass
class Setup:
    course: Course
    teacher: object
    student: object
    v1: AssignmentVersion
    v2: AssignmentVersion


def v2_manifest() -> str:
    functions = activations()
    functions[0] = function("relu", 2, [{"array": [[-1.0, 0.0, 2.0]]}], "cases.py:wide")
    return manifest(functions=functions)


def make(tmp_path: Path, slug: str = "staff-course") -> Setup:
    """Loads both versions (no contract run: v1 is published as loaded, v2 stays a draft)."""
    users = get_user_model().objects
    course = Course.objects.create(slug=slug, title="Activations course")
    teacher = users.create_user(f"{slug}-teacher", password="pw")
    student = users.create_user(f"{slug}-student", password="pw")
    Enrollment.objects.create(user=teacher, course=course, role=Enrollment.Role.STAFF)
    Enrollment.objects.create(user=student, course=course, role=Enrollment.Role.STUDENT)
    v1 = load_folder(course, write_bundle(tmp_path / f"{slug}-v1"), contract=False).version
    v2 = load_folder(course, write_bundle(tmp_path / f"{slug}-v2", **{"assignment.toml": v2_manifest()}),
                     draft=True).version
    return Setup(course, teacher, student, v1, v2)
