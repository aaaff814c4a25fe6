"""Keys and their rotation, registering a platform, the staff page's values (the ones docs/lti.md names),
deep linking, and the roster sync, against the simulated platform."""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import jwt
import pytest
import requests
from celery import current_app
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from grader.api.models import ExternalIdentity
from grader.courses.models import Enrollment
from grader.lti import keys
from grader.lti.models import Context, Deployment, Platform, ToolKey
from grader.lti.setup_values import TOOL_URLS
from tests.grader.lti.platform import INSTRUCTOR, LEARNER, new_key

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DL_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
DOCS = Path(__file__).resolve().parents[3] / "docs" / "lti.md"


def test_rotation_keeps_the_old_key_published_until_it_expires(transactional_db, client):
    first = keys.current_key()
    call_command("lti_rotate_key", "--overlap-s", "3600")
    second = keys.current_key()
    assert second.kid != first.kid
    kids = [k["kid"] for k in client.get("/lti/jwks/").json()["keys"]]
    assert kids == [second.kid, first.kid]
    ToolKey.objects.filter(pk=first.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert [k["kid"] for k in client.get("/lti/jwks/").json()["keys"]] == [second.kid]


def test_lti_register_records_platform_and_deployment(course):
    args = ["--name", "Canvas", "--issuer", "https://canvas.instructure.com", "--client-id", "1000",
            "--auth-login-url", "https://sso.example.org/auth", "--token-url", "https://lms.example.org/token",
            "--keyset-url", "https://sso.example.org/jwks", "--deployment-id", "d-1", "--course", course.slug]
    call_command("lti_register", *args)
    call_command("lti_register", *args)
    assert Platform.objects.count() == 1
    assert Deployment.objects.get(deployment_id="d-1").course == course


def test_token_endpoint_accepts_the_tool_and_rejects_a_forged_assertion(registered, platform):
    key = keys.current_key()
    now = int(timezone.now().timestamp())
    claims = {"iss": platform.client_id, "sub": platform.client_id, "aud": platform.url + "/token",
              "iat": now, "exp": now + 60, "jti": "x"}
    form = {"grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", "scope": ""}
    good = jwt.encode(claims, key.private_pem, algorithm="RS256", headers={"kid": key.kid})
    assert requests.post(platform.url + "/token", data={**form, "client_assertion": good}).status_code == 200
    _, forged_pem = new_key()
    forged = jwt.encode(claims, forged_pem, algorithm="RS256", headers={"kid": key.kid})
    assert requests.post(platform.url + "/token", data={**form, "client_assertion": forged}).status_code == 401


@pytest.fixture
def staff_client(client, course, django_user_model):
    user = django_user_model.objects.create_user("teacher")
    Enrollment.objects.create(user=user, course=course, role="staff")
    client.force_login(user)
    return client


def test_staff_page_shows_the_values_docs_name_and_links_a_deployment(staff_client, course, settings):
    settings.GRADER_BASE_URL = "https://grader.example.org"
    page = staff_client.get(f"/courses/{course.slug}/staff/lti/").content.decode()
    docs = DOCS.read_text()
    for label, route in TOOL_URLS.items():
        path = reverse(route)
        assert re.search(rf"<th>{re.escape(label)}</th><td><code>https://grader.example.org{path}</code>", page), label
        assert f"**{label}**: `https://<gradebox>{path}`" in docs, label
    platform = Platform.objects.create(name="LMS", issuer="https://lms", client_id="c", auth_login_url="https://lms/a",
                                       auth_token_url="https://lms/t", keyset_url="https://lms/k")
    answer = staff_client.post(f"/courses/{course.slug}/staff/lti/", {"platform": platform.pk, "deployment_id": "d-9"})
    assert answer.status_code == 302
    assert Deployment.objects.get(deployment_id="d-9").course == course


def test_deep_linking_returns_the_assignment_with_its_line_item(registered, browser, platform, assignment):
    visit = browser()
    settings = {"deep_link_return_url": platform.url + "/deep-link-return", "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"], "data": "opaque"}
    page = visit.launch(sub="teacher-1", **{CLAIM + "roles": [INSTRUCTOR],
                                            CLAIM + "message_type": "LtiDeepLinkingRequest",
                                            CLAIM + "resource_link": None, CLAIM + "custom": None,
                                            DL_SETTINGS: settings})
    assert page.status_code == 200 and assignment.title in page.text
    csrf = visit.session.cookies["csrftoken"]
    answer = visit.session.post(page.url, data={"assignment": assignment.slug, "csrfmiddlewaretoken": csrf},
                                headers={"Referer": page.url})
    assert answer.status_code == 200
    token = re.search(r'name="JWT" value="([^"]+)"', answer.text).group(1)
    jwks = requests.get(visit.tool + "/lti/jwks/").json()
    key = next(k for k in jwks["keys"] if k["kid"] == jwt.get_unverified_header(token)["kid"])
    claims = jwt.decode(token, jwt.PyJWK(key).key, algorithms=["RS256"], audience=platform.issuer)
    item = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"][0]
    assert item["type"] == "ltiResourceLink" and item["custom"] == {"assignment": assignment.slug}
    assert item["lineItem"]["scoreMaximum"] == assignment.max_score
    assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "opaque"


