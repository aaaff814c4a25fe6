"""Versions are data made by load_assignments (and staff pages): the admin shows them, it never edits them."""
from django.contrib import admin

from grader.authoring.models import AssignmentVersion, BundleFile


class BundleFileInline(admin.TabularInline):
    model = BundleFile
    extra = 0
    can_delete = False
    fields = ["role", "name", "size_bytes", "sha256"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AssignmentVersion)
class AssignmentVersionAdmin(admin.ModelAdmin):
    list_display = ["slug", "number", "assignment", "state", "digest_short", "created_by", "created_at", "published_at"]
    list_filter = ["state", "assignment__course"]
    search_fields = ["slug", "digest"]
    inlines = [BundleFileInline]

    @admin.display(description="digest")
    def digest_short(self, obj):
        return obj.digest[:12]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return obj is not None and not obj.is_published
