"""Values as a JSON tree plus flat arrays; runs inside the sandbox, so stdlib, NumPy and h5py only.

h5py is needed only for the HDF5 helpers (`write_h5_tree`, `read_h5_tree`): the starter kit's local check
decodes its published cases from an .npz with this module on a Python that has NumPy alone.
"""
from __future__ import annotations

import json
import math
import reprlib

import numpy as np

try:
    import h5py
except ImportError:  # the starter kit's check: values come from an .npz
    h5py = None

try:
    from channel import LENGTH, ChannelError, frame, split_frames  # inside the sandbox, beside this file
except ImportError:
    from sandbox.channel import LENGTH, ChannelError, frame, split_frames

ARRAY_KINDS = "biufc"  # bool, int, uint, float, complex: nothing that can hold objects
_NUMPY_SCALARS = set(np.sctypeDict.values())
_NUMPY_BOOLS = {t for t in _NUMPY_SCALARS if issubclass(t, np.bool_)}
_NUMPY_INTS = {t for t in _NUMPY_SCALARS if issubclass(t, np.integer)}
_NUMPY_FLOATS = {t for t in _NUMPY_SCALARS if issubclass(t, np.floating)}
_FLOAT_WORDS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


class WireError(ValueError):
    """A tree that does not follow the format: produced by a bug or by tampering."""


class Unsupported:
    """Stands in for a value the wire cannot carry, so a comparison can say what came back."""

    __slots__ = ("type_name", "why")

    def __init__(self, type_name: str, why: str):
        self.type_name = type_name
        self.why = why

    def __eq__(self, other):
        return type(other) is Unsupported and (self.type_name, self.why) == (other.type_name, other.why)

    def __hash__(self):
        return hash((self.type_name, self.why))

    def __repr__(self):
        return f"Unsupported({self.type_name!r}, {self.why!r})"


class Encoder:
    """Bounds hold for one whole value, so each value gets its own encoder."""

    max_depth = 16
    max_items = 10_000
    max_str_chars = 10_000
    max_int_bits = 1024

    def __init__(self, arrays: dict, prefix: str, max_array_bytes: int):
        self.arrays = arrays
        self.prefix = prefix
        self.max_array_bytes = max_array_bytes
        self.items = 0
        self.array_bytes = 0

    def encode(self, value, depth: int = 0) -> dict:
        self.items += 1
        kind = type(value)  # exact types only: a student's subclass never gets to run code here
        if self.items > self.max_items:
            return unsupported(kind, f"more than {self.max_items} items in the value")
        if depth > self.max_depth:
            return unsupported(kind, f"nested deeper than {self.max_depth} levels")
        if value is None:
            return {"t": "none"}
        if kind is bool or kind in _NUMPY_BOOLS:
            return {"t": "bool", "v": bool(value)}
        if kind is int or kind in _NUMPY_INTS:
            number = int(value)
            if number.bit_length() > self.max_int_bits:
                return unsupported(kind, f"integer wider than {self.max_int_bits} bits")
            return {"t": "int", "v": number}
        if kind is float or kind in _NUMPY_FLOATS:
            return {"t": "float", "v": _float_to_json(float(value))}
        if kind is str:
            if len(value) > self.max_str_chars:
                return unsupported(kind, f"string longer than {self.max_str_chars} characters")
            return {"t": "str", "v": value}
        if kind is np.ndarray:
            return self._array(value)
        if kind in (list, tuple, dict) and self.items + len(value) > self.max_items:
            return unsupported(kind, f"more than {self.max_items} items in the value")
        if kind is list or kind is tuple:
            return {"t": kind.__name__, "items": [self.encode(item, depth + 1) for item in value]}
        if kind is dict:
            if any(type(key) is not str for key in value):
                return unsupported(kind, "dict keys must be strings")
            return {"t": "dict", "items": {key: self.encode(item, depth + 1) for key, item in value.items()}}
        return unsupported(kind, "this type cannot be returned from the sandbox")

    def _array(self, value: np.ndarray) -> dict:
        if value.dtype.kind not in ARRAY_KINDS or value.dtype.fields is not None:
            return unsupported(np.ndarray, f"arrays of dtype {value.dtype} cannot be returned")
        if self.array_bytes + value.nbytes > self.max_array_bytes:
            return unsupported(np.ndarray, f"arrays larger than {self.max_array_bytes} bytes in total")
        self.array_bytes += value.nbytes
        key = f"{self.prefix}/a{len(self.arrays)}" if self.prefix else f"a{len(self.arrays)}"
        self.arrays[key] = value
        return {"t": "array", "ref": key}


