"""The site's own page for a 405 (Django has no handler for it): a form address opened in the browser."""
from __future__ import annotations

from django.template.loader import render_to_string


class MethodNotAllowedPage:
    """Gives an empty 405 the site's page; under /api/ the problem document stays as it is."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not request.path.startswith("/api/") and not response.content:
            response.content = render_to_string("405.html", request=request)
            response["Content-Type"] = "text/html; charset=utf-8"
        return response
