"""Staff pages, all under /courses/<course_slug>/staff/ (DESIGN.md "People and doors")."""
from django.urls import path

from grader.staff.views import home

app_name = "staff"
urlpatterns = [
    path("", home.home, name="home"),
]
