"""The Docker backend: the offline image, hardened containers, the warm pool, the reaper; and the backend contract
both backends meet (parametrized over bwrap and docker)."""
import json
import time

import numpy as np
import pytest

from sandbox.backends import BackendUnavailable, BwrapBackend, make_backend
from sandbox.backends.docker import LABEL, LABEL_OWNER, DockerBackend, owner_label
from sandbox.backends.docker_pool import reap
from sandbox.backends.docker_stream import archive_complete
from sandbox.backends.syscall_filter import docker_profile
from sandbox.image.build import LABEL_INPUTS, LABEL_NUMPY, ensure_image, image_inputs_hash
from sandbox.outcome import OK, SANDBOX_ERROR, TIMEOUT
from sandbox.results import read_results
from sandbox.rootfs import numpy_version


def grade(backend, job_dir, build_job, source, functions, **options):
    job = build_job(job_dir, source, functions, **options)
    outcome = backend.run(job_dir)
    assert outcome.status == OK, outcome.stderr
    return read_results(outcome.archive, job)


def our_containers(backend) -> list[dict]:
    return backend.client().api.containers(all=True, filters={"label": f"{LABEL_OWNER}={backend._owner}"})


# -- the contract: the same behaviour from both backends --------------------------------------------------------


def test_a_job_is_graded_and_reports_the_shared_numpy(sandbox_backend, sandbox_rootfs, job_dir, build_job):
    runs = grade(sandbox_backend, job_dir, build_job, """
        import numpy as np
        def f(x):
            return x + 1
        def version():
            return np.__version__
    """, {"f": [(np.ones(2),)], "version": [()]})
    np.testing.assert_array_equal(runs["f"].cases[0].value, [2.0, 2.0])
    assert runs["version"].cases[0].value == numpy_version(sandbox_rootfs) == sandbox_backend.numpy_version


def test_isolation_flags_hold_inside(sandbox_backend, job_dir, build_job):
    runs = grade(sandbox_backend, job_dir, build_job, """
        import os, socket
        def who():
            fields = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines())
            return os.getuid() != 0, fields["CapEff"].strip(), fields["NoNewPrivs"].strip()
        def interfaces():
            return [name for _, name in socket.if_nameindex()]
        def writable():
            found = []
            for place in ("/", "/usr", "/etc", "/opt/gradebox", "/job", "/tmp", "/var/tmp", "/dev", "/dev/shm"):
                try:
                    with open(os.path.join(place, "probe"), "w") as handle:
                        handle.write("x")
                    found.append(place)
                except OSError:
                    pass
            return found
    """, {"who": [()], "interfaces": [()], "writable": [()]})
    assert runs["who"].cases[0].value == (True, "0000000000000000", "1")
    assert runs["interfaces"].cases[0].value == ["lo"]
    if sandbox_backend.name == "docker":
        assert runs["writable"].cases[0].value == ["/tmp"]
    else:  # bwrap's --dev is a tmpfs too: memory counted in the run's cgroup, gone with the run
        assert runs["writable"].cases[0].value[0] == "/tmp"
        assert set(runs["writable"].cases[0].value) <= {"/tmp", "/dev", "/dev/shm"}


def test_whole_run_past_the_wall_limit_is_a_timeout(sandbox_backend, job_dir, build_job):
    build_job(job_dir, "def f():\n    while True:\n        pass\n", {"f": [()]}, wall_s=30.0)
    sandbox_backend.wall_s = 1.5
    outcome = sandbox_backend.run(job_dir)
    assert outcome.status == TIMEOUT and outcome.archive is None and outcome.wall_s < 5


def test_archive_over_the_output_limit_is_refused(sandbox_backend, job_dir, build_job):
    build_job(job_dir, "import numpy as np\ndef f():\n    return np.ones(2**20)\n", {"f": [()]},
              limits={"output_bytes": 64 * 2**20})
    sandbox_backend.output_bytes = 2**20  # the host's cap, below what the runner was told
    outcome = sandbox_backend.run(job_dir)
    assert outcome.status == SANDBOX_ERROR and "archive larger" in outcome.stderr


# -- the image ----------------------------------------------------------------------------------------------------


