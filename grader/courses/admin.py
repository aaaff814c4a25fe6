from django.contrib import admin

from grader.courses.models import Assignment, Course, Enrollment, GradedFunction, TestCase


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


class GradedFunctionInline(admin.TabularInline):
    model = GradedFunction
    extra = 0


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["slug", "course", "title", "is_open", "due_at", "max_score"]
    list_filter = ["course", "is_open"]
    search_fields = ["slug", "title"]
    inlines = [GradedFunctionInline]


class TestCaseInline(admin.TabularInline):
    model = TestCase
    extra = 0


@admin.register(GradedFunction)
class GradedFunctionAdmin(admin.ModelAdmin):
    list_display = ["name", "assignment", "points", "order"]
    list_filter = ["assignment"]
    inlines = [TestCaseInline]


@admin.register(TestCase)
class TestCaseAdmin(admin.ModelAdmin):
    list_display = ["__str__", "hidden", "rtol", "atol", "version"]
    list_filter = ["hidden", "function__assignment"]