def unsupported(kind: type, why: str) -> dict:
    return {"t": "unsupported", "type": getattr(kind, "__qualname__", "?")[:200], "why": why}


def encode(value, arrays: dict, prefix: str = "", max_array_bytes: int = 256 * 2**20) -> dict:
    """Encodes value; its arrays land in `arrays` under keys starting with `prefix`."""
    return Encoder(arrays, prefix, max_array_bytes).encode(value)


def _float_to_json(number: float):
    if math.isnan(number):
        return "nan"
    if math.isinf(number):
        return "inf" if number > 0 else "-inf"
    return number


def decode(tree, arrays, depth: int = 0):
    """Rebuilds plain Python values; `arrays` maps refs to arrays (npz file, h5 group or dict). A mapping with
    `fresh_arrays = True` hands out new arrays on every lookup, which are then not copied again."""
    if depth > Encoder.max_depth + 1:
        raise WireError("tree nested too deeply")
    if type(tree) is not dict or type(tree.get("t")) is not str:
        raise WireError(f"not a value tree: {_excerpt(tree)}")
    tag, value = tree["t"], tree.get("v")
    if tag == "none":
        return None
    if tag == "bool" and type(value) is bool:
        return value
    if tag == "int" and type(value) is int:
        return value
    if tag == "float" and type(value) in (float, int):
        return float(value)
    if tag == "float" and value in _FLOAT_WORDS:
        return _FLOAT_WORDS[value]
    if tag == "str" and type(value) is str:
        return value
    if tag == "array" and type(tree.get("ref")) is str:
        return _load_array(arrays, tree["ref"])
    if tag in ("list", "tuple") and type(tree.get("items")) is list:
        items = [decode(item, arrays, depth + 1) for item in tree["items"]]
        return items if tag == "list" else tuple(items)
    if tag == "dict" and type(tree.get("items")) is dict:
        return {str(key): decode(item, arrays, depth + 1) for key, item in tree["items"].items()}
    if tag == "unsupported":
        return Unsupported(_text(tree.get("type", "?")), _text(tree.get("why", "")))
    raise WireError(f"malformed {tag[:40]!r} node")


def _excerpt(value) -> str:
    """Bounded: str() of a large tree from the sandbox would build all of it first."""
    return reprlib.repr(value)[:80]


def _text(value) -> str:
    return value if type(value) is str else _excerpt(value)


def _load_array(arrays, ref: str) -> np.ndarray:
    try:
        stored = arrays[ref]
    except (KeyError, ValueError) as exc:
        raise WireError(f"array {ref!r} is missing") from exc
    if h5py is not None and isinstance(stored, h5py.Dataset):
        stored = stored[()]
    elif not isinstance(stored, (np.ndarray, np.generic)):
        raise WireError(f"{ref!r} is not an array")
    # A fresh copy (callers may mutate it) unless the mapping made this one just now.
    array = stored if getattr(arrays, "fresh_arrays", False) and type(stored) is np.ndarray else np.array(stored)
    if array.dtype.kind not in ARRAY_KINDS or array.dtype.fields is not None:
        raise WireError(f"array {ref!r} has dtype {array.dtype}")
    return array


def write_h5_tree(group: h5py.Group, value, name: str = "value") -> dict:
    """Stores a value in HDF5: arrays as datasets at their refs, the tree as JSON in attribute `name`."""
    arrays: dict = {}
    tree = encode(value, arrays, prefix=name)
    for key, array in arrays.items():
        group.create_dataset(key, data=array)
    group.attrs[name] = json.dumps(tree)
    return tree


def read_h5_tree(group: h5py.Group, name: str = "value"):
    """Reads back a value stored with write_h5_tree."""
    raw = group.attrs[name]
    return decode(json.loads(raw if isinstance(raw, str) else raw.decode()), group)


