"""The raw attach socket of a sandbox container: Docker's multiplexed stdout/stderr frames, read with caps and a deadline.

We read the attach stream rather than the container's log: logs are line-based (binary zip data
does not survive them), and the log driver is `none` so gigabytes printed never reach the disk.
"""
from __future__ import annotations

import socket
import struct
import time

from sandbox.backends.base import STDERR_EXCERPT_BYTES

ZIP_END = struct.Struct("<4s4xHHLLH")  # end of central directory: signature, entries, size, offset, comment
HEADER = struct.Struct(">BxxxL")  # stream id (1 stdout, 2 stderr), three zero bytes, payload size
STDOUT, STDERR = 1, 2


class AttachedStream:
    """One container's hijacked attach connection: send the job, collect the archive, stop at a cap or a deadline."""

    def __init__(self, raw):
        self.raw = raw  # keeps the HTTP response alive; the socket below is what we read
        self.sock: socket.socket = getattr(raw, "_sock", raw)
        self.pending = bytearray()
        self.stdout = bytearray()
        self.stderr = bytearray()
        self.eof = False

    def send(self, data: bytes) -> bool:
        """Writes all of data to the container's stdin; False when the container is gone or stopped reading."""
        try:
            self.sock.settimeout(30.0)
            self.sock.sendall(data)
            return True
        except OSError:
            return False

    def wait_for_stderr_line(self, line: bytes, deadline: float) -> bool:
        """A warm container announces on stderr that NumPy is loaded and it waits for its job."""
        while line not in self.stderr:
            if self.eof or self._fill(deadline, stdout_cap_bytes=0):
                return False
        self.stderr = self.stderr.replace(line, b"", 1)
        return True

    def read_to_end(self, deadline: float, stdout_cap_bytes: int) -> str | None:
        """Reads until the archive is complete or the output closes; says 'timeout' or 'overflow' when it had to stop.

        A complete archive ends the read at once: waiting for the container's exit costs Docker ~100 ms.
        """
        while not self.eof and not archive_complete(self.stdout):
            stopped = self._fill(deadline, stdout_cap_bytes)
            if stopped:
                return stopped
        return None

    def _fill(self, deadline: float, stdout_cap_bytes: int) -> str | None:
        """One read; returns why reading must stop ('timeout', 'overflow') or None."""
        left_s = deadline - time.monotonic()
        if left_s <= 0:
            return "timeout"
        self.sock.settimeout(left_s)
        try:
            chunk = self.sock.recv(2**18)
        except (socket.timeout, TimeoutError):
            return "timeout"
        except OSError:
            chunk = b""
        if not chunk:
            self.eof = True
            return None
        self.pending += chunk
        while len(self.pending) >= HEADER.size:
            stream, size = HEADER.unpack_from(self.pending)
            if len(self.pending) < HEADER.size + size:
                break
            payload = self.pending[HEADER.size:HEADER.size + size]
            del self.pending[:HEADER.size + size]
            if stream == STDOUT:
                self.stdout += payload
                if stdout_cap_bytes and len(self.stdout) > stdout_cap_bytes:
                    return "overflow"
            elif len(self.stderr) < STDERR_EXCERPT_BYTES:
                self.stderr += payload[:STDERR_EXCERPT_BYTES - len(self.stderr)]
        return None

    def stderr_text(self) -> str:
        return bytes(self.stderr).decode("utf-8", errors="replace")

    def close(self) -> None:
        for closable in (self.sock, self.raw):
            try:
                closable.close()
            except OSError:
                pass


def archive_complete(data: bytearray) -> bool:
    """The runner's zip has no comment, so it is complete when its end record closes the stream exactly."""
    if len(data) < ZIP_END.size:
        return False
    signature, _, entries, size, offset, comment = ZIP_END.unpack_from(data, len(data) - ZIP_END.size)
    return signature == b"PK\x05\x06" and comment == 0 and entries > 0 and offset + size + ZIP_END.size == len(data)
