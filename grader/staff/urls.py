"""Staff pages, all under /courses/<course_slug>/staff/ (DESIGN.md "People and doors")."""
from django.urls import path

from grader.staff.views import authoring, authoring_cases, authoring_versions, home

app_name = "staff"
urlpatterns = [
    path("", home.home, name="home"),
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
]
