"""Every URL pattern of the project, opened by every kind of visitor: nobody gets past a door that is not theirs.

The routes are walked from the root URLconf, so a route added anywhere is tested here without anyone
listing it. Each route's arguments are filled by parameter name from the objects below; a route this
test cannot fill, or whose kind it does not know, fails with its name (add its parameter to VALUES,
or its name to BY_ROUTE / KINDS), never skipped. Staff pages (namespace `staff`) need no listing. A POST
without the CSRF token of one of our forms is refused everywhere, course staff's included.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.urls import URLResolver, get_resolver
from django.utils.regex_helper import normalize

from grader.api.keys import create_key
from grader.api.models import WebhookEndpoint
from grader.authoring.services import load_folder
from grader.courses.models import Course, Enrollment
from grader.submissions import services
from grader.submissions.models import FunctionResult, RegradeBatch, Submission
from tests.grader.authoring.bundles import manifest, write_bundle

pytestmark = pytest.mark.django_db

# What a kind of route lets each visitor do. Staff pages are every route of the `staff` namespace.
STAFF, OWN_SUBMISSION, COURSE_MEMBER, LOGGED_IN, PUBLIC, OPERATOR, API, API_OWN = (
    "staff", "own submission", "course member", "logged in", "public", "operator", "api", "api, caller's courses")
KINDS = {
    "courses:home": LOGGED_IN,
    "courses:assignment": COURSE_MEMBER,
    "courses:starter": COURSE_MEMBER,
    "courses:upload": COURSE_MEMBER,
    "submissions:detail": OWN_SUBMISSION,
    "submissions:feedback": OWN_SUBMISSION,
    "submissions:status": OWN_SUBMISSION,
    "submissions:plot": OWN_SUBMISSION,
    "submissions:file": OWN_SUBMISSION,
    "login": PUBLIC,
    "logout": PUBLIC,
    "password_reset_confirm": PUBLIC,   # the token in the link is the key
    "password_reset_complete": PUBLIC,
    "admin:login": PUBLIC,
    "admin:logout": PUBLIC,
    "api:schema": PUBLIC,    # the OpenAPI document and its Swagger UI describe the interface, not any data
    "api:docs": PUBLIC,
    "api:problem": PUBLIC,   # what a problem type means (RFC 9457 `type` URLs)
    "api:courses": API_OWN,  # lists only the caller's own courses' objects: other staff see their own
    "api:webhooks": API_OWN,
    "lti:login": PUBLIC,     # LTI 1.3: the platform's signed id_token is the key (tests/grader/lti)
    "lti:launch": PUBLIC,
    "lti:jwks": PUBLIC,      # the tool's public keys
    "healthz": PUBLIC,       # probes: "the process answers", and which dependency is down (no data)
    "readyz": PUBLIC,
    "metrics": PUBLIC,       # counts only, and to GRADER_METRICS_NETWORKS alone (tests/grader/test_health.py)
}
OPERATOR_NAMESPACES = {"admin"}  # the Django admin is for operators: is_staff accounts, which no visitor here is
VISITORS = ("anonymous", "student", "other_staff", "staff", "owner")


@dataclass(frozen=True)
class Route:
    """A URL pattern with the chain of patterns above it (each one's regex, converters)."""

    name: str  # "namespace:name", or the route itself when unnamed
    namespace: str | None
    chain: tuple

    @property
    def params(self) -> list[str]:
        return [name for pattern in self.chain for name in pattern.regex.groupindex]

    def url(self, values: dict) -> str:
        """The path with each parameter filled; raises KeyError naming what it cannot fill."""
        missing = [p for p in self.params if p not in values]
        if missing:
            raise KeyError(f"{self.name}: no value for parameter(s) {', '.join(missing)}: add them to VALUES "
                           "(or this route to BY_ROUTE)")
        path = "/"
        for pattern in self.chain:
            converters = getattr(pattern, "converters", {})
            form, names = next((f, n) for f, n in normalize(pattern.regex.pattern) if set(n) <= set(values))
            path += form % {n: converters[n].to_url(values[n]) if n in converters else str(values[n]) for n in names}
        return path


def walk(patterns, chain=(), namespace=None) -> list[Route]:
    routes = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace])) or None
            routes += walk(pattern.url_patterns, chain + (pattern.pattern,), inner)
        else:
            full = chain + (pattern.pattern,)
            name = ":".join(filter(None, [namespace, pattern.name])) if pattern.name else "".join(map(str, full))
            routes.append(Route(name, namespace, full))
    return routes


ROUTES = walk(get_resolver().url_patterns)