@pytest.mark.docker
def test_image_is_labelled_and_not_rebuilt_when_unchanged(docker_backend, sandbox_rootfs):
    client = docker_backend.client()
    before = client.images.get(docker_backend.image)
    assert ensure_image(sandbox_rootfs, client) == docker_backend.image
    after = client.images.get(docker_backend.image)
    assert after.id == before.id
    assert after.labels[LABEL_INPUTS] == image_inputs_hash(sandbox_rootfs)
    assert after.labels[LABEL_NUMPY] == numpy_version(sandbox_rootfs)
    assert after.attrs["Config"]["User"] not in ("", "0", "root")


# -- containers ---------------------------------------------------------------------------------------------------


@pytest.mark.docker
def test_containers_are_hardened_and_labelled(docker_backend, job_dir, build_job):
    build_job(job_dir, "def f():\n    return 1\n", {"f": [()]})
    docker_backend._pool.wait_until_full()
    container = docker_backend._pool.ready[0]
    info = docker_backend.client().api.inspect_container(container.id)
    host = info["HostConfig"]
    assert host["NetworkMode"] == "none" and info["Config"]["NetworkDisabled"] is True
    assert host["ReadonlyRootfs"] is True and list(host["Tmpfs"]) == ["/tmp"]
    assert host["CapDrop"] == ["ALL"] and host["SecurityOpt"][0] == "no-new-privileges" and len(host["SecurityOpt"]) == 2
    assert json.loads(host["SecurityOpt"][1].removeprefix("seccomp=")) == docker_profile()  # what each route meets:
    # tests/sandbox/test_kernel_routes.py
    assert host["Memory"] == host["MemorySwap"] > 0  # no swap
    assert host["PidsLimit"] == docker_backend.max_processes and host["NanoCpus"] == int(docker_backend.cpu_quota * 1e9)
    assert {u["Name"] for u in host["Ulimits"]} >= {"cpu", "fsize", "core", "nofile"}
    # A warm container is made before its job is known: its CPU rlimit is only a backstop, never a job's budget.
    assert next(u for u in host["Ulimits"] if u["Name"] == "cpu")["Soft"] >= 3600
    assert host["LogConfig"]["Type"] == "none" and host["IpcMode"] == "none"
    assert info["Config"]["User"] == f"{docker_backend.uid}:{docker_backend.uid}" and docker_backend.uid != 0
    assert info["Config"]["Labels"][LABEL] == "1"
    assert [m["Destination"] for m in info["Mounts"]] == ["/job"] and info["Mounts"][0]["RW"] is False


@pytest.mark.docker
def test_each_warm_container_serves_one_job_and_is_destroyed(docker_backend, job_dir, build_job):
    pool = docker_backend._pool
    assert pool.wait_until_full()
    warm_ids = {sandbox.id for sandbox in pool.ready}
    served = []
    for _ in range(3):
        runs = grade(docker_backend, job_dir, build_job, """
            import socket
            def host():
                return socket.gethostname() + open("/proc/self/cgroup").read()
        """, {"host": [()]})
        served.append(runs["host"].cases[0].value)
        pool.wait_until_full()
    assert len(set(served)) == 3  # three different containers
    pool.drain()
    alive = {c["Id"] for c in our_containers(docker_backend)}
    assert alive == {sandbox.id for sandbox in pool.ready} and not warm_ids & alive


@pytest.mark.docker
def test_cold_path_works_without_a_pool(docker_daemon, sandbox_rootfs, job_dir, build_job):
    backend = make_backend("docker", rootfs=sandbox_rootfs, wall_s=30.0, pool_size=0)
    try:
        runs = grade(backend, job_dir, build_job, "def f(x):\n    return x * 3\n", {"f": [(2,)]})
        assert runs["f"].cases[0].value == 6
        backend._pool.drain()
        assert our_containers(backend) == [] and not backend._pool.ready
    finally:
        backend.close()


@pytest.mark.docker
def test_an_empty_pool_falls_back_to_a_cold_start(docker_backend, job_dir, build_job):
    pool = docker_backend._pool
    pool.wait_until_full()
    taken = [pool.take() for _ in range(docker_backend.pool_size)]
    try:
        runs = grade(docker_backend, job_dir, build_job, "def f(x):\n    return x - 1\n", {"f": [(2,)]})
        assert runs["f"].cases[0].value == 1
    finally:
        for sandbox in taken:
            pool.destroy(sandbox)
            pool.done()


