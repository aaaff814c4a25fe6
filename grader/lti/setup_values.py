"""The values an LMS administrator pastes when registering Gradebox (docs/lti.md names the same ones)."""
from __future__ import annotations

from django.conf import settings
from django.urls import reverse

# label -> route; the order the staff page and docs/lti.md list them.
TOOL_URLS = {
    "Redirect URI": "lti:launch",
    "Target link URI": "lti:launch",
    "OpenID Connect login URL": "lti:login",
    "Public keyset (JWKS) URL": "lti:jwks",
    "Deep linking URL": "lti:launch",
}


def tool_values(request) -> dict[str, str]:
    """Label -> absolute URL, on GRADER_BASE_URL when set, else the host of the request."""
    base = settings.GRADER_BASE_URL or f"{request.scheme}://{request.get_host()}"
    return {label: base + reverse(name) for label, name in TOOL_URLS.items()}
