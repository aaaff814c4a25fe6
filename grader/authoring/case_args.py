"""A case's arguments as the staff pages show and take them: literal TOML text, a builder name, an HDF5 file's layout.

Literal arguments are the manifest's own form (docs/bundles.md "Arguments"):
a TOML array such as `[{ array = [[-1.0, 0.0, 2.0]] }, 0.1]`. An HDF5 file is
only described (dataset names, shapes, dtypes): its values are never read here,
and builders in cases.py are only named, never run (they run in the sandbox).
"""
from __future__ import annotations

import io
import math
import re
import tomllib
from dataclasses import dataclass

from assignments.bundle import literal

BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
ESCAPES = {"\\": "\\\\", '"': '\\"', "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
HDF5_ENTRIES = 200


class BadArguments(ValueError):
    """Literal arguments that the manifest cannot hold; the message says what and where."""


def to_toml(value) -> str:
    """A TOML inline value (arrays and tables on one line) that `tomllib` reads back as `value`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ", ".join(to_toml(item) for item in value) + "]"
    if isinstance(value, dict):
        items = [f"{key if BARE_KEY.match(key) else _string(key)} = {to_toml(item)}"
                 for key, item in value.items()]
        return "{ " + ", ".join(items) + " }" if items else "{}"
    raise TypeError(f"{type(value).__name__} has no TOML form here")


def _string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters (DEL too) escaped."""
    escaped = "".join(ESCAPES.get(c) or (f"\\u{ord(c):04x}" if ord(c) < 0x20 or ord(c) == 0x7F else c) for c in text)
    return f'"{escaped}"'


def parse_literal(text: str) -> list:
    """The manifest value of literal arguments typed as a TOML array; BadArguments says what is wrong.

    Each argument is checked as the loader will build it (arrays of a numeric
    dtype with rows of one length), so a typo is refused here, beside the input.
    """
    text = text.strip()
    if not text.startswith("["):
        raise BadArguments("write the arguments as a TOML array, e.g. [{ array = [[1.0, 2.0]] }, 0.5]")
    try:
        value = tomllib.loads(f"args = {text}")["args"]
    except tomllib.TOMLDecodeError as error:
        raise BadArguments(f"not a TOML array: {error}") from None
    for number, item in enumerate(value, start=1):
        try:
            literal(item)
        except (TypeError, ValueError) as error:
            raise BadArguments(f"argument {number}: {error}") from None
    return value


@dataclass(frozen=True)
class Dataset:
    """One dataset of an HDF5 file: its path inside the file, shape and dtype (never its values)."""

    name: str
    shape: tuple[int, ...]
    dtype: str


def hdf5_layout(data: bytes) -> list[Dataset]:
    """The datasets of an HDF5 file (at most HDF5_ENTRIES), read as metadata only; ValueError when not HDF5."""
    import h5py

    found: list[Dataset] = []
    try:
        with h5py.File(io.BytesIO(data), "r") as handle:
            def visit(name, item):
                if isinstance(item, h5py.Dataset):
                    found.append(Dataset(name, tuple(item.shape), str(item.dtype)))
                return True if len(found) >= HDF5_ENTRIES else None

            handle.visititems(visit)
    except (OSError, ValueError, TypeError) as error:
        raise ValueError(f"not an HDF5 file h5py can read: {error}") from None
    return found


def hdf5_args_problem(layout: list[Dataset]) -> str | None:
    """What keeps an HDF5 file from being a case's arguments (datasets or groups arg0, arg1, ...), if anything."""
    tops = {d.name.split("/", 1)[0] for d in layout}
    expected = {f"arg{i}" for i in range(len(tops))}
    if not tops:
        return "the file holds no dataset"
    if tops != expected:
        return (f"the file's top-level names are {', '.join(sorted(tops))}; case arguments are "
                f"{', '.join(sorted(expected))} (a group is a dict of its members)")
    return None
