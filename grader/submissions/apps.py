from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    name = "grader.submissions"
    label = "submissions"
