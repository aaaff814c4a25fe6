"""Requests generated from our own OpenAPI document, sent over HTTP to a live server: no server error, every
answer as the document says, and no connection out of the machine whatever the requests held."""
from __future__ import annotations

import ipaddress
import socket

import pytest
import schemathesis
from hypothesis import HealthCheck, settings as hypothesis_settings, strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from grader.api.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from grader.api.webhooks import new_secret
from tests.grader.api.results import grade, relu_report
from tests.grader.api.test_submit import send_json

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
OPERATIONS = {
    "GET /api/v1/courses/", "GET /api/v1/courses/{course}/assignments/", "GET /api/v1/assignments/{id}/",
    "GET /api/v1/assignments/{id}/submissions/", "POST /api/v1/assignments/{id}/submissions/",
    "GET /api/v1/assignments/{id}/grades/", "GET /api/v1/submissions/{id}/", "GET /api/v1/webhooks/",
    "POST /api/v1/webhooks/", "GET /api/v1/webhooks/{id}/", "DELETE /api/v1/webhooks/{id}/",
}


def _is_loopback(host) -> bool:
    if host in (None, "localhost") or (isinstance(host, str) and host.endswith(".localhost")):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%", 1)[0]).is_loopback
    except ValueError:
        return False


class SocketGuard:
    """In this process (the test and the live server's threads): connections go to loopback only, and a name
    lookup other than localhost's answers "unknown" without asking a resolver. Whatever was tried is recorded."""

    def __init__(self, monkeypatch):
        self.connections: list = []
        self.lookups: list[str] = []
        real_getaddrinfo, real_connect = socket.getaddrinfo, socket.socket.connect
        real_connect_ex = socket.socket.connect_ex
        guard = self

        def getaddrinfo(host, *args, **kwargs):
            if not _is_loopback(host.decode() if isinstance(host, bytes) else host):
                guard.lookups.append(host)
                raise socket.gaierror(socket.EAI_NONAME, "name lookups are off in this test")
            return real_getaddrinfo(host, *args, **kwargs)

        def outward(sock, address) -> bool:
            if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
                guard.connections.append(address)
                return True
            return False

        def connect(sock, address):
            if outward(sock, address):
                raise ConnectionRefusedError(f"no outbound connection in this test: {address}")
            return real_connect(sock, address)

        def connect_ex(sock, address):
            return 111 if outward(sock, address) else real_connect_ex(sock, address)

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
        monkeypatch.setattr(socket.socket, "connect", connect)
        monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)


@pytest.fixture
def socket_guard(monkeypatch) -> SocketGuard:
    return SocketGuard(monkeypatch)


@pytest.fixture
def objects(api, assignment, client_with) -> dict[str, object]:
    """Real path parameters: the assignment, a graded submission of it, a webhook of the course, the course."""
    submitted = send_json(api, assignment).json()["id"]
    grade(submitted, relu_report(hidden_passed=False))
    webhook = WebhookEndpoint.objects.create(course=assignment.course, url="https://lms.example.org/hooks/gradebox",
                                             events=["submission.graded"], secret=new_secret())
    return {"/api/v1/assignments/": assignment.pk, "/api/v1/submissions/": submitted, "/api/v1/webhooks/": webhook.pk,
            "/api/v1/courses/": assignment.course.slug}


@pytest.fixture
def api_schema(live_server, socket_guard, objects, monkeypatch, settings):
    """The schema as the live server serves it; its operations are called over HTTP on loopback.

    Generated ids rarely name an object that exists: half the time a path names a real one instead, so the
    operations' bodies and answers are exercised beyond 404s.
    """
    from grader.submissions import tasks

    settings.GRADER_API_RATE = "1000000/min"
    # Stored submissions stay queued: grading is the worker's, tested end to end elsewhere.
    monkeypatch.setattr(tasks.grade_submission, "apply_async", lambda *args, **kwargs: None)
    loaded = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/?format=json")

    @loaded.hook
    def flatmap_path_parameters(context, path_parameters):
        prefix = next((p for p in objects if context.operation.path.startswith(p)), None)
        if not path_parameters or prefix is None:
            return st.just(path_parameters)
        name = "course" if prefix == "/api/v1/courses/" else "id"
        return st.sampled_from([path_parameters, {**path_parameters, name: objects[prefix]}])

    return loaded


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@hypothesis_settings(max_examples=10, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                            HealthCheck.filter_too_much])
def test_the_live_api_answers_as_its_schema_says_and_sends_nothing_out(case, live_server, api, socket_guard):
    response = case.call(headers={"Authorization": f"Bearer {api.key}"})
    case.validate_response(response, checks=CHECKS)
    assert response.request.url.startswith(live_server.url + "/api/v1/")  # over HTTP, to the live server
    assert socket_guard.connections == []
    assert not WebhookEvent.objects.exists() and not WebhookDelivery.objects.exists()


def test_every_operation_of_the_api_is_in_the_schema_the_fuzzing_runs_on(live_server, transactional_db):
    loaded = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/?format=json")
    labels = {result.ok().label for result in loaded.get_all_operations()}
    assert labels == OPERATIONS
