"""Whatever arrives, the answer is a problem document with a 4xx, never a 500, and nothing is stored half-way."""
from __future__ import annotations

import json

from django.test import RequestFactory
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from grader.api import problems
from grader.submissions.models import Submission

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
                    max_leaves=12)
FIELDS = st.fixed_dictionaries({}, optional={"external_user_id": JSON, "filename": JSON, "content": JSON})


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=FIELDS | JSON)
def test_any_json_body_is_answered_without_a_server_error(api, assignment, body):
    before = Submission.objects.count()
    response = api.post(f"/api/v1/assignments/{assignment.pk}/submissions/", json.dumps(body),
                        content_type="application/json")
    assert response.status_code in (201, 400), response.content
    if response.status_code == 400:
        assert response["Content-Type"] == "application/problem+json"
        assert Submission.objects.count() == before


@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(since=st.text(max_size=40), cursor=st.text(max_size=40), limit=st.text(max_size=6))
def test_any_query_string_is_answered_without_a_server_error(api, assignment, since, cursor, limit):
    response = api.get(f"/api/v1/assignments/{assignment.pk}/grades/",
                       {"updated_since": since, "cursor": cursor, "limit": limit})
    assert response.status_code in (200, 400), response.content


def test_a_server_error_under_api_is_a_problem_document_elsewhere_the_page():
    request = RequestFactory().get("/api/v1/courses/")
    response = problems.server_error(request)
    assert response.status_code == 500 and response["Content-Type"] == "application/problem+json"
    assert json.loads(response.content)["type"] == "/api/problems/server-error"
    assert problems.server_error(RequestFactory().get("/courses/")).status_code == 500
    assert "problem+json" not in problems.server_error(RequestFactory().get("/courses/"))["Content-Type"]


@hypothesis_settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(who=st.text(max_size=300))
def test_any_external_user_id_filter_is_answered_without_a_server_error(api, assignment, who):
    response = api.get(f"/api/v1/assignments/{assignment.pk}/submissions/", {"external_user_id": who})
    assert response.status_code in (200, 400), response.content
