"""Each key has its own request budget, counted in the shared cache; over it: 429 with Retry-After."""
from __future__ import annotations

from django.core.cache import cache

from grader.api.throttling import ApiKeyRateThrottle


def test_over_the_rate_a_key_gets_429_with_retry_after(course, client_with, settings):
    settings.GRADER_API_RATE = "3/min"
    busy, other = client_with(course, "read"), client_with(course, "read")
    assert [busy.get("/api/v1/courses/").status_code for _ in range(3)] == [200] * 3
    response = busy.get("/api/v1/courses/")
    assert response.status_code == 429 and response["Content-Type"] == "application/problem+json"
    assert 0 < int(response["Retry-After"]) <= 60
    assert response.json()["type"] == "/api/problems/rate-limited"
    assert other.get("/api/v1/courses/").status_code == 200  # another key's budget is its own


def test_the_budget_refills_with_time(course, client_with, settings, monkeypatch):
    settings.GRADER_API_RATE = "2/min"
    client = client_with(course, "read")
    now = [1_000_000.0]
    monkeypatch.setattr(ApiKeyRateThrottle, "timer", lambda self: now[0])
    assert [client.get("/api/v1/courses/").status_code for _ in range(3)] == [200, 200, 429]
    now[0] += 61
    assert client.get("/api/v1/courses/").status_code == 200


def test_the_counts_live_in_the_configured_shared_cache(course, client_with, settings):
    expected = "RedisCache" if settings.REDIS_URL else "DatabaseCache"
    assert settings.CACHES["default"]["BACKEND"].endswith(expected)
    client = client_with(course, "read")
    client.get("/api/v1/courses/")
    from grader.api.models import ApiKey

    key = ApiKey.objects.get()
    assert len(cache.get(f"throttle_api_key:{key.pk}")) == 1


def test_redis_is_the_cache_when_redis_url_names_one(tmp_path):
    import os
    import subprocess
    import sys

    env = dict(os.environ, REDIS_URL="redis://127.0.0.1:6379/3", GRADER_DATA_DIR=str(tmp_path),
               DJANGO_SETTINGS_MODULE="grader.settings")
    printed = subprocess.run([sys.executable, "-c", "from django.conf import settings; print(settings.CACHES['default'])"],
                             env=env, capture_output=True, text=True, check=True).stdout
    assert "RedisCache" in printed and "redis://127.0.0.1:6379/3" in printed
