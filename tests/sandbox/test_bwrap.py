"""The real sandbox: bubblewrap over the debootstrap root filesystem (first build takes about a minute)."""
import os
import time
from pathlib import Path

import numpy as np
import pytest

from sandbox.backends import BackendUnavailable, BwrapBackend, make_backend
from sandbox.backends.cgroup import CgroupV1
from sandbox.outcome import OK, TIMEOUT
from sandbox.results import read_results
from sandbox.rootfs import ensure_rootfs, numpy_version


@pytest.fixture(scope="session")
def rootfs() -> Path:
    return ensure_rootfs(Path(os.environ.get("GRADER_CACHE_DIR", "/var/cache/gradebox")))


@pytest.fixture
def backend(rootfs) -> BwrapBackend:
    return make_backend("bwrap", rootfs=rootfs, wall_s=30.0, max_processes=32, memory_mb=512)


@pytest.fixture
def grade(backend, job_dir, build_job):
    def grade(source, functions, **options):
        job = build_job(job_dir, source, functions, **options)
        outcome = backend.run(job_dir)
        assert outcome.status == OK, outcome.stderr
        return read_results(outcome.archive, job)
    return grade


@pytest.mark.sandbox
def test_trivial_job_runs(backend, job_dir, build_job):
    job = build_job(job_dir, "def f(x):\n    return x + 1\n", {"f": [(np.ones(2),)]})
    outcome = backend.run(job_dir)
    assert outcome.status == OK, outcome.stderr
    np.testing.assert_array_equal(read_results(outcome.archive, job)["f"].cases[0].value, [2.0, 2.0])


@pytest.mark.sandbox
def test_student_and_reference_share_the_rootfs_numpy(grade, backend, rootfs):
    runs = grade("import numpy as np\ndef version():\n    return np.__version__\n", {"version": [()]})
    assert runs["version"].cases[0].value == numpy_version(rootfs) == backend.numpy_version
    assert backend.image_id == rootfs.name


@pytest.mark.sandbox
def test_no_network_interface_but_lo(grade):
    runs = grade("""
        import socket
        def interfaces():
            return [name for _, name in socket.if_nameindex()]
        def connect():
            socket.create_connection(("1.1.1.1", 80), timeout=1)
    """, {"interfaces": [()], "connect": [()]})
    assert runs["interfaces"].cases[0].value == ["lo"]
    assert runs["connect"].cases[0].error["type"] in ("OSError", "TimeoutError")


@pytest.mark.sandbox
def test_host_files_are_out_of_reach(grade):
    runs = grade("""
        import os
        def look():
            return [os.path.exists(p) for p in ("/work", "/var/cache/gradebox", "/root/.config")] + [os.listdir("/home")]
        def who():
            status = open("/proc/self/status").read()
            fields = dict(line.split(":", 1) for line in status.splitlines())
            return os.getuid(), fields["CapEff"].strip(), fields["NoNewPrivs"].strip()
        def write_root():
            open("/usr/evil", "w")
    """, {"look": [()], "who": [()], "write_root": [()]})
    assert runs["look"].cases[0].value == [False, False, False, []]
    assert runs["who"].cases[0].value == (65534, "0000000000000000", "1")
    assert runs["write_root"].cases[0].error["type"] in ("OSError", "PermissionError")


@pytest.mark.sandbox
def test_fork_bomb_is_contained_and_the_others_still_pass(grade):
    runs = grade("""
        import os
        def bomb(x):
            while True:
                try:
                    os.fork()
                except OSError:
                    pass
        def escapes(x):
            if os.fork() == 0:
                os.setsid()
                while True:
                    pass
            return x
        def fine(x):
            return x * 2
    """, {"bomb": [(1,)], "escapes": [(1,)], "fine": [(21,)]}, wall_s=2.0)
    assert runs["bomb"].status == "timeout"
    assert runs["escapes"].cases[0].value == 1
    assert runs["fine"].cases[0].value == 42


@pytest.mark.sandbox
def test_memory_bomb_is_contained(grade):
    runs = grade("""
        import os
        def hog(x):
            blocks = []
            while True:
                blocks.append(bytearray(50 * 2**20))
        def forked_hogs(x):
            for _ in range(8):
                if os.fork() == 0:
                    blocks = []
                    while True:
                        blocks.append(bytearray(2**20))
            os.wait()
            return x
        def fine(x):
            return x
    """, {"hog": [(1,)], "forked_hogs": [(1,)], "fine": [(1,)]}, wall_s=10.0, limits={"memory_mb": 512})
    assert runs["hog"].cases[0].error["type"] == "MemoryError"
    assert runs["forked_hogs"].status in ("ok", "crashed", "timeout")
    assert runs["fine"].cases[0].value == 1


@pytest.mark.sandbox
def test_huge_stdout_is_capped(grade):
    runs = grade("""
        import os
        def chatty(x):
            while True:
                os.write(1, b"spam" * 2**14)
    """, {"chatty": [(1,)]}, wall_s=3.0)
    assert runs["chatty"].status == "timeout"  # prints go to a pipe the runner drains: the flood costs its own time
    assert len(runs["chatty"].output) <= 4096


