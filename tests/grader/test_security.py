"""Security defaults: no known secret key in production, HTTPS-only cookies and HSTS, headers, login throttling."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured

from grader.env import DEVELOPMENT_SECRET_KEY, secret_key

ROOT = Path(__file__).resolve().parents[2]


def settings_in_a_fresh_process(tmp_path, **env) -> subprocess.CompletedProcess:
    """Starts Django as `manage.py` would, with `env`; prints the settings the test reads."""
    code = ("import django, json; django.setup(); from django.conf import settings as s; print(json.dumps("
            "{k: getattr(s, k, None) for k in ('SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS', "
            "'SECRET_KEY')}))")
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GRADER_", "DATABASE_URL",
                                                                     "CELERY_", "PYTEST_"))}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**base, "DJANGO_SETTINGS_MODULE": "grader.settings", "GRADER_DATA_DIR": str(tmp_path),
                               "PYTHONPATH": str(ROOT), **env})


def test_the_development_key_refuses_to_start_without_debug(tmp_path):
    run = settings_in_a_fresh_process(tmp_path, DJANGO_SECRET_KEY=DEVELOPMENT_SECRET_KEY, DJANGO_DEBUG="0")
    assert run.returncode != 0 and "development key" in run.stderr
    assert settings_in_a_fresh_process(tmp_path, DJANGO_SECRET_KEY=DEVELOPMENT_SECRET_KEY,
                                       DJANGO_DEBUG="1").returncode == 0


def test_the_embedded_default_makes_its_own_key_once(tmp_path):
    first = settings_in_a_fresh_process(tmp_path)
    assert first.returncode == 0, first.stderr
    key = json.loads(first.stdout)["SECRET_KEY"]
    assert key != DEVELOPMENT_SECRET_KEY and len(key) >= 50
    assert (tmp_path / "secret-key").stat().st_mode & 0o777 == 0o600
    assert json.loads(settings_in_a_fresh_process(tmp_path).stdout)["SECRET_KEY"] == key


def test_a_database_server_without_a_key_refuses_to_start(tmp_path, monkeypatch):
    monkeypatch.delenv("DJANGO_SECRET_KEY", raising=False)
    with pytest.raises(ImproperlyConfigured, match="same secret"):
        secret_key(False, tmp_path, embedded=False)
    assert not (tmp_path / "secret-key").exists()


def test_a_given_key_is_used(tmp_path, monkeypatch):
    monkeypatch.setenv("DJANGO_SECRET_KEY", "k" * 60)
    assert secret_key(False, tmp_path, embedded=False) == "k" * 60


def test_over_https_cookies_are_secure_and_hsts_is_sent(tmp_path):
    run = settings_in_a_fresh_process(tmp_path, GRADER_BASE_URL="https://grader.example.org")
    shown = json.loads(run.stdout)
    assert shown["SESSION_COOKIE_SECURE"] and shown["CSRF_COOKIE_SECURE"] and shown["SECURE_HSTS_SECONDS"] == 31536000
    plain = json.loads(settings_in_a_fresh_process(tmp_path).stdout)
    assert not plain["SESSION_COOKIE_SECURE"] and not plain["SECURE_HSTS_SECONDS"]


def test_pages_carry_the_security_headers(client):
    response = client.get("/accounts/login/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_logins_are_throttled_after_repeated_failures(client, settings):
    get_user_model().objects.create_user("ada", password="a-long-password")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post("/accounts/login/", {"username": "ada", "password": "guess"})
        assert response.status_code == 200  # the form again, with its error
    assert client.post("/accounts/login/", {"username": "ada", "password": "guess"}).status_code == 429
    locked = client.post("/accounts/login/", {"username": "ada", "password": "a-long-password"})
    assert locked.status_code == 429 and "Too many failed logins" in locked.content.decode()
    other = client.post("/accounts/login/", {"username": "bob", "password": "guess"})
    assert other.status_code == 200  # another username is not locked out
