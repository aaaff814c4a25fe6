"""Courses and assignments: the key's course only, published assignments only, no case ever shown."""
from __future__ import annotations

import json

from rest_framework.test import APIClient


def test_courses_lists_the_keys_course_only(api, other_assignment):
    assert api.get("/api/v1/courses/").json() == [
        {"slug": "dnn", "title": "Improving DNN", "assignments_url": "http://testserver/api/v1/courses/dnn/assignments/"}]


def test_assignments_lists_published_ones_with_functions_and_points(api, assignment, draft):
    listed = api.get("/api/v1/courses/dnn/assignments/").json()
    assert [a["slug"] for a in listed] == ["activations"]
    detail = api.get(f"/api/v1/assignments/{assignment.pk}/").json()
    assert detail == listed[0]
    assert detail["version"] == 1 and detail["max_score"] == 3.0 and detail["due_at"] is None
    assert detail["functions"] == [{"name": "relu", "points": 1.0}, {"name": "leaky_relu", "points": 2.0}]


def test_no_case_input_or_expected_value_is_ever_shown(api, assignment):
    text = json.dumps(api.get(f"/api/v1/assignments/{assignment.pk}/").json())
    for leak in ("cases", "args", "hidden", "wide", "slope", "-1.0", "reference"):
        assert leak not in text


def test_a_draft_is_404(api, draft):
    response = api.get(f"/api/v1/assignments/{draft.pk}/")
    assert response.status_code == 404 and response.json()["type"] == "/api/problems/not-found"
    assert api.post(f"/api/v1/assignments/{draft.pk}/submissions/", {"external_user_id": "u", "filename": "a.py",
                                                                      "content": ""}, format="json").status_code == 404


def test_another_courses_ids_are_404(api, other_assignment):
    for path in (f"/api/v1/assignments/{other_assignment.pk}/", f"/api/v1/assignments/{other_assignment.pk}/grades/",
                 f"/api/v1/assignments/{other_assignment.pk}/submissions/", "/api/v1/courses/other/assignments/"):
        response = api.get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/problem+json"


def test_unknown_api_paths_are_problem_documents_too(api):
    response = api.get("/api/v1/nothing-here/")
    assert response.status_code == 404 and response.json()["type"] == "/api/problems/not-found"
    assert response["Content-Type"] == "application/problem+json"
    assert APIClient().get("/api/v1/assignments/99999/").status_code == 401  # authentication is checked first


def test_problem_types_resolve_to_their_description(api):
    body = api.get("/api/problems/idempotency-key-reused").json()
    assert body["status"] == 422 and "Idempotency-Key" in body["description"]
    assert api.get("/api/problems/no-such-problem").status_code == 404


def test_a_method_the_path_does_not_take_is_405(api, assignment):
    response = api.delete(f"/api/v1/assignments/{assignment.pk}/")
    assert response.status_code == 405 and response["Content-Type"] == "application/problem+json"