@pytest.mark.docker
def test_refills_wait_while_a_job_runs_and_a_warm_container_is_left(docker_daemon, sandbox_rootfs):
    """A container start costs hundreds of milliseconds of CPU: it waits until no job has run for QUIET_S, unless
    the pool is empty (the next job would start cold)."""
    import time

    from sandbox.backends.docker_pool import QUIET_S

    backend = make_backend("docker", rootfs=sandbox_rootfs, wall_s=30.0, pool_size=3)
    try:
        backend.prepare()
        pool = backend._pool
        assert pool.wait_until_full()
        first = pool.take()  # a parse job
        time.sleep(QUIET_S * 3)
        with pool.changed:
            assert (len(pool.ready), pool.starting) == (2, 0)  # nothing started under the running job
        pool.destroy(first, finished=True)
        pool.done()
        second = pool.take()  # the same submission's function job, right after
        time.sleep(QUIET_S * 3)
        with pool.changed:
            assert (len(pool.ready), pool.starting) == (1, 0)
        assert first.id in {c["Id"] for c in our_containers(backend)}  # its removal waits for a quiet moment too
        third = pool.take()  # the pool is empty now: a start cannot wait
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            with pool.changed:
                if pool.starting or pool.ready:
                    break
            time.sleep(0.01)
        with pool.changed:
            assert pool.starting or pool.ready
        for sandbox in (second, third):
            pool.destroy(sandbox, finished=True)
            pool.done()
        assert pool.wait_until_full()  # once quiet, the pool fills again
        pool.drain()  # and the finished containers are gone
        alive = {c["Id"] for c in our_containers(backend)}
        assert not {first.id, second.id, third.id} & alive
    finally:
        backend.close()


@pytest.mark.docker
def test_a_job_waits_for_a_starting_container_rather_than_start_one_cold(docker_backend):
    pool = docker_backend._pool
    assert pool.wait_until_full()
    taken = [pool.take() for _ in range(docker_backend.pool_size)]  # empty: a start begins at once
    try:
        warm = pool.take()
        assert warm is not None and warm.id not in {sandbox.id for sandbox in taken}
        taken.append(warm)
    finally:
        for sandbox in taken:
            pool.destroy(sandbox)
            pool.done()


@pytest.mark.docker
def test_a_held_pool_starts_nothing_even_when_empty(docker_backend):
    """A bulk worker stepping aside for a student's upload holds its pool: no refill takes the upload's cores."""
    import time

    pool = docker_backend._pool
    assert pool.wait_until_full()
    with pool.hold():
        taken = [pool.take() for _ in range(docker_backend.pool_size)]
        for sandbox in taken:
            pool.destroy(sandbox, finished=True)
            pool.done()
        time.sleep(1.0)
        with pool.changed:
            assert (len(pool.ready), pool.starting) == (0, 0)
        assert {s.id for s in taken} <= {c["Id"] for c in our_containers(docker_backend)}  # removal waits too
    assert pool.wait_until_full()  # released: the pool fills again
    pool.drain()
    assert not {s.id for s in taken} & {c["Id"] for c in our_containers(docker_backend)}


@pytest.mark.docker
def test_a_container_not_known_to_be_finished_is_removed_at_once(docker_backend):
    """A run that timed out or failed may still be running student code: it is killed without waiting."""
    import time

    pool = docker_backend._pool
    assert pool.wait_until_full()
    busy, unfinished = pool.take(), pool.take()
    try:
        pool.destroy(unfinished)
        deadline = time.monotonic() + 10
        while unfinished.id in {c["Id"] for c in our_containers(docker_backend)} and time.monotonic() < deadline:
            time.sleep(0.05)
        assert unfinished.id not in {c["Id"] for c in our_containers(docker_backend)}  # with a job still in flight
    finally:
        pool.done()
        pool.destroy(busy)
        pool.done()


@pytest.mark.docker
def test_old_idle_containers_are_replaced(docker_backend):
    pool = docker_backend._pool
    pool.wait_until_full()
    old = {sandbox.id for sandbox in pool.ready}
    for sandbox in pool.ready:
        sandbox.created -= docker_backend.pool_max_age_s + 1
    fresh = pool.take()  # every ready one is too old: discarded, not served; the job waits for a new one
    assert fresh is not None and fresh.id not in old
    pool.destroy(fresh)
    pool.done()
    assert pool.wait_until_full()
    assert not old & {sandbox.id for sandbox in pool.ready}


