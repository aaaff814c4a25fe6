from django.contrib import admin

from grader.courses.models import Assignment, Course, Enrollment, Extension


class EnrollmentInline(admin.TabularInline):
    model = Enrollment
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["slug", "title", "created_at"]
    search_fields = ["slug", "title"]
    inlines = [EnrollmentInline]


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ["user", "course", "role"]
    list_filter = ["role", "course"]
    search_fields = ["user__username", "course__slug"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["slug", "course", "title", "is_open", "due_at", "max_score", "current_version"]
    list_filter = ["course", "is_open"]
    search_fields = ["slug", "title"]
    readonly_fields = ["current_version", "max_score"]


@admin.register(Extension)
class ExtensionAdmin(admin.ModelAdmin):
    list_display = ["user", "assignment", "due_at", "granted_by", "granted_at"]
    list_filter = ["assignment__course"]
    search_fields = ["user__username", "assignment__slug"]
    autocomplete_fields = ["user"]
