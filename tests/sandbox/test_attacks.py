"""Attacks on the sandbox's trust boundary, on both backends: each is held.

- A hidden case tries to leave its inputs where a later visible case could read them back: a System V message
  queue, a POSIX message queue (refused by the case filter), /dev/shm and /dev (read-only under bwrap, absent or
  root's under Docker).
- A case tries to lower the runner's address space with prlimit(2) (same uid): refused by the case filter, so
  the run never ends as a sandbox_error charged to the platform.
- Every function's case reports as many setup errors as it can, each as long as it can: they are bounded and
  counted in the function's share, so the archive stays within output_bytes.
"""
from __future__ import annotations

import json
import textwrap

import h5py
import numpy as np
import pytest

from sandbox import wire
from sandbox.channel import PUBLIC_DIR
from sandbox.outcome import OK
from sandbox.results import read_results

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]


def write_cases_job(job_dir, source: str, layout: list, output_bytes: int = 2**26) -> dict:
    """layout: [(function name, [(case id, hidden, args tuple)])]; hidden cases are marked as the grader marks them."""
    public = job_dir / PUBLIC_DIR
    public.mkdir(parents=True)
    (public / "submission.py").write_text(textwrap.dedent(source))
    job = {"version": 3, "submission": "submission.py", "functions": [],
           "limits": {"memory_mb": 512, "cpu_s": 10, "output_bytes": output_bytes}}
    with h5py.File(job_dir / "inputs.h5", "w") as h5:
        for f, (name, cases) in enumerate(layout):
            entry = {"name": name, "wall_s": 10.0, "cases": []}
            for c, (case_id, hidden, args) in enumerate(cases):
                case = {"id": case_id, "args": wire.write_h5_tree(h5, tuple(args), name=f"f{f}/c{c}")}
                if hidden:
                    case["hidden"] = True
                entry["cases"].append(case)
            job["functions"].append(entry)
    (job_dir / "job.json").write_text(json.dumps(job))
    return job


CARRIER = """
import ctypes, json, os
import numpy as np

def stash(x):
    libc = ctypes.CDLL(None, use_errno=True)
    data = json.dumps(np.asarray(x).tolist()).encode()
    for path in ("/dev/shm/carried", "/dev/carried"):
        try:
            with open(path, "ab") as handle:
                handle.write(data + b"\\n")
        except OSError:
            pass
    queue = libc.msgget(0x6762, 0o1666)
    if queue >= 0:
        buffer = ctypes.create_string_buffer(8 + len(data))
        ctypes.memmove(buffer, ctypes.byref(ctypes.c_long(1)), 8)
        ctypes.memmove(ctypes.addressof(buffer) + 8, data, len(data))
        libc.msgsnd(queue, buffer, len(data), 0o4000)
    mq = libc.mq_open(b"/carried", 0o100 | 0o1 | 0o4000, 0o666, None)
    if mq >= 0:
        libc.mq_send(mq, data, len(data), 0)
    return x

def collect(x):
    libc = ctypes.CDLL(None, use_errno=True)
    found = []
    for path in ("/dev/shm/carried", "/dev/carried"):
        try:
            with open(path) as handle:
                found += handle.read().splitlines()
        except OSError:
            pass
    queue, buffer = libc.msgget(0x6762, 0o666), ctypes.create_string_buffer(8 + 4096)
    while queue >= 0 and (size := libc.msgrcv(queue, buffer, 4096, 0, 0o4000)) >= 0:
        found.append(buffer.raw[8:8 + size].decode())
    mq, buffer = libc.mq_open(b"/carried", 0o4000, 0, None), ctypes.create_string_buffer(8192)
    while mq >= 0 and (size := libc.mq_receive(mq, buffer, 8192, None)) >= 0:
        found.append(buffer.raw[:size].decode())
    return json.dumps(found)
"""


def test_hidden_inputs_do_not_outlive_their_case(sandbox_backend, job_dir):
    secret = [float(v) for v in np.random.default_rng().integers(10**6, 10**7, size=3)]
    job = write_cases_job(job_dir, CARRIER, [
        ("stash", [("published", False, (np.array([1.0]),)), ("hidden", True, (np.array(secret),))]),
        ("collect", [("published", False, (0,))]),
    ])
    outcome = sandbox_backend.run(job_dir)
    assert outcome.status == OK, outcome.stderr[-2000:]
    carried = json.loads(read_results(outcome.archive, job)["collect"].cases[0].value)
    assert json.dumps(secret) not in carried, carried


PRLIMIT = """
import resource

def lowers_the_runner(x):
    resource.prlimit(1, resource.RLIMIT_AS, (50 * 2**20, 50 * 2**20))
    return x

def honest(x):
    return x * 2
"""


def test_a_case_cannot_lower_the_runner_limits(sandbox_backend, job_dir):
    job = write_cases_job(job_dir, PRLIMIT, [
        ("lowers_the_runner", [("published", False, (1,)), ("hidden", True, (2,))]),
        ("honest", [("published", False, (3,))]),
    ])
    outcome = sandbox_backend.run(job_dir)
    assert outcome.status == OK, outcome.stderr[-2000:]
    assert read_results(outcome.archive, job)["honest"].cases[0].value == 6


OVERFILL = """
import json, os, struct, sys

def overfill(x):
    frame = sys._getframe(1)
    while frame is not None and type(frame.f_locals.get("self")).__name__ != "CaseProcess":
        frame = frame.f_back
    case_process = frame.f_locals["self"]
    request = case_process.request
    cap = int(request["json_bytes"]) + int(request["array_bytes"]) + 64
    errors = [{"line": 1, "source": "s", "error": "e" * 9300}] * 100 if request["case"] == 0 else []
    report = json.dumps({"setup_errors": errors, "case": {"status": "ok", "value": {"t": "none"}}}).encode()
    arrays = bytes(max(cap - len(report) - 16 - 128, 0))
    data = memoryview(struct.pack(">Q", len(report)) + report + struct.pack(">Q", len(arrays)) + arrays)
    while data:
        data = data[os.write(case_process.result_fd, data):]
    os._exit(0)
"""


def test_reported_setup_errors_cannot_push_the_archive_past_output_bytes(sandbox_backend, job_dir):
    source = OVERFILL + "".join(f"\n\ndef f{i}(x):\n    overfill(x)\n" for i in range(6))
    output_bytes = 2**26
    sandbox_backend.output_bytes = output_bytes
    write_cases_job(job_dir, source, [(f"f{i}", [("published", False, (1,)), ("hidden", True, (2,))])
                                      for i in range(6)], output_bytes=output_bytes)
    outcome = sandbox_backend.run(job_dir)
    assert outcome.status == OK, outcome.stderr[-2000:]
