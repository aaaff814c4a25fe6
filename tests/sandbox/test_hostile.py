"""Hostile submissions, run against both backends: each is contained, and the honest functions beside it still pass.

Every submission holds an honest function before the attack and one after it (each function runs in its own
child, in job order), so an attack that damaged the sandbox for later functions would fail the second one.
Containment is checked from the host: the job directory and a canary file outside it are unchanged, a
listener on the host's loopback saw no connection, and no container or process of the run is left.
"""
from __future__ import annotations

import hashlib
import os
import socket
import tempfile
import textwrap
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pytest

from sandbox.outcome import OK
from sandbox.results import read_results

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
HOST_SECRET = "gradebox-host-secret-4b1d"  # in the worker's environment; must never show up inside
FUNCTION_WALL_S = 2.0

HONEST = '''
import numpy as np

def relu(z):
    return np.maximum(0, z)

def update_parameters_with_gd(parameters, grads, learning_rate):
    return {name: value - learning_rate * grads["d" + name] for name, value in parameters.items()}
'''


@dataclass
class Hostile:
    id: str
    source: str  # defines attack(x, port, canary); the honest answer would be x * 2
    verdict: tuple  # acceptable verdicts for the attack: "error", "timeout", "failed"
    says: str = ""  # the verdict's message must contain this
    check: Callable | None = None  # more about the attack's result: check(run, context)


def attack(body: str) -> str:
    return "import os, sys, time, socket, signal, threading\nimport numpy as np\n\ndef attack(x, port, canary):\n" + \
        textwrap.indent(textwrap.dedent(body).strip("\n"), "    ") + "\n"


def value(run):
    return run.cases[0].value if run.cases else None


def only_loopback(run, ctx):
    assert value(run) == ["lo"]


def no_host_passwd(run, ctx):
    inside = set(value(run).splitlines())
    host_only = set(Path("/etc/passwd").read_text().splitlines()) - set((ctx.rootfs / "etc/passwd").read_text().splitlines())
    assert not inside & host_only


