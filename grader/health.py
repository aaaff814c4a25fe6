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
    """A sandbox can start on this host: the Docker daemon answers, or bubblewrap is installed (GRADER_SANDBOX)."""
    from sandbox.backends import docker_answers

    if settings.GRADER_SANDBOX in ("docker", "auto") and docker_answers():
        return "ok: docker"
    if settings.GRADER_SANDBOX in ("bwrap", "auto") and shutil.which("bwrap"):
        return "ok: bwrap"
    raise RuntimeError("no Docker daemon answers" if settings.GRADER_SANDBOX == "docker"
                       else "neither a Docker daemon nor bubblewrap is available")


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
