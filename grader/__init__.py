"""Gradebox: the Django project (settings, URLs, Celery app) and its apps."""
from grader.celery import app as celery_app

__all__ = ["celery_app"]