def no_host_environment(run, ctx):
    seen = value(run)
    assert HOST_SECRET not in repr(seen) and "DJANGO_SETTINGS_MODULE" not in seen
    assert set(seen) <= {"PATH", "HOME", "TMPDIR", "LANG", "GRADEBOX_KILL_STRAYS", "HOSTNAME", "PWD",
                         "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "PYTHONDONTWRITEBYTECODE"}


def assert_refused(run):
    assert value(run) == "refused"


def secret_not_leaked(run, ctx):
    assert HOST_SECRET not in repr(value(run)) and HOST_SECRET not in run.output


def found_nothing(run, ctx):
    assert value(run) == []


def prints_stay_in_the_output(run, ctx):
    assert "All tests passed" in run.output and len(run.output) <= 4096


def output_is_capped(run, ctx):
    assert len(run.output) <= 4096


def echoed_inside(run, ctx):
    assert value(run) == "ping"


def refused_everywhere(run, ctx):
    assert value(run) == ["refused"] * 4


HOSTILE = [
    # time and processes
    Hostile("infinite_loop", attack("while True:\n    pass"), ("timeout",)),
    Hostile("sleep_forever", attack("time.sleep(10**6)"), ("timeout",)),
    Hostile("ignores_sigterm_and_sigint", attack("""
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGXCPU, signal.SIG_IGN)
        while True:
            pass
    """), ("timeout",)),
    Hostile("fork_bomb", attack("""
        while True:
            try:
                os.fork()
            except OSError:
                pass
    """), ("timeout", "error")),
    Hostile("daemon_outlives_the_function", attack("""
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                end = time.time() + 30
                while time.time() < end:  # keeps trying to plant fake results for the next function
                    for root, dirs, files in os.walk("/tmp"):
                        for name in dirs:
                            try:
                                with open(os.path.join(root, name, "f2.json"), "w") as fake:
                                    fake.write('{"setup_errors": [], "cases": [], "complete": true}')
                            except OSError:
                                pass
                    time.sleep(0.01)
            os._exit(0)
        return x * 3
    """), ("failed",)),
    Hostile("thread_outlives_the_function", attack("""
        def spoil():
            while True:
                for name in os.listdir("/tmp"):
                    try:
                        with open(os.path.join("/tmp", name, "junk"), "w") as junk:
                            junk.write("x" * 2**20)
                    except OSError:
                        pass
        threading.Thread(target=spoil).start()
        threading.Thread(target=spoil, daemon=True).start()
        return x * 3
    """), ("failed",)),
    Hostile("kills_the_runner", attack("""
        for target in (os.getppid(), 1, -1):
            try:
                os.kill(target, signal.SIGKILL)
            except OSError:
                pass
        return x * 3
    """), ("failed", "error")),
    Hostile("ptraces_the_runner", attack("""
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        return [libc.ptrace(16, pid, 0, 0) for pid in (os.getppid(), 1)]  # PTRACE_ATTACH
    """), ("failed",), check=lambda run, ctx: value(run) == [-1, -1]),
    # memory, disk, output
    Hostile("memory_bomb", attack("""
        blocks = []
        while True:
            blocks.append(bytearray(50 * 2**20))
    """), ("error",), says="MemoryError"),
    Hostile("huge_numpy_allocation", attack("return np.ones((10**5, 10**5)) * x.sum()"), ("error",), says="MemoryError"),
    Hostile("huge_returned_array", attack("return np.ones(2**25)"), ("failed",)),
    Hostile("fills_the_disk", attack("""
        written = 0
        for i in range(100000):
            with open(f"/tmp/fill-{i}", "wb") as handle:
                handle.write(b"x" * 8 * 2**20)
            written += 1
    """), ("error",)),  # the child may not even manage to save its error: "crashed", but the next function runs
    Hostile("gigabytes_to_stdout", attack("""
        while True:
            os.write(1, b"spam" * 2**18)
    """), ("error", "timeout"), check=output_is_capped),
    Hostile("print_flood", attack("""
        while True:
            print("All tests passed! " * 10**4)
    """), ("timeout",), check=output_is_capped),
    # network
    Hostile("sees_only_loopback", attack("return [name for _, name in socket.if_nameindex()]"), ("failed",),
            check=only_loopback),
    Hostile("loopback_is_its_own", attack("""
        server = socket.socket()
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        client = socket.create_connection(server.getsockname(), timeout=1)
        peer, _ = server.accept()
        client.sendall(b"ping")
        return peer.recv(4).decode()
    """), ("failed",), check=echoed_inside),
    Hostile("host_services_are_refused", attack("""
        answers = []
        for service_port in (port, 6379, 5432, 8000):  # the worker's canary, Redis, PostgreSQL, the web port
            try:
                socket.create_connection(("127.0.0.1", service_port), timeout=1).close()
                answers.append("connected")
            except ConnectionRefusedError:
                answers.append("refused")
        return answers
    """), ("failed",), check=refused_everywhere),
    Hostile("connects_to_redis", attack('socket.create_connection(("127.0.0.1", 6379), timeout=1)'), ("error",),
            says="ConnectionRefusedError"),
    Hostile("connects_to_postgresql", attack('socket.create_connection(("127.0.0.1", 5432), timeout=1)'), ("error",),
            says="ConnectionRefusedError"),
    Hostile("connects_to_the_web_port", attack('socket.create_connection(("127.0.0.1", 8000), timeout=1)'),
            ("error",), says="ConnectionRefusedError"),
    Hostile("udp_to_the_host", attack("""
        sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        return sender.sendto(b"leak", ("127.0.0.1", port))
    """), ("failed", "error")),
    # files and secrets
    Hostile("reads_etc_passwd", attack('return open("/etc/passwd").read()'), ("failed",), check=no_host_passwd),
    # The invariant is that nothing of the host is read, whatever errno says so (a checkout under /root meets
    # the sandbox's own /root and gets PermissionError rather than FileNotFoundError).
    Hostile("reads_the_worker_settings", attack(f"""
        try:
            return open("{ROOT / "grader" / "settings.py"}").read()
        except OSError:
            return "refused"
    """), ("failed",), check=lambda run, ctx: assert_refused(run)),
    Hostile("reads_the_host_canary", attack("""
        try:
            return open(canary).read()
        except OSError:
            return "refused"
    """), ("failed",), check=lambda run, ctx: assert_refused(run)),
    Hostile("reads_environment_variables", attack("return dict(os.environ)"), ("failed",), check=no_host_environment),
    Hostile("reads_the_runner_environment", attack("""
        found = []
        for pid in {os.getppid(), 1}:
            try:
                found.append(open(f"/proc/{pid}/environ").read())
            except OSError as exc:
                found.append(type(exc).__name__)
        return found
    """), ("failed",), check=secret_not_leaked),
    Hostile("looks_for_the_reference_and_expected_outputs", attack("""
        found = []
        for top in ("/", ):
            for root, dirs, files in os.walk(top):
                dirs[:] = [d for d in dirs if os.path.join(root, d) not in ("/proc", "/sys", "/dev", "/usr", "/job")]
                for name in dirs + files:
                    if name.startswith(("reference", "expected", "gradebox", "mistakes")) or name.endswith(".h5"):
                        found.append(os.path.join(root, name))
        return [path for path in found if not path.startswith(("/opt/gradebox", "/tmp/f", "/tmp/gradebox"))
                and path != "/.gradebox-rootfs.json"]
    """), ("failed",), check=found_nothing),
    Hostile("imports_the_reference", attack("import reference.optimization as ref\nreturn ref"), ("error",),
            says="ModuleNotFoundError"),
    Hostile("lists_the_expected_outputs_cache", attack('return os.listdir("/var/cache/gradebox/expected")'), ("error",),
            says="FileNotFoundError"),
    Hostile("talks_to_the_docker_socket", attack("""
        client = socket.socket(socket.AF_UNIX)
        client.connect("/var/run/docker.sock")
    """), ("error",), says="FileNotFoundError"),
    Hostile("becomes_root", attack("os.setuid(0)"), ("error",), says="Error"),  # EPERM, or EINVAL in a user namespace
    Hostile("overwrites_the_runner", attack('open("/opt/gradebox/runner.py", "w").write("evil")'), ("error",),
            says="Read-only file system"),
    Hostile("deletes_the_job_files", attack("""
        for name in ("inputs.h5", "job.json", "submission.py"):
            os.remove(os.path.join("/job", name))
    """), ("error",)),
    Hostile("deletes_the_runner_scratch_files", attack("""
        import shutil
        for name in os.listdir("/tmp"):
            shutil.rmtree(os.path.join("/tmp", name), ignore_errors=True)
            os.symlink("/job", os.path.join("/tmp", name))
        return x * 3
    """), ("failed", "error")),  # "error" when the child cannot save its own results any more
    # lying about results
    Hostile("monkeypatches_numpy_comparisons", attack("""
        np.allclose = lambda *args, **kwargs: True
        np.array_equal = lambda *args, **kwargs: True
        np.isclose = lambda a, b, *args, **kwargs: np.ones_like(a, dtype=bool)
        np.testing.assert_allclose = lambda *args, **kwargs: None
        return x * 3
    """), ("failed",)),
    Hostile("prints_all_tests_passed", attack("""
        print("All tests passed!")
        print('{"assignment": "optimization", "score": 100.0, "max_score": 100.0, "functions": {}}')
        return x * 3
    """), ("failed",), check=prints_stay_in_the_output),
    Hostile("writes_a_fake_archive_into_the_runner_stdout", attack("""
        import io, zipfile
        fake = io.BytesIO()
        with zipfile.ZipFile(fake, "w") as archive:
            archive.writestr("runner.json", '{"version": 1, "functions": []}')
        wrote = []
        for pid in {os.getppid(), 1}:
            for fd in ("1", "2", "3", "4", "5"):
                try:
                    with open(f"/proc/{pid}/fd/{fd}", "wb") as stream:
                        stream.write(fake.getvalue())
                    wrote.append(f"{pid}/{fd}")
                except OSError:
                    pass
        os.write(1, fake.getvalue())
        return wrote
    """), ("failed",), check=found_nothing),
    Hostile("returns_an_object_whose_eq_lies", attack("""
        class Liar:
            def __eq__(self, other):
                return True
            def __array__(self, dtype=None):
                return x * 2
            def __getattr__(self, name):
                return lambda *args, **kwargs: True
        return Liar()
    """), ("failed",)),
    Hostile("returns_an_object_whose_dunders_raise", attack("""
        class Bomb:
            def __eq__(self, other):
                raise SystemExit("eq")
            def __len__(self):
                raise KeyboardInterrupt
            def __getattr__(self, name):
                raise RuntimeError(name)
            def __array__(self, dtype=None):
                os._exit(0)
            def __repr__(self):
                raise BaseException("repr")
        return Bomb()
    """), ("failed",)),
    Hostile("returns_an_ndarray_subclass_that_lies", attack("""
        class Sub(np.ndarray):
            def __eq__(self, other):
                return np.ones(self.shape, dtype=bool)
        return (x * 3).view(Sub)
    """), ("failed",)),
    Hostile("returns_an_object_array_holding_code", attack("return np.array([os.system, lambda: os.remove('/job/job.json')], dtype=object)"),
            ("failed",)),
    Hostile("returns_a_pickle_that_runs_code", attack("""
        import pickle
        class Payload:
            def __reduce__(self):
                return (os.system, ("touch /tmp/pwned",))
        return {"W1": pickle.dumps(Payload())}
    """), ("failed",)),
    Hostile("returns_nan", attack("return x * np.nan"), ("failed",)),
    Hostile("returns_inf", attack("return np.full_like(x, np.inf)"), ("failed",)),
    Hostile("mutates_the_inputs_after_returning", attack("""
        def mutate():
            for _ in range(10**5):
                x[...] = -1
        threading.Thread(target=mutate, daemon=True).start()
        return x
    """), ("failed",)),
    # ways out
    Hostile("os_exit_0", attack("os._exit(0)"), ("error",), says="crashed"),
    Hostile("sys_exit", attack("sys.exit(0)"), ("error",), says="SystemExit"),
    Hostile("raises_system_exit", attack("raise SystemExit(3)"), ("error",), says="SystemExit"),
    Hostile("raises_keyboard_interrupt", attack("raise KeyboardInterrupt"), ("error",), says="KeyboardInterrupt"),
    Hostile("raises_base_exception", attack('raise BaseException("bye")'), ("error",), says="BaseException"),
    Hostile("deep_recursion", attack("""
        def deeper(n):
            return deeper(n + 1) + 1
        return deeper(0)
    """), ("error",), says="RecursionError"),
    Hostile("c_stack_overflow", attack("""
        sys.setrecursionlimit(10**8)
        def deeper(n):
            return deeper(n + 1) + 1
        return deeper(0)
    """), ("error", "timeout")),  # Python frames (3.11 and later) live on the heap: MemoryError, or slow enough to time out
    Hostile("segfault_via_ctypes", attack("import ctypes\nreturn ctypes.string_at(0)"), ("error",), says="signal 11"),
    # The student's process can reach its own result files: what it writes there is its own verdict, never the
    # runner's crash or an archive past the limit ("a problem on our side", retried).
    Hostile("writes_a_deeply_nested_result_file", attack("""
        import glob
        for path in glob.glob("/tmp/gradebox-*/f*/f*.json"):
            with open(path, "w") as handle:
                handle.write("[" * 100000 + "]" * 100000)
        os._exit(0)
    """), ("error",)),
    Hostile("fills_every_result_file_to_its_cap", attack("""
        import glob
        for folder in glob.glob("/tmp/gradebox-*/f*"):
            name = os.path.basename(folder).split("-")[0]
            for suffix in [".json", ".out"] + [f".c{i}.npz" for i in range(4)]:
                try:
                    with open(os.path.join(folder, name + suffix), "wb") as handle:
                        for _ in range(512):
                            handle.write(b"\\0" * 2**20)
                except OSError:
                    pass
        os._exit(0)
    """), ("error", "timeout")),
]


# -- the host side: what a worker would do with the results, and what it checks around the run -------------------


def verdict(run, expected) -> tuple[str, str]:
    """A strict host-side judgement with our own NumPy: nothing from the sandbox is taken on trust."""
    if run is None:
        return "error", "no result at all"
    if run.status == "timeout":
        return "timeout", f"{run.name} ran past its time limit"
    if run.status != "ok":
        return "error", f"{run.name} crashed (exit {run.exit_code}, signal {run.signal})"
    case = run.cases[0] if run.cases else None
    if case is None or case.status != "ok":
        error = (case.error or {}) if case else {}
        return "error", f"{run.name} raised {error.get('type')}: {error.get('message')}"
    if same(case.value, expected):
        return "passed", ""
    return "failed", f"{run.name} returned {type(case.value).__name__}, not the expected value"


def same(actual, expected) -> bool:
    if isinstance(expected, np.ndarray):
        return type(actual) is np.ndarray and actual.shape == expected.shape and bool(
            np.allclose(actual, expected, rtol=1e-7, atol=0, equal_nan=False))
    if isinstance(expected, dict):
        return type(actual) is dict and actual.keys() == expected.keys() and all(
            same(actual[k], expected[k]) for k in expected)
    return type(actual) is type(expected) and actual == expected


class HostListener:
    """A TCP and a UDP socket on the host's loopback; the sandbox must never reach them."""

    def __init__(self):
        self.tcp = socket.socket()
        self.tcp.bind(("127.0.0.1", 0))
        self.tcp.listen(8)
        self.port = self.tcp.getsockname()[1]
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", self.port))
        self.udp.setblocking(False)
        self.accepted = 0
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.tcp.accept()
            except OSError:
                return
            self.accepted += 1
            connection.close()

    def datagrams(self) -> int:
        count = 0
        while True:
            try:
                self.udp.recv(64)
                count += 1
            except BlockingIOError:
                return count

    def close(self):
        self.tcp.close()
        self.udp.close()


def snapshot(directory: Path) -> dict:
    return {str(p.relative_to(directory)): (p.stat().st_mode, hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "")
            for p in sorted(directory.rglob("*"))}


def descendants(pid: int) -> list[int]:
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int(next(line for line in (entry / "status").read_text().splitlines()
                                if line.startswith("PPid:")).split()[1])
            except (OSError, StopIteration, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def assert_nothing_left(backend, used_before: set) -> None:
    """No container or process of the run remains (the pool's fresh, idle containers excepted)."""
    if backend.name == "docker":
        pool = backend._pool
        pool.drain()
        assert pool.wait_until_full(), "the warm pool did not refill"
        ours = {c["Id"] for c in backend.client().api.containers(
            all=True, filters={"label": f"org.gradebox.owner={backend._owner}"})}
        ready = {sandbox.id for sandbox in pool.ready}
        assert ours == ready, "a container of the run was left behind"
        assert not used_before - ready - ours or all(
            not Path(f"/sys/fs/cgroup/pids/docker/{cid}").exists() for cid in used_before - ready)
        for cid in ready:  # an idle warm container holds exactly its waiting runner and the runner's zygote
            procs = Path(f"/sys/fs/cgroup/pids/docker/{cid}/cgroup.procs")
            if procs.exists():
                assert len(procs.read_text().split()) == 2
    else:
        assert [pid for pid in descendants(os.getpid()) if _uid(pid) == backend.host_uid] == []


def _uid(pid: int) -> int | None:
    try:
        return Path(f"/proc/{pid}").stat().st_uid
    except OSError:
        return None


@dataclass
class Context:
    rootfs: Path


@pytest.fixture
def canary():
    """A world-readable file outside the job: only the sandbox's own file system view keeps it out of reach."""
    directory = Path(tempfile.mkdtemp(prefix="gradebox-canary-"))
    directory.chmod(0o777)
    path = directory / "canary.txt"
    path.write_text(HOST_SECRET)
    path.chmod(0o666)
    yield path
    path.unlink(missing_ok=True)
    directory.rmdir()


@pytest.fixture
def listener():
    host = HostListener()
    yield host
    host.close()


@pytest.mark.parametrize("hostile", HOSTILE, ids=lambda case: case.id)
def test_hostile_submission_is_contained(hostile, sandbox_backend, sandbox_rootfs, job_dir, build_job, canary,
                                         listener, monkeypatch):
    monkeypatch.setenv("GRADEBOX_HOST_SECRET", HOST_SECRET)
    x = np.arange(6.0).reshape(2, 3)
    parameters = {"W1": np.ones((2, 3)), "b1": np.zeros((2, 1))}
    grads = {"dW1": np.full((2, 3), 0.5), "db1": np.full((2, 1), 2.0)}
    job = build_job(job_dir, HONEST + "\n" + hostile.source, {
        "relu": [(x - 2,)],
        "attack": [(x, listener.port, str(canary))],
        "update_parameters_with_gd": [(parameters, grads, 0.1)],
    }, wall_s=FUNCTION_WALL_S, limits={"memory_mb": sandbox_backend.memory_mb})  # as the pipeline writes it
    before = snapshot(job_dir)
    used_before = {s.id for s in sandbox_backend._pool.ready} if sandbox_backend.name == "docker" else set()

    outcome = sandbox_backend.run(job_dir)

    assert outcome.status == OK, f"the sandbox itself failed: {outcome.status} {outcome.stderr[-500:]}"
    runs = read_results(outcome.archive, job)
    status, message = verdict(runs.get("attack"), x * 2)
    assert status in hostile.verdict, f"attack: {status} {message}"
    assert message and hostile.says in message
    if hostile.check:
        hostile.check(runs["attack"], Context(sandbox_rootfs))
    assert verdict(runs.get("relu"), np.maximum(0, x - 2)) == ("passed", "")
    assert verdict(runs.get("update_parameters_with_gd"), {"W1": np.full((2, 3), 0.95), "b1": np.full((2, 1), -0.2)}) \
        == ("passed", ""), runs["update_parameters_with_gd"]
    # the host is untouched
    assert snapshot(job_dir) == before
    assert canary.read_text() == HOST_SECRET and [p.name for p in canary.parent.iterdir()] == ["canary.txt"]
    assert listener.accepted == 0 and listener.datagrams() == 0
    assert not Path("/tmp/pwned").exists()
    assert_nothing_left(sandbox_backend, used_before)


def test_there_are_at_least_thirty_hostile_submissions():
    assert len(HOSTILE) >= 30 and len({case.id for case in HOSTILE}) == len(HOSTILE)
