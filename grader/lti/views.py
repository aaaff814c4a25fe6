"""The tool's public doors: OIDC login initiation, launch, and the key set (DESIGN.md "People and doors")."""
from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import login
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pylti1p3.exception import LtiException, OIDCException

from grader.courses.models import Enrollment
from grader.lti import keys
from grader.lti.launch import accept
from grader.lti.tool import REASONS, MessageLaunch, Refused, oidc_login

log = logging.getLogger(__name__)
FRAME_SESSION_KEY = "lti_frame_ancestor"
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DL_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
DEEP_LINK_SESSION_KEY = "lti_deep_link_launch"


def absolute(request, name: str) -> str:
    """The absolute URL of a route, on GRADER_BASE_URL when set (what is pasted into the LMS)."""
    path = reverse(name)
    return settings.GRADER_BASE_URL + path if settings.GRADER_BASE_URL else request.build_absolute_uri(path)


def refused(request, reason: str, detail: str = "", status: int = 400):
    log.warning("lti launch refused", extra={"reason": reason, "detail": detail[:300]})
    return render(request, "lti/refused.html", {"reason": reason, "message": REASONS.get(reason, reason),
                                                "detail": detail}, status=status)


@csrf_exempt
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def login_initiation(request):
    """Third-party initiated login (LTI 1.3 Core 5.1.1 / IMS Security Framework 5.1.1): on to the platform.

    Inside the LMS frame a page first checks that cookies can be set; when they cannot, it offers to open
    the launch in a new window (pylti1p3's cookie check, `lti1p3_new_window`).
    """
    try:
        return oidc_login(request).enable_check_cookies().redirect(absolute(request, "lti:launch"))
    except (LtiException, OIDCException) as error:
        return refused(request, "audience", str(error))


@csrf_exempt
@xframe_options_exempt
@require_POST
def launch(request):
    """The platform's form_post of the id_token: validated, applied, and the user lands on the assignment."""
    message = MessageLaunch(request)
    try:
        claims = message.get_launch_data()
        user, course, role, link = accept(claims)
    except Refused as error:
        return refused(request, error.reason, error.detail)
    except LtiException as error:
        return refused(request, "claim", str(error))
    if message.is_deep_link_launch() and role != Enrollment.Role.STAFF:
        return refused(request, "claim", "only course staff may choose what the link opens", status=403)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    # The LMS's own host (where it returns to), which frames us; the issuer when it names none.
    request.session[FRAME_SESSION_KEY] = _origin(
        (claims.get(DL_SETTINGS) or {}).get("deep_link_return_url")
        or (claims.get(CLAIM + "launch_presentation") or {}).get("return_url") or claims["iss"])
    if message.is_deep_link_launch():
        request.session[DEEP_LINK_SESSION_KEY] = message.get_launch_id()
        return redirect("staff:lti_deep_link", course.slug)
    if link is not None and link.assignment_id:
        return redirect(link.assignment.get_absolute_url())
    if role == Enrollment.Role.STAFF:
        return redirect("staff:lti", course.slug)
    return render(request, "lti/not_linked.html", {"course": course, "link": link})


def _origin(url: str) -> str:
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


@require_GET
@cache_control(max_age=300, public=True)
def jwks(request):
    """The tool's public keys: the one in use and retired ones until they expire."""
    return JsonResponse(keys.jwks())
