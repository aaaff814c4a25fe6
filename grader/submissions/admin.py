from django.contrib import admin

from grader.submissions.models import FunctionResult, Grade, Submission


class FunctionResultInline(admin.TabularInline):
    model = FunctionResult
    extra = 0
    fields = ["name", "status", "score", "max_score", "hint"]
    readonly_fields = fields
    can_delete = False


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "assignment", "status", "score", "max_score", "created_at"]
    list_filter = ["status", "assignment"]
    search_fields = ["user__username", "original_name"]
    readonly_fields = ["created_at", "started_at", "graded_at", "result", "notes"]
    inlines = [FunctionResultInline]
    actions = ["regrade"]

    @admin.action(description="Grade again")
    def regrade(self, request, queryset):
        from grader.submissions.services import regrade

        for submission in queryset:
            regrade(submission)
        self.message_user(request, f"{queryset.count()} submission(s) queued for grading.")


@admin.register(FunctionResult)
class FunctionResultAdmin(admin.ModelAdmin):
    list_display = ["submission", "name", "status", "score", "max_score"]
    list_filter = ["status", "name"]


@admin.register(Grade)
class GradeAdmin(admin.ModelAdmin):
    """Counting grades are computed (grader.submissions.grades.update_grade): shown, never edited here."""

    list_display = ["user", "assignment", "score", "max_score", "late", "submission", "updated_at"]
    list_filter = ["assignment__course", "assignment", "late"]
    search_fields = ["user__username"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False
