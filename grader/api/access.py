"""What a request may reach: a key reaches its course with its scopes; a session its staff courses, all scopes.

Objects are always looked up within the reachable courses, so another course's id is a 404, and a
missing scope a 403. Students' sessions reach nothing here: the API is the course's, not theirs.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from rest_framework import permissions

from grader.api.models import ALL_SCOPES, ApiKey
from grader.courses.models import Course, Enrollment


@dataclass(frozen=True)
class Access:
    courses: QuerySet[Course]
    scopes: frozenset[str]
    key: ApiKey | None
    owner: str  # "key:<id>" or "user:<id>": who idempotency keys and throttles belong to


def access_of(request) -> Access:
    cached = getattr(request, "_api_access", None)
    if cached is not None:
        return cached
    if isinstance(request.auth, ApiKey):
        access = Access(Course.objects.filter(pk=request.auth.course_id), frozenset(request.auth.scopes), request.auth,
                        f"key:{request.auth.pk}")
    elif request.user.is_authenticated:
        courses = Course.objects.all() if request.user.is_superuser else Course.objects.filter(
            enrollments__user=request.user, enrollments__role=Enrollment.Role.STAFF).distinct()
        access = Access(courses, ALL_SCOPES if courses.exists() else frozenset(), None, f"user:{request.user.pk}")
    else:
        access = Access(Course.objects.none(), frozenset(), None, "anonymous")
    request._api_access = access
    return access


class HasScope(permissions.BasePermission):
    """The view's `required_scopes` maps an HTTP method to the scope it needs (default: read)."""

    message = "This API key does not have the scope this request needs."

    def has_permission(self, request, view) -> bool:
        if not (isinstance(request.auth, ApiKey) or request.user.is_authenticated):
            return False
        needed = getattr(view, "required_scopes", {}).get(request.method, "read")
        access = access_of(request)
        if needed not in access.scopes:
            self.message = (f"This request needs the `{needed}` scope; this API key has "
                            f"{', '.join(sorted(access.scopes))}." if access.key else
                            "Only the course's staff may use the API with a session; integrations use an API key.")
            return False
        return True