def find_unsupported(tree) -> list[dict]:
    """Lists the unsupported nodes, so a job builder can refuse inputs that would not survive the trip."""
    if type(tree) is not dict:
        return []
    if tree.get("t") == "unsupported":
        return [tree]
    items = tree.get("items")
    children = items.values() if type(items) is dict else items if type(items) is list else []
    return [found for child in children for found in find_unsupported(child)]


def pack_value(document: dict, arrays: dict) -> bytes:
    """A JSON document (holding value trees) and the arrays its trees name, as two frames (sandbox.channel): the
    document, with the arrays' dtypes and shapes under "arrays", then their raw bytes one after another. For the
    pipes inside the sandbox (runner -> case, case <-> stand-in helper), where a zip's copies and checksums of
    large inputs would cost more than the call; results leave the sandbox as .npz members instead."""
    return b"".join(pack_value_parts(document, arrays))


def pack_value_parts(document: dict, arrays: dict) -> list:
    """pack_value's bytes as a list of buffers (the arrays' own memory, not copied) to be written one after
    another. The document is padded with spaces so that the raw bytes start 16 bytes into a 16-byte boundary
    of the reader's buffer: arrays that follow each other at offsets that are multiples of their item size then
    stay aligned, and can be handed out as views (unpack_value with `owned`)."""
    index, views = [], []
    for key, array in arrays.items():
        array = np.ascontiguousarray(array)
        index.append([key, array.dtype.str, list(array.shape)])
        views.append(memoryview(array.reshape(-1).view(np.uint8)) if array.size else b"")
    text = json.dumps({**document, "arrays": index}).encode()
    text += b" " * (-(len(text) + 2 * LENGTH.size) % 16)
    return [frame(text), LENGTH.pack(sum(len(view) for view in views)), *views]


def unpack_value(data: bytes, max_json_bytes: int, owned: bool = False) -> tuple[dict, dict]:
    """The inverse of pack_value: (document, {key: array viewing data}). Raises WireError on anything malformed: a
    missing frame, a dtype that is not bool, int, uint, float or complex, sizes that do not add up. `owned`: data
    is a writable buffer of the caller's alone (channel.read_frame_into), so decode() may hand each aligned array
    out as the view itself, once, instead of a copy."""
    try:
        document, raw = split_frames(data, 2)
    except ChannelError as exc:
        raise WireError(str(exc)) from None
    if len(document) > max_json_bytes:
        raise WireError(f"a document of {len(document)} bytes")
    try:
        parsed = json.loads(document)
    except (ValueError, RecursionError) as exc:
        raise WireError(f"unreadable: {type(exc).__name__}") from None
    if type(parsed) is not dict or type(parsed.get("arrays", [])) is not list:
        raise WireError("the document is not an object with an array index")
    arrays, offset, raw = {}, 0, memoryview(raw)
    for entry in parsed.pop("arrays", []):
        try:
            key, dtype_text, shape = entry
            dtype = np.dtype(dtype_text) if type(dtype_text) is str and len(dtype_text) <= 8 else None
            if dtype is None or dtype.kind not in ARRAY_KINDS or dtype.fields is not None or type(key) is not str:
                raise WireError(f"an array of dtype {dtype_text!r}")
            if type(shape) is not list or len(shape) > 32 or not all(type(n) is int and n >= 0 for n in shape):
                raise WireError(f"an array of shape {shape!r}")
            count = math.prod(shape)
            size = count * dtype.itemsize
            if size > len(raw) - offset:
                raise WireError("array bytes run past the data")
            arrays[key] = np.frombuffer(raw, dtype=dtype, count=count, offset=offset).reshape(shape)
            offset += size
        except (TypeError, ValueError) as exc:
            raise WireError(f"a bad array entry ({type(exc).__name__})") from None
    return parsed, (OwnedViews(arrays) if owned else arrays)


class OwnedViews(dict):
    """Arrays viewing a buffer nobody else holds: decode() takes each aligned one as it is, the first time it is
    looked up (fresh_arrays), and a copy after that, so two places in a tree never share one array."""

    fresh_arrays = True

    def __init__(self, arrays: dict):
        super().__init__(arrays)
        self.handed: set = set()

    def __getitem__(self, ref):
        array = super().__getitem__(ref)
        if ref in self.handed or not array.flags.aligned:
            return np.array(array)
        self.handed.add(ref)
        return array
