"""The OpenAPI 3 document and Swagger UI, served from our own static files."""
from __future__ import annotations

import yaml
from django.core.management import call_command
from rest_framework.test import APIClient


def test_the_schema_is_openapi_3_with_every_endpoint_and_bearer_auth(db):
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/courses/", "/api/v1/courses/{course}/assignments/", "/api/v1/assignments/{id}/",
            "/api/v1/assignments/{id}/submissions/", "/api/v1/assignments/{id}/grades/", "/api/v1/submissions/{id}/",
            "/api/v1/webhooks/", "/api/v1/webhooks/{id}/"} <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["ApiKey"] == {"type": "http", "scheme": "bearer"}
    post = schema["paths"]["/api/v1/assignments/{id}/submissions/"]["post"]
    assert {"application/json", "multipart/form-data"} <= set(post["requestBody"]["content"])


def test_the_schema_generates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(target), "--validate", "--fail-on-warn")
    assert yaml.safe_load(target.read_text())["info"]["title"] == "Gradebox API"


def test_swagger_ui_uses_the_bundled_static_files_only(db):
    page = APIClient().get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower() and "//unpkg" not in page
