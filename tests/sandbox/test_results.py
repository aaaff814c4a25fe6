"""Archives built by hand, including hostile ones: nothing in them may crash the worker."""
import io
import json
import struct
import tracemalloc
import zipfile
import zlib

import numpy as np
import pytest
from numpy.lib import format as npy_format

from sandbox.results import JSON_MEMBER_BYTES_MAX, ResultsError, read_results
from tests.sandbox.archives import Pipe

JOB = {"functions": [{"name": "f", "cases": [{"id": "published"}, {"id": "hidden-1"}]},
                     {"name": "g", "cases": [{"id": "published"}]}]}
REPORTS = [{"index": 0, "name": "f", "status": "ok", "exit": 0, "signal": None, "wall_s": 0.1},
           {"index": 1, "name": "g", "status": "ok", "exit": 0, "signal": None, "wall_s": 0.1}]


def npz(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def archive(members: dict, compression=zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data if isinstance(data, bytes) else json.dumps(data))
    return buffer.getvalue()


def good_members() -> dict:
    case = {"id": "published", "status": "ok", "wall_s": 0.01,
            "value": {"t": "dict", "items": {"W1": {"t": "array", "ref": "c0/a0"}}}}
    error = {"id": "hidden-1", "status": "error",
             "error": {"type": "KeyError", "message": "'dW1'", "traceback": [{"line": 3, "function": "f", "source": "x"}]}}
    return {
        "runner.json": {"version": 1, "functions": REPORTS},
        "f0.json": {"setup_errors": [], "cases": [case, error], "complete": True},
        "f0.c0.npz": npz(**{"c0/a0": np.eye(2)}),
        "f0.out": "héllo".encode() + b"\xff",
        "f1.json": {"setup_errors": [], "cases": [{"id": "published", "status": "ok", "value": {"t": "int", "v": 1}}]},
    }


def test_well_formed_archive_gives_decoded_values_and_errors():
    runs = read_results(archive(good_members()), JOB)
    f = runs["f"]
    np.testing.assert_array_equal(f.cases[0].value["W1"], np.eye(2))
    assert f.cases[1].error["type"] == "KeyError" and f.output == "héllo\ufffd"
    assert runs["g"].cases[0].value == 1


@pytest.mark.parametrize("data", [b"", b"not a zip", archive(good_members())[:-30]])
def test_unreadable_archive_is_a_sandbox_side_error(data):
    with pytest.raises(ResultsError):
        read_results(data, JOB)


def test_compressed_members_are_refused_before_reading():
    with pytest.raises(ResultsError, match="compressed"):
        read_results(archive(good_members(), zipfile.ZIP_DEFLATED), JOB)


def test_missing_runner_json_is_a_sandbox_side_error():
    members = good_members()
    del members["runner.json"]
    with pytest.raises(ResultsError):
        read_results(archive(members), JOB)


def test_oversized_json_member_makes_only_that_function_too_large():
    members = good_members()
    members["f0.json"] = b" " * (JSON_MEMBER_BYTES_MAX + 1)
    runs = read_results(archive(members), JOB)
    assert runs["f"].status == "too_large" and "cap" in runs["f"].problem
    assert runs["g"].status == "ok"


def test_pickled_object_arrays_are_never_loaded():
    members = good_members()
    members["f0.c0.npz"] = npz(**{"c0/a0": np.array([{"evil": 1}], dtype=object)})
    case = read_results(archive(members), JOB)["f"].cases[0]
    assert case.status == "missing_result" and case.value is None


def test_garbage_results_json_marks_the_function_missing():
    members = good_members()
    members["f0.json"] = b"[1, 2"
    assert read_results(archive(members), JOB)["f"].status == "missing_result"


def test_malformed_value_tree_marks_only_that_case():
    members = good_members()
    members["f1.json"] = {"cases": [{"id": "published", "status": "ok", "value": {"t": "int", "v": "1"}}]}
    case = read_results(archive(members), JOB)["g"].cases[0]
    assert case.status == "missing_result" and case.error["type"] == "GradeboxResultError"


def test_function_the_runner_did_not_report_is_missing():
    members = good_members()
    members["runner.json"] = {"version": 1, "functions": REPORTS[:1]}
    runs = read_results(archive(members), JOB)
    assert runs["g"].status == "missing_result" and runs["g"].cases[0].status == "missing_result"


def test_cases_never_reached_are_not_run():
    members = good_members()
    members["runner.json"] = {"version": 1, "functions": [dict(REPORTS[0], status="timeout", exit=None, signal=9),
                                                          REPORTS[1]]}
    members["f0.json"] = {"setup_errors": [], "cases": [{"id": "published", "status": "running"}]}
    f = read_results(archive(members), JOB)["f"]
    assert [case.status for case in f.cases] == ["timeout", "not_run"]


def test_error_fields_are_coerced_to_the_shapes_we_show():
    members = good_members()
    members["f1.json"] = {"setup_errors": [{"line": "x", "source": 3}, "junk"],
                          "cases": [{"id": "published", "status": "error", "error": {"traceback": [1, {"line": []}]}}]}
    g = read_results(archive(members), JOB)["g"]
    assert g.setup_errors[0] == {"line": None, "source": "3", "error": ""}
    assert g.cases[0].error == {"type": "Error", "message": "", "traceback": [{"line": None, "function": "", "source": ""}]}


# -- hostile members: each is its own function's verdict, never the worker's problem -----------------------------

CENTRAL = struct.Struct("<4s6H3L5H2L")
LOCAL = struct.Struct("<4s5H3L2H")


def raw_zip(entries: list[dict]) -> bytes:
    """A zip written field by field, so a test can make its headers lie. Each entry: name, data (as stored),
    and optionally plain (the uncompressed bytes), size, crc, method, flags, local (fields that differ there)."""
    records, central = bytearray(), bytearray()
    for entry in entries:
        name, data = entry["name"].encode(), entry["data"]
        plain = entry.get("plain", data)
        fields = {"flags": entry.get("flags", 0), "method": entry.get("method", zipfile.ZIP_STORED),
                  "crc": entry.get("crc", zlib.crc32(plain) if plain is not None else 0),
                  "compressed": len(data), "size": entry.get("size", len(plain) if plain is not None else 0)}
        local = {**fields, **entry.get("local", {})}
        central += CENTRAL.pack(b"PK\x01\x02", 20, 20, fields["flags"], fields["method"], 0, 33, fields["crc"],
                                fields["compressed"], fields["size"], len(name), 0, 0, 0, 0, 0, len(records)) + name
        records += LOCAL.pack(b"PK\x03\x04", 20, local["flags"], local["method"], 0, 33, local["crc"],
                              local["compressed"], local["size"], len(name), 0) + name + data
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), len(records), 0)
    return bytes(records + central + end)


