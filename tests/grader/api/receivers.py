"""A webhook receiver for tests: an HTTP server on 127.0.0.1 that records what it is sent."""
from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    """An LMS's webhook endpoint on 127.0.0.1: answers with the queued status codes (then 200), records requests.

    `port` 0 takes a free one; a given port is for a receiver that comes up where one was down.
    """

    def __init__(self, port: int = 0):
        self.answers: list[int] = []
        self.requests: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.answers.pop(0) if receiver.answers else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/gradebox"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count: int, timeout_s: float) -> list[tuple[dict, bytes]]:
        """The requests once there are `count` of them (or whatever came within the timeout)."""
        deadline = time.monotonic() + timeout_s
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.requests)

    def close(self):
        self.server.shutdown()
        self.server.server_close()
