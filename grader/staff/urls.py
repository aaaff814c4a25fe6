"""Staff pages, all under /courses/<course_slug>/staff/ (DESIGN.md "People and doors")."""
from django.urls import path

from grader.staff.views import home, publishing

app_name = "staff"
urlpatterns = [
    path("", home.home, name="home"),
    path("assignments/<slug:slug>/versions/<int:number>/preview/", publishing.preview, name="preview"),
    path("assignments/<slug:slug>/versions/<int:number>/preview/state/", publishing.preview_state,
         name="preview_state"),
    path("assignments/<slug:slug>/versions/<int:number>/validate/", publishing.validate, name="validate"),
    path("assignments/<slug:slug>/versions/<int:number>/validate/state/", publishing.validate_state,
         name="validate_state"),
    path("assignments/<slug:slug>/versions/<int:number>/publish/", publishing.publish, name="publish"),
    path("assignments/<slug:slug>/regrade/", publishing.regrade, name="regrade"),
    path("batches/<int:pk>/", publishing.batch, name="batch"),
    path("batches/<int:pk>/progress/", publishing.batch_progress, name="batch_progress"),
]
