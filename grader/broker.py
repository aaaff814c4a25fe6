"""The embedded broker: kombu's filesystem transport, with every message file complete before a worker can see it.

kombu's filesystem transport creates a message file under its final name and
then writes it. A worker that lists the folder in between takes the file,
reads nothing, fails to decode it, and stops with "Unrecoverable error"; the
message is gone (kombu issue #1551, still open in 5.7). Here a message is
written under a name no queue matches and renamed into place, which is atomic
within one filesystem, so a worker only ever sees whole messages.
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        """Writes `payload` as `<ms>_<uuid>.<queue>.msg` (kombu's name and order) by way of a staging name."""
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        folder = Path(self.data_folder_out)
        staged = folder / f".{name}.partial"  # starts with a dot: no queue's `<queue>.msg` suffix matches it
        try:
            staged.write_bytes(str_to_bytes(dumps(payload)))
            os.replace(staged, folder / name)
        except OSError as error:
            staged.unlink(missing_ok=True)
            raise ChannelError(f"cannot add a message to {folder}") from error


class Transport(filesystem.Transport):
    """Selected by CELERY_BROKER_TRANSPORT = "grader.broker:Transport" for a filesystem:// broker URL."""

    Channel = Channel
