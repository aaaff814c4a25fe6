"""What a case's process can see (DESIGN.md, "What a student's code can see"), tried from inside one, on both backends.

A spy, run as a visible case, reads every readable file, every other process's /proc fd, mem and environ, its own
whole memory and every object the garbage collector knows, looking for the inputs of every other case and their
expected outputs (three consecutive int64 values chosen here, searched at every byte offset without ever being
put together in the spy's memory) and for a line of the given code answering its stand-in. It finds none. The
same spy run on a hidden case finds that case's own input: the search works. It then signals every other process
and process group, and tries each blocked kernel route: all refused.
"""
from __future__ import annotations

import json
import secrets

import numpy as np
import pytest

from sandbox import wire
from sandbox.channel import PUBLIC_DIR
from sandbox.outcome import OK
from sandbox.results import read_results
from tests.sandbox.test_kernel_routes import PROBES, REFUSED, REFUSED_FOREIGN_ABI, ROUTES, kernel_refuses

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]

SECRET_HEAD, SECRET_TAIL = "gbx-given-code-", secrets.token_hex(6)  # joined only in the given code's source
GIVEN = f"""
NOTE = "{SECRET_HEAD}{SECRET_TAIL}"

def oracle(x):
    return x * 2 + len(NOTE) * 0
"""

SPY = r'''
import gc, json, os, signal
import numpy as np

TARGETS = {}  # name -> three int64 values that must never show up together
TEXT = ("gbx-given-code-", None)  # the tail is filled in below, on a line of its own


def search(data, where, found):
    if not isinstance(data, (bytes, bytearray, memoryview)) or len(data) < 24:
        return
    for name, (a, b, c) in TARGETS.items():
        for offset in range(8):
            count = (len(data) - offset) // 8
            if count < 3:
                continue
            view = np.frombuffer(data, dtype="<i8", count=count, offset=offset)
            for i in np.flatnonzero(view[:-2] == a):
                if view[i + 1] == b and view[i + 2] == c:
                    found.append([name, where])
                    break
    head, tail = TEXT[0].encode(), TEXT[1].encode()
    start = bytes(data).find(head) if len(data) < 2**26 else -1
    while start >= 0:
        if bytes(data[start + len(head):start + len(head) + len(tail)]) == tail:
            found.append(["given code", where])
            break
        start = bytes(data).find(head, start + 1)


def read_file(path, limit=64 * 2**20):
    """Up to `limit` bytes; a /proc file gives at most a page per read, so read until the end."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    try:
        chunks, size = [], 0
        while size < limit and (chunk := os.read(fd, min(limit - size, 2**20))):
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def every_file(found, report):
    for top, dirs, names in os.walk("/", followlinks=False):
        if top == "/":
            dirs[:] = [d for d in dirs if d not in ("proc", "sys", "dev")]
        for name in names:
            path = os.path.join(top, name)
            try:
                data = read_file(path)
            except OSError:
                continue
            report["files"] += 1
            report["file_bytes"] += len(data)
            search(data, path, found)


def memory_of(pid, found, report, where):
    """Every readable mapping of a process, through /proc/<pid>/mem."""
    try:
        maps = read_file(f"/proc/{pid}/maps").decode().splitlines()
        fd = os.open(f"/proc/{pid}/mem", os.O_RDONLY)
    except OSError as exc:
        return exc.errno
    try:
        for line in maps:
            span, perms = line.split()[:2]
            if "r" not in perms or line.endswith(("[vvar]", "[vsyscall]", "[vvar_vclock]")):
                continue
            start, end = (int(part, 16) for part in span.split("-"))
            for chunk in range(start, end, 2**24):
                try:
                    data = os.pread(fd, min(2**24, end - chunk), chunk)
                except OSError:
                    break
                report["memory_bytes"] += len(data)
                search(data, where, found)
        return "read"
    finally:
        os.close(fd)


def others(found, report):
    me = os.getpid()
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == me:
            continue
        pid = int(name)
        tried = report["processes"].setdefault(name, {})
        tried["mem"] = memory_of(pid, found, report, f"/proc/{pid}/mem")
        for part in ("environ", "cmdline"):
            try:
                search(read_file(f"/proc/{pid}/{part}"), f"/proc/{pid}/{part}", found)
                tried[part] = "read"
            except OSError as exc:
                tried[part] = exc.errno
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
            tried["fd"] = "listed"
        except OSError as exc:
            fds, tried["fd"] = [], exc.errno
        for fd in fds:
            try:
                search(read_file(f"/proc/{pid}/fd/{fd}"), f"/proc/{pid}/fd/{fd}", found)
                tried[f"fd {fd}"] = "read"
            except OSError as exc:
                tried[f"fd {fd}"] = exc.errno


def objects(found, report):
    gc.unfreeze()  # what the zygote froze is the bulk of it
    for obj in gc.get_objects():
        report["objects"] += 1
        if isinstance(obj, np.ndarray) and obj.dtype.kind in "iuf":
            search(np.ascontiguousarray(obj).tobytes(), "gc: array", found)
        elif isinstance(obj, (bytes, bytearray)):
            search(obj, "gc: bytes", found)
        elif isinstance(obj, str) and len(obj) > 20:
            search(obj.encode("utf-8", "replace"), "gc: str", found)


def signals(report):
    me = os.getpid()
    targets = [int(n) for n in os.listdir("/proc") if n.isdigit() and int(n) != me]
    for pid in targets:
        for target in (pid, -pid):
            try:
                os.kill(target, signal.SIGKILL)
                report["signals"][str(target)] = "sent"
            except OSError as exc:
                report["signals"][str(target)] = exc.errno
    try:
        os.kill(-1, signal.SIGKILL)
        report["signals"]["-1"] = "sent"
    except OSError as exc:
        report["signals"]["-1"] = exc.errno
    for pid in targets:  # join another process's group, to signal it as a member of the group
        try:
            os.setpgid(0, os.getpgid(pid))
            report["joined"][str(pid)] = "joined"
        except OSError as exc:
            report["joined"][str(pid)] = exc.errno


def spy(marker):
    import ctypes

    ctypes.CDLL(None).prctl(4, 1, 0, 0, 0)  # PR_SET_DUMPABLE: its own /proc/self/mem becomes readable to it
    found = []
    report = {"files": 0, "file_bytes": 0, "memory_bytes": 0, "objects": 0, "processes": {}, "signals": {},
              "joined": {}, "pids": sorted(int(n) for n in os.listdir("/proc") if n.isdigit())}
    report["oracle"] = oracle(3.0)  # the stand-in's helper is alive while we look
    every_file(found, report)
    others(found, report)
    memory_of("self", found, report, "own memory")
    objects(found, report)
    signals(report)
    report["routes"] = {name: globals()[name]() for name in ROUTE_NAMES}
    report["found"] = found
    report["marker_sum"] = int(np.asarray(marker).sum())
    return json.dumps(report)


def oracle(x):
    return 0.0  # replaced by the stand-in
'''


