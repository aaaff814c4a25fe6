"""Decoding hostile result archives: the worker's peak memory while sandbox.results.read_results decodes each.

A benchmark, not a test. Each archive is what a student's code could make the runner send back: the runner
names the members, the student's code writes their bytes, and the backend refuses any archive over
output_bytes. Each is decoded in a fresh child
process; the table gives that child's peak RSS (ru_maxrss from wait4), its RSS just before decoding (Python,
NumPy and the archive itself, which the worker holds anyway) and the decoding time. Archives are built in
another child, so the parent stays small (a child's ru_maxrss starts from its parent's RSS at fork). Exits 1
if any peak reaches --limit-mb.

    .venv/bin/python bench/decoder_memory.py [--only NAME ...] [--decoder-path DIR]

--decoder-path puts DIR first on the child's sys.path, to measure another copy of the `sandbox` package (e.g.
the previous commit's, exported with `git archive`) on the same archives.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import resource
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIB = 2**20
# The job: six graded functions of four cases each (the optimization assignment's shape), and the settings'
# default GRADER_OUTPUT_BYTES, which the backend enforces on the whole archive.
FUNCTIONS, CASES = 6, 4
OUTPUT_BYTES = 128 * MIB
ROOM_BYTES = (OUTPUT_BYTES - MIB) // FUNCTIONS  # each function's members, when all of them fill the archive
JSON_CAP_BYTES = 1 * MIB - 64 * 2**10  # runner_child.JSON_BYTES_MAX
DECODE_SHARE_BYTES = OUTPUT_BYTES // FUNCTIONS  # what the decoder allows per function
JOB = {"functions": [{"name": f"fn{index}", "cases": [{"id": f"case{case}"} for case in range(CASES)]}
                     for index in range(FUNCTIONS)],
       "limits": {"output_bytes": OUTPUT_BYTES}}
CENTRAL = struct.Struct("<4s6H3L5H2L")
LOCAL = struct.Struct("<4s5H3L2H")


# -- what a student can write ------------------------------------------------------------------------------------

def npy_header(shape: tuple, descr: str = "<f8") -> bytes:
    text = "{'descr': %r, 'fortran_order': False, 'shape': %r, }" % (descr, shape)
    text += " " * (-(len(text) + 11) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text.encode()


def deflate_zeros(header: bytes, zeros_bytes: int) -> bytes:
    """header then zeros as raw DEFLATE, about 1 KiB per MiB: full flushes make each MiB's blocks repeat."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = packer.compress(header) + packer.flush(zlib.Z_FULL_FLUSH)
    block = packer.compress(bytes(MIB)) + packer.flush(zlib.Z_FULL_FLUSH)
    tail = packer.compress(bytes(zeros_bytes % MIB)) + packer.flush()
    return start + block * (zeros_bytes // MIB) + tail


def raw_zip(entries: list[tuple]) -> bytes:
    """Entries (name, stored bytes, method, declared size, crc), written field by field."""
    records, central = bytearray(), bytearray()
    for name, data, method, size, crc in entries:
        name = name.encode()
        central += CENTRAL.pack(b"PK\x01\x02", 20, 20, 0, method, 0, 33, crc, len(data), size, len(name), 0, 0, 0,
                                0, 0, len(records)) + name
        records += LOCAL.pack(b"PK\x03\x04", 20, 0, method, 0, 33, crc, len(data), size, len(name), 0) + name + data
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), len(records), 0)
    return bytes(records + central + end)


def stored_npz(arrays: dict) -> bytes:
    import numpy as np

    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def record(values: dict) -> bytes:
    """f<i>.json with case j's value being values[j] (a wire tree)."""
    cases = [{"id": f"case{case}", "status": "ok", "wall_s": 0.01, "value": values.get(case, {"t": "none"})}
             for case in range(CASES)]
    return json.dumps({"setup_errors": [], "cases": cases, "complete": True}).encode()


def refs_tree(case: int, count: int) -> dict:
    return {"t": "list", "items": [{"t": "array", "ref": f"c{case}/a{k}"} for k in range(count)]}


def honest(index: int) -> dict:
    import numpy as np

    return {f"f{index}.json": record({0: refs_tree(0, 1)}), f"f{index}.c0.npz": stored_npz({"c0/a0": np.eye(3)})}


