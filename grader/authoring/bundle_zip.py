"""A bundle folder uploaded as a zip, unpacked within bounds: nothing lands outside the folder, nothing unbounded."""
from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

from assignments.bundle import MANIFEST

ZIP_MEMBERS = 500


class BadZip(ValueError):
    """A zip refused as a bundle; the message says why, for the person who uploaded it."""


def read_manifest(folder: Path) -> str:
    """The folder's assignment.toml as text."""
    path = folder / MANIFEST
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise BadZip(f"{MANIFEST} is not UTF-8 text: {error}") from None


def unpack(upload, scratch: Path, limit: int) -> Path:
    """Unpacks a bundle zip into the empty folder `scratch`; returns the folder holding assignment.toml.

    Raises BadZip for a file that is not a zip, a member outside the
    folder (an absolute path, `..`, a drive, a link), more than ZIP_MEMBERS
    members, more than `limit` bytes unpacked (counted while inflating, never
    taken from the headers), or no assignment.toml at the top or in one folder.
    Hidden files, __pycache__ and __MACOSX are skipped.
    """
    if getattr(upload, "size", 0) > limit:
        raise BadZip(f"the zip has {upload.size:,} bytes; the limit is {limit:,}")
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise BadZip("this is not a zip file: zip the bundle's folder (assignment.toml and its files)") from None
    with archive:
        members = archive.infolist()
        if len(members) > ZIP_MEMBERS:
            raise BadZip(f"the zip holds {len(members)} entries; a bundle holds at most {ZIP_MEMBERS}")
        total = 0
        for info in members:
            parts = PurePosixPath(info.filename).parts
            if info.filename.startswith("/") or "\\" in info.filename or ".." in parts or ":" in info.filename:
                raise BadZip(f"{info.filename!r} points outside the bundle's folder")
            if (info.external_attr >> 16) & 0o170000 == 0o120000:
                raise BadZip(f"{info.filename!r} is a link; zip the files themselves")
            if info.is_dir() or any(p.startswith(".") or p in ("__pycache__", "__MACOSX") for p in parts):
                continue
            target = scratch.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with archive.open(info) as source, target.open("wb") as sink:
                    while chunk := source.read(2**20):
                        total += len(chunk)
                        if total > limit:
                            raise BadZip(f"the zip unpacks to more than {limit:,} bytes")
                        sink.write(chunk)
            except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError) as error:
                raise BadZip(f"{info.filename!r} cannot be unpacked: {error}") from None
    if (scratch / MANIFEST).is_file():
        return scratch
    found = [p.parent for p in scratch.glob(f"*/{MANIFEST}")]
    if len(found) == 1:
        return found[0]
    raise BadZip(f"the zip has no {MANIFEST} at its top or in one folder at its top")
