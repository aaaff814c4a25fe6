from django.apps import AppConfig


class AuthoringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "grader.authoring"
    label = "authoring"
    verbose_name = "Assignment versions"
