"""Cursor pages: a stable order, so rows changing while an LMS pages through are neither lost nor repeated."""
from __future__ import annotations

from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination

from grader.api.problems import Problem


class _Cursor(CursorPagination):
    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 500

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise Problem("bad-request", "The cursor is not one this API gave out; start again without it.") from None


class SubmissionCursor(_Cursor):
    ordering = ("-created_at", "-id")


class GradeCursor(_Cursor):
    """Oldest change first: an LMS keeps the last `updated_at` it saw and asks for what changed since."""

    ordering = ("updated_at", "id")
