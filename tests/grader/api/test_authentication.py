"""Bearer keys and staff sessions get in; revoked or unknown keys get 401, missing scopes 403, students nothing."""
from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from grader.api.keys import find_key, revoke

PROBLEM = "application/problem+json"


def test_without_credentials_the_answer_is_401_with_a_bearer_challenge(course):
    response = APIClient().get("/api/v1/courses/")
    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM and response["WWW-Authenticate"] == 'Bearer realm="api"'
    body = response.json()
    assert body["type"] == "/api/problems/unauthorized" and body["status"] == 401 and body["title"] and body["detail"]


@pytest.mark.parametrize("header", ["Bearer gbx_deadbeef_nothing", "Bearer", "Bearer a b", "Bearer \xe9"])
def test_an_unknown_or_malformed_key_is_401(course, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/courses/")
    assert response.status_code == 401 and response["Content-Type"] == PROBLEM


def test_a_revoked_key_is_401_and_says_so(course, client_with):
    client = client_with(course, "read")
    assert client.get("/api/v1/courses/").status_code == 200
    revoke(find_key(client.key))
    response = client.get("/api/v1/courses/")
    assert response.status_code == 401 and "revoked" in response.json()["detail"]


def test_using_a_key_records_when(course, client_with):
    client = client_with(course, "read")
    assert find_key(client.key).last_used_at is None
    client.get("/api/v1/courses/")
    assert find_key(client.key).last_used_at is not None


@pytest.mark.parametrize("scopes, method, path, expected", [
    ("submit", "get", "/api/v1/courses/", 403),
    ("read", "post", "/api/v1/assignments/{id}/submissions/", 403),
    ("read", "get", "/api/v1/webhooks/", 403),
    ("read,submit", "post", "/api/v1/webhooks/", 403),
    ("manage", "get", "/api/v1/assignments/{id}/grades/", 403),
    ("read", "get", "/api/v1/assignments/{id}/grades/", 200),
    ("manage", "get", "/api/v1/webhooks/", 200),
])
def test_each_endpoint_needs_its_scope(course, assignment, client_with, scopes, method, path, expected):
    client = client_with(course, scopes)
    response = getattr(client, method)(path.format(id=assignment.pk), {}, format="json")
    assert response.status_code == expected, response.content
    if expected == 403:
        body = response.json()
        assert body["type"] == "/api/problems/forbidden" and "scope" in body["detail"]


def test_course_staff_use_the_api_with_their_session(course, assignment, staff_user, client):
    client.force_login(staff_user)
    assert [c["slug"] for c in client.get("/api/v1/courses/").json()] == ["dnn"]
    assert client.get(f"/api/v1/assignments/{assignment.pk}/grades/").status_code == 200


def test_a_students_session_reaches_nothing(course, assignment, student_user, client):
    client.force_login(student_user)
    for path in ("/api/v1/courses/", f"/api/v1/assignments/{assignment.pk}/", f"/api/v1/assignments/{assignment.pk}/grades/"):
        response = client.get(path)
        assert response.status_code == 403 and response["Content-Type"] == PROBLEM


def test_a_staff_session_submits_only_with_the_csrf_token(course, assignment, staff_user):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(staff_user)
    data = {"external_user_id": "u", "filename": "a.py", "content": "x = 1\n"}
    path = f"/api/v1/assignments/{assignment.pk}/submissions/"
    refused = client.post(path, data, format="json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    client.get("/accounts/login/")
    token = client.cookies["csrftoken"].value
    assert client.post(path, data, format="json", HTTP_X_CSRFTOKEN=token).status_code == 201
