"""A course with a published two-function assignment and a draft, another course, and clients holding keys."""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from rest_framework.test import APIClient

from grader.api.keys import create_key
from grader.authoring.services import load_folder
from grader.courses.models import Assignment, Course, Enrollment
from tests.grader.authoring.bundles import manifest, write_bundle


@pytest.fixture(autouse=True)
def fresh_cache(db):
    """Rate-limit counters live in the shared cache: every test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def course(db, tmp_path):
    course = Course.objects.create(slug="dnn", title="Improving DNN")
    load_folder(course, write_bundle(tmp_path / "activations"), contract=False)
    load_folder(course, write_bundle(tmp_path / "draft", **{"assignment.toml": manifest("softmax")}), draft=True,
                contract=False)
    return course


@pytest.fixture
def assignment(course) -> Assignment:
    return Assignment.objects.get(course=course, slug="activations")


@pytest.fixture
def draft(course) -> Assignment:
    return Assignment.objects.get(course=course, slug="softmax")


@pytest.fixture
def other_assignment(db, tmp_path) -> Assignment:
    other = Course.objects.create(slug="other", title="Another course")
    load_folder(other, write_bundle(tmp_path / "other"), contract=False)
    return Assignment.objects.get(course=other)


@pytest.fixture
def client_with():
    """client_with(course, "read,submit") -> an APIClient sending a fresh key of those scopes."""

    def make(course, scopes="read,submit,manage") -> APIClient:
        _, key = create_key(course, "test LMS", scopes)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        client.key = key
        return client

    return make


@pytest.fixture
def api(course, client_with) -> APIClient:
    return client_with(course)


@pytest.fixture
def staff_user(course):
    user = get_user_model().objects.create_user("teacher", password="pw")
    Enrollment.objects.create(user=user, course=course, role=Enrollment.Role.STAFF)
    return user


@pytest.fixture
def student_user(course):
    user = get_user_model().objects.create_user("student", password="pw")
    Enrollment.objects.create(user=user, course=course, role=Enrollment.Role.STUDENT)
    return user
