from django.urls import path

from grader.courses import views
from grader.submissions import views as submission_views

app_name = "courses"
urlpatterns = [
    path("", views.home, name="home"),
    path("courses/<slug:course_slug>/<slug:slug>/", views.assignment_detail, name="assignment"),
    path("courses/<slug:course_slug>/<slug:slug>/starter-kit.zip", views.starter_kit, name="starter"),
    path("courses/<slug:course_slug>/<slug:slug>/submit", submission_views.upload, name="upload"),
]
