"""What the LTI 1.3 tool stores: its signing keys, the platforms (LMSs) it is registered with, their
deployments mapped to courses, resource links mapped to assignments, and each grade passback."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from grader.courses.models import Assignment, Course


class ToolKey(models.Model):
    """An RSA key pair the tool signs with (OAuth2 client assertions, deep-linking responses).

    The newest key signs; a key replaced by `rotate` stays published in /lti/jwks/ until `expires_at`, so a
    platform that cached the key set still verifies what was signed just before the rotation.
    """

    kid = models.CharField(max_length=64, unique=True, help_text="the RFC 7638 thumbprint of the public key")
    private_pem = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="empty: the key in use")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.kid


class Platform(models.Model):
    """One registration of the tool with an LMS (issuer + client id), shared by the courses it hosts."""

    name = models.CharField(max_length=100, help_text="e.g. University Canvas")
    issuer = models.CharField(max_length=255, help_text="the platform's `iss`, e.g. https://canvas.instructure.com")
    client_id = models.CharField(max_length=255, help_text="the tool's client id on that platform")
    auth_login_url = models.URLField(max_length=500, help_text="the platform's OIDC authorization endpoint")
    auth_token_url = models.URLField(max_length=500, help_text="the platform's OAuth2 token endpoint")
    keyset_url = models.URLField(max_length=500, help_text="the platform's public key set (JWKS)")
    auth_audience = models.CharField(max_length=500, blank=True,
                                     help_text="the `aud` of client assertions when not the token URL (Moodle: empty)")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["issuer", "client_id"], name="one_platform_per_client")]

    def __str__(self) -> str:
        return f"{self.name} ({self.issuer}, client {self.client_id})"


class Deployment(models.Model):
    """A deployment of the tool on a platform (`deployment_id` claim) and the course it serves."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="deployments")
    deployment_id = models.CharField(max_length=255)
    course = models.ForeignKey(Course, null=True, blank=True, on_delete=models.SET_NULL, related_name="lti_deployments",
                               help_text="empty: launches are refused until course staff link it")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["platform", "deployment_id"]
        constraints = [models.UniqueConstraint(fields=["platform", "deployment_id"], name="one_deployment_id")]

    def __str__(self) -> str:
        return f"{self.platform.name} deployment {self.deployment_id}"


class Context(models.Model):
    """An LMS course (the `context` claim) seen in a launch, with its service endpoints."""

    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="contexts")
    context_id = models.CharField(max_length=255)
    title = models.CharField(max_length=255, blank=True)
    lineitems_url = models.URLField(max_length=500, blank=True, help_text="AGS line items container")
    ags_scopes = models.JSONField(default=list)
    memberships_url = models.URLField(max_length=500, blank=True, help_text="NRPS context memberships")
    roster_synced_at = models.DateTimeField(null=True, blank=True)
    roster_status = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["deployment", "context_id"], name="one_lti_context")]

    def __str__(self) -> str:
        return self.title or self.context_id


class ResourceLink(models.Model):
    """A link placed in the LMS (`resource_link` claim) and the assignment it opens; its line item once known."""

    context = models.ForeignKey(Context, on_delete=models.CASCADE, related_name="links")
    resource_link_id = models.CharField(max_length=255)
    title = models.CharField(max_length=255, blank=True)
    assignment = models.ForeignKey(Assignment, null=True, blank=True, on_delete=models.SET_NULL, related_name="lti_links")
    lineitem_url = models.URLField(max_length=500, blank=True, help_text="where scores go; created once, then reused")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["context", "resource_link_id"], name="one_resource_link")]

    def __str__(self) -> str:
        return f"{self.title or self.resource_link_id} -> {self.assignment or 'no assignment'}"


class Passback(models.Model):
    """The score of one student on one resource link's line item: what was last sent and how it went."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    link = models.ForeignKey(ResourceLink, on_delete=models.CASCADE, related_name="passbacks")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    lti_user_id = models.CharField(max_length=255, help_text="the platform's `sub` for the student")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    sent_score = models.FloatField(null=True, blank=True, help_text="scoreGiven last accepted by the platform")
    sent_max = models.FloatField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["link", "user"]
        constraints = [models.UniqueConstraint(fields=["link", "user"], name="one_passback_per_link_user")]

    def __str__(self) -> str:
        return f"{self.user} on {self.link}: {self.status}"
