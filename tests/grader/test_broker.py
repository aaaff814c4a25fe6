"""The embedded broker never shows a worker a message file before it is complete."""
from __future__ import annotations

import os
import threading
from pathlib import Path
from queue import Empty

import pytest
from kombu import Connection

from grader import broker


@pytest.fixture
def connection(tmp_path):
    queue = tmp_path / "queue"
    queue.mkdir()
    options = {"data_folder_in": str(queue), "data_folder_out": str(queue), "control_folder": str(tmp_path / "control"),
               "store_processed": False, "polling_interval": 0.001}
    with Connection("filesystem://", transport="grader.broker:Transport", transport_options=options) as conn:
        yield conn


def test_the_celery_app_publishes_through_this_transport_with_its_state_in_the_data_dir(settings):
    from grader.celery import app

    with app.connection_for_write() as conn:
        if not settings.CELERY_BROKER_URL.startswith("filesystem://"):
            assert not isinstance(conn.transport, broker.Transport)  # a server broker (Redis) is used as it is
            return
        assert type(conn.transport) is broker.Transport
        channel = conn.default_channel
        assert Path(channel.data_folder_in) == Path(channel.data_folder_out) == settings.BROKER_DIR / "queue"
        assert channel.control_folder == settings.BROKER_DIR / "control"  # never ./control in the checkout


def test_a_message_is_renamed_into_its_queue_only_once_written(connection, monkeypatch):
    channel = connection.default_channel
    folder = channel.data_folder_out
    seen_before_rename = []
    replace = os.replace

    def watching_replace(source, target):
        seen_before_rename.append(sorted(os.listdir(folder)))
        replace(source, target)

    monkeypatch.setattr(os, "replace", watching_replace)
    channel._put("bulk", {"body": "x" * 100_000})
    [listing] = seen_before_rename
    assert [name for name in listing if name.partition(".")[2] == "bulk.msg"] == []  # not visible to `bulk` yet
    assert channel._get("bulk") == {"body": "x" * 100_000}


def test_a_worker_polling_while_messages_are_written_reads_every_one_whole(connection):
    """With kombu's own `_put` about a quarter of these messages are read empty (a JSON error) and lost."""
    count = 100
    writer, reader = connection.channel(), connection.channel()
    received, broken = [], []

    def read():
        while len(received) + len(broken) < count:
            try:
                received.append(reader._get("interactive")["n"])
            except Empty:
                continue
            except ValueError as error:
                broken.append(error)

    thread = threading.Thread(target=read)
    thread.start()
    for n in range(count):
        writer._put("interactive", {"n": n, "padding": "y" * 1_000_000})  # a large file takes a while to write
    thread.join(timeout=60)
    assert broken == []
    assert sorted(received) == list(range(count))
