"""Errors as RFC 9457 problem documents (`application/problem+json`: type, title, status, detail).

Every error the API returns goes through here: DRF's exceptions (the exception handler below) and
Django's own 404 and 500 for paths under /api/ (the project's handler404 / handler500). `type` is a
path under /api/problems/, which answers with the problem's description.
"""
from __future__ import annotations

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import JsonResponse
from django.views import defaults
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

MEDIA_TYPE = "application/problem+json"

# name -> (title, status, what it means). The titles are fixed per type, the detail says what happened.
PROBLEMS = {
    "bad-request": ("Bad request", 400, "The request could not be read: malformed JSON, or a field has the wrong type."),
    "validation": ("Invalid request", 400, "A field is missing or has a value the API does not accept; `errors` names each."),
    "unauthorized": ("Not authenticated", 401, "Send a valid, unrevoked API key as `Authorization: Bearer <key>`."),
    "forbidden": ("Forbidden", 403, "The key lacks the scope this request needs (read, submit or manage)."),
    "not-found": ("Not found", 404, "No such object in the key's course (other courses' objects and drafts never show)."),
    "method-not-allowed": ("Method not allowed", 405, "The path does not take this HTTP method."),
    "not-acceptable": ("Not acceptable", 406, "The API answers in JSON only."),
    "submission-refused": ("Submission refused", 409, "The assignment takes no submission from this user now: closed, "
                           "past the deadline, or over the upload limit."),
    "payload-too-large": ("Payload too large", 413, "The file is larger than the platform's upload limit."),
    "unsupported-media-type": ("Unsupported media type", 415, "Send `application/json` or `multipart/form-data`."),
    "idempotency-key-reused": ("Idempotency key reused", 422, "The Idempotency-Key was already used with a different "
                               "request; use a new key for a new request."),
    "unprocessable": ("Unprocessable request", 422, "The request is well-formed but cannot be carried out."),
    "rate-limited": ("Too many requests", 429, "The key made more requests than its rate allows; wait `Retry-After` seconds."),
    "server-error": ("Internal server error", 500, "The platform failed; the request may be retried."),
}
_BY_STATUS = {
    400: "bad-request", 401: "unauthorized", 403: "forbidden", 404: "not-found", 405: "method-not-allowed",
    406: "not-acceptable", 409: "submission-refused", 413: "payload-too-large", 415: "unsupported-media-type",
    422: "unprocessable", 429: "rate-limited", 500: "server-error",
}


class Problem(exceptions.APIException):
    """An error with a problem type of its own; raise it from views (`Problem("not-found", "No such thing.")`)."""

    def __init__(self, name: str, detail: str, **extra):
        self.name = name
        self.status_code = PROBLEMS[name][1]
        self.extra = extra
        super().__init__(detail)


def document(name: str, detail: str, **extra) -> dict:
    title, status_code, _ = PROBLEMS[name]
    return {"type": f"/api/problems/{name}", "title": title, "status": status_code, "detail": detail, **extra}


def problem_response(name: str, detail: str, headers: dict | None = None, **extra) -> Response:
    body = document(name, detail, **extra)
    return Response(body, status=body["status"], headers=headers, content_type=MEDIA_TYPE)


def _detail_text(detail) -> str:
    if isinstance(detail, (list, tuple)):
        return " ".join(_detail_text(d) for d in detail)
    if isinstance(detail, dict):
        return " ".join(f"{key}: {_detail_text(value)}" for key, value in detail.items())
    return str(detail)


def exception_handler(exc, context):
    """DRF's handler (it sets WWW-Authenticate and Retry-After), with every body made a problem document."""
    if isinstance(exc, RequestDataTooBig):
        exc = Problem("payload-too-large", "The request body is larger than the platform's upload limit.")
    elif isinstance(exc, SuspiciousOperation):
        exc = exceptions.ParseError("The request could not be read.")
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a bug of ours: Django's 500 handler answers, as a problem for /api/ paths
    headers = {key: value for key, value in response.items() if key in ("WWW-Authenticate", "Retry-After", "Allow")}
    if isinstance(exc, Problem):
        return problem_response(exc.name, str(exc.detail), headers, **exc.extra)
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        return problem_response("validation", _detail_text(errors), headers, errors=errors)
    if isinstance(exc, exceptions.Throttled):
        return problem_response("rate-limited", f"Too many requests for this key; retry in {exc.wait:.0f} s."
                                if exc.wait is not None else "Too many requests for this key.", headers)
    name = _BY_STATUS.get(response.status_code, "bad-request" if response.status_code < 500 else "server-error")
    data = response.data.get("detail", response.data) if isinstance(response.data, dict) else response.data
    body = document(name, _detail_text(data)) | {"status": response.status_code}
    return Response(body, status=response.status_code, headers=headers, content_type=MEDIA_TYPE)


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request, exception=None):
    """Django's 404 (no route matched): a problem document under /api/, the site's page elsewhere."""
    if _is_api(request):
        return JsonResponse(document("not-found", "No such API endpoint."), status=404, content_type=MEDIA_TYPE)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return JsonResponse(document("server-error", "The platform failed to answer; try again later."), status=500,
                            content_type=MEDIA_TYPE)
    return defaults.server_error(request)


def describe(request, name: str):
    """GET /api/problems/<name>: what the problem type means (its `type` URI resolves here)."""
    if name not in PROBLEMS:
        return page_not_found(request)
    title, status_code, meaning = PROBLEMS[name]
    return JsonResponse({"type": f"/api/problems/{name}", "title": title, "status": status_code, "description": meaning})
