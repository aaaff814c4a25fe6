"""The LTI 1.3 tool's public routes under /lti/ (docs/lti.md)."""
from django.urls import path

from grader.lti import views

app_name = "lti"
urlpatterns = [
    path("login/", views.login_initiation, name="login"),
    path("launch/", views.launch, name="launch"),
    path("jwks/", views.jwks, name="jwks"),
]