def npy_header(shape: tuple, descr="<f8", fortran_order=False) -> bytes:
    buffer = io.BytesIO()
    npy_format.write_array_header_1_0(buffer, {"descr": descr, "fortran_order": fortran_order, "shape": shape})
    return buffer.getvalue()


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def deflate_bomb(header: bytes, zeros_mib: int) -> bytes:
    """header, then zeros_mib MiB of zeros, as raw DEFLATE of about 1 KiB per MiB (full flushes make the blocks
    repeat byte for byte, so the attacker never has to compress the zeros)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = packer.compress(header) + packer.flush(zlib.Z_FULL_FLUSH)
    block = packer.compress(bytes(2**20)) + packer.flush(zlib.Z_FULL_FLUSH)
    return start + block * zeros_mib + packer.flush()


def with_f0_npz(npz_bytes: bytes) -> dict:
    members = good_members()
    members["f0.c0.npz"] = npz_bytes
    return members


def decode_peak_bytes(members: dict, job=JOB) -> tuple[dict, int]:
    data = archive(members)
    tracemalloc.start()
    try:
        runs = read_results(data, job)
        return runs, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def assert_g_still_decodes(runs: dict) -> None:
    assert runs["g"].status == "ok" and runs["g"].cases[0].status == "ok" and runs["g"].cases[0].value == 1


def assert_verdict(run, status: str, *words: str) -> None:
    assert run.status == status, run.problem
    assert run.problem.startswith("result too large or unreadable: "), run.problem
    for word in words:
        assert word in run.problem, run.problem
    assert [case.status for case in run.cases] == ["missing_result", "missing_result"]
    assert all(case.value is None for case in run.cases)


def test_deflate_bomb_in_an_npz_is_too_large_and_never_inflated():
    size_bytes = 2048 * 2**20
    header = npy_header((size_bytes // 8,))
    bomb = deflate_bomb(header, 2048)  # 2 MiB sent, 2 GiB declared and inflated by the old decoder
    npz = raw_zip([{"name": "c0/a0.npy", "data": bomb, "plain": None, "method": zipfile.ZIP_DEFLATED,
                    "size": len(header) + size_bytes}])
    runs, peak_bytes = decode_peak_bytes(with_f0_npz(npz))
    assert_verdict(runs["f"], "too_large", "f0.c0.npz", "c0/a0.npy", "inflates to 2147483776 bytes")
    assert peak_bytes < 32 * 2**20
    assert_g_still_decodes(runs)


def test_deflate_bomb_declaring_a_small_size_is_inflated_only_that_far():
    header = npy_header((10,))
    npz = raw_zip([{"name": "c0/a0.npy", "data": deflate_bomb(header, 512), "plain": header + bytes(80),
                    "method": zipfile.ZIP_DEFLATED}])
    runs, peak_bytes = decode_peak_bytes(with_f0_npz(npz))
    assert_verdict(runs["f"], "missing_result", "c0/a0.npy", "inflates to more bytes than it declares")
    assert peak_bytes < 32 * 2**20
    assert_g_still_decodes(runs)


def test_honest_deflated_npz_still_decodes():
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **{"c0/a0": np.eye(2)})
    runs = read_results(archive(with_f0_npz(buffer.getvalue())), JOB)
    np.testing.assert_array_equal(runs["f"].cases[0].value["W1"], np.eye(2))


def test_header_declaring_an_8_tib_array_is_too_large_before_any_allocation():
    npz = raw_zip([{"name": "c0/a0.npy", "data": npy_header((2**40,)) + bytes(8)}])
    runs, peak_bytes = decode_peak_bytes(with_f0_npz(npz))
    assert_verdict(runs["f"], "too_large", "declares shape (1099511627776,) of float64 (8796093022208 bytes)")
    assert peak_bytes < 8 * 2**20
    assert_g_still_decodes(runs)


@pytest.mark.parametrize("shape", [(-1,), (2, -3), (1,) * 65])
def test_negative_or_too_many_dimensions_are_unreadable(shape):
    npz = raw_zip([{"name": "c0/a0.npy", "data": npy_header(shape) + bytes(8)}])
    runs = read_results(archive(with_f0_npz(npz)), JOB)
    assert_verdict(runs["f"], "missing_result", "declares shape")
    assert_g_still_decodes(runs)


@pytest.mark.parametrize("array", [
    np.array([{"evil": 1}], dtype=object),
    np.array(["text"]),
    np.array([b"bytes"]),
    np.zeros(2, dtype=[("a", "<f8"), ("b", "<i4")]),
    np.zeros(2, dtype="V8"),
    np.array(["2024-01-01"], dtype="datetime64[D]"),
    np.array([1], dtype="timedelta64[s]"),
    np.zeros(2, dtype=np.longdouble),
], ids=["object", "str", "bytes", "structured", "void", "datetime", "timedelta", "longdouble"])
def test_arrays_of_odd_dtypes_are_unreadable_and_never_unpickled(array):
    runs = read_results(archive(with_f0_npz(npz(**{"c0/a0": array}))), JOB)
    assert_verdict(runs["f"], "missing_result", "not a plain number type")
    assert_g_still_decodes(runs)


@pytest.mark.parametrize("dtype", ["bool", "int8", "uint16", ">i4", "uint64", "float16", ">f8", "complex64",
                                   "complex128"])
def test_every_allowed_dtype_decodes_in_either_order(dtype):
    array = np.asfortranarray(np.arange(6).reshape(2, 3).astype(dtype))
    value = read_results(archive(with_f0_npz(npz(**{"c0/a0": array}))), JOB)["f"].cases[0].value["W1"]
    np.testing.assert_array_equal(value, array)
    assert value.dtype == array.dtype and value.flags.writeable


def test_encrypted_flag_is_unreadable():
    plain = npy(np.eye(2))
    npz_bytes = raw_zip([{"name": "c0/a0.npy", "data": plain, "flags": 0x1}])
    runs = read_results(archive(with_f0_npz(npz_bytes)), JOB)
    assert_verdict(runs["f"], "missing_result", "'c0/a0.npy' is encrypted")
    assert_g_still_decodes(runs)


def test_duplicate_names_are_unreadable():
    members = with_f0_npz(raw_zip([{"name": "c0/a0.npy", "data": npy(np.eye(2))},
                                   {"name": "c0/a0.npy", "data": npy(np.zeros(2))}]))
    value = {"t": "list", "items": [{"t": "array", "ref": "c0/a0"}, {"t": "array", "ref": "c0/a1"}]}
    members["f0.json"] = {"cases": [{"id": "published", "status": "ok", "value": value}], "complete": True}
    runs = read_results(archive(members), JOB)
    assert_verdict(runs["f"], "missing_result", "'c0/a0.npy' appears twice")
    assert_g_still_decodes(runs)


def test_more_members_than_the_value_refers_to_are_refused_before_reading_them():
    npz_bytes = raw_zip([{"name": f"c0/a{k}.npy", "data": npy(np.zeros(1))} for k in range(5000)])
    runs = read_results(archive(with_f0_npz(npz_bytes)), JOB)
    assert_verdict(runs["f"], "missing_result", "it holds 5000 members, more than the 1 it may")


@pytest.mark.parametrize("name", ["../c0/a0.npy", "x/c0/a0.npy", "c0/a0", "c0/a1.npy", "C0/A0.NPY", "c0/a0.npy\x00"])
def test_names_the_value_does_not_refer_to_are_unreadable(name):
    runs = read_results(archive(with_f0_npz(raw_zip([{"name": name, "data": npy(np.eye(2))}]))), JOB)
    assert_verdict(runs["f"], "missing_result", "which its case does not refer to")
    assert_g_still_decodes(runs)


@pytest.mark.parametrize("local, words", [
    ({"size": 8}, "(sizes or CRC)"),
    ({"compressed": 2**31}, "(sizes or CRC)"),
    ({"crc": 1}, "(sizes or CRC)"),
    ({"method": zipfile.ZIP_DEFLATED}, "(flags or method)"),
    ({"flags": 0x1}, "(flags or method)"),
])
def test_local_header_disagreeing_with_the_central_directory_is_unreadable(local, words):
    npz_bytes = raw_zip([{"name": "c0/a0.npy", "data": npy(np.eye(2)), "local": local}])
    runs = read_results(archive(with_f0_npz(npz_bytes)), JOB)
    assert_verdict(runs["f"], "missing_result", "local header that disagrees with the central directory", words)
    assert_g_still_decodes(runs)


@pytest.mark.parametrize("method", [1, 12, 14, 99])
def test_compression_other_than_stored_or_deflated_is_unreadable(method):
    npz_bytes = raw_zip([{"name": "c0/a0.npy", "data": npy(np.eye(2)), "method": method}])
    runs = read_results(archive(with_f0_npz(npz_bytes)), JOB)
    assert_verdict(runs["f"], "missing_result", f"uses compression method {method}")


def test_truncated_array_data_is_unreadable():
    runs = read_results(archive(with_f0_npz(raw_zip([{"name": "c0/a0.npy", "data": npy(np.eye(2))[:-8]}]))), JOB)
    assert_verdict(runs["f"], "missing_result", "holds 24 bytes of data but its header declares 32")
    assert_g_still_decodes(runs)


def test_npz_cut_short_is_unreadable():
    runs = read_results(archive(with_f0_npz(npz(**{"c0/a0": np.eye(2)})[:-30])), JOB)
    assert_verdict(runs["f"], "missing_result", "f0.c0.npz", "end record")
    assert_g_still_decodes(runs)


def test_wrong_crc_in_both_headers_is_unreadable():
    runs = read_results(archive(with_f0_npz(raw_zip([{"name": "c0/a0.npy", "data": npy(np.eye(2)), "crc": 7}]))), JOB)
    assert_verdict(runs["f"], "missing_result", "fails its CRC check")


def test_huge_or_nested_npy_header_is_unreadable():
    long_header = b"\x93NUMPY\x01\x00" + struct.pack("<H", 60000) + b" " * 60000
    header = b"{" + b"[" * 50 + b"]" * 50 + b"}\n"
    nested = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header
    for data, words in ((long_header, "60000 byte header"), (nested, "nested too deeply")):
        runs = read_results(archive(with_f0_npz(raw_zip([{"name": "c0/a0.npy", "data": data}]))), JOB)
        assert_verdict(runs["f"], "missing_result", words)


def test_array_referred_to_twice_is_unreadable():
    members = good_members()
    value = {"t": "list", "items": [{"t": "array", "ref": "c0/a0"}] * 1000}
    members["f0.json"] = {"cases": [{"id": "published", "status": "ok", "value": value}], "complete": True}
    runs = read_results(archive(members), JOB)
    assert_verdict(runs["f"], "missing_result", "refers to array 'c0/a0' twice")
    assert_g_still_decodes(runs)


def test_arrays_past_the_function_budget_are_too_large_and_the_other_function_still_decodes():
    job = {**JOB, "limits": {"output_bytes": 2 * 2**20}}  # 1 MiB of decoded arrays per function
    runs = read_results(archive(with_f0_npz(npz(**{"c0/a0": np.zeros(2**17 + 1)}))), job)
    assert_verdict(runs["f"], "too_large", "over the 1048576 bytes left for this function's arrays")
    assert_g_still_decodes(runs)


def test_deeply_nested_json_is_too_large_not_a_recursion_error():
    members = good_members()
    members["f0.json"] = b"[" * 100_000 + b"]" * 100_000
    runs = read_results(archive(members), JOB)
    assert_verdict(runs["f"], "too_large", "f0.json nests 100000 levels deep")
    assert_g_still_decodes(runs)


def test_deep_json_that_is_not_even_json_is_still_only_a_verdict():
    members = good_members()
    members["f0.json"] = b'{"cases": "' + b"[" * 100_000 + b'"' + b"[" * 100_000
    runs = read_results(archive(members), JOB)
    assert runs["f"].status in ("too_large", "missing_result") and runs["f"].problem
    assert_g_still_decodes(runs)


def test_brackets_inside_json_strings_do_not_count_as_nesting():
    members = good_members()
    text = '[[[[\\"\\\\' * 10_000
    members["f1.json"] = {"cases": [{"id": "published", "status": "ok", "value": {"t": "str", "v": text}}]}
    assert read_results(archive(members), JOB)["g"].cases[0].value == text


def test_json_with_too_many_items_is_too_large():
    members = good_members()
    members["f0.json"] = b"[" + b"[]," * 300_000 + b"[]]"
    runs = read_results(archive(members), JOB)
    assert_verdict(runs["f"], "too_large", "items, over the 300000 allowed")
    assert_g_still_decodes(runs)


def test_a_broken_outer_member_is_its_functions_verdict():
    data = bytearray(archive(good_members()))
    at = data.index(b"PK\x01\x02")
    while data[at + CENTRAL.size:at + CENTRAL.size + 6] != b"f0.out":
        at = data.index(b"PK\x01\x02", at + 4)
    data[at + 8] |= 0x1  # f0.out flagged encrypted, in the central directory only
    runs = read_results(bytes(data), JOB)
    assert_verdict(runs["f"], "missing_result", "f0.out is encrypted")
    assert_g_still_decodes(runs)


def test_members_the_runner_never_writes_are_a_sandbox_side_error():
    members = good_members()
    members["f9.json"] = {}
    with pytest.raises(ResultsError, match="unexpected member"):
        read_results(archive(members), JOB)


def test_archive_streamed_through_a_pipe_decodes_the_same():
    stream = Pipe()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_STORED) as zf:
        for name, data in good_members().items():
            zf.writestr(name, data if isinstance(data, bytes) else json.dumps(data))
    assert zipfile.ZipFile(io.BytesIO(bytes(stream.data))).infolist()[0].flag_bits & 0x8
    runs = read_results(bytes(stream.data), JOB)
    np.testing.assert_array_equal(runs["f"].cases[0].value["W1"], np.eye(2))
    assert_g_still_decodes(runs)


def test_data_descriptor_disagreeing_with_the_central_directory_is_unreadable():
    stream = Pipe()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_STORED) as zf:
        for name, data in good_members().items():
            zf.writestr(name, data if isinstance(data, bytes) else json.dumps(data))
    data = bytearray(stream.data)
    descriptor = data.index(b"PK\x07\x08", data.index(b"f0.out"))
    data[descriptor + 4] ^= 0xFF  # the CRC in f0.out's descriptor
    runs = read_results(bytes(data), JOB)
    assert_verdict(runs["f"], "missing_result", "data descriptor that disagrees with the central directory")
    assert_g_still_decodes(runs)


def test_members_overlapping_another_are_unreadable():
    """The overlapping-files zip bomb: one member's data holds another's local header, so both share bytes."""
    inner = npy(np.zeros(2))
    inner_record = LOCAL.pack(b"PK\x03\x04", 20, 0, 0, 0, 33, zlib.crc32(inner), len(inner), len(inner), 9, 0)
    outer = npy_header((len(inner_record + b"c0/a1.npy" + inner) // 8,))
    data = outer + inner_record + b"c0/a1.npy" + inner + bytes(-len(inner_record + b"c0/a1.npy" + inner) % 8)
    npz_bytes = bytearray(raw_zip([{"name": "c0/a0.npy", "data": data}]))
    at = npz_bytes.index(b"PK\x01\x02")
    nested_at = LOCAL.size + 9 + len(outer)
    extra_central = CENTRAL.pack(b"PK\x01\x02", 20, 20, 0, 0, 0, 33, zlib.crc32(inner), len(inner), len(inner), 9,
                                 0, 0, 0, 0, 0, nested_at) + b"c0/a1.npy"
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 2, 2, len(npz_bytes) - 22 - at + len(extra_central), at, 0)
    npz_bytes = bytes(npz_bytes[:-22]) + extra_central + end
    members = with_f0_npz(npz_bytes)
    value = {"t": "list", "items": [{"t": "array", "ref": "c0/a0"}, {"t": "array", "ref": "c0/a1"}]}
    members["f0.json"] = {"cases": [{"id": "published", "status": "ok", "value": value}], "complete": True}
    runs = read_results(archive(members), JOB)
    assert_verdict(runs["f"], "missing_result", "overlaps another member")
    assert_g_still_decodes(runs)


def test_npz_as_the_sandbox_python_writes_it_decodes():
    """Python 3.11.2 (the sandbox's until Debian trixie) puts the real sizes in the local header as well as in its
    zip64 field."""
    data = bytearray(npz(**{"c0/a0": np.eye(2)}))
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("c0/a0.npy")
    assert data[info.header_offset + 18:info.header_offset + 26] == b"\xff" * 8
    data[info.header_offset + 18:info.header_offset + 26] = struct.pack("<2L", info.compress_size, info.file_size)
    runs = read_results(archive(with_f0_npz(bytes(data))), JOB)
    np.testing.assert_array_equal(runs["f"].cases[0].value["W1"], np.eye(2))


def test_the_deepest_value_the_encoder_makes_still_decodes():
    from sandbox import wire

    value = []
    for _ in range(wire.Encoder.max_depth):
        value = [value, np.eye(2)]
    arrays = {}
    tree = wire.encode(value, arrays, prefix="c0")
    members = good_members()
    members["f0.json"] = {"cases": [{"id": "published", "status": "ok", "value": tree}], "complete": True}
    members["f0.c0.npz"] = npz(**arrays)
    decoded = read_results(archive(members), JOB)["f"].cases[0].value
    for _ in range(wire.Encoder.max_depth):
        np.testing.assert_array_equal(decoded[1], np.eye(2))
        decoded = decoded[0]


def test_a_record_full_of_the_smallest_values_stays_under_the_item_cap():
    from sandbox import wire

    cases = 6
    job = {"functions": [{"name": "f", "cases": [{"id": f"c{case}"} for case in range(cases)]}]}
    tree = wire.encode([None] * (wire.Encoder.max_items - 1), {}, "")
    record = json.dumps({"cases": [{"id": f"c{case}", "status": "ok", "value": tree} for case in range(cases)],
                         "complete": True})
    assert len(record) > 0.85 * JSON_MEMBER_BYTES_MAX
    members = {"runner.json": {"version": 1, "functions": REPORTS[:1]}, "f0.json": record.encode()}
    runs = read_results(archive(members), job)
    assert [case.value == [None] * (wire.Encoder.max_items - 1) for case in runs["f"].cases] == [True] * cases

