"""Hostile result archives, generated: read_results gives every function a verdict or raises ResultsError, never
anything else, and never allocates past a ceiling.

Student code controls the bytes of its own function's members (f0.json, f0.out, f0.c<j>.npz), never the outer
zip's structure: for those, not even ResultsError is allowed, and the honest function beside it still decodes.
"""
import io
import json
import struct
import tracemalloc
import zipfile
import zlib

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sandbox.results import ResultsError, read_results
from tests.sandbox.archives import Pipe

OUTPUT_BYTES = 8 * 2**20  # so each of the two functions may decode 4 MiB of arrays
JOB = {"functions": [{"name": "f", "cases": [{"id": "published"}, {"id": "hidden-1"}]},
                     {"name": "g", "cases": [{"id": "published"}]}],
       "limits": {"output_bytes": OUTPUT_BYTES}}
RUNNER_JSON = {"version": 1, "functions": [
    {"index": 0, "name": "f", "status": "ok", "exit": 0, "signal": None, "wall_s": 0.1},
    {"index": 1, "name": "g", "status": "ok", "exit": 0, "signal": None, "wall_s": 0.1}]}
G_VALUE = np.arange(6.0).reshape(2, 3)
# Arrays within the budget (8 MiB), one JSON parse (under 40 MiB for a hostile 1 MiB record) and the headers; the
# bombs below inflate to 64-512 MiB and the declared shapes reach exabytes, so an unbounded read fails this at once.
CEILING_BYTES = 48 * 2**20
FUNCTION_STATUSES = {"ok", "timeout", "crashed", "missing_result", "too_large"}
CASE_STATUSES = {"ok", "error", "timeout", "crashed", "not_run", "missing_result"}
FUZZ = settings(max_examples=300, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.large_base_example])

CENTRAL = struct.Struct("<4s6H3L5H2L")
LOCAL = struct.Struct("<4s5H3L2H")
ALLOWED_DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float16",
                  "float32", "float64", "complex64", "complex128", ">i4", ">f8"]
ODD_DESCRS = ["|O", "<U4", "|S3", "|V8", "<M8[D]", "<m8[s]", "<f16", "<c32", [("a", "<f8")], "float64", "f8",
              "<f8", "|b1", "<i8", ">u2", "O", "?", "foo", "", "<f8 ", "(2,)f8"]
REF_NAMES = ["c0/a0", "c0/a1", "c0/a2", "c1/a0", "c1/a1"]
MEMBER_NAMES = [ref + ".npy" for ref in REF_NAMES] + ["../c0/a0.npy", "/c0/a0.npy", "c0/a0", "c0/", "c0\\a0.npy",
                                                      "C0/A0.NPY", "c0/a0.npy/x", "c0/./a0.npy", ""]


def npy_header(descr, fortran_order, shape) -> bytes:
    text = "{'descr': %r, 'fortran_order': %r, 'shape': %r, }" % (descr, fortran_order, shape)
    text += " " * (-(len(text) + 11) % 64) + "\n"
    data = text.encode("utf-8", "surrogatepass")
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(data)) + data


