"""Zip archives read from their own headers within hard bounds: the outer result archive and each .npz in it.

Central directory and local headers must agree; only the expected compression
methods, no encryption or unknown flags, no duplicate or overlapping members;
a member's bytes are inflated with a cap and checked against its CRC. Nothing
is allocated past what the caller allows. Imports only the standard library.
"""
from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

INFLATE_INPUT_BYTES = 64 * 2**10
INFLATE_OUTPUT_BYTES = 4 * 2**20


class Unreadable(Exception):
    """One function's members are malformed or hostile: that function's verdict. Not a ValueError on purpose,
    so wire.decode never mistakes it for a missing array."""

    status = "missing_result"


class TooLarge(Unreadable):
    """One function's members declare more than its bounds allow."""

    status = "too_large"


# -- the zip format -----------------------------------------------------------------------------

STORED, DEFLATED = 0, 8
ENCRYPTED, DESCRIPTOR = 0x0001, 0x0008
ALLOWED_FLAGS = 0x0006 | DESCRIPTOR | 0x0800  # deflate level bits, data descriptor, UTF-8 names
U32 = 0xFFFFFFFF
END = struct.Struct("<4s4H2LH")
CENTRAL = struct.Struct("<4s6H3L5H2L")
LOCAL = struct.Struct("<4s5H3L2H")
DESCRIPTOR_32, DESCRIPTOR_64 = struct.Struct("<4s3L"), struct.Struct("<4sL2Q")


class ZipProblem(Exception):
    """What is wrong with a zip or one of its members, in words."""


@dataclass(frozen=True)
class Central:
    name: bytes
    flags: int
    method: int
    crc: int
    compressed_bytes: int
    size_bytes: int
    offset: int
    disk: int
    extra: bytes


@dataclass(frozen=True)
class Member:
    name: str
    method: int
    crc: int
    compressed_bytes: int
    size_bytes: int
    data_start: int


def central_directory(view: memoryview, max_members: int) -> tuple[list[Central], int]:
    """The entries and where they begin; the end record must close the zip (no comment, no zip64, one disk)."""
    if len(view) < END.size:
        raise ZipProblem("it is too short to be a zip")
    end_at = len(view) - END.size
    signature, disk, cd_disk, disk_entries, entries, cd_bytes, cd_at, comment_bytes = END.unpack_from(view, end_at)
    if signature != b"PK\x05\x06" or comment_bytes:
        raise ZipProblem("it has no end record where a zip's must be")
    if disk or cd_disk or disk_entries != entries or U32 in (cd_bytes, cd_at):
        raise ZipProblem("it spans several disks or needs zip64 end records")
    if cd_at + cd_bytes != end_at:
        raise ZipProblem("its central directory is not where its end record says")
    if entries > max_members:
        raise ZipProblem(f"it holds {entries} members, more than the {max_members} it may")
    records, at = [], cd_at
    for _ in range(entries):
        if at + CENTRAL.size > end_at:
            raise ZipProblem("its central directory is truncated")
        (signature, _made, _needed, flags, method, _time, _date, crc, compressed, size, name_bytes, extra_bytes,
         comment_bytes, disk, _internal, _external, offset) = CENTRAL.unpack_from(view, at)
        name_at = at + CENTRAL.size
        at = name_at + name_bytes + extra_bytes + comment_bytes
        if signature != b"PK\x01\x02" or at > end_at:
            raise ZipProblem("its central directory is malformed")
        records.append(Central(bytes(view[name_at:name_at + name_bytes]), flags, method, crc, compressed, size,
                               offset, disk, bytes(view[name_at + name_bytes:name_at + name_bytes + extra_bytes])))
    if at != end_at:
        raise ZipProblem("its central directory holds bytes it does not account for")
    return records, cd_at


def zip64_values(extra, count: int) -> tuple:
    at = 0
    while at + 4 <= len(extra):
        kind, length = struct.unpack_from("<HH", extra, at)
        if kind == 1 and at + 4 + length <= len(extra) and length >= 8 * count:
            return struct.unpack_from(f"<{count}Q", extra, at + 4)
        at += 4 + length
    raise ZipProblem("declares zip64 sizes without a zip64 field to hold them")


