"""Refuse oversized uploads before they are written anywhere, and say what the limit is."""
from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

from grader.grading import messages

# Room for the multipart envelope and the other form fields around the file.
ENVELOPE_BYTES = 64 * 1024


def too_large_message(size: int | None) -> str:
    limit = messages.human_bytes(settings.GRADER_MAX_UPLOAD_BYTES)
    if size is None:
        return f"The file is larger than the limit of {limit}. " + messages.hint("too_large")
    return messages.say("too_large", size=messages.human_bytes(size), limit=limit) + " " + messages.hint("too_large")


def declared_too_large(request) -> int | None:
    """The declared body size when it is over the limit; checked before the body is read."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    return length if length > settings.GRADER_MAX_UPLOAD_BYTES + ENVELOPE_BYTES else None


class SizeCapHandler(FileUploadHandler):
    """Stops a body without a Content-Length (chunked) as soon as it passes the limit."""

    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.GRADER_MAX_UPLOAD_BYTES:
            self.request.upload_too_large = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None
