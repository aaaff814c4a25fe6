from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "grader.staff"
    label = "staff"
    verbose_name = "Course staff pages"
