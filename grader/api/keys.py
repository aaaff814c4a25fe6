"""API keys: `gbx_<prefix>_<secret>`, shown once; only the sha256 of the whole key is stored.

The secret is 32 random bytes, so a fast hash is enough: no one can guess their way back from
the hash, and checking a key costs one sha256 per request. The prefix finds the row; the hash
comparison is constant-time.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets

from django.utils import timezone

from grader.api.models import ALL_SCOPES, ApiKey

KEY_START = "gbx_"


class InvalidScopes(ValueError):
    """Scopes outside read, submit, manage, or none at all."""


def parse_scopes(scopes) -> list[str]:
    """A sorted list of known scopes from a list or a comma-separated string; raises InvalidScopes."""
    names = [s.strip() for s in (scopes.split(",") if isinstance(scopes, str) else scopes) if s.strip()]
    unknown = sorted(set(names) - ALL_SCOPES)
    if unknown:
        raise InvalidScopes(f"unknown scope(s) {', '.join(unknown)}; choose from {', '.join(sorted(ALL_SCOPES))}")
    if not names:
        raise InvalidScopes(f"name at least one scope of {', '.join(sorted(ALL_SCOPES))}")
    return sorted(set(names))


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(course, name: str, scopes, created_by=None) -> tuple[ApiKey, str]:
    """Makes a key; returns the row and the key itself, which is never stored and cannot be shown again."""
    scopes = parse_scopes(scopes)
    prefix = secrets.token_hex(4)
    while ApiKey.objects.filter(prefix=prefix).exists():
        prefix = secrets.token_hex(4)
    key = f"{KEY_START}{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiKey.objects.create(course=course, name=name, prefix=prefix, secret_sha256=_digest(key), scopes=scopes,
                                created_by=created_by)
    return row, key


def find_key(key: str) -> ApiKey | None:
    """The active or revoked row the key belongs to (None: no such key)."""
    if not key.startswith(KEY_START) or key.count("_") < 2:
        return None
    prefix = key[len(KEY_START):].split("_", 1)[0]
    row = ApiKey.objects.select_related("course").filter(prefix=prefix).first()
    if row is None or not hmac.compare_digest(row.secret_sha256, _digest(key)):
        return None
    return row


def touch(row: ApiKey) -> None:
    """Records when the key was last used, at most once a minute (one write, not one per request)."""
    now = timezone.now()
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() >= 60:
        ApiKey.objects.filter(pk=row.pk).update(last_used_at=now)
        row.last_used_at = now


def revoke(row: ApiKey) -> None:
    if row.revoked_at is None:
        ApiKey.objects.filter(pk=row.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        row.refresh_from_db()
