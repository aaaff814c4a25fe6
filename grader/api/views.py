"""The API's read and submit endpoints: thin views over `access`, `submit` and the serializers."""
from __future__ import annotations

import datetime

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils import dateparse, timezone
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from grader.api import identity, submit
from grader.api.access import HasScope, access_of
from grader.api.authentication import ApiKeyAuthentication
from grader.api.pagination import GradeCursor, SubmissionCursor
from grader.api.problems import MEDIA_TYPE, Problem
from grader.api.serializers import (AssignmentSerializer, CourseSerializer, GradePage, GradeSerializer,
                                    ProblemSerializer, SubmissionPage, SubmissionSerializer, SubmitSerializer)
from grader.api.throttling import ApiKeyRateThrottle
from grader.courses.models import Assignment
from grader.submissions.forms import sniff
from grader.submissions.models import Grade, Submission
from grader.submissions.uploads import SizeCapHandler, declared_too_large, too_large_message



def problems(*codes: int) -> dict:
    """OpenAPI responses for these problem statuses, plus those of every endpoint (401, 403, 429)."""
    return {(code, MEDIA_TYPE): OpenApiResponse(ProblemSerializer, description="a problem document (RFC 9457)")
            for code in sorted({401, 403, 429, *codes})}


class ApiView(APIView):
    """Key or staff session; scopes per method; throttled per key; JSON in and out."""

    authentication_classes = [ApiKeyAuthentication, SessionAuthentication]
    permission_classes = [HasScope]
    throttle_classes = [ApiKeyRateThrottle]
    parser_classes = [JSONParser]
    renderer_classes = [JSONRenderer]
    required_scopes: dict[str, str] = {}

    def courses(self):
        return access_of(self.request).courses

    def assignment(self, pk) -> Assignment:
        """A published assignment of a reachable course (drafts and other courses' ids: 404)."""
        return get_object_or_404(
            Assignment.objects.select_related("course", "current_version").filter(
                course__in=self.courses(), current_version__isnull=False), pk=pk)


class CourseList(ApiView):
    @extend_schema(operation_id="courses_list", responses={200: CourseSerializer(many=True), **problems(401, 403)})
    def get(self, request):
        """The key's course (a staff session: the courses they teach)."""
        return Response(CourseSerializer(self.courses().order_by("slug"), many=True, context={"request": request}).data)


class AssignmentList(ApiView):
    @extend_schema(operation_id="courses_assignments_list", responses={200: AssignmentSerializer(many=True), **problems(404)})
    def get(self, request, course):
        """The course's published assignments (drafts never show)."""
        course = get_object_or_404(self.courses(), slug=course)
        assignments = (Assignment.objects.select_related("course", "current_version")
                       .filter(course=course, current_version__isnull=False).order_by("order", "title", "id"))
        return Response(AssignmentSerializer(assignments, many=True, context={"request": request}).data)


class AssignmentDetail(ApiView):
    @extend_schema(responses={200: AssignmentSerializer, **problems(404)})
    def get(self, request, pk):
        """One published assignment: due date, version, graded functions and their points."""
        return Response(AssignmentSerializer(self.assignment(pk), context={"request": request}).data)


