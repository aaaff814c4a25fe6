"""`Authorization: Bearer <key>` for DRF; the course's own staff may also use their logged-in session."""
from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from rest_framework import authentication, exceptions

from grader.api import keys


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """Sets `request.auth` to the ApiKey row; the user is anonymous (a key acts for its course, not a person)."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None  # no key: the session may still authenticate
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("The Authorization header must be `Bearer <key>`, with no spaces in the key.")
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("The API key is not valid.") from None
        row = keys.find_key(key)
        if row is None:
            raise exceptions.AuthenticationFailed("The API key is not valid.")
        if not row.is_active:
            raise exceptions.AuthenticationFailed("The API key was revoked; ask the course staff for a new one.")
        keys.touch(row)
        return AnonymousUser(), row

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'