def deflate_bomb(header: bytes, zeros_mib: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = packer.compress(header) + packer.flush(zlib.Z_FULL_FLUSH)
    block = packer.compress(bytes(2**20)) + packer.flush(zlib.Z_FULL_FLUSH)
    return start + block * zeros_mib + packer.flush()


def raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


# -- strategies --------------------------------------------------------------------------------------------------

shapes = st.lists(st.one_of(st.integers(0, 4), st.integers(-3, 2**63), st.sampled_from([2**31, 2**40, 2**62])),
                  max_size=5).map(tuple) | st.integers(60, 70).map(lambda dims: (1,) * dims)


@st.composite
def npy_payloads(draw):
    """(what the member inflates to, or None for a bomb; the stored bytes if already deflated; declared size)."""
    kind = draw(st.sampled_from(["honest", "honest", "honest", "header", "header", "bomb", "lying_bomb", "garbage",
                                 "truncated"]))
    if kind in ("honest", "truncated"):
        array = draw(hnp.arrays(st.sampled_from(ALLOWED_DTYPES), hnp.array_shapes(min_dims=0, max_dims=3, max_side=6)))
        plain = npy(np.asfortranarray(array) if draw(st.booleans()) else array)
        if kind == "truncated":
            plain = plain[:draw(st.integers(0, len(plain) - 1))]
        return plain, None, len(plain)
    if kind == "header":
        descr = draw(st.sampled_from(ODD_DESCRS + ALLOWED_DTYPES) | st.text(max_size=8))
        header = npy_header(descr, draw(st.booleans()), draw(shapes))
        plain = header + draw(st.binary(max_size=64) | st.sampled_from([bytes(8), bytes(80)]))
        return plain, None, len(plain)
    if kind == "garbage":
        plain = draw(st.binary(max_size=300))
        return plain, None, len(plain)
    zeros_mib = draw(st.sampled_from([64, 128, 512]))
    if kind == "bomb":  # the header and the declared size tell the truth
        header = npy_header("<f8", False, (zeros_mib * 2**17,))
        return None, deflate_bomb(header, zeros_mib), len(header) + zeros_mib * 2**20
    count = draw(st.integers(0, 100))
    header = npy_header("<f8", False, (count,))  # both lie low: the zeros go on far past them
    return None, deflate_bomb(header, zeros_mib), len(header) + draw(st.sampled_from([8 * count] * 3 + [0, 800]))


@st.composite
def zip_entries(draw, name=None):
    """One member of an .npz: its payload hostile or not, and now and then one of its headers lying."""
    plain, stored, size = draw(npy_payloads())
    lie = draw(st.sampled_from([None] * 6 + ["method", "name", "flags", "size", "crc", "local", "truncate"]))
    method = draw(st.sampled_from([1, 12, 99])) if lie == "method" else draw(st.sampled_from([0, 8]))
    if stored is None:
        stored = raw_deflate(plain) if method == 8 else plain
    elif lie != "method":
        method = 8
    if name is None or lie == "name":
        name = draw(st.sampled_from(MEMBER_NAMES) | st.text(max_size=12))
    entry = {"name": name, "data": stored, "method": method, "size": size,
             "crc": zlib.crc32(plain) if plain is not None else 0, "flags": 0, "local": {}}
    if lie == "flags":
        entry["flags"] = draw(st.sampled_from([0x1, 0x8, 0x40, 0x800, 0x2000]) | st.integers(0, 0xFFFF))
    elif lie in ("size", "crc"):
        entry[lie] = draw(st.integers(0, 2**32 - 1))
    elif lie == "local":
        field = draw(st.sampled_from(["size", "compressed", "crc", "flags", "method"]))
        entry["local"][field] = draw(st.integers(0, 0xFFFF if field in ("flags", "method") else 2**32 - 1))
    elif lie == "truncate":
        entry["data"] = entry["data"][:draw(st.integers(0, len(entry["data"])))]
    return entry


def raw_zip(entries: list[dict], zip64_extra: bool) -> bytes:
    records, central = bytearray(), bytearray()
    for entry in entries:
        name = entry["name"].encode("utf-8", "surrogatepass")
        fields = {"flags": entry["flags"], "method": entry["method"], "crc": entry["crc"],
                  "compressed": len(entry["data"]), "size": entry["size"]}
        local = {**fields, **entry["local"]}
        extra = b""
        if zip64_extra:  # as np.savez writes: 0xFFFFFFFF in the local header, the sizes in a zip64 field
            extra = struct.pack("<HHQQ", 1, 16, local["size"], local["compressed"])
            local["size"] = local["compressed"] = 0xFFFFFFFF
        central += CENTRAL.pack(b"PK\x01\x02", 45, 45, fields["flags"], fields["method"], 0, 33, fields["crc"],
                                fields["compressed"], fields["size"], len(name), 0, 0, 0, 0, 0, len(records)) + name
        records += LOCAL.pack(b"PK\x03\x04", 45, local["flags"], local["method"], 0, 33, local["crc"],
                              local["compressed"], local["size"], len(name), len(extra)) + name + extra + entry["data"]
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), len(records), 0)
    return bytes(records + central + end)


