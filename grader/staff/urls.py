"""Staff pages, all under /courses/<course_slug>/staff/ (DESIGN.md "People and doors")."""
from django.urls import path

from grader.staff.views import gradebook, home, insight

app_name = "staff"
urlpatterns = [
    path("", home.home, name="home"),
    path("gradebook/", gradebook.gradebook_page, name="gradebook"),
    path("gradebook.csv", gradebook.gradebook_csv, name="gradebook_csv"),
    path("gradebook-canvas.csv", gradebook.gradebook_canvas_csv, name="gradebook_canvas_csv"),
    path("students/<str:username>/", gradebook.student, name="student"),
    path("students/<str:username>/extensions/<slug:slug>", gradebook.extension, name="extension"),
    path("submissions/<int:pk>/download", gradebook.submission_download, name="submission_download"),
    path("assignments/<slug:slug>/insight/", insight.insight, name="insight"),
]
