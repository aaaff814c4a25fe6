"""For operators: keys (revoke), identities, webhook endpoints and their delivery log. Secrets never show."""
from django.contrib import admin
from django.utils import timezone

from grader.api.models import ApiKey, ExternalIdentity, WebhookDelivery, WebhookEndpoint, WebhookEvent


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["prefix", "name", "course", "scopes", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["course"]
    fields = ["course", "name", "prefix", "scopes", "created_by", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # keys are made by `manage.py create_api_key`, which shows the key once

    @admin.action(description="Revoke")
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"{count} key(s) revoked.")


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin):
    list_display = ["kind", "namespace", "subject", "user", "course", "created_at"]
    list_filter = ["kind"]
    search_fields = ["subject", "user__username"]


class WebhookDeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    extra = 0
    fields = ["attempt", "status_code", "error", "duration_ms", "at"]
    readonly_fields = fields
    can_delete = False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "course", "events", "created_at", "disabled_at"]
    list_filter = ["course"]
    exclude = ["secret"]


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = ["message_id", "type", "endpoint", "status", "created_at", "finished_at"]
    list_filter = ["status", "type"]
    readonly_fields = ["endpoint", "type", "message_id", "payload", "status", "created_at", "finished_at"]
    inlines = [WebhookDeliveryInline]