def kind_of(route: Route) -> str:
    if route.name in KINDS:
        return KINDS[route.name]
    top = (route.namespace or "").split(":")[0]
    if top == "staff":
        return STAFF
    if top in OPERATOR_NAMESPACES:
        return OPERATOR
    if top == "api":
        return API
    raise LookupError(f"{route.name} ({''.join(map(str, route.chain))}) is of no kind this test knows: add it to "
                      "KINDS, saying who may open it")


NOTEBOOK = json.dumps({"cells": [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                                  "source": ["# GRADED FUNCTION: relu\n", "def relu(Z):\n", "    pass\n"]}],
                       "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def world(tmp_path, settings):
    """A course with a published assignment, a graded submission (with a plot) of `owner`, and a failed one."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    User = get_user_model()
    course, elsewhere = Course.objects.create(slug="dnn", title="DNN"), Course.objects.create(slug="else", title="E")
    users = {name: User.objects.create_user(name, f"{name}@example.org", f"pw-{name}")
             for name in ("student", "other_staff", "staff", "owner")}
    Enrollment.objects.create(user=users["student"], course=course)
    Enrollment.objects.create(user=users["owner"], course=course)
    Enrollment.objects.create(user=users["staff"], course=course, role=Enrollment.Role.STAFF)
    Enrollment.objects.create(user=users["other_staff"], course=elsewhere, role=Enrollment.Role.STAFF)
    folder = write_bundle(tmp_path / "bundle", **{"assignment.toml": manifest(starter="starter.ipynb"),
                                                  "starter.ipynb": NOTEBOOK})
    version = load_folder(course, folder, contract=False).version
    load_folder(elsewhere, folder, contract=False)  # the other staff's course has the same assignment
    submission = Submission.objects.create(user=users["owner"], assignment=version.assignment, version=version,
                                           original_name="s.py", size_bytes=1, status="graded", score=1, max_score=3)
    submission.file.save("s.py", ContentFile(b"x = 1\n"))
    result = FunctionResult(submission=submission, name="relu", status="passed", score=1, max_score=1)
    result.cost_plot.save("relu-cost.png", ContentFile(PNG))
    failed = Submission.objects.create(user=users["owner"], assignment=version.assignment, version=version,
                                       original_name="f.py", size_bytes=1)
    services.finish_failed(failed, "It broke.")
    values = {"course_slug": course.slug, "slug": version.assignment.slug, "pk": submission.pk,
              "result_id": result.pk, "which": "cost", "username": users["student"].username,
              "number": version.number, "uidb64": "MQ", "token": "set-password",
              # the admin's (its door is the admin site's own login)
              "app_label": "auth", "object_id": "1", "content_type_id": "1", "id": "1", "url": "anything/"}
    batch = RegradeBatch.objects.create(assignment=version.assignment, version=version,
                                        kind=RegradeBatch.Kind.DRY_RUN)
    key, _ = create_key(course, "authorization test", ["read", "submit", "manage"])
    webhook = WebhookEndpoint.objects.create(course=course, url="https://lms.example.org/hook", events=["submission.graded"],
                                     secret="whsec_" + "A" * 32)
    by_route = {"staff:failed_requeue": {"pk": failed.pk}, "api:assignment": {"pk": version.assignment.pk},
                "api:submissions": {"pk": version.assignment.pk}, "api:grades": {"pk": version.assignment.pk},
                "api:webhook": {"pk": webhook.pk}, "staff:api_key_revoke": {"pk": key.pk},
                "staff:assignment_file": {"name": "reference.py"}, "staff:version_file": {"name": "reference.py"},
                "staff:assignment_file_remove": {"name": "reference.py"},
                "staff:function": {"name": "relu"}, "staff:function_remove": {"name": "relu"},
                "staff:case_new": {"name": "relu"}, "staff:case": {"name": "relu", "case_id": "published"},
                "staff:case_remove": {"name": "relu", "case_id": "published"},
                "staff:batch": {"pk": batch.pk}, "staff:batch_progress": {"pk": batch.pk}}
    values["course"] = course.slug
    values["name"] = "not-found"
    return users, values, by_route


def login_redirect(response) -> bool:
    return response.status_code == 302 and re.search(r"/(accounts|admin)/login/", response["Location"]) is not None


def refused(response) -> bool:
    return response.status_code in (403, 404, 405)


def allowed(response) -> bool:
    return response.status_code in (200, 405) or (response.status_code == 302 and not login_redirect(response))


# Per kind, what each visitor must get: "login" (sent to log in), "refused" (403/404/405), "allowed".
EXPECT = {
    STAFF: {"anonymous": "login", "student": "refused", "other_staff": "refused", "owner": "refused", "staff": "allowed"},
    OWN_SUBMISSION: {"anonymous": "login", "student": "refused", "other_staff": "refused", "owner": "allowed",
                     "staff": "allowed"},
    COURSE_MEMBER: {"anonymous": "login", "student": "allowed", "other_staff": "refused", "owner": "allowed",
                    "staff": "allowed"},
    LOGGED_IN: {"anonymous": "login", "student": "allowed", "other_staff": "allowed", "owner": "allowed",
                "staff": "allowed"},
    OPERATOR: dict.fromkeys(VISITORS, "operator"),
    # The API answers a session of the course's staff; students work through the pages, and LMSs with keys.
    API: {"anonymous": "unauthorized", "student": "refused", "other_staff": "refused", "owner": "refused",
          "staff": "allowed"},
    API_OWN: {"anonymous": "unauthorized", "student": "refused", "other_staff": "allowed", "owner": "refused",
              "staff": "allowed"},
}


def visit(client, visitor, users, method, url):
    client.logout()
    if visitor != "anonymous":
        client.force_login(users[visitor])
    return getattr(client, method)(url)


@pytest.mark.parametrize("route", ROUTES, ids=[r.name for r in ROUTES])
def test_every_route_lets_in_only_whom_it_should(client, world, route):
    users, values, by_route = world
    kind = kind_of(route)
    url = route.url({**values, **by_route.get(route.name, {})})
    problems = []
    for visitor in VISITORS:
        get = visit(client, visitor, users, "get", url)
        if kind == PUBLIC:
            if get.status_code >= 500:
                problems.append(f"{visitor}: GET {url} -> {get.status_code}")
            continue
        expect = EXPECT[kind][visitor]
        if expect == "allowed":  # no POST: it would act
            if not allowed(get):
                problems.append(f"{visitor} may open it: GET {url} -> {get.status_code} {get.get('Location', '')} (an "
                                "argument naming another object? give the route its own values in BY_ROUTE)")
            continue
        post = visit(client, visitor, users, "post", url)
        if expect == "unauthorized":
            ok = get.status_code == 401 and post.status_code in (401, 405)
        elif expect == "login":
            ok = all(login_redirect(r) or r.status_code == 405 for r in (get, post)) and (
                login_redirect(get) or login_redirect(post))
        elif expect == "operator":
            ok = all(login_redirect(r) or refused(r) for r in (get, post))
        else:
            ok = refused(get) and refused(post)
        if not ok:
            problems.append(f"{visitor} must get {expect}: GET {url} -> {get.status_code} {get.get('Location', '')}, "
                            f"POST -> {post.status_code} {post.get('Location', '')}")
    assert not problems, f"{route.name} ({kind}):\n" + "\n".join(problems)


CSRF_EXEMPT: dict[str, str] = {  # route name -> why a POST without the form's CSRF token may act there
    "lti:login": "the LMS's cross-site login initiation; it only sends the browser on to the registered platform",
    "lti:launch": "the LMS's cross-site form_post; the signed id_token, its nonce and the state guard it",
}


@pytest.mark.parametrize("route", ROUTES, ids=[r.name for r in ROUTES])
def test_every_route_refuses_a_post_without_its_csrf_token(world, route):
    """Even course staff's own POSTs need the token a page of ours put in the form (no cross-site forms)."""
    from django.test import Client

    if route.name in CSRF_EXEMPT:
        return
    users, values, by_route = world
    url = route.url({**values, **by_route.get(route.name, {})})
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["staff"])
    status = client.post(url, {}).status_code
    assert status == 403, f"{route.name}: POST {url} without a CSRF token -> {status} (exempt it in CSRF_EXEMPT, saying why)"


def test_the_walk_finds_every_app_and_a_route_it_cannot_fill_fails_with_its_name():
    names = {route.name for route in ROUTES}
    assert {"staff:home", "staff:people", "staff:failed", "submissions:status", "courses:upload", "admin:index",
            "password_reset_confirm"} <= names
    plot = next(r for r in ROUTES if r.name == "submissions:plot")
    assert plot.url({"pk": 3, "result_id": 4, "which": "cost"}) == "/submissions/3/plots/4/cost.png"
    with pytest.raises(KeyError, match=r"submissions:plot: no value for parameter\(s\) result_id"):
        plot.url({"pk": 3, "which": "cost"})
    with pytest.raises(LookupError, match="is of no kind this test knows"):
        kind_of(Route("courses:new_page", "courses", plot.chain))
