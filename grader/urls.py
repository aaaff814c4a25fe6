from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from grader import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", health.metrics, name="metrics"),
    path("courses/<slug:course_slug>/staff/", include("grader.staff.urls")),  # before an assignment's own slug
    path("", include("grader.courses.urls")),
    path("submissions/", include("grader.submissions.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Where people added by course staff choose their password (the link is e-mailed by grader.staff.enrolment).
    path("accounts/set-password/<uidb64>/<token>/",
         auth_views.PasswordResetConfirmView.as_view(success_url=reverse_lazy("password_reset_complete")),
         name="password_reset_confirm"),
    path("accounts/set-password/done/", auth_views.PasswordResetCompleteView.as_view(),
         name="password_reset_complete"),
    path("admin/", admin.site.urls),
    path("api/", include("grader.api.urls")),
    path("lti/", include("grader.lti.urls")),
]
# Under /api/ these answer with problem documents; elsewhere with the site's pages.
handler404 = "grader.api.problems.page_not_found"
handler500 = "grader.api.problems.server_error"
# 403 and 400 render the site's 403.html and 400.html (Django's default handlers); 405 is
# grader.courses.errors.MethodNotAllowedPage, since Django has no handler for it.
