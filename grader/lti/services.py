"""Calling the platform's services (AGS, NRPS) with one OAuth2 token per platform and scope set, shared by
every process through Django's cache until it expires, fetched by one caller at a time (a cache lock)."""
from __future__ import annotations

import hashlib
import time

import requests
from django.conf import settings
from django.core.cache import cache
from pylti1p3.exception import LtiServiceException
from pylti1p3.service_connector import ServiceConnector

from grader.lti.models import Platform
from grader.lti.tool import registration_of

TOKEN_LOCK_S = 30  # how long one caller may hold the token lock; others wait at most this long


class _Session(requests.Session):
    """requests with GRADER_LTI_TIMEOUT_S on every call (requests has no default timeout)."""

    def request(self, *args, **kwargs):
        kwargs.setdefault("timeout", settings.GRADER_LTI_TIMEOUT_S)
        return super().request(*args, **kwargs)


class Connector(ServiceConnector):
    """pylti1p3's service connector with the access token in the shared cache, fetched under a lock."""

    def __init__(self, platform: Platform):
        super().__init__(registration_of(platform), requests_session=_Session())
        self.platform = platform

    def _scope_key(self, scopes) -> str:
        text = "|".join([self.platform.issuer, self.platform.client_id, *sorted(scopes)])
        return hashlib.sha256(text.encode()).hexdigest()

    def _cache_key(self, scope_key: str) -> str:
        return f"lti-access-token:{scope_key}"

    def _get_cached_access_token(self, scope_key: str) -> str | None:
        return cache.get(self._cache_key(scope_key))

    def _cache_access_token(self, scope_key: str, access_token: str, expires_in: float):
        # A little before the platform's expiry, so a token is never used in its last seconds.
        lifetime = int(max(1, float(expires_in or 0) - 10)) if expires_in else 300
        cache.set(self._cache_key(scope_key), access_token, lifetime)

    def forget_token(self, scopes) -> None:
        cache.delete(self._cache_key(self._scope_key(sorted(scopes))))

    def get_access_token(self, scopes) -> str:
        """The cached token, or one fetched by whichever caller holds the lock while the others wait for it."""
        scope_key = self._scope_key(sorted(scopes))
        deadline = time.monotonic() + TOKEN_LOCK_S
        while True:
            token = self._get_cached_access_token(scope_key)
            if token:
                return token
            lock = self._cache_key(scope_key) + ":lock"
            if cache.add(lock, 1, TOKEN_LOCK_S):
                try:
                    return super().get_access_token(scopes)  # looks in the cache again first
                finally:
                    cache.delete(lock)
            if time.monotonic() > deadline:
                raise LtiServiceException("Timed out waiting for another process's access token request.",
                                          requests.Response())
            time.sleep(0.05)

    def request(self, scopes, url: str, **kwargs):
        """`make_service_request`, once more with a fresh token when the platform refuses the cached one (401)."""
        try:
            return self.make_service_request(scopes, url, **kwargs)
        except LtiServiceException as error:
            if getattr(error, "response", None) is None or error.response.status_code != 401:
                raise
            self.forget_token(scopes)
            return self.make_service_request(scopes, url, **kwargs)