@pytest.mark.sandbox
def test_whole_run_past_the_wall_limit_is_a_timeout(backend, job_dir, build_job):
    build_job(job_dir, "def f():\n    while True:\n        pass\n", {"f": [()]}, wall_s=30.0)
    backend.wall_s = 1.5
    outcome = backend.run(job_dir)
    assert outcome.status == TIMEOUT and outcome.archive is None and outcome.wall_s < 5


@pytest.mark.sandbox
def test_no_cgroup_or_process_is_left_after_a_run(backend, job_dir, build_job):
    build_job(job_dir, "import os\ndef f():\n    if os.fork() == 0:\n        os.setsid()\n        while True: pass\n",
              {"f": [()]})

    def runs() -> set:  # every run's cgroup there is (a worker killed mid-run elsewhere in the suite leaves its own)
        parents = [CgroupV1.root / controller / CgroupV1.parent for controller in ("pids", "memory", "cpu")]
        return {p for parent in parents if parent.exists() for p in parent.iterdir() if p.is_dir()}

    before = runs()
    backend.run(job_dir)
    assert runs() - before == set()  # this run's cgroups are gone, with the process it left running


@pytest.mark.sandbox
def test_the_sweep_removes_empty_run_cgroups_left_behind_and_keeps_busy_ones():
    """A worker killed mid-run cannot remove its run's cgroups; the reaper's sweep does, once they are empty and
    old enough never to be a run that is starting."""
    import os
    import subprocess
    import uuid

    if not CgroupV1.available():
        pytest.fail("cgroups are not writable here: the bubblewrap backend runs on rlimits only")
    left, busy = CgroupV1(f"run-{uuid.uuid4().hex[:12]}"), CgroupV1(f"run-{uuid.uuid4().hex[:12]}")
    left.create(8, 2**26)
    busy.create(8, 2**26)
    sleeper = subprocess.Popen(["sleep", "60"], preexec_fn=busy.enter)
    try:
        CgroupV1.sweep_stale(older_than_s=1800)
        assert all(path.exists() for path in left.dirs.values())  # too young: could be a run about to start
        an_hour_ago = time.time() - 3600  # as if left by a worker killed an hour ago (runs of others stay young)
        for path in [*left.dirs.values(), *busy.dirs.values()]:
            os.utime(path, (an_hour_ago, an_hour_ago))
        assert CgroupV1.sweep_stale(older_than_s=1800) >= len(left.dirs)
        assert not any(path.exists() for path in left.dirs.values())
        assert all(path.exists() for path in busy.dirs.values())  # a process is in it
    finally:
        sleeper.kill()
        sleeper.wait()
        busy.remove()
        left.remove()


def test_rootfs_is_reused_when_complete(tmp_path):
    tree = tmp_path / "rootfs" / "abc"
    tree.mkdir(parents=True)
    (tree / ".gradebox-rootfs.json").write_text('{"numpy": "1.24.2"}')
    from sandbox import rootfs

    original = rootfs.rootfs_hash
    rootfs.rootfs_hash = lambda *args: "abc"
    try:
        assert ensure_rootfs(tmp_path, mirror="http://unreachable.invalid") == tree
    finally:
        rootfs.rootfs_hash = original
    assert numpy_version(tree) == "1.24.2"


def test_auto_falls_back_to_bwrap_and_never_to_the_bare_process(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")  # no daemon answers there
    assert isinstance(make_backend("auto"), BwrapBackend)
    with pytest.raises(BackendUnavailable):
        make_backend("nonsense")


def test_unknown_limits_are_refused():
    with pytest.raises(TypeError):
        make_backend("bwrap", wall_ms=3)


def test_process_backend_runs_the_bare_runner_for_benchmarks(job_dir, build_job):
    job = build_job(job_dir, "def f(x):\n    return x + 1\n", {"f": [(1,)]})
    outcome = make_backend("process", wall_s=30.0).run(job_dir)
    assert outcome.status == OK and read_results(outcome.archive, job)["f"].cases[0].value == 2


def test_a_run_that_fails_before_bwrap_starts_leaves_no_cgroup(backend, job_dir, build_job, monkeypatch):
    import types
    import uuid

    from sandbox.backends import bwrap

    build_job(job_dir, "def f():\n    return 1\n", {"f": [()]})

    def broken(*args):
        raise TypeError("a bug of ours")

    monkeypatch.setattr(backend, "command", broken)
    monkeypatch.setattr(bwrap, "uuid", types.SimpleNamespace(uuid4=lambda: uuid.UUID(int=0xfa11ed)))
    with pytest.raises(TypeError):
        backend.run(job_dir)
    name = f"run-{uuid.UUID(int=0xfa11ed).hex[:12]}"
    assert [c for c in ("pids", "memory", "cpu") if (CgroupV1.root / c / CgroupV1.parent / name).exists()] == []
