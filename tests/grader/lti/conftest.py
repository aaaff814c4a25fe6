"""A course with a published assignment, a simulated platform registered for it, and a browser-like session."""
from __future__ import annotations

import re

import pytest
import requests
from django.core.cache import cache

from grader.authoring.services import load_folder
from grader.courses.models import Assignment, Course
from grader.lti.models import Deployment, Platform as PlatformRow
from tests.grader.authoring.bundles import write_bundle
from tests.grader.lti.platform import Platform


@pytest.fixture(autouse=True)
def fresh_cache(transactional_db):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def course(transactional_db, tmp_path):
    course = Course.objects.create(slug="dnn", title="Improving DNN")
    load_folder(course, write_bundle(tmp_path / "activations"), contract=False)
    return course


@pytest.fixture
def assignment(course) -> Assignment:
    return Assignment.objects.get(course=course, slug="activations")


@pytest.fixture
def platform(live_server, settings):
    settings.GRADER_BASE_URL = live_server.url
    running = Platform(live_server.url).start()
    yield running
    running.stop()


@pytest.fixture
def registered(platform, course):
    row = PlatformRow.objects.create(name="Simulated LMS", issuer=platform.issuer, client_id=platform.client_id,
                                     auth_login_url=platform.url + "/auth", auth_token_url=platform.url + "/token",
                                     keyset_url=platform.url + "/jwks")
    Deployment.objects.create(platform=row, deployment_id=platform.deployment_id, course=course)
    return row


def form_fields(page: str) -> dict:
    return dict(re.findall(r'name="([^"]+)" value="([^"]*)"', page))


class Browser:
    """Follows the OIDC flow as a browser would: login initiation, the platform's auth, form_post to the tool."""

    def __init__(self, platform: Platform, tool: str):
        self.platform, self.tool = platform, tool
        self.session = requests.Session()

    def start(self, **params) -> requests.Response:
        """The platform's login initiation; returns the platform's answer (the form_post page)."""
        query = {"iss": self.platform.issuer, "login_hint": "hint-1", "client_id": self.platform.client_id,
                 "target_link_uri": self.tool + "/lti/launch/", "lti_deployment_id": self.platform.deployment_id,
                 "lti1p3_new_window": "1", **params}
        return self.session.get(self.tool + "/lti/login/", params=query, timeout=30)

    def launch(self, **claims) -> requests.Response:
        self.platform.launch = claims
        answer = self.start()
        assert answer.status_code == 200, answer.text
        self.fields = form_fields(answer.text)
        return self.post(self.fields)

    def post(self, fields: dict) -> requests.Response:
        return self.session.post(self.tool + "/lti/launch/", data=fields, timeout=30)


@pytest.fixture
def browser(platform, live_server):
    return lambda: Browser(platform, live_server.url)
