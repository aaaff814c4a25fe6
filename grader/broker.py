"""The embedded broker: kombu's filesystem transport, with each message file written whole before it is visible.

kombu writes a message file in place, so a worker polling the folder can take the file between its creation
and its write, read nothing and stop ("Unrecoverable error: JSONDecodeError"): the message is lost and that
worker is gone. The more workers poll one queue (deploy/run-local.sh runs two on `interactive`) and the busier
the machine, the likelier it is. Here a message is written under a name no consumer matches, then renamed into
place, which is atomic within one filesystem.
"""
from __future__ import annotations

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

PARTIAL = ".partial"  # kombu takes "<stamp>_<uuid>.<queue>.msg" only; "....msg.partial" is never taken


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        """Put `payload` onto `queue`: written under a partial name, then renamed to the name consumers take."""
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = final + PARTIAL
        try:
            with open(partial, "wb") as handle:
                handle.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            try:
                os.unlink(partial)
            except OSError:
                pass
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
