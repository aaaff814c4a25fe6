"""Length-prefixed frames over pipes, and the job stream a sandbox receives on its stdin.

Runs on both sides (the host packs the job; the runner inside the sandbox reads it), so it imports only the
standard library. A job directory on the host holds the job document (`job.json`) and the cases' inputs
(`inputs.h5`) beside `files/`, the only part mounted into the sandbox (as /job): the job itself reaches the
runner over stdin and never exists as a file a student's code could open.
"""
from __future__ import annotations

import json
import os
import struct

PUBLIC_DIR = "files"  # mounted read-only as /job: submission.py and the course's files
JOB_NAME = "job.json"
INPUTS_NAME = "inputs.h5"
UPLOAD_NAME = "upload"  # a parse job's payload, in place of the inputs: the student's file as uploaded
PARSE_KIND = "parse"  # job.json's "kind" of a job that reads an upload (sandbox/parsing.py) instead of running code
MAGIC = b"GRADEBOX-JOB 1\n"
LENGTH = struct.Struct(">Q")
JOB_BYTES_MAX = 64 * 2**20
INPUTS_BYTES_MAX = 2**30


class ChannelError(OSError):
    """A frame that is missing, cut short or larger than its reader allows."""


def frame(data: bytes) -> bytes:
    """data with its 8-byte big-endian length in front."""
    return LENGTH.pack(len(data)) + data


def write_all(fd: int, data: bytes) -> None:
    """Writes every byte (a pipe takes at most its buffer per write); raises OSError when the reader is gone."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def read_exactly(fd: int, size: int) -> bytes:
    """size bytes, or ChannelError if the writer closed first."""
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 2**20))
        if not chunk:
            raise ChannelError(f"the stream ended {left} bytes early")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int, max_bytes: int) -> bytes:
    """One frame's payload; ChannelError when it is announced larger than max_bytes (nothing more is read)."""
    (size,) = LENGTH.unpack(read_exactly(fd, LENGTH.size))
    if size > max_bytes:
        raise ChannelError(f"a frame of {size} bytes, over the {max_bytes}-byte limit")
    return read_exactly(fd, size)


def read_frame_into(fd: int, max_bytes: int) -> bytearray:
    """Like read_frame, but the payload is read straight into one buffer of its own (no chunks joined: a large
    case's arguments are copied once, by the kernel), which the caller may keep arrays viewing."""
    (size,) = LENGTH.unpack(read_exactly(fd, LENGTH.size))
    if size > max_bytes:
        raise ChannelError(f"a frame of {size} bytes, over the {max_bytes}-byte limit")
    buffer = bytearray(size)
    view, got = memoryview(buffer), 0
    while got < size:
        read = os.readv(fd, [view[got:got + 2**20]])
        if not read:
            raise ChannelError(f"the stream ended {size - got} bytes early")
        got += read
    return buffer


def split_frames(data: bytes, count: int) -> list[bytes]:
    """The first `count` frames of a buffer read whole; ChannelError if it holds fewer or anything after them."""
    frames, offset = [], 0
    for _ in range(count):
        if len(data) - offset < LENGTH.size:
            raise ChannelError("a frame is missing")
        (size,) = LENGTH.unpack_from(data, offset)
        offset += LENGTH.size
        if size > len(data) - offset:
            raise ChannelError("a frame is cut short")
        frames.append(data[offset:offset + size])
        offset += size
    if offset != len(data):
        raise ChannelError("bytes after the last frame")
    return frames


def pack_job(job_dir: str | os.PathLike) -> bytes:
    """The stream a backend writes to the runner's stdin: the job document and its payload (the inputs file, or a
    parse job's upload), framed."""
    with open(os.path.join(job_dir, JOB_NAME), "rb") as handle:
        job = handle.read()
    payload = b""
    for name in (INPUTS_NAME, UPLOAD_NAME):
        path = os.path.join(job_dir, name)
        if os.path.exists(path):
            with open(path, "rb") as handle:
                payload = handle.read()
            break
    return MAGIC + frame(job) + frame(payload)


def is_parse_job(job_dir: str | os.PathLike) -> bool:
    """Whether the job directory holds a parse job: its runner may then start without NumPy (runner.py --parse)."""
    try:
        with open(os.path.join(job_dir, JOB_NAME), "rb") as handle:
            return json.loads(handle.read()).get("kind") == PARSE_KIND
    except (OSError, ValueError, AttributeError):
        return False


def read_job(fd: int) -> tuple[dict, bytes]:
    """(job document, payload: inputs.h5 or a parse job's upload, empty when the job has none) from a stream made
    by pack_job."""
    magic = read_exactly(fd, len(MAGIC))
    if magic != MAGIC:
        raise ChannelError("the job stream does not start with the job header")
    job = json.loads(read_frame(fd, JOB_BYTES_MAX))
    if type(job) is not dict:
        raise ChannelError("the job document is not an object")
    return job, read_frame(fd, INPUTS_BYTES_MAX)