def local_member(view: memoryview, name: str, entry: Central, methods: tuple, limit: int) -> tuple[Member, int, int]:
    """The member as its local header describes it, which must agree with the central directory; where its
    record starts and ends."""
    if entry.flags & ENCRYPTED:
        raise ZipProblem("is encrypted")
    if entry.flags & ~ALLOWED_FLAGS:
        raise ZipProblem(f"has unsupported flags {entry.flags:#06x}")
    if entry.method not in methods:
        raise ZipProblem(f"is compressed (method {entry.method})" if methods == (STORED,)
                         else f"uses compression method {entry.method}")
    wide = [value == U32 for value in (entry.size_bytes, entry.compressed_bytes, entry.offset)]
    big = iter(zip64_values(entry.extra, sum(wide)) if any(wide) else ())
    size, compressed, offset = (next(big) if w else v for w, v in
                                zip(wide, (entry.size_bytes, entry.compressed_bytes, entry.offset)))
    if entry.disk or (entry.method == STORED and size != compressed):
        raise ZipProblem("declares sizes that contradict each other")
    if offset + LOCAL.size > limit:
        raise ZipProblem("has its local header outside the zip")
    (signature, _needed, flags, method, _time, _date, crc, local_compressed, local_size, name_bytes,
     extra_bytes) = LOCAL.unpack_from(view, offset)
    name_at = offset + LOCAL.size
    data_start = name_at + name_bytes + extra_bytes
    data_end = data_start + compressed
    if signature != b"PK\x03\x04" or bytes(view[name_at:name_at + name_bytes]) != entry.name:
        raise ZipProblem("has no local header of its own where the central directory points")
    if data_end > limit:
        raise ZipProblem("declares more data than the zip holds")
    if (flags, method) != (entry.flags, entry.method):
        raise ZipProblem("has a local header that disagrees with the central directory (flags or method)")
    extra = bytes(view[name_at + name_bytes:data_start])
    if flags & DESCRIPTOR:  # sizes follow the data, as the runner writes to a pipe
        layout = DESCRIPTOR_64 if local_size == local_compressed == U32 or _has_zip64(extra) else DESCRIPTOR_32
        if data_end + layout.size > limit:
            raise ZipProblem("has no data descriptor after its data")
        declared = layout.unpack_from(view, data_end)
        if (crc, local_compressed, local_size) not in ((0, 0, 0), (entry.crc, compressed, size)) or \
                declared != (b"PK\x07\x08", entry.crc, compressed, size):
            raise ZipProblem("has a data descriptor that disagrees with the central directory")
        return Member(name, method, entry.crc, compressed, size, data_start), offset, data_end + layout.size
    if U32 in (local_size, local_compressed):
        local_size, local_compressed = zip64_values(extra, 2)
    if (crc, local_compressed, local_size) != (entry.crc, compressed, size):
        raise ZipProblem("has a local header that disagrees with the central directory (sizes or CRC)")
    return Member(name, method, entry.crc, compressed, size, data_start), offset, data_end


def _has_zip64(extra: bytes) -> bool:
    try:
        zip64_values(extra, 0)
    except ZipProblem:
        return False
    return True


def zip_members(view: memoryview, methods: tuple, max_members: int) -> tuple[dict, dict]:
    """Members by name, and by name why a member cannot be read; ZipProblem when the zip as a whole is broken."""
    records, cd_at = central_directory(view, max_members)
    members, problems, spans = {}, {}, []
    for entry in records:
        name = entry.name.decode("latin-1")  # one str per byte string: odd names stay distinct, and never match
        if name in members or name in problems:
            problems[name] = "appears twice"
            continue
        try:
            member, start, end = local_member(view, name, entry, methods, cd_at)
        except (ZipProblem, struct.error) as problem:
            problems[name] = str(problem)
            continue
        members[name] = member
        spans.append((start, end, name))
    spans.sort()
    for (_, end, name), (start, _, following) in zip(spans, spans[1:]):
        if end > start:
            problems[name] = problems[following] = "overlaps another member"
    return {name: member for name, member in members.items() if name not in problems}, problems


class MemberStream:
    """One member's uncompressed bytes, never more than it declares: stored bytes are sliced, deflated ones
    inflated in capped steps (never zipfile's unbounded read)."""

    def __init__(self, view: memoryview, member: Member):
        self.member = member
        self.source = view[member.data_start:member.data_start + member.compressed_bytes]
        self.fed = 0
        self.left = member.size_bytes
        self.crc = 0
        self.inflater = zlib.decompressobj(-15) if member.method == DEFLATED else None

    def read(self, count: int) -> bytes:
        return bytes(self.take(count))

    def take(self, count: int):
        """Exactly count bytes: a view of stored data, a new bytearray of inflated data."""
        if count > self.left:
            raise Unreadable("ends before its header says it should")
        if self.inflater is None:
            data = self.source[self.fed:self.fed + count]
            self.fed += count
        else:
            data, filled = bytearray(count), 0
            while filled < count:
                chunk = self.inflater.decompress(self._input(), min(count - filled, INFLATE_OUTPUT_BYTES))
                data[filled:filled + len(chunk)] = chunk
                filled += len(chunk)
        self.left -= count
        self.crc = zlib.crc32(data, self.crc)
        return data

    def _input(self):
        if self.inflater.eof:
            raise Unreadable("inflates to fewer bytes than it declares")
        pending = self.inflater.unconsumed_tail
        if not pending:
            pending = self.source[self.fed:self.fed + INFLATE_INPUT_BYTES]
            self.fed += len(pending)
        if not pending:
            raise Unreadable("has compressed data that ends early")
        return pending

    def finish(self) -> None:
        """The data must end exactly where the member says, with the CRC it declares."""
        if self.left:
            raise Unreadable("holds more bytes than its array")
        while self.inflater is not None and not self.inflater.eof:
            if self.inflater.decompress(self._input(), 1):
                raise Unreadable("inflates to more bytes than it declares")
        if self.fed != len(self.source) or (self.inflater is not None and self.inflater.unused_data):
            raise Unreadable("has bytes after its compressed data")
        if self.crc != self.member.crc:
            raise Unreadable("fails its CRC check")
