"""The embedded broker never shows a consumer a message file before it is written whole."""
from __future__ import annotations

import os
from queue import Empty

import pytest
from kombu import Connection

from grader import broker


@pytest.fixture
def channel(tmp_path):
    folder = tmp_path / "queue"
    folder.mkdir()
    options = {"data_folder_in": str(folder), "data_folder_out": str(folder), "store_processed": False}
    with Connection("filesystem://", transport=broker.Transport, transport_options=options) as connection:
        yield connection.default_channel, folder


def test_celery_uses_this_transport_for_the_filesystem_broker():
    from grader.celery import app

    with app.connection_for_write() as connection:
        assert type(connection.transport) is broker.Transport


def test_a_message_appears_under_its_name_only_once_written(channel, monkeypatch):
    channel, folder = channel
    seen = []
    replace = os.replace

    def spy(source, target):
        seen.append((sorted(p.name for p in folder.iterdir()), os.path.getsize(source)))
        replace(source, target)

    monkeypatch.setattr(broker.os, "replace", spy)
    channel._put("interactive", {"body": "x" * 1000})
    (names, size), = seen
    assert len(names) == 1 and names[0].endswith(".interactive.msg" + broker.PARTIAL) and size > 1000
    assert channel._get("interactive") == {"body": "x" * 1000}


def test_a_file_still_being_written_is_not_taken(channel):
    channel, folder = channel
    (folder / f"1_abc.interactive.msg{broker.PARTIAL}").write_bytes(b"")
    with pytest.raises(Empty):
        channel._get("interactive")
