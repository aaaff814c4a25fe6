from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "grader.api"
    label = "api"
    verbose_name = "REST API for LMS integrations"
