"""Operators register platforms and see keys, deployments and passbacks in the Django admin."""
from django.contrib import admin

from grader.lti.models import Context, Deployment, Passback, Platform, ResourceLink, ToolKey


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    list_display = ["name", "issuer", "client_id", "created_at"]
    search_fields = ["name", "issuer", "client_id"]


@admin.register(Deployment)
class DeploymentAdmin(admin.ModelAdmin):
    list_display = ["platform", "deployment_id", "course"]
    list_filter = ["platform"]


@admin.register(ToolKey)
class ToolKeyAdmin(admin.ModelAdmin):
    list_display = ["kid", "created_at", "expires_at"]
    exclude = ["private_pem"]
    readonly_fields = ["kid", "created_at"]


@admin.register(Context)
class ContextAdmin(admin.ModelAdmin):
    list_display = ["title", "context_id", "deployment", "roster_synced_at"]


@admin.register(ResourceLink)
class ResourceLinkAdmin(admin.ModelAdmin):
    list_display = ["resource_link_id", "title", "assignment", "lineitem_url"]


@admin.register(Passback)
class PassbackAdmin(admin.ModelAdmin):
    list_display = ["user", "link", "status", "sent_score", "sent_at", "attempts"]
    list_filter = ["status"]
