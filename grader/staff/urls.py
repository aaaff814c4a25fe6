"""Staff pages, all under /courses/<course_slug>/staff/ (DESIGN.md "People and doors")."""
from django.urls import path

from grader.staff.views import failures, gradebook, home, insight, people

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
    path("people/", people.people, name="people"),
    path("people/add", people.add_person, name="people_add"),
    path("people/upload", people.upload_people, name="people_upload"),
    path("people/<str:username>/role", people.change_role, name="people_role"),
    path("people/<str:username>/remove", people.remove_person, name="people_remove"),
    path("people/<str:username>/link", people.send_link, name="people_link"),
    path("failed/", failures.failed, name="failed"),
    path("failed/requeue-all", failures.requeue_all, name="failed_requeue_all"),
    path("failed/<int:pk>/requeue", failures.requeue, name="failed_requeue"),
]
