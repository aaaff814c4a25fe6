from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "grader.api"
    label = "api"
    verbose_name = "REST API for LMS integrations"

    def ready(self):
        from grader.api import schema  # noqa: F401  registers the OpenAPI description of Bearer keys
