"""The tool's RSA signing keys: generated here, rotated by `manage.py lti_rotate_key`, published at /lti/jwks/."""
from __future__ import annotations

import json
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from jwcrypto.jwk import JWK

from grader.lti.models import ToolKey

KEY_BITS = 2048  # RSA modulus size; RS256 as LTI 1.3 (IMS Security Framework 1.0, section 6.1) requires


def _new_key() -> ToolKey:
    jwk = JWK.generate(kty="RSA", size=KEY_BITS)
    pem = jwk.export_to_pem(private_key=True, password=None).decode()
    return ToolKey.objects.create(kid=jwk.thumbprint(), private_pem=pem)


def current_key() -> ToolKey:
    """The key that signs now (the newest one not retired); made on first use."""
    key = ToolKey.objects.filter(expires_at__isnull=True).first()
    if key is None:
        with transaction.atomic():
            key = ToolKey.objects.select_for_update().filter(expires_at__isnull=True).first() or _new_key()
    return key


def rotate(overlap: timedelta | None = None) -> ToolKey:
    """Makes a new signing key; the old ones stay published for `overlap` (GRADER_LTI_KEY_OVERLAP_S by default)."""
    overlap = timedelta(seconds=settings.GRADER_LTI_KEY_OVERLAP_S) if overlap is None else overlap
    with transaction.atomic():
        ToolKey.objects.select_for_update().filter(expires_at__isnull=True).update(expires_at=timezone.now() + overlap)
        return _new_key()


def published_keys():
    """The keys in the JWKS: the one in use and the retired ones not yet expired, newest first."""
    current_key()
    return ToolKey.objects.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))


def public_jwk(key: ToolKey) -> dict:
    """The public half as a JWK with kid, alg RS256 and use sig."""
    jwk = json.loads(JWK.from_pem(key.private_pem.encode()).export_public())
    return {**jwk, "kid": key.kid, "alg": "RS256", "use": "sig"}


def public_pem(key: ToolKey) -> str:
    return JWK.from_pem(key.private_pem.encode()).export_to_pem().decode()


def jwks() -> dict:
    """The JSON Web Key Set served at /lti/jwks/."""
    return {"keys": [public_jwk(key) for key in published_keys()]}
