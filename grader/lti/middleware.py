"""Lets the LMS that launched a user frame Gradebox's pages for that session, and no one else."""
from __future__ import annotations

from grader.lti.views import FRAME_SESSION_KEY


class LtiFrameMiddleware:
    """For a session begun by an LTI launch: no X-Frame-Options, and CSP frame-ancestors names the platform.

    Must come before Django's XFrameOptionsMiddleware in MIDDLEWARE (it then runs after it on the response).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        origin = session.get(FRAME_SESSION_KEY) if session is not None else None
        if origin:
            if "X-Frame-Options" in response:
                del response["X-Frame-Options"]
            response.xframe_options_exempt = True
            response.setdefault("Content-Security-Policy", f"frame-ancestors 'self' {origin}")
        return response
