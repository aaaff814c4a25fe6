"""The e-mail that lets someone added by course staff choose their password: Django's reset token and view.

The link goes to `password_reset_confirm` (grader/urls.py); the token is Django's
PasswordResetTokenGenerator, valid for PASSWORD_RESET_TIMEOUT and spent once a password is chosen.
"""
from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

log = logging.getLogger(__name__)


def set_password_url(user) -> str:
    """The path of the page where `user` chooses a password (Django's reset-confirm view and token)."""
    return reverse("password_reset_confirm", kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                                                     "token": default_token_generator.make_token(user)})


def send_set_password_links(users: list, course, base_url: str, by=None,
                            roles: dict[str, str] | None = None) -> list[str]:
    """E-mails each user a link to choose a password, over one connection; returns who could not be sent one.

    A mail server that fails is logged and reported, never raised: the enrolment it follows stands.
    """
    if not users:
        return []
    if roles is None:
        roles = dict(course.enrollments.filter(user__in=users).values_list("user__username", "role"))
    base = base_url.rstrip("/")
    unsent = []
    connection = get_connection()
    try:
        connection.open()
    except Exception:
        log.exception("mail server unreachable", extra={"course": course.slug, "messages": len(users)})
        return [user.username for user in users]
    try:
        for user in users:
            context = {"user": user, "course": course, "by": by, "role": roles.get(user.username, "student"),
                       "link": base + set_password_url(user), "login": base + reverse("login"),
                       "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)}
            message = EmailMessage(render_to_string("staff/people_invite_subject.txt", context).strip(),
                                   render_to_string("staff/people_invite_email.txt", context), None, [user.email],
                                   connection=connection)
            try:
                message.send()
            except Exception:
                log.exception("set-password e-mail not sent", extra={"course": course.slug, "user": user.pk})
                unsent.append(user.username)
    finally:
        connection.close()
    return unsent


def send_set_password_link(user, course, base_url: str, by=None) -> bool:
    """E-mails one user a link to choose a password; False (and logged) when it could not be sent."""
    return not send_set_password_links([user], course, base_url, by)


def may_resend(user) -> bool:
    """Only an account nobody has chosen a password for yet gets a new link from course staff."""
    return not user.has_usable_password() and bool(user.email)
