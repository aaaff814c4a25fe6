"""Requests per API key (per user for a staff session), counted in Django's shared cache.

The cache is the database by default and Redis when configured (settings.CACHES), so every web
process counts the same requests. The rate is `GRADER_API_RATE` (e.g. "120/min").
"""
from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from grader.api.access import access_of


class ApiKeyRateThrottle(SimpleRateThrottle):
    scope = "api"

    def get_rate(self) -> str:
        return settings.GRADER_API_RATE

    def get_cache_key(self, request, view) -> str | None:
        owner = access_of(request).owner
        if owner == "anonymous":
            return None  # refused by authentication anyway; nothing to count
        return self.cache_format % {"scope": self.scope, "ident": owner}
