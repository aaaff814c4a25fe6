#!/usr/bin/env python3
"""An LMS's round trip through the Gradebox API, end to end, as a script to copy and adapt.

    python docs/lms-example.py BASE_URL API_KEY ASSIGNMENT_ID NOTEBOOK EXTERNAL_USER_ID

1. starts a webhook receiver (Python's http.server on 127.0.0.1, a free port) and registers it for
   `submission.graded` and `submission.failed` (POST /api/v1/webhooks/); the answer holds the `whsec_`
   secret, shown only then;
2. submits NOTEBOOK for the LMS user EXTERNAL_USER_ID (multipart POST
   /api/v1/assignments/{id}/submissions/) with an Idempotency-Key, so a retried POST never makes a
   second submission;
3. waits for the event about that submission, verifying its signature with the `standardwebhooks`
   package (a request that does not verify is answered 400 and ignored);
4. reads the submission (GET /api/v1/submissions/{id}/) and the grade that counts
   (GET /api/v1/assignments/{id}/grades/), prints them, deletes its webhook and exits 0.

The key needs the `read`, `submit` and `manage` scopes (manage.py create_api_key ... --scopes
read,submit,manage). Gradebox never sends webhooks to loopback or private addresses unless its operator
allows them (GRADER_WEBHOOK_ALLOWED_NETWORKS=127.0.0.0/8, for a server and this script on one
machine); a real LMS registers its public https:// URL instead of starting a receiver.

Exit status: 0 graded, 1 an API error or a timeout, 2 the platform could not grade the file.
Needs `requests` and `standardwebhooks` (pip install requests standardwebhooks).
"""
from __future__ import annotations

import argparse
import queue
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

EVENTS = ["submission.graded", "submission.failed"]


class ApiError(Exception):
    """The API answered with a problem document (RFC 9457) or not at all."""


class Api:
    """A requests session sending the key; waits out 429s; retries a POST only when it carries an Idempotency-Key."""

    def __init__(self, base_url: str, key: str, timeout_s: float = 30.0):
        self.base = base_url.rstrip("/") + "/api/v1"
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {key}", "Accept": "application/json"})
        self.timeout_s = timeout_s

    def call(self, method: str, path: str, expect=(200,), **kwargs) -> requests.Response:
        url = path if path.startswith("http") else self.base + path
        retry_safe = method in ("GET", "DELETE") or "Idempotency-Key" in kwargs.get("headers", {})
        for attempt in range(5):
            try:
                response = self.session.request(method, url, timeout=self.timeout_s, **kwargs)
            except requests.ConnectionError as error:
                if not retry_safe or attempt == 4:
                    raise ApiError(f"{method} {url}: no answer ({error})") from None
                time.sleep(2 ** attempt)
                continue
            if response.status_code == 429 or (response.status_code >= 500 and retry_safe and attempt < 4):
                time.sleep(float(response.headers.get("Retry-After", 2 ** attempt)))
                continue
            if response.status_code not in expect:
                raise ApiError(f"{method} {url}: {response.status_code} {describe(response)}")
            return response
        raise ApiError(f"{method} {url}: still {response.status_code} after 5 attempts")


def describe(response: requests.Response) -> str:
    """The problem document's title and detail, or the start of whatever else came back."""
    if response.headers.get("Content-Type", "").startswith("application/problem+json"):
        problem = response.json()
        return f"{problem.get('title')}: {problem.get('detail')}"
    return response.text[:200]


