"""An LMS's user id -> one of our users, enrolled as a student of the course (created on first use)."""
from __future__ import annotations

import hashlib
import re

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from grader.api.models import ExternalIdentity
from grader.courses.models import Course, Enrollment

MAX_EXTERNAL_ID = 255
_USERNAME_UNSAFE = re.compile(r"[^\w.+-]")


class InvalidExternalId(ValueError):
    """Empty, too long, or containing control characters."""


def clean_external_id(value) -> str:
    """The external user id as given (surrounding spaces dropped); raises InvalidExternalId."""
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise InvalidExternalId("external_user_id must be a string.")
    text = str(value).strip()
    if not text:
        raise InvalidExternalId("external_user_id is required: the LMS's id of the user who submits.")
    if len(text) > MAX_EXTERNAL_ID:
        raise InvalidExternalId(f"external_user_id is longer than {MAX_EXTERNAL_ID} characters.")
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise InvalidExternalId("external_user_id contains control characters.")
    return text


def _username(course: Course, external_id: str) -> str:
    """Readable on staff pages (`<id>@<course>`); a hash suffix when that is taken or too long."""
    User = get_user_model()
    base = f"{_USERNAME_UNSAFE.sub('_', external_id)}@{course.slug}"
    if len(base) <= 150 and not User.objects.filter(username=base).exists():
        return base
    digest = hashlib.sha256(f"{course.pk}:{external_id}".encode()).hexdigest()[:12]
    return f"{base[:150 - 13]}~{digest}"


def find_user(course: Course, external_id: str):
    """The user the course's external id maps to (None: never seen)."""
    identity = (ExternalIdentity.objects.select_related("user")
                .filter(kind=ExternalIdentity.Kind.API, namespace=str(course.pk), subject=external_id).first())
    return identity.user if identity else None


@transaction.atomic
def user_for(course: Course, external_id: str):
    """The user for the course's external id, created and enrolled as a student on first use."""
    user = find_user(course, external_id)
    if user is None:
        try:
            with transaction.atomic():
                user = get_user_model()(username=_username(course, external_id))
                user.set_unusable_password()
                user.save()
                ExternalIdentity.objects.create(kind=ExternalIdentity.Kind.API, namespace=str(course.pk),
                                                subject=external_id, user=user, course=course)
        except IntegrityError:  # the same new id arrived twice at once: the other request made the user
            user = find_user(course, external_id)
            if user is None:
                raise
    Enrollment.objects.get_or_create(user=user, course=course, defaults={"role": Enrollment.Role.STUDENT})
    return user


def external_ids(course: Course, users) -> dict[int, str]:
    """user id -> the course's external id, for the users that have one."""
    return dict(ExternalIdentity.objects.filter(kind=ExternalIdentity.Kind.API, namespace=str(course.pk),
                                                user__in=users).values_list("user_id", "subject"))
