"""Staff pages, all under /courses/<course_slug>/staff/ (DESIGN.md "People and doors")."""
from django.urls import path

from grader.staff.views import home
from grader.staff.views import insight

app_name = "staff"
urlpatterns = [
    path("", home.home, name="home"),
    path("assignments/<slug:slug>/insight/", insight.insight, name="insight"),
]
