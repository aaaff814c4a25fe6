"""Webhook endpoints of the key's course (manage scope): register (secret shown once), list, inspect, delete."""
from __future__ import annotations

from urllib.parse import urlsplit

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response

from grader.api import outbound
from grader.api.access import access_of
from grader.api.models import WebhookDelivery, WebhookEndpoint
from grader.api.problems import Problem
from grader.api.views import ApiView, problems
from grader.api.webhooks import new_secret

RECENT_EVENTS = 20


class WebhookSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    course = serializers.SlugField(required=False, help_text="the key's course (a staff session: which course)")
    url = serializers.URLField(max_length=500)
    events = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEndpoint.Event.values),
                                   allow_empty=False)
    enabled = serializers.SerializerMethodField()
    disabled_reason = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)

    def get_enabled(self, endpoint) -> bool:
        return endpoint.disabled_at is None

    def to_representation(self, endpoint):
        data = super().to_representation(endpoint)
        data["course"] = endpoint.course.slug
        return data


class CreatedWebhookSerializer(WebhookSerializer):
    secret = serializers.CharField(read_only=True, help_text="whsec_…: verify signatures with it; shown only now")


class DeliverySerializer(serializers.Serializer):
    event = serializers.CharField(source="event.type")
    webhook_id = serializers.CharField(source="event.message_id")
    attempt = serializers.IntegerField()
    status_code = serializers.IntegerField(allow_null=True)
    error = serializers.CharField()
    duration_ms = serializers.IntegerField()
    at = serializers.DateTimeField()


class WebhookDetailSerializer(WebhookSerializer):
    deliveries = serializers.SerializerMethodField()

    @extend_schema_field(DeliverySerializer(many=True))
    def get_deliveries(self, endpoint) -> list[dict]:
        rows = (WebhookDelivery.objects.filter(event__endpoint=endpoint).select_related("event")
                .order_by("-at", "-id")[:RECENT_EVENTS])
        return DeliverySerializer(rows, many=True).data


class WebhookList(ApiView):
    required_scopes = {"GET": "manage", "POST": "manage"}

    @extend_schema(operation_id="webhooks_list", responses={200: WebhookSerializer(many=True), **problems(403)})
    def get(self, request):
        rows = WebhookEndpoint.objects.filter(course__in=self.courses()).select_related("course")
        return Response(WebhookSerializer(rows, many=True).data)

    @extend_schema(request=WebhookSerializer, responses={201: CreatedWebhookSerializer, **problems(400, 404, 422)},
                   examples=[OpenApiExample("an LMS's receiver", request_only=True, value={
                       "url": "https://lms.example.org/hooks/gradebox",
                       "events": ["submission.graded", "submission.failed"]})])
    def post(self, request):
        """Registers a URL for `submission.graded` / `submission.failed`; the signing secret is in this answer only."""
        serializer = WebhookSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        courses = self.courses()
        slug = serializer.validated_data.get("course")
        if slug:
            course = get_object_or_404(courses, slug=slug)
        elif courses.count() == 1:
            course = courses.get()
        else:
            raise Problem("validation", "Name the course: this session reaches several.", errors={"course": ["required"]})
        url = serializer.validated_data["url"]
        try:
            outbound.check_url(url)
            outbound.resolves_publicly(urlsplit(url).hostname)
        except outbound.RefusedTarget as refused:
            raise Problem("unprocessable", str(refused), errors={"url": [str(refused)]}) from None
        key = access_of(request).key
        endpoint = WebhookEndpoint.objects.create(course=course, url=url, secret=new_secret(),
                                                  events=sorted(set(serializer.validated_data["events"])),
                                                  created_by_key=key)
        data = CreatedWebhookSerializer(endpoint).data
        return Response(data | {"secret": endpoint.secret}, status=status.HTTP_201_CREATED)


class WebhookDetail(ApiView):
    required_scopes = {"GET": "manage", "DELETE": "manage"}

    def endpoint(self, pk) -> WebhookEndpoint:
        return get_object_or_404(WebhookEndpoint.objects.select_related("course").filter(course__in=self.courses()),
                                 pk=pk)

    @extend_schema(responses={200: WebhookDetailSerializer, **problems(404)})
    def get(self, request, pk):
        """The endpoint and its latest delivery attempts (status code, attempt, time)."""
        return Response(WebhookDetailSerializer(self.endpoint(pk)).data)

    @extend_schema(responses={204: None, **problems(404)})
    def delete(self, request, pk):
        self.endpoint(pk).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
