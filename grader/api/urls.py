"""/api/: v1 endpoints, the OpenAPI schema, Swagger UI (served from the sidecar's static files), problem types."""
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from grader.api import problems, views, webhook_views

app_name = "api"
urlpatterns = [
    path("v1/courses/", views.CourseList.as_view(), name="courses"),
    path("v1/courses/<slug:course>/assignments/", views.AssignmentList.as_view(), name="assignments"),
    path("v1/assignments/<int:pk>/", views.AssignmentDetail.as_view(), name="assignment"),
    path("v1/assignments/<int:pk>/submissions/", views.AssignmentSubmissions.as_view(), name="submissions"),
    path("v1/assignments/<int:pk>/grades/", views.AssignmentGrades.as_view(), name="grades"),
    path("v1/submissions/<int:pk>/", views.SubmissionDetail.as_view(), name="submission"),
    path("v1/webhooks/", webhook_views.WebhookList.as_view(), name="webhooks"),
    path("v1/webhooks/<int:pk>/", webhook_views.WebhookDetail.as_view(), name="webhook"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("problems/<slug:name>", problems.describe, name="problem"),
]
