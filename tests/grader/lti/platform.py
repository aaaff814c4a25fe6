"""A simulated LTI 1.3 platform (an LMS) over real HTTP on 127.0.0.1, with real RSA signatures.

It serves its JWKS, an OIDC authorization endpoint that answers with the form_post of a signed id_token,
an OAuth2 token endpoint that checks the tool's client assertion against the keys the tool publishes at
/lti/jwks/, and AGS (line items, scores) and NRPS (memberships) endpoints that check the bearer token and
its scope and record what they receive.
"""
from __future__ import annotations

import html
import json
import re
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import jwt
from jwcrypto.jwk import JWK

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


def new_key() -> tuple[JWK, str]:
    key = JWK.generate(kty="RSA", size=2048)
    return key, key.export_to_pem(private_key=True, password=None).decode()


class Platform:
    """Start with `start()`; `url` is its base. `launch` (claims merged into the next id_token) is set by tests."""

    client_id = "gradebox-client"
    deployment_id = "deployment-1"

    def __init__(self, tool_base: str):
        self.tool_base = tool_base
        self.key, self.private_pem = new_key()
        self.kid = self.key.thumbprint()
        self.launch: dict = {}
        self.token_requests: list[dict] = []
        self.tokens: dict[str, dict] = {}
        self.lineitems: list[dict] = []
        self.scores: list[dict] = []
        self.refused: list[tuple[str, int]] = []
        self.members: list[dict] = []
        self.lock = threading.Lock()

    # --- lifecycle
    def start(self) -> "Platform":
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                platform.handle(self, "GET")

            def do_POST(self):
                platform.handle(self, "POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.issuer = self.url
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- what tests build
    def jwks(self) -> dict:
        public = json.loads(self.key.export_public())
        return {"keys": [{**public, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def claims(self, nonce: str, **overrides) -> dict:
        """A resource link launch of a learner, with AGS and NRPS claims; `overrides` replace claims."""
        now = int(time.time())
        body = {
            "iss": self.issuer, "aud": self.client_id, "sub": "student-1", "iat": now, "exp": now + 300,
            "nonce": nonce, "azp": self.client_id,
            "given_name": "Ada", "family_name": "Lovelace", "email": "ada@example.org",
            CLAIM + "message_type": "LtiResourceLinkRequest", CLAIM + "version": "1.3.0",
            CLAIM + "deployment_id": self.deployment_id,
            CLAIM + "target_link_uri": self.tool_base + "/lti/launch/",
            CLAIM + "resource_link": {"id": "link-1", "title": "Activations"},
            CLAIM + "roles": [LEARNER],
            CLAIM + "context": {"id": "course-42", "title": "DNN 2026"},
            CLAIM + "custom": {"assignment": "activations"},
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                "scope": [LINEITEM_SCOPE, SCORE_SCOPE], "lineitems": self.url + "/lineitems"},
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                "context_memberships_url": self.url + "/memberships", "service_versions": ["2.0"]},
        }
        body.update(overrides)
        return {k: v for k, v in body.items() if v is not None}

    def sign(self, claims: dict, pem: str | None = None, kid: str | None = None) -> str:
        return jwt.encode(claims, pem or self.private_pem, algorithm="RS256", headers={"kid": kid or self.kid})

    # --- HTTP
    def handle(self, request: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(request.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length).decode() if length else ""
        route = (method, re.sub(r"/\d+", "/<n>", parts.path))
        handlers = {
            ("GET", "/jwks"): lambda: (200, self.jwks()),
            ("GET", "/auth"): lambda: self.authorize(query),
            ("POST", "/token"): lambda: self.token({k: v[0] for k, v in parse_qs(body).items()}),
            ("GET", "/lineitems"): lambda: self.list_lineitems(request, query),
            ("POST", "/lineitems"): lambda: self.create_lineitem(request, body),
            ("POST", "/lineitems/<n>/scores"): lambda: self.score(request, parts.path, body),
            ("GET", "/memberships"): lambda: self.memberships(request),
        }
        status, payload = handlers[route]() if route in handlers else (404, {"error": "not found"})
        data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
        request.send_response(status)
        request.send_header("Content-Type", "text/html" if isinstance(payload, str) else "application/json")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)

    def authorize(self, query: dict):
        """OIDC authorization (IMS Security Framework 5.1.1.3): the id_token goes back by form_post."""
        expected = {"scope": "openid", "response_type": "id_token", "response_mode": "form_post",
                    "prompt": "none", "client_id": self.client_id}
        if any(query.get(k) != v for k, v in expected.items()) or not query.get("nonce") or not query.get("state"):
            return 400, {"error": "invalid_request", "query": query}
        if query.get("redirect_uri") != self.tool_base + "/lti/launch/":
            return 400, {"error": "invalid_request", "detail": "redirect_uri not registered"}
        id_token = self.sign(self.claims(query["nonce"], **self.launch))
        fields = {"id_token": id_token, "state": query["state"]}
        inputs = "".join(f'<input type="hidden" name="{k}" value="{html.escape(v)}">' for k, v in fields.items())
        return 200, f'<form method="post" action="{html.escape(query["redirect_uri"])}">{inputs}</form>'

    def token(self, form: dict):
        """OAuth2 client credentials with a JWT client assertion (IMS Security Framework 4.1)."""
        with self.lock:
            self.token_requests.append(form)
        if form.get("grant_type") != "client_credentials" or form.get("client_assertion_type") != \
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
            return 400, {"error": "unsupported_grant_type"}
        try:
            kid = jwt.get_unverified_header(form.get("client_assertion", ""))["kid"]
            with urllib.request.urlopen(self.tool_base + "/lti/jwks/", timeout=10) as response:
                keys = json.load(response)["keys"]
            key = next(k for k in keys if k["kid"] == kid)
            claims = jwt.decode(form["client_assertion"], jwt.PyJWK(key).key, algorithms=["RS256"],
                                audience=self.url + "/token", issuer=self.client_id)
            assert claims["sub"] == self.client_id
        except (jwt.InvalidTokenError, StopIteration, KeyError, AssertionError) as error:
            return 401, {"error": "invalid_client", "detail": str(error)}
        token = "tok-" + uuid.uuid4().hex
        allowed = {LINEITEM_SCOPE, SCORE_SCOPE, NRPS_SCOPE}
        scopes = [s for s in form.get("scope", "").split() if s in allowed]
        self.tokens[token] = {"scopes": scopes, "expires": time.time() + 3600}
        return 200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600, "scope": " ".join(scopes)}

    def expire_tokens(self) -> None:
        for token in self.tokens.values():
            token["expires"] = 0

    def authorized(self, request, scope: str) -> int:
        header = request.headers.get("Authorization", "")
        token = self.tokens.get(header.removeprefix("Bearer "))
        if token is None or token["expires"] < time.time():
            status = 401
        elif scope not in token["scopes"]:
            status = 403
        else:
            return 0
        self.refused.append((request.path, status))
        return status

    def list_lineitems(self, request, query):
        if status := self.authorized(request, LINEITEM_SCOPE):
            return status, {"error": "unauthorized"}
        wanted = query.get("resource_link_id")
        return 200, [item for item in self.lineitems if not wanted or item.get("resourceLinkId") == wanted]

    def create_lineitem(self, request, body):
        if status := self.authorized(request, LINEITEM_SCOPE):
            return status, {"error": "unauthorized"}
        item = json.loads(body)
        item["id"] = f"{self.url}/lineitems/{len(self.lineitems) + 1}"
        self.lineitems.append(item)
        return 201, item

    def score(self, request, path, body):
        if status := self.authorized(request, SCORE_SCOPE):
            return status, {"error": "unauthorized"}
        if request.headers.get("Content-Type") != "application/vnd.ims.lis.v1.score+json":
            return 415, {"error": "content type"}
        with self.lock:
            self.scores.append({"lineitem": self.url + path.removesuffix("/scores"), **json.loads(body)})
        return 200, {}

    def memberships(self, request):
        if status := self.authorized(request, NRPS_SCOPE):
            return status, {"error": "unauthorized"}
        return 200, {"id": self.url + "/memberships", "context": {"id": "course-42"}, "members": self.members}
