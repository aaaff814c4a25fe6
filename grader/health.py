"""Liveness (/healthz), readiness (/readyz: database, broker, sandbox) and Prometheus metrics (/metrics)."""
from __future__ import annotations

import ipaddress
import logging
import shutil
import time

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, HttpResponseForbidden, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

log = logging.getLogger(__name__)
BROKER_TIMEOUT_S = 2.0


@never_cache
@require_GET
def healthz(request):
    """The process answers: nothing else is checked (a load balancer's liveness probe)."""
    return JsonResponse({"status": "ok"})


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def check_broker() -> str:
    """The broker takes connections (Redis answers; the filesystem broker's folder is writable)."""
    from grader.celery import app

    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        folder = settings.BROKER_DIR / "queue"
        probe = folder / f".ready-{time.monotonic_ns()}"
        probe.write_bytes(b"")
        probe.unlink()
        return "ok"
    with app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_S)
        broker.default_channel.client.ping()
    return "ok"


def check_sandbox() -> str:
    """A sandbox can start where submissions are graded: on this host (GRADER_READY_SANDBOX=here, the
    default), or on the workers (=workers: a web process with no Docker daemon of its own, as in
    deploy/compose.yaml), which answer the `sandbox_ready` control command within BROKER_TIMEOUT_S.
    Raises RuntimeError when none can."""
    if settings.GRADER_READY_SANDBOX == "workers":
        return check_workers_sandbox()
    return check_sandbox_here()


def check_sandbox_here() -> str:
    """This host can start a sandbox: the Docker daemon answers, or bubblewrap is installed (GRADER_SANDBOX).
    Raises RuntimeError when it cannot."""
    from sandbox.backends import docker_answers

    if settings.GRADER_SANDBOX in ("docker", "auto") and docker_answers():
        return "ok: docker"
    if settings.GRADER_SANDBOX in ("bwrap", "auto") and shutil.which("bwrap"):
        return "ok: bwrap"
    raise RuntimeError("no Docker daemon answers" if settings.GRADER_SANDBOX == "docker"
                       else "neither a Docker daemon nor bubblewrap is available")


def check_workers_sandbox() -> str:
    """At least one worker answers that it can start a sandbox, e.g. "ok: 2 of 2 workers (docker)". Raises
    RuntimeError when no worker answers, or none of those that answer can."""
    from grader.celery import app

    replies = app.control.broadcast("sandbox_ready", reply=True, timeout=BROKER_TIMEOUT_S) or []
    answers = {name: answer for reply in replies for name, answer in reply.items()}
    able = sorted({answer["ok"].removeprefix("ok: ") for answer in answers.values() if "ok" in answer})
    if not answers:
        raise RuntimeError(f"no worker answered within {BROKER_TIMEOUT_S:g} s")
    if not able:
        raise RuntimeError("; ".join(f"{name}: {answer.get('error', answer)}" for name, answer in sorted(answers.items())))
    ready = sum("ok" in answer for answer in answers.values())
    return f"ok: {ready} of {len(answers)} workers ({', '.join(able)})"


CHECKS = {"database": check_database, "broker": check_broker, "sandbox": check_sandbox}


@never_cache
@require_GET
def readyz(request):
    """200 when the database, the broker and a sandbox are all usable, else 503; each check's result named."""
    results, ready = {}, True
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as error:
            ready = False
            results[name] = f"failed: {type(error).__name__}: {error}"[:300]
            log.warning("not ready", extra={"check": name, "error": str(error)[:200]})
    return JsonResponse({"status": "ready" if ready else "not ready", "checks": results}, status=200 if ready else 503)


def _allowed(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(network, strict=False) for network in settings.GRADER_METRICS_NETWORKS)


@never_cache
@require_GET
def metrics(request):
    """Prometheus's text format (grader.metrics), to scrapers on GRADER_METRICS_NETWORKS only."""
    from grader import metrics as gauges

    if not _allowed(request.META.get("REMOTE_ADDR", "")):
        return HttpResponseForbidden("metrics are served to the networks in GRADER_METRICS_NETWORKS only\n")
    return HttpResponse(gauges.exposition(), content_type="text/plain; version=0.0.4; charset=utf-8")
