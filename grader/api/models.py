"""What the REST API stores: course API keys, who an LMS user is here, replayable submits, webhooks."""
from __future__ import annotations

from django.conf import settings
from django.db import models

from grader.courses.models import Course


class Scope(models.TextChoices):
    READ = "read", "Read courses, assignments, submissions and grades"
    SUBMIT = "submit", "Submit files on behalf of the course's users"
    MANAGE = "manage", "Manage webhooks"


ALL_SCOPES = frozenset(Scope.values)


class ApiKey(models.Model):
    """A course's key for one integration; the secret is stored only as its sha256 (see `grader.api.keys`)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100, help_text="what the key is for, e.g. the LMS it is given to")
    prefix = models.CharField(max_length=16, unique=True, help_text="shown in lists; the key starts with it")
    secret_sha256 = models.CharField(max_length=64)
    scopes = models.JSONField(default=list, help_text="a subset of read, submit, manage")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["course", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…) on {self.course.slug}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ExternalIdentity(models.Model):
    """Who an outside user is here: (course, external user id) for the API, (issuer, subject) for LTI.

    `namespace` is the course's id for `api` identities and the platform's issuer URL for `lti` ones, so
    one table and one uniqueness rule hold both.
    """

    class Kind(models.TextChoices):
        API = "api", "REST API external user id"
        LTI = "lti", "LTI 1.3 issuer and subject"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    namespace = models.CharField(max_length=255, help_text="api: the course id; lti: the issuer")
    subject = models.CharField(max_length=255, help_text="api: the external user id; lti: the subject (sub)")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities")
    course = models.ForeignKey(Course, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                               help_text="the course an api identity belongs to")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "namespace", "subject"], name="one_identity_per_subject")]
        verbose_name_plural = "external identities"

    def __str__(self) -> str:
        return f"{self.kind}:{self.namespace}:{self.subject} -> {self.user}"


class IdempotentRequest(models.Model):
    """A submit sent with an `Idempotency-Key`: replaying the same request returns the same submission."""

    owner = models.CharField(max_length=64, help_text="key:<id> or user:<id>: keys never collide across callers")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="sha256 over the parsed fields and the file's sha256")
    submission = models.ForeignKey("submissions.Submission", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="one_request_per_idempotency_key")]


class WebhookEndpoint(models.Model):
    """Where a course's events are POSTed, signed per the Standard Webhooks spec with `secret`."""

    class Event(models.TextChoices):
        GRADED = "submission.graded", "A submission was graded"
        FAILED = "submission.failed", "A submission could not be graded (our side)"

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=500)
    events = models.JSONField(default=list)
    secret = models.CharField(max_length=100, help_text="whsec_…: needed to sign, shown to the caller once")
    created_by_key = models.ForeignKey(ApiKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["course", "id"]

    def __str__(self) -> str:
        return f"{self.url} ({', '.join(self.events)})"


class WebhookEvent(models.Model):
    """One event for one endpoint; `message_id` is the `webhook-id` header, the same on every attempt."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Gave up"

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="messages")
    type = models.CharField(max_length=40, choices=WebhookEndpoint.Event.choices)
    message_id = models.CharField(max_length=40, unique=True)
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class WebhookDelivery(models.Model):
    """One attempt at delivering an event: the log staff and operators read."""

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="attempts")
    attempt = models.PositiveIntegerField()
    status_code = models.PositiveIntegerField(null=True, blank=True, help_text="None: no HTTP answer")
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["event", "attempt"]
        verbose_name_plural = "webhook deliveries"