def runner_archive(functions: dict) -> bytes:
    """The outer zip as the runner streams it to a pipe: uncompressed, sizes in data descriptors."""
    class Pipe(io.RawIOBase):
        def __init__(self):
            self.data = bytearray()

        def writable(self):
            return True

        def write(self, chunk):
            self.data += chunk
            return len(chunk)

    summary = {"version": 1, "functions": [{"index": index, "name": f"fn{index}", "status": "ok", "exit": 0,
                                            "signal": None, "wall_s": 0.1} for index in range(FUNCTIONS)]}
    pipe = Pipe()
    with zipfile.ZipFile(pipe, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("runner.json", json.dumps(summary))
        for index in range(FUNCTIONS):
            for name, data in functions.get(index, honest(index)).items():
                if name.endswith(".json"):
                    assert len(data) <= JSON_CAP_BYTES, name
                archive.writestr(name, data)
    assert len(pipe.data) <= OUTPUT_BYTES, "the backend would refuse this archive"
    return bytes(pipe.data)


# -- the archives ------------------------------------------------------------------------------------------------

def every_function(members) -> dict:
    return {index: members(index) for index in range(FUNCTIONS)}


def honest_large_arrays(index: int) -> dict:
    import numpy as np

    count = (ROOM_BYTES - 2 * MIB) // 8 // 4
    arrays = {f"c0/a{k}": np.random.default_rng(k).random(count) for k in range(4)}
    return {f"f{index}.json": record({0: refs_tree(0, 4)}), f"f{index}.c0.npz": stored_npz(arrays)}


def stored_filling_the_archive(index: int, room_bytes: int = ROOM_BYTES) -> dict:
    count = (room_bytes - 64 * 2**10) // 8
    header = npy_header((count,))
    data = header + bytes(count * 8)
    npz = raw_zip([("c0/a0.npy", data, 0, len(data), zlib.crc32(data))])
    return {f"f{index}.json": record({0: refs_tree(0, 1)}), f"f{index}.c0.npz": npz}


def bomb(index: int, zeros_bytes: int, declared_bytes: int | None = None, shape: tuple | None = None) -> dict:
    header = npy_header(shape or (zeros_bytes // 8,))
    stream = deflate_zeros(header, zeros_bytes)
    size = len(header) + (zeros_bytes if declared_bytes is None else declared_bytes)
    npz = raw_zip([("c0/a0.npy", stream, 8, size, 0)])
    return {f"f{index}.json": record({0: refs_tree(0, 1)}), f"f{index}.c0.npz": npz}


def bombs_at_the_decode_share(index: int) -> dict:
    per_case = (DECODE_SHARE_BYTES - 4096) // CASES // 8 * 8
    npzs = {}
    for case in range(CASES):
        header = npy_header((per_case // 8,))
        data = header + bytes(per_case)
        npzs[f"f{index}.c{case}.npz"] = raw_zip([(f"c{case}/a0.npy", deflate_zeros(header, per_case), 8, len(data),
                                                  zlib.crc32(data))])
    return {f"f{index}.json": record({case: refs_tree(case, 1) for case in range(CASES)}), **npzs}


def huge_shapes(index: int) -> dict:
    header = npy_header((2**40,))  # 8 TiB of float64
    npzs = {f"f{index}.c{case}.npz": raw_zip([(f"c{case}/a0.npy", header, 0, len(header), zlib.crc32(header))])
            for case in range(CASES)}
    return {f"f{index}.json": record({case: refs_tree(case, 1) for case in range(CASES)}), **npzs}


def many_members(index: int) -> dict:
    """9,000 arrays in each of three cases (as many as the JSON cap lets a record name), every one referred to."""
    count, cases = 9_000, 3
    data = npy_header((2,)) + bytes(16)
    npzs = {f"f{index}.c{case}.npz": raw_zip([(f"c{case}/a{k}.npy", data, 0, len(data), zlib.crc32(data))
                                              for k in range(count)]) for case in range(cases)}
    return {f"f{index}.json": record({case: refs_tree(case, count) for case in range(cases)}), **npzs}


def deep_json(index: int) -> dict:
    return {f"f{index}.json": b"[" * (JSON_CAP_BYTES // 2) + b"]" * (JSON_CAP_BYTES // 2)}


def json_storm(index: int) -> dict:
    return {f"f{index}.json": b"[" + b"[]," * 149_000 + b"[]]"}  # brackets and commas just under the item cap


def json_of_many_values(index: int) -> dict:
    """Many small values, all kept as decoded values: 4 cases of 10,000 items (a value's most) each."""
    items = {"t": "list", "items": [{"t": "none"}] * 10_000}
    return {f"f{index}.json": record({case: items for case in range(CASES)})}


def everything_at_once(index: int) -> dict:
    """A record filled with small values besides an .npz filling the rest of the function's room."""
    items = {"t": "list", "items": [{"t": "none"}] * 10_000}
    json_bytes = record({0: refs_tree(0, 1), 1: items, 2: items, 3: items})
    members = stored_filling_the_archive(index, ROOM_BYTES - len(json_bytes))
    members[f"f{index}.json"] = json_bytes
    return members


SCENARIOS = {
    "honest-large-arrays": ("every function returns float64 arrays, the archive filled to output_bytes",
                            lambda: every_function(honest_large_arrays)),
    "stored-filling-archive": ("every function: one stored array, the archive filled to output_bytes",
                               lambda: every_function(stored_filling_the_archive)),
    "all-caps-at-once": ("every function: 30,000 small values in its record, a stored array filling the rest",
                         lambda: every_function(everything_at_once)),
    "bomb-2gib": ("DEFLATE bomb in fn0: 2 GiB of zeros in 2 MiB, declared truthfully",
                  lambda: {0: bomb(0, 2048 * MIB)}),
    "bomb-lying-size": ("DEFLATE bomb in fn0: 512 MiB of zeros, header and sizes declare 80 bytes",
                        lambda: {0: bomb(0, 512 * MIB, declared_bytes=80, shape=(10,))}),
    "bombs-at-decode-share": ("every function: DEFLATE arrays inflating to its whole decode allowance",
                              lambda: every_function(bombs_at_the_decode_share)),
    "huge-shapes": ("every case of every function: an .npy header declaring 8 TiB",
                    lambda: every_function(huge_shapes)),
    "many-members": ("every function: 3 cases x 9,000 arrays, all referred to",
                     lambda: every_function(many_members)),
    "deep-json": ("every f<i>.json: 480,000 nested brackets",
                  lambda: every_function(deep_json)),
    "json-storm": ("every f<i>.json: 149,000 empty lists, parsed (just under the item cap)",
                   lambda: every_function(json_storm)),
    "json-many-values": ("every f<i>.json: 4 x 10,000 small values, kept",
                         lambda: every_function(json_of_many_values)),
}


# -- measuring ---------------------------------------------------------------------------------------------------

def child(archive_path: str, decoder_path: str | None) -> None:
    """Runs in the child: load, note RSS, decode, report."""
    sys.path.insert(0, decoder_path or str(ROOT))
    from sandbox.results import ResultsError, read_results

    archive = Path(archive_path).read_bytes()
    before_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    try:
        runs = read_results(archive, JOB)
        verdicts = dict(Counter(run.status for run in runs.values()))
    except ResultsError as exc:
        verdicts = {f"ResultsError: {exc}"[:60]: 1}
    except BaseException as exc:  # what a crashed worker would die of
        verdicts = {f"CRASH {type(exc).__name__}: {exc}"[:60]: 1}
    print(json.dumps({"before_kib": before_kib, "seconds": time.perf_counter() - started, "verdicts": verdicts}))


def build(name: str, path: str) -> None:
    """Runs in a child: writes one scenario's archive."""
    Path(path).write_bytes(runner_archive(SCENARIOS[name][1]()))


def run_child(*arguments: str) -> tuple[bytes, int, resource.struct_rusage]:
    process = subprocess.Popen([sys.executable, __file__, *arguments], stdout=subprocess.PIPE, cwd="/")
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    process.stdout.close()
    return output, process.returncode, usage


def measure(name: str, decoder_path: str | None) -> dict:
    with tempfile.NamedTemporaryFile(prefix="gradebox-archive-", suffix=".zip") as handle:
        _, code, _ = run_child("--build", name, handle.name)
        if code:
            raise SystemExit(f"building {name} failed")
        size_bytes = os.path.getsize(handle.name)
        output, code, usage = run_child("--child", handle.name,
                                        *(["--decoder-path", decoder_path] if decoder_path else []))
    report = json.loads(output) if code == 0 else {"before_kib": 0, "seconds": 0.0,
                                                   "verdicts": {f"child exit {code}": 1}}
    return {**report, "peak_kib": usage.ru_maxrss, "size_bytes": size_bytes}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", choices=list(SCENARIOS))
    parser.add_argument("--decoder-path")
    parser.add_argument("--limit-mb", type=float, default=512.0)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--build", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.decoder_path)
        return 0
    if args.build:
        build(*args.build)
        return 0
    print(f"job: {FUNCTIONS} functions x {CASES} cases, output_bytes {OUTPUT_BYTES // MIB} MiB (decode allowance "
          f"{DECODE_SHARE_BYTES / MIB:.1f} MiB per function)\n")
    print("| archive | what | size | verdicts | decode | RSS before | peak RSS |")
    print("| --- | --- | ---: | --- | ---: | ---: | ---: |")
    worst = 0.0
    for name in args.only or SCENARIOS:
        description = SCENARIOS[name][0]
        result = measure(name, args.decoder_path)
        size = result["size_bytes"] / MIB
        peak_mb = result["peak_kib"] / 1024
        worst = max(worst, peak_mb)
        verdicts = ", ".join(f"{count} {status}" for status, count in sorted(result["verdicts"].items()))
        print(f"| {name} | {description} | {size:.2f} MiB | {verdicts} | {result['seconds'] * 1000:.0f} ms "
              f"| {result['before_kib'] / 1024:.0f} MB | {peak_mb:.0f} MB |", flush=True)
    verdict = "OK" if worst < args.limit_mb else "OVER"
    print(f"\nworst peak RSS: {worst:.0f} MB (limit {args.limit_mb:.0f} MB): {verdict}")
    return 0 if worst < args.limit_mb else 1


if __name__ == "__main__":
    sys.exit(main())
