"""Test helpers for result archives."""
import io


class Pipe(io.RawIOBase):
    """Not seekable, like the runner's stdout: zipfile then writes sizes in data descriptors after each member."""

    def __init__(self):
        self.data = bytearray()

    def writable(self):
        return True

    def write(self, chunk):
        self.data += chunk
        return len(chunk)
