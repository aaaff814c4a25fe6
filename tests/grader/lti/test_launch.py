"""The OIDC flow over HTTP against the simulated platform, and every refusal with its reason."""
from __future__ import annotations

import re
import time

import jwt
import pytest

from grader.api.models import ExternalIdentity
from grader.courses.models import Enrollment
from grader.lti.models import ResourceLink
from tests.grader.lti.conftest import form_fields
from tests.grader.lti.platform import INSTRUCTOR, new_key

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"


def reason(response) -> str | None:
    match = re.search(r'data-reason="([a-z]+)"', response.text)
    return match.group(1) if match else None


def test_learner_launch_lands_on_the_assignment_as_a_student(registered, browser, assignment):
    page = browser().launch()
    assert page.status_code == 200
    assert page.url.endswith(assignment.get_absolute_url())
    identity = ExternalIdentity.objects.get(kind="lti", namespace=registered.issuer, subject="student-1")
    assert identity.user.email == "ada@example.org"
    assert Enrollment.objects.get(user=identity.user, course=assignment.course).role == "student"
    assert ResourceLink.objects.get(resource_link_id="link-1").assignment == assignment


def test_second_launch_is_the_same_user(registered, browser):
    browser().launch()
    browser().launch()
    assert ExternalIdentity.objects.filter(kind="lti", subject="student-1").count() == 1


def test_instructor_launch_makes_course_staff(registered, browser, course):
    page = browser().launch(sub="teacher-1", **{CLAIM + "roles": [INSTRUCTOR]})
    assert page.status_code == 200
    user = ExternalIdentity.objects.get(subject="teacher-1").user
    assert Enrollment.objects.get(user=user, course=course).role == "staff"


def test_launch_page_may_be_framed_by_the_platform(registered, browser):
    page = browser().launch()
    assert "X-Frame-Options" not in page.headers
    assert browser().platform.url in page.headers["Content-Security-Policy"]


def test_login_in_a_frame_checks_cookies_and_offers_a_new_window(registered, browser):
    page = browser().start(lti1p3_new_window=None)
    assert page.status_code == 200
    assert "lti1p3_new_window" in page.text and "window.open" in page.text


@pytest.mark.parametrize("base, expected", [("https://grader.example.org", ["None", True, "None", True]),
                                            ("", ["Lax", False, "Lax", False])])
def test_iframe_cookies_are_samesite_none_and_secure_over_https(base, expected):
    import os
    import subprocess
    import sys

    code = ("from django.conf import settings as s; import django; django.setup(); "
            "print([s.SESSION_COOKIE_SAMESITE, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SAMESITE, s.CSRF_COOKIE_SECURE])")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_LTI")}
    from django.conf import settings

    env.update(GRADER_BASE_URL=base, DJANGO_SETTINGS_MODULE="grader.settings", GRADER_DATA_DIR=str(settings.DATA_DIR))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip() == repr(expected)


def refused_launch(browser, tamper) -> tuple:
    visit = browser()
    visit.platform.launch = {}
    fields = form_fields(visit.start().text)
    fields = tamper(visit.platform, fields) or fields
    return visit, visit.post(fields)


def resign(**changes):
    """A tamper that re-signs the platform's id_token with changed claims (nonce kept)."""

    def tamper(platform, fields):
        claims = jwt.decode(fields["id_token"], options={"verify_signature": False})
        claims.update(changes)
        claims = {k: v for k, v in claims.items() if v is not None}
        return {**fields, "id_token": platform.sign(claims)}

    return tamper


def test_bad_signature_is_refused(registered, browser):
    _, other_pem = new_key()

    def forge(platform, fields):
        claims = jwt.decode(fields["id_token"], options={"verify_signature": False})
        return {**fields, "id_token": platform.sign(claims, pem=other_pem)}

    _, page = refused_launch(browser, forge)
    assert page.status_code == 400 and reason(page) == "signature"


def test_wrong_audience_is_refused(registered, browser):
    _, page = refused_launch(browser, resign(aud="someone-else", azp="someone-else"))
    assert page.status_code == 400 and reason(page) == "audience"


def test_several_audiences_need_azp_naming_the_tool(registered, browser):
    _, page = refused_launch(browser, resign(aud=["gradebox-client", "other"], azp="other"))
    assert page.status_code == 400 and reason(page) == "audience"


def test_wrong_issuer_is_refused(registered, browser):
    _, page = refused_launch(browser, resign(iss="https://evil.example.org"))
    assert page.status_code == 400 and reason(page) == "audience"


def test_expired_token_is_refused(registered, browser):
    _, page = refused_launch(browser, resign(iat=int(time.time()) - 900, exp=int(time.time()) - 600))
    assert page.status_code == 400 and reason(page) == "expired"


def test_replayed_launch_is_refused(registered, browser):
    visit = browser()
    assert visit.launch().status_code == 200
    again = visit.post(visit.fields)
    assert again.status_code == 400 and reason(again) == "replayed"


def test_unknown_nonce_is_refused(registered, browser):
    _, page = refused_launch(browser, resign(nonce="never-issued"))
    assert page.status_code == 400 and reason(page) == "replayed"


def test_unknown_deployment_is_refused(registered, browser):
    _, page = refused_launch(browser, resign(**{CLAIM + "deployment_id": "not-registered"}))
    assert page.status_code == 400 and reason(page) == "deployment"


def test_deployment_without_course_is_refused(registered, browser):
    registered.deployments.update(course=None)
    _, page = refused_launch(browser, lambda platform, fields: None)
    assert page.status_code == 400 and reason(page) == "deployment"


@pytest.mark.parametrize("claim", [CLAIM + "roles", CLAIM + "resource_link", CLAIM + "version", "exp"])
def test_missing_required_claim_is_refused(registered, browser, claim):
    _, page = refused_launch(browser, resign(**{claim: None}))
    assert page.status_code == 400 and reason(page) == "claim"
    assert not ExternalIdentity.objects.filter(kind="lti").exists()


def test_learner_on_a_link_without_assignment_is_told_so(registered, browser):
    page = browser().launch(**{CLAIM + "custom": None})
    assert page.status_code == 200 and "does not open an assignment yet" in page.text


def test_staff_on_a_link_without_assignment_land_on_the_lms_page(registered, browser, course):
    page = browser().launch(sub="teacher-1", **{CLAIM + "roles": [INSTRUCTOR], CLAIM + "custom": None})
    assert page.url.endswith(f"/courses/{course.slug}/staff/lti/")


def test_unknown_platform_login_is_refused(registered, browser):
    page = browser().start(iss="https://unknown.example.org")
    assert page.status_code == 400 and reason(page) == "audience"