class AssignmentSubmissions(ApiView):
    parser_classes = [JSONParser, MultiPartParser]
    required_scopes = {"GET": "read", "POST": "submit"}

    def initial(self, request, *args, **kwargs):
        """After authentication, refuse a declared oversized body unread; cap one that streams in without a length."""
        if request.method == "POST":  # in place before anything (a session's CSRF check) reads the body
            request._request.upload_handlers.insert(0, SizeCapHandler(request._request))
        super().initial(request, *args, **kwargs)
        if request.method == "POST":
            oversized = declared_too_large(request)
            if oversized is not None:
                raise Problem("payload-too-large", too_large_message(oversized))

    @extend_schema(
        operation_id="assignments_submissions_list",
        parameters=[OpenApiParameter("external_user_id", str, description="only this LMS user's submissions"),
                    OpenApiParameter("limit", int, description="page size (default 50, at most 500)")],
        responses={200: SubmissionPage, **problems(400, 404)})
    def get(self, request, pk):
        """The assignment's submissions, newest first (cursor pages)."""
        assignment = self.assignment(pk)
        rows = (Submission.objects.filter(assignment=assignment)
                .select_related("assignment", "version").prefetch_related("function_results"))
        external_id = request.query_params.get("external_user_id")
        if external_id is not None:
            try:
                external_id = identity.clean_external_id(external_id)
            except identity.InvalidExternalId as error:
                raise Problem("bad-request", str(error)) from None
            user = identity.find_user(assignment.course, external_id)
            rows = rows.filter(user=user) if user is not None else rows.none()
        paginator = SubmissionCursor()
        page = paginator.paginate_queryset(rows, request, view=self)
        ids = identity.external_ids(assignment.course, {row.user_id for row in page})
        data = SubmissionSerializer(page, many=True, context={"request": request, "external_ids": ids}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        request={"application/json": SubmitSerializer, "multipart/form-data": SubmitSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER,
                                     description="the same key and request return the same submission")],
        examples=[OpenApiExample("a Python file as text", request_only=True, media_type="application/json",
                                 value={"external_user_id": "u-1234", "filename": "opt.py",
                                        "content": "import numpy as np\n"})],
        responses={201: SubmissionSerializer, 200: SubmissionSerializer, **problems(400, 404, 409, 413, 415, 422)})
    def post(self, request, pk):
        """Submits a file for the LMS user `external_user_id` (created and enrolled on first use)."""
        assignment = self.assignment(pk)
        data = request.data
        if getattr(request._request, "upload_too_large", False):
            raise Problem("payload-too-large", too_large_message(None))
        serializer = SubmitSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["upload"]
        if upload.size > settings.GRADER_MAX_UPLOAD_BYTES:
            raise Problem("payload-too-large", too_large_message(upload.size))
        sniffed = sniff(upload)
        if sniffed is not None:
            raise Problem("unsupported-media-type", f"The file is not a notebook or a Python file: its content is "
                          f"{sniffed}.")
        external_id = serializer.validated_data["external_user_id"]
        submission, created = submit.submit(assignment, external_id, upload, access_of(request).owner,
                                            request.headers.get("Idempotency-Key"))
        body = SubmissionSerializer(submission, context={"request": request, "external_ids": {
            submission.user_id: external_id}})
        response = Response(body.data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
        response["Location"] = body.data["url"]
        return response


class SubmissionDetail(ApiView):
    @extend_schema(responses={200: SubmissionSerializer, **problems(404)})
    def get(self, request, pk):
        """Status, score and, once graded, the result document with the student's visibility rules."""
        submission = get_object_or_404(
            Submission.objects.select_related("assignment__course", "version").filter(
                assignment__course__in=self.courses()), pk=pk)
        ids = identity.external_ids(submission.assignment.course, [submission.user_id])
        return Response(SubmissionSerializer(submission, context={
            "request": request, "external_ids": ids, "with_result": True}).data)


def _since(value: str):
    # A `+` in a query string arrives as a space when the client did not encode it.
    parsed = dateparse.parse_datetime(value.strip().replace(" ", "+"))
    if parsed is None:
        raise Problem("bad-request", f"updated_since={value!r} is not an ISO 8601 date-time "
                      "(e.g. 2026-11-30T08:00:00Z).")
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, datetime.timezone.utc)


class AssignmentGrades(ApiView):
    @extend_schema(
        operation_id="assignments_grades_list",
        parameters=[OpenApiParameter("updated_since", str, description="ISO 8601; rows changed at or after it"),
                    OpenApiParameter("limit", int, description="page size (default 50, at most 500)")],
        responses={200: GradePage, **problems(400, 404)})
    def get(self, request, pk):
        """The counting grade per student (late penalty applied), oldest change first (cursor pages)."""
        assignment = self.assignment(pk)
        rows = Grade.objects.filter(assignment=assignment).select_related("user")
        if "updated_since" in request.query_params:
            rows = rows.filter(updated_at__gte=_since(request.query_params["updated_since"]))
        paginator = GradeCursor()
        page = paginator.paginate_queryset(rows, request, view=self)
        ids = identity.external_ids(assignment.course, {row.user_id for row in page})
        return paginator.get_paginated_response(GradeSerializer(page, many=True, context={"external_ids": ids}).data)