def test_learner_cannot_deep_link(registered, browser):
    page = browser().launch(**{CLAIM + "message_type": "LtiDeepLinkingRequest", CLAIM + "resource_link": None,
                               DL_SETTINGS: {"deep_link_return_url": "https://x/r",
                                                                 "accept_types": ["ltiResourceLink"],
                                                                 "accept_presentation_document_targets": ["iframe"]}})
    assert page.status_code == 403


def test_roster_sync_enrols_active_members(registered, browser, platform, course, monkeypatch):
    monkeypatch.setattr(current_app.conf, "task_always_eager", True)
    visit = browser()
    visit.launch(sub="teacher-1", **{CLAIM + "roles": [INSTRUCTOR]})
    platform.members = [
        {"user_id": "s-1", "roles": [LEARNER], "status": "Active", "given_name": "Grace", "email": "g@example.org"},
        {"user_id": "s-2", "roles": [LEARNER], "status": "Inactive"},
        {"user_id": "t-2", "roles": [INSTRUCTOR], "status": "Active"},
    ]
    context = Context.objects.get()
    visit.session.get(visit.tool + f"/courses/{course.slug}/staff/lti/")
    csrf = visit.session.cookies["csrftoken"]
    url = visit.tool + f"/courses/{course.slug}/staff/lti/contexts/{context.pk}/sync-roster"
    assert visit.session.post(url, data={"csrfmiddlewaretoken": csrf}, headers={"Referer": url}).status_code == 200
    roles = {i.subject: Enrollment.objects.get(user=i.user, course=course).role
             for i in ExternalIdentity.objects.filter(kind="lti")}
    assert roles == {"teacher-1": "staff", "s-1": "student", "t-2": "staff"}
    context.refresh_from_db()
    assert context.roster_status.startswith("1 students, 1 staff, 1 skipped")


def test_a_deep_linking_launch_serves_only_its_own_course(registered, browser, platform, course):
    from grader.courses.models import Course

    visit = browser()
    settings = {"deep_link_return_url": platform.url + "/r", "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe"]}
    page = visit.launch(sub="teacher-1", **{CLAIM + "roles": [INSTRUCTOR], CLAIM + "resource_link": None,
                                            CLAIM + "message_type": "LtiDeepLinkingRequest", DL_SETTINGS: settings})
    assert page.status_code == 200
    other = Course.objects.create(slug="other", title="Other")
    Enrollment.objects.create(user=ExternalIdentity.objects.get(subject="teacher-1").user, course=other, role="staff")
    answer = visit.session.get(visit.tool + "/courses/other/staff/lti/deep-link/")
    assert answer.status_code == 400 and 'data-reason="deployment"' in answer.text
