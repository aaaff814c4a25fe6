"""The staff page of API keys: the course role decides; a key is shown once; revoking is a POST within the course."""
from __future__ import annotations

from django.test import Client

from grader.api.keys import create_key, find_key
from grader.api.models import ApiKey

PAGE = "/courses/dnn/staff/api-keys/"


def test_staff_make_a_key_that_is_shown_once_and_works(client, staff_user, assignment):
    client.force_login(staff_user)
    response = client.post(PAGE, {"name": "Moodle", "scopes": ["read", "submit"]})
    assert response.status_code == 200
    key = response.context["created_key"]
    assert key in response.content.decode()
    row = find_key(key)
    assert row.scopes == ["read", "submit"] and row.created_by == staff_user and row.course.slug == "dnn"
    page = client.get(PAGE).content.decode()
    assert key not in page and f"gbx_{row.prefix}_" in page and "Moodle" in page
    assert client.get("/courses/dnn/staff/").content.decode().count(PAGE) == 1  # the nav links here


def test_a_form_without_name_or_scope_is_400_with_the_messages_by_the_inputs(client, staff_user):
    client.force_login(staff_user)
    response = client.post(PAGE, {"name": "  "})
    assert response.status_code == 400
    assert response.context["form"].errors == {"name": ["This field is required."],
                                               "scopes": ["Choose at least one scope."]}
    assert not ApiKey.objects.exists()


def test_revoking_is_a_post_within_the_course(client, staff_user, course, other_assignment):
    client.force_login(staff_user)
    mine, key = create_key(course, "mine", "read")
    theirs, _ = create_key(other_assignment.course, "theirs", "read")
    assert client.get(f"{PAGE}{mine.pk}/revoke").status_code == 405
    assert client.post(f"{PAGE}{theirs.pk}/revoke").status_code == 404
    response = client.post(f"{PAGE}{mine.pk}/revoke", follow=True)
    assert "is revoked" in response.content.decode()
    assert find_key(key).revoked_at is not None
    assert ApiKey.objects.get(pk=theirs.pk).revoked_at is None


def test_students_get_404_and_visitors_the_login(client, student_user):
    assert client.get(PAGE).status_code == 302
    client.force_login(student_user)
    assert client.get(PAGE).status_code == 404
    assert client.post(PAGE, {"name": "x", "scopes": ["manage"]}).status_code == 404
    assert not ApiKey.objects.exists()


def test_posting_without_the_csrf_token_is_refused(staff_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    assert client.post(PAGE, {"name": "x", "scopes": ["read"]}).status_code == 403
    assert not ApiKey.objects.exists()