def markers() -> np.ndarray:
    return np.array([secrets.randbits(62) + 1 for _ in range(3)] + [7, 8, 9], dtype=np.int64)


def triple(values: np.ndarray) -> list[int]:
    return [int(v) for v in values[:3]]


def write_spy_job(job_dir, targets: dict, inputs: dict) -> dict:
    """One function before the spy, the spy (a visible case, then a hidden one), one after; all inputs distinct."""
    import h5py

    public = job_dir / PUBLIC_DIR
    public.mkdir(parents=True)
    spy_source = SPY.replace('TEXT = ("gbx-given-code-", None)',
                             f'TEXT = ("gbx-given-code-", None)\nTEXT = (TEXT[0], "{SECRET_TAIL}")')
    spy_source = spy_source.replace("TARGETS = {}", f"TARGETS = {json.dumps(targets)}")
    (public / "submission.py").write_text(PROBES + f"\nROUTE_NAMES = {ROUTES!r}\n" + spy_source +
                                          "\n\ndef triple_before(x):\n    return x * 3\n"
                                          "\n\ndef triple_after(x):\n    return x * 3\n")
    job = {"version": 3, "submission": "submission.py", "functions": [], "callee_sources": {"given": GIVEN},
           "limits": {"memory_mb": 1024, "cpu_s": 60, "output_bytes": 2**26}}
    layout = [("triple_before", [("before", False)]), ("spy", [("visible", False), ("hidden", True)]),
              ("triple_after", [("after", False)])]
    with h5py.File(job_dir / "inputs.h5", "w") as h5:
        for f, (name, cases) in enumerate(layout):
            entry = {"name": name, "wall_s": 120.0, "cases": []}
            for c, (label, hidden) in enumerate(cases):
                case = {"id": label, "args": wire.write_h5_tree(h5, (inputs[label],), name=f"f{f}/c{c}")}
                if hidden:
                    case["hidden"] = True
                if name == "spy":
                    case["callees"] = {"oracle": ["given", "oracle"]}
                entry["cases"].append(case)
            job["functions"].append(entry)
    (job_dir / "job.json").write_text(json.dumps(job))
    return job


def test_a_case_sees_no_other_case_no_expected_value_and_no_given_code(sandbox_backend, job_dir):
    inputs = {label: markers() for label in ("before", "visible", "hidden", "after")}
    targets = {}
    for label in ("before", "hidden", "after"):
        targets[f"{label} input"] = triple(inputs[label])
        targets[f"{label} expected"] = triple(inputs[label] * 3)
    job = write_spy_job(job_dir, targets, inputs)
    sandbox_backend.wall_s = 600.0
    outcome = sandbox_backend.run(job_dir)
    assert outcome.status == OK, outcome.stderr[-2000:]
    runs = read_results(outcome.archive, job)
    visible, hidden = (json.loads(case.value) for case in runs["spy"].cases)

    # it looked everywhere it could
    assert visible["oracle"] == 6.0 and visible["files"] > 1000 and visible["memory_bytes"] > 2**24
    assert visible["objects"] > 10_000 and len(visible["pids"]) >= 3  # the runner, the zygote, the helper, itself
    # ... and found nothing of anyone else's
    assert visible["found"] == []
    # the search works: on the hidden case, the same spy finds that case's own input in its own process
    assert {"hidden input"} == {name for name, _ in hidden["found"]}
    assert {where for _, where in hidden["found"]} >= {"own memory"}

    for pid, tried in visible["processes"].items():
        assert tried["mem"] != "read" and tried["environ"] != "read" and tried["fd"] != "listed", (pid, tried)
    assert visible["signals"] and all(result != "sent" for result in visible["signals"].values()), visible["signals"]
    assert all(result != "joined" for result in visible["joined"].values()), visible["joined"]
    for route, said in visible["routes"].items():
        refused = REFUSED_FOREIGN_ABI if route.startswith("compat_") else REFUSED
        assert said in refused or kernel_refuses(route), (route, said)
    # the honest functions around the spy are untouched
    for name, label in (("triple_before", "before"), ("triple_after", "after")):
        assert [case.value.tolist() for case in runs[name].cases] == [(inputs[label] * 3).tolist()]