class Receiver:
    """Webhook receiver on 127.0.0.1: verifies each request with the endpoint's secret, queues verified events."""

    def __init__(self):
        self.secret: str | None = None  # known once the endpoint is registered; until then requests get 503
        self.events: queue.Queue[tuple[str, dict]] = queue.Queue()
        self.seen: set[str] = set()  # webhook-ids handled: a retried delivery repeats one
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if receiver.secret is None:
                    return self.answer(503)  # Gradebox retries later, with the same webhook-id
                try:
                    event = Webhook(receiver.secret).verify(body, dict(self.headers.items()))
                except WebhookVerificationError:
                    return self.answer(400)
                receiver.events.put((self.headers["webhook-id"], event))
                self.answer(204)  # answer at once; the work happens elsewhere

            def answer(self, status: int):
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/gradebox-webhook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, submission_id: int, timeout_s: float) -> tuple[str, dict]:
        """The first verified event about `submission_id` (others, e.g. about other users, are skipped)."""
        deadline = time.monotonic() + timeout_s
        while (left := deadline - time.monotonic()) > 0:
            try:
                webhook_id, event = self.events.get(timeout=left)
            except queue.Empty:
                break
            if webhook_id in self.seen:
                continue  # a retried delivery of an event already handled
            self.seen.add(webhook_id)
            if event["data"]["submission"] == submission_id:
                return webhook_id, event
        raise ApiError(f"no webhook about submission {submission_id} within {timeout_s:.0f} s")

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def grade_of(api: Api, assignment_id: int, external_user_id: str) -> dict | None:
    """The user's counting grade row, following the cursor pages."""
    url = f"/assignments/{assignment_id}/grades/?limit=500"
    while url:
        page = api.call("GET", url).json()
        for row in page["results"]:
            if row["external_user_id"] == external_user_id:
                return row
        url = page["next"]
    return None


def run(args) -> int:
    api = Api(args.base_url, args.api_key)
    notebook = Path(args.notebook)
    receiver = Receiver()
    endpoint = None
    try:
        endpoint = api.call("POST", "/webhooks/", expect=(201,), json={"url": receiver.url, "events": EVENTS}).json()
        receiver.secret = endpoint["secret"]
        print(f"webhook {endpoint['id']} registered: {receiver.url}")

        idempotency_key = args.idempotency_key or f"lms-example-{uuid.uuid4()}"
        submitted = api.call(
            "POST", f"/assignments/{args.assignment_id}/submissions/", expect=(200, 201),
            headers={"Idempotency-Key": idempotency_key}, data={"external_user_id": args.external_user_id},
            files={"file": (notebook.name, notebook.read_bytes(), "application/x-ipynb+json")}).json()
        submission_id = submitted["id"]
        print(f"submission {submission_id} for {args.external_user_id}: {submitted['status']} "
              f"(Idempotency-Key {idempotency_key})")

        webhook_id, event = receiver.wait_for(submission_id, args.timeout)
        print(f"webhook {webhook_id}: {event['type']}, signature verified")
        submission = api.call("GET", f"/submissions/{submission_id}/").json()
        if event["type"] == "submission.failed":
            print(f"submission {submission_id} could not be graded: {submission['error']}")
            return 2
        if submission["status"] != "graded" or submission["score"] != event["data"]["score"]:
            raise ApiError(f"the submission reads {submission['status']} {submission['score']}, "
                           f"the webhook said {event['data']['score']}")
        print(f"submission {submission_id}: {submission['score']} / {submission['max_score']}"
              + (" (visible checks only)" if submission["score_is_visible_checks_only"] else ""))
        for name, function in submission["result"]["functions"].items():
            print(f"  {name}: {function['status']} {function['score']} / {function['max_score']}")
        grade = grade_of(api, args.assignment_id, args.external_user_id)
        if grade is None:
            raise ApiError(f"no grade for {args.external_user_id} although submission {submission_id} is graded")
        print(f"verified grade: external_user_id={grade['external_user_id']} assignment={args.assignment_id} "
              f"score={grade['score']} raw_score={grade['raw_score']} max_score={grade['max_score']} "
              f"submission={grade['submission']} late={grade['late']}")
        return 0
    except ApiError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        if endpoint is not None:
            try:
                api.call("DELETE", f"/webhooks/{endpoint['id']}/", expect=(204, 404))
                print(f"webhook {endpoint['id']} deleted")
            except ApiError as error:
                print(f"error: could not delete webhook {endpoint['id']}: {error}", file=sys.stderr)
        receiver.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base_url", help="the platform, e.g. https://grader.example.org")
    parser.add_argument("api_key", help="a course key with the read, submit and manage scopes (gbx_...)")
    parser.add_argument("assignment_id", type=int, help="the assignment's id (GET /api/v1/courses/{slug}/assignments/)")
    parser.add_argument("notebook", help="the student's .ipynb (or .py) file")
    parser.add_argument("external_user_id", help="the LMS's id for the student")
    parser.add_argument("--idempotency-key", help="the LMS's id for this attempt (default: a new one per run)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for the webhook (default 600)")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