@st.composite
def npz_members(draw):
    kind = draw(st.sampled_from(["crafted", "crafted", "honest", "mutated"]))
    if kind == "crafted":
        entries = draw(st.lists(zip_entries(), max_size=4))
        if entries and draw(st.booleans()):
            entries.append(dict(entries[0]))  # a duplicate name
        return raw_zip(entries, draw(st.booleans()))
    arrays = {ref: np.arange(draw(st.integers(0, 20))).astype(draw(st.sampled_from(ALLOWED_DTYPES)))
              for ref in draw(st.sets(st.sampled_from(REF_NAMES[:3]), max_size=3))}
    buffer = io.BytesIO()
    (np.savez_compressed if draw(st.booleans()) else np.savez)(buffer, **arrays)
    data = bytearray(buffer.getvalue())
    if kind == "mutated" and data:
        for _ in range(draw(st.integers(1, 8))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        data = data[:draw(st.integers(0, len(data)))]
    return bytes(data)


json_leaves = st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats() | st.text(max_size=10)
value_trees = st.recursive(
    st.sampled_from(REF_NAMES).map(lambda ref: {"t": "array", "ref": ref})
    | st.builds(lambda v: {"t": "int", "v": v}, st.integers()) | json_leaves
    | st.fixed_dictionaries({"t": st.sampled_from(["array", "int", "float", "str", "none", "what", "unsupported"]),
                             "ref": json_leaves, "v": json_leaves}),
    lambda children: st.builds(lambda items: {"t": "list", "items": items}, st.lists(children, max_size=4))
    | st.builds(lambda items: {"t": "dict", "items": items}, st.dictionaries(st.text(max_size=3), children, max_size=3))
    | st.lists(children, max_size=3),
    max_leaves=12,
)


def case_value(case: int):
    """Value trees that mostly refer to the case's own arrays, as an honest record does."""
    own = st.sampled_from([f"c{case}/a0", f"c{case}/a1", f"c{case}/a2"]).map(lambda ref: {"t": "array", "ref": ref})
    return st.one_of(own, own, st.builds(lambda items: {"t": "list", "items": items}, st.lists(own, max_size=3)),
                     value_trees)


@st.composite
def f0_json(draw):
    kind = draw(st.sampled_from(["record", "record", "record", "random", "deep", "garbage", "storm"]))
    if kind == "deep":
        depth = draw(st.sampled_from([65, 1000, 100_000, 300_000]))
        opener, closer = draw(st.sampled_from([(b"[", b"]"), (b'{"a":', b"}"), (b'[{"t":"list","items":', b"}]")]))
        closed = draw(st.booleans())
        return opener * depth + (b"1" + closer * depth if closed else b"")
    if kind == "garbage":
        return draw(st.binary(max_size=200))
    if kind == "storm":
        return b"[" + b"[]," * draw(st.sampled_from([1000, 310_000])) + b"[]]"
    if kind == "random":
        cases = draw(st.lists(st.fixed_dictionaries({
            "id": st.sampled_from(["published", "hidden-1", 3]),
            "status": st.sampled_from(["ok", "ok", "error", "running", "what"]),
            "value": value_trees, "error": json_leaves | st.dictionaries(st.text(max_size=5), json_leaves),
            "wall_s": json_leaves}), max_size=3))
    else:
        cases = [{"id": case_id, "status": draw(st.sampled_from(["ok", "ok", "ok", "error", "running"])),
                  "value": draw(case_value(case)), "wall_s": 0.01}
                 for case, case_id in enumerate(["published", "hidden-1"][:draw(st.integers(0, 2))])]
    return json.dumps({"setup_errors": draw(st.lists(json_leaves, max_size=3)), "cases": cases,
                       "complete": draw(st.booleans())}).encode()


@st.composite
def matching_members(draw) -> dict:
    """A record whose values refer to arrays its .npz files hold, so the hostility reaches the .npy reader."""
    members, cases = {}, []
    for case, case_id in enumerate(["published", "hidden-1"]):
        refs = [f"c{case}/a{k}" for k in range(draw(st.integers(1, 3)))]
        entries = [draw(zip_entries(name=ref + ".npy")) for ref in refs]
        if len(entries) > 1 and draw(st.integers(0, 5)) == 0:
            entries[-1] = {**entries[-1], "name": entries[0]["name"]}  # a duplicate name
        members[f"f0.c{case}.npz"] = raw_zip(entries, draw(st.booleans()))
        if draw(st.integers(0, 9)) == 0:
            refs.append(draw(st.sampled_from(refs + REF_NAMES)))  # refers twice, or to another case's array
        cases.append({"id": case_id, "status": "ok", "value": {"t": "list", "items": [
            {"t": "array", "ref": ref} for ref in refs]}})
    members["f0.json"] = json.dumps({"setup_errors": [], "cases": cases, "complete": True}).encode()
    return members


@st.composite
def student_members(draw) -> dict:
    """Whatever function f's code could leave in its own result files, under the runner's caps."""
    if draw(st.booleans()):
        return draw(matching_members())
    members = {"f0.json": draw(f0_json())}
    if draw(st.booleans()):
        members["f0.out"] = draw(st.binary(max_size=100))
    for case in range(2):
        if draw(st.integers(0, 3)):
            members[f"f0.c{case}.npz"] = draw(npz_members())
    return members


def honest_g_members() -> dict:
    value = {"t": "dict", "items": {"W1": {"t": "array", "ref": "c0/a0"}}}
    buffer = io.BytesIO()
    np.savez(buffer, **{"c0/a0": G_VALUE})
    return {"f1.json": json.dumps({"setup_errors": [], "complete": True,
                                   "cases": [{"id": "published", "status": "ok", "value": value}]}).encode(),
            "f1.c0.npz": buffer.getvalue()}


def runner_archive(members: dict, through_pipe: bool) -> bytes:
    """The outer archive exactly as the runner writes it: uncompressed, members in order."""
    stream = Pipe() if through_pipe else io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("runner.json", json.dumps(RUNNER_JSON))
        for name, data in members.items():
            archive.writestr(name, data)
    return bytes(stream.data) if through_pipe else stream.getvalue()


def decode_within_ceiling(data: bytes):
    """The runs, or None for ResultsError; anything else raised fails the test, as does a peak past the ceiling."""
    tracemalloc.start()
    try:
        try:
            runs = read_results(data, JOB)
        except ResultsError:
            runs = None
        peak_bytes = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak_bytes <= CEILING_BYTES, f"decoding peaked at {peak_bytes} bytes"
    if runs is not None:
        assert set(runs) == {"f", "g"}
        for run in runs.values():
            assert run.status in FUNCTION_STATUSES
            assert all(case.status in CASE_STATUSES for case in run.cases)
            assert run.status not in ("missing_result", "too_large") or run.problem
    return runs


@FUZZ
@given(members=student_members(), through_pipe=st.booleans())
def test_whatever_a_function_leaves_in_its_own_members_is_only_its_verdict(members, through_pipe):
    runs = decode_within_ceiling(runner_archive({**members, **honest_g_members()}, through_pipe))
    assert runs is not None, "student-controlled bytes must never be a sandbox failure"
    assert runs["g"].status == "ok" and runs["g"].cases[0].status == "ok"
    np.testing.assert_array_equal(runs["g"].cases[0].value["W1"], G_VALUE)


@FUZZ
@given(members=student_members(), through_pipe=st.booleans(), data=st.data())
def test_a_damaged_outer_archive_gives_verdicts_or_results_error_only(members, through_pipe, data):
    archive = bytearray(runner_archive({**members, **honest_g_members()}, through_pipe))
    for _ in range(data.draw(st.integers(1, 6))):
        at = data.draw(st.integers(0, len(archive) - 1))
        archive[at:at + 4] = data.draw(st.binary(min_size=1, max_size=4))
    if data.draw(st.integers(0, 4)) == 0:
        archive = archive[:data.draw(st.integers(0, len(archive)))]
    decode_within_ceiling(bytes(archive))


@settings(FUZZ, max_examples=200)
@given(data=st.binary(max_size=2000))
def test_random_bytes_give_verdicts_or_results_error_only(data):
    decode_within_ceiling(data)
