"""Outbound HTTP for webhooks that cannot be pointed at our own network.

A webhook URL is checked twice: when it is registered (scheme, host, literal addresses) and when
each delivery connects (the address the socket actually reached: DNS may answer differently later).
Loopback, private, link-local, multicast and reserved addresses are refused unless an operator
allow-lists them (`GRADER_WEBHOOK_ALLOWED_NETWORKS`). No proxy, no redirects followed.
"""
from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings


class RefusedTarget(ValueError):
    """The URL or the address it reached is not one the platform sends to."""


def _allowed_networks():
    return [ipaddress.ip_network(n, strict=False) for n in settings.GRADER_WEBHOOK_ALLOWED_NETWORKS]


def check_address(address: str) -> None:
    """Raises RefusedTarget unless the address is public or allow-listed."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if getattr(ip, "ipv4_mapped", None):
        ip = ip.ipv4_mapped
    if any(ip in network for network in _allowed_networks()):
        return
    if not ip.is_global or ip.is_multicast:
        raise RefusedTarget(f"{ip} is a loopback, private, link-local or reserved address; webhooks go to public hosts")


def check_url(url: str) -> str:
    """The URL if the platform may send to it; raises RefusedTarget saying why not."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise RefusedTarget("The webhook URL must start with https:// (or http://).")
    if not parts.hostname:
        raise RefusedTarget("The webhook URL has no host.")
    if parts.username or parts.password:
        raise RefusedTarget("The webhook URL must not hold a user name or password; the signature authenticates us.")
    try:
        parts.port
    except ValueError:
        raise RefusedTarget("The webhook URL's port is not a number from 0 to 65535.") from None
    host = parts.hostname
    if host == "localhost" or host.endswith(".localhost"):
        check_address("127.0.0.1")
    try:
        check_address(host)
    except ValueError as error:
        if isinstance(error, RefusedTarget):
            raise
        # A name, not an address: checked on every connection, when it has resolved.
    return url


class _PeerChecked(http.client.HTTPConnection):
    def connect(self):
        super().connect()
        try:
            check_address(self.sock.getpeername()[0])
        except RefusedTarget:
            self.sock.close()
            raise


class _CheckedHTTPConnection(_PeerChecked):
    pass


class _CheckedHTTPSConnection(http.client.HTTPSConnection, _PeerChecked):
    """HTTPSConnection.connect calls _PeerChecked.connect: the address is checked before TLS starts."""


@dataclass(frozen=True)
class Answer:
    status_code: int


def post(url: str, body: bytes, headers: dict[str, str], timeout_s: float) -> Answer:
    """POSTs once; raises RefusedTarget for a forbidden address, OSError / HTTPException when no answer came."""
    parts = urlsplit(check_url(url))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if parts.scheme == "https":
        connection = _CheckedHTTPSConnection(parts.hostname, parts.port, timeout=timeout_s,
                                             context=ssl.create_default_context())
    else:
        connection = _CheckedHTTPConnection(parts.hostname, parts.port, timeout=timeout_s)
    try:
        connection.request("POST", path, body=body, headers={**headers, "Content-Type": "application/json",
                                                              "User-Agent": "Gradebox-Webhooks/1"})
        response = connection.getresponse()
        response.read(64 * 1024)  # the receiver's body is never used; read a little so the connection ends cleanly
        return Answer(response.status)
    finally:
        connection.close()


def resolves_publicly(host: str) -> None:
    """At registration: a name that resolves now must not resolve to a refused address (no answer: checked later)."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError:
        return
    for info in infos:
        check_address(info[4][0])
