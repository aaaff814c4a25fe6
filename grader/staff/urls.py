"""Staff pages, all under /courses/<course_slug>/staff/ (DESIGN.md "People and doors")."""
from django.urls import path

from grader.api import staff_pages as api_staff
from grader.lti import staff_pages as lti_staff
from grader.staff.views import authoring
from grader.staff.views import authoring_cases
from grader.staff.views import authoring_versions
from grader.staff.views import failures
from grader.staff.views import gradebook
from grader.staff.views import home
from grader.staff.views import insight
from grader.staff.views import people
from grader.staff.views import publishing

app_name = "staff"
urlpatterns = [
    path("", home.home, name="home"),
    path("api-keys/", api_staff.api_keys, name="api_keys"),
    path("api-keys/<int:pk>/revoke", api_staff.revoke, name="api_key_revoke"),
    path("lti/", lti_staff.lti, name="lti"),
    path("lti/links/<int:pk>/assignment", lti_staff.link_assignment, name="lti_link_assignment"),
    path("lti/passbacks/<int:pk>/resend", lti_staff.resend, name="lti_resend"),
    path("lti/passbacks/resend-failed", lti_staff.resend_failed, name="lti_resend_failed"),
    path("lti/contexts/<int:pk>/sync-roster", lti_staff.roster_sync, name="lti_roster_sync"),
    path("lti/deep-link/", lti_staff.deep_link, name="lti_deep_link"),
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
    path("assignments/new/", authoring.assignment_new, name="assignment_new"),
    path("assignments/<slug:slug>/", authoring.assignment, name="assignment"),
    path("assignments/<slug:slug>/files/", authoring.assignment_files, name="assignment_files"),
    path("assignments/<slug:slug>/files/<path:name>/remove/", authoring.assignment_file_remove,
         name="assignment_file_remove"),
    path("assignments/<slug:slug>/files/<path:name>/", authoring.assignment_file, name="assignment_file"),
    path("assignments/<slug:slug>/upload-bundle/", authoring.assignment_zip, name="assignment_zip"),
    path("assignments/<slug:slug>/manifest/", authoring.assignment_manifest, name="assignment_manifest"),
    path("assignments/<slug:slug>/discard-draft/", authoring.draft_discard, name="draft_discard"),
    path("assignments/<slug:slug>/functions/", authoring_cases.assignment_functions, name="assignment_functions"),
    path("assignments/<slug:slug>/functions/<str:name>/", authoring_cases.function, name="function"),
    path("assignments/<slug:slug>/functions/<str:name>/remove/", authoring_cases.function_remove,
         name="function_remove"),
    path("assignments/<slug:slug>/functions/<str:name>/add-case/", authoring_cases.case_new, name="case_new"),
    path("assignments/<slug:slug>/functions/<str:name>/cases/<str:case_id>/", authoring_cases.case, name="case"),
    path("assignments/<slug:slug>/functions/<str:name>/cases/<str:case_id>/remove/", authoring_cases.case_remove,
         name="case_remove"),
    path("assignments/<slug:slug>/versions/", authoring_versions.versions, name="versions"),
    path("assignments/<slug:slug>/versions/<int:number>/", authoring_versions.version, name="version"),
    path("assignments/<slug:slug>/versions/<int:number>/bundle.zip", authoring_versions.version_zip,
         name="version_zip"),
    path("assignments/<slug:slug>/versions/<int:number>/files/<path:name>", authoring_versions.version_file,
         name="version_file"),
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