@pytest.mark.docker
def test_reaper_removes_containers_of_a_crashed_worker(docker_backend, tmp_path):
    client = docker_backend.client()
    dead_pid = 2**22 + 7  # above pid_max: no process has it
    import socket

    container = client.api.create_container(
        docker_backend.image, command=["true"], labels={LABEL: "1", LABEL_OWNER: f"{socket.gethostname()}:{dead_pid}:1"},
        host_config=client.api.create_host_config(network_mode="none"))
    live = client.api.create_container(
        docker_backend.image, command=["true"], labels={LABEL: "1", LABEL_OWNER: docker_backend._owner},
        host_config=client.api.create_host_config(network_mode="none"))
    try:
        assert reap(client, tmp_path) >= 1
        ids = {c["Id"] for c in client.api.containers(all=True, filters={"label": LABEL})}
        assert container["Id"] not in ids and live["Id"] in ids
    finally:
        client.api.remove_container(live["Id"], force=True)


@pytest.mark.docker
def test_reaper_judges_only_the_containers_of_its_own_sandbox_host(docker_backend, tmp_path, monkeypatch):
    """Workers in containers name the host whose process table they share (GRADER_SANDBOX_HOST, with pid: host in
    deploy/compose.yaml): a dead worker's container under that name is removed, another host's is left alone."""
    client = docker_backend.client()
    dead_pid = 2**22 + 9  # above pid_max: no process has it
    monkeypatch.setenv("GRADER_SANDBOX_HOST", "compose-host-a")
    assert owner_label().startswith("compose-host-a:")
    made = {owner: client.api.create_container(
        docker_backend.image, command=["true"], labels={LABEL: "1", LABEL_OWNER: f"{owner}:{dead_pid}:1"},
        host_config=client.api.create_host_config(network_mode="none"))["Id"] for owner in ("compose-host-a", "compose-host-b")}
    try:
        reap(client, tmp_path)
        ids = {c["Id"] for c in client.api.containers(all=True, filters={"label": LABEL})}
        assert made["compose-host-a"] not in ids and made["compose-host-b"] in ids
    finally:
        client.api.remove_container(made["compose-host-b"], force=True)


@pytest.mark.docker
def test_pool_leaves_nothing_behind_when_closed(docker_daemon, sandbox_rootfs):
    backend = make_backend("docker", rootfs=sandbox_rootfs, wall_s=30.0, pool_size=2)
    backend.prepare()
    assert backend._pool.wait_until_full()
    job_dirs = [sandbox.job_dir for sandbox in backend._pool.ready]
    backend.close()
    backend.close()
    assert our_containers(backend) == [] and not any(path.exists() for path in job_dirs)


# -- selection ----------------------------------------------------------------------------------------------------


@pytest.mark.docker
def test_auto_picks_docker_when_a_daemon_answers(docker_backend):
    assert isinstance(make_backend("auto"), DockerBackend)
    assert isinstance(make_backend("docker", pool_size=0), DockerBackend)


def test_docker_is_unavailable_loudly_when_no_daemon_answers(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    with pytest.raises(BackendUnavailable, match="no Docker daemon answers"):
        make_backend("docker")
    assert isinstance(make_backend("auto"), BwrapBackend)


def test_archive_end_is_recognised_only_when_complete():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("runner.json", "{}")
    data = bytearray(buffer.getvalue())
    assert archive_complete(data)
    assert not archive_complete(data[:-1]) and not archive_complete(data + b"x") and not archive_complete(bytearray())


def test_docker_backend_refuses_unknown_limits():
    with pytest.raises(TypeError):
        DockerBackend(wall_ms=3)
    assert DockerBackend(pool_size=0, pool_max_age_s=5.0).pool_size == 0


def test_a_job_does_not_wait_for_a_refill_that_backs_off_while_the_daemon_is_gone(tmp_path):
    """With the daemon gone, the refill threads fail and back off; a job then finds no container starting and
    goes the cold way at once (and fails fast, a platform fault to retry) instead of waiting the start timeout."""
    from sandbox.backends.docker_pool import WarmPool

    class DaemonGone:
        pool_size, start_timeout_s, pool_max_age_s, work_dir = 2, 30.0, 600.0, tmp_path

        def start_container(self, job_dir, wait):
            raise ConnectionError("('Connection aborted.', FileNotFoundError(2, 'No such file or directory'))")

    pool = WarmPool(DaemonGone())
    pool.start()
    try:
        time.sleep(0.3)  # the refill threads have failed once and back off
        started = time.monotonic()
        assert pool.take() is None
        assert time.monotonic() - started < DaemonGone.start_timeout_s / 3
        assert pool.starting == 0
    finally:
        pool.close()
