"""Runs a job in a one-shot Docker container: the production backend, with a warm pool to hide start-up."""
from __future__ import annotations

import logging
import os
import shutil
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sandbox.backends.base import Backend, BackendUnavailable
from sandbox.backends.docker_stream import AttachedStream, archive_complete
from sandbox.backends.runner_files import unreachable_part
from sandbox.backends.syscall_filter import docker_security_opt
from sandbox.channel import PUBLIC_DIR, is_parse_job, pack_job
from sandbox.outcome import MEMORY, OK, SANDBOX_ERROR, TIMEOUT, RunOutcome
from sandbox.rootfs import HOSTNAME

log = logging.getLogger(__name__)

LABEL = "org.gradebox.sandbox"  # every container we start carries it; the reaper looks for nothing else
LABEL_OWNER = "org.gradebox.owner"  # host:pid:start-ticks:backend of the worker that started it
LABEL_JOB_DIR = "org.gradebox.job-dir"  # the host directory a pooled container reads its job from
RUNNER = ["/usr/bin/python3", "-I", "/opt/gradebox/runner.py"]
READY_LINE = b"gradebox-runner-ready\n"  # sandbox/runner.py writes it in --wait mode


@dataclass
class Sandbox:
    """One created-and-attached container; `job_dir` is set for a warm one (its /job is filled at run time)."""

    id: str
    stream: AttachedStream
    job_dir: Path | None = None
    created: float = field(default_factory=time.monotonic)


class DockerBackend(Backend):
    """No network, read-only root, tmpfs /tmp, uid 10001, no capabilities, no new privileges, seccomp, cgroup limits."""

    name = "docker"
    wall_s = 60.0
    cpu_s = 10.0
    memory_mb = 1024  # each function's address space; the container adds the runner and /tmp on top
    runner_memory_mb = 256
    max_processes = 64
    output_bytes = 64 * 2**20
    tmpfs_mb = 256
    cpu_quota = 1.0  # CPUs of one container (nano_cpus)
    # RLIMIT_CPU of the container's processes, fixed when it is created: a warm container is made before anyone
    # knows its job, so this is only a backstop. Each function's CPU limit is the runner's (from the job's
    # limits), and the host's wall-clock deadline ends the run whatever happens.
    cpu_backstop_s = 3600.0
    rootfs: Path | None = None  # from sandbox.rootfs.ensure_rootfs; the image is built from it
    image: str | None = None  # a tag from sandbox.image.build.ensure_image; found or built on first use
    uid = 10001  # the image's `gradebox` user
    work_dir: Path | None = None  # warm containers' job dirs; beside the rootfs by default
    pool_size = 3  # warm containers kept ready: a submission takes two (parse, functions) and one is left; 0: cold
    pool_max_age_s = 600.0  # an idle warm container older than this is replaced
    start_timeout_s = 30.0  # create + start + NumPy import of one container
    docker_timeout_s = 30

    def __init__(self, **limits):
        super().__init__(**limits)
        self._client = None
        self._pool = None
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._owner = owner_label()
        self._security_opt = ["no-new-privileges", docker_security_opt()]  # the profile's JSON, read once
        self.pool_misses = 0  # jobs that found no warm container ready and started one cold (pool_size > 0)

    @property
    def pool_ready(self) -> int:
        """Warm containers ready now in this process's pool."""
        return len(self._pool.ready) if self._pool is not None else 0

    # -- set-up and clean-up (both idempotent) ------------------------------------------------------------------

    def client(self):
        if self._client is None:
            try:
                import docker

                self._client = docker.from_env(timeout=self.docker_timeout_s, max_pool_size=self.pool_size + 8)
                self._client.ping()
            except Exception as exc:
                self._client = None
                raise BackendUnavailable(f"no Docker daemon answers: {exc}") from exc
        return self._client

    def ensure_image(self) -> str:
        """Finds or builds the image (offline), without starting any container."""
        if self.image is None:
            if self.rootfs is None:
                raise BackendUnavailable("the docker backend needs a rootfs or an image")
            from sandbox.image.build import ensure_image

            self.image = ensure_image(Path(self.rootfs), self.client())
        return self.image

    def prepare(self) -> None:
        """Finds or builds the image, removes what a crashed worker left, starts the warm pool."""
        with self._lock:
            if self._pid != os.getpid():  # forked (a prefork worker): the parent's pool, threads and sockets are not ours
                self._client, self._pool, self._pid, self._owner = None, None, os.getpid(), owner_label()
            self.ensure_image()
            if self.work_dir is None:
                self.work_dir = Path(self.rootfs).parents[1] / "docker-jobs" if self.rootfs else Path("/tmp/gradebox-docker")
            Path(self.work_dir).mkdir(parents=True, exist_ok=True)
            Path(self.work_dir).chmod(0o755)
            if self._pool is None:
                from sandbox.backends.docker_pool import WarmPool, reap

                reap(self.client(), Path(self.work_dir))
                self._pool = WarmPool(self)
            self._pool.start()

    def close(self) -> None:
        """Removes every container this backend still holds; safe to call twice."""
        with self._lock:
            if self._pool is not None:
                self._pool.close()

    @property
    def image_id(self) -> str:
        """Names the image, so cached expected outputs follow a change of NumPy or of the runner."""
        return self.ensure_image()

    @property
    def numpy_version(self) -> str:
        from sandbox.image.build import image_numpy_version

        return image_numpy_version(self.client(), self.image_id)

    # -- one run ------------------------------------------------------------------------------------------------

    def run(self, job_dir: Path) -> RunOutcome:
        """Mounts the job's files/ as /job and writes the job stream (sandbox.channel) to the runner's stdin."""
        job_root, job_stream = job_dir, pack_job(job_dir)
        job_dir = Path(job_dir, PUBLIC_DIR).resolve()
        if os.geteuid() == 0 and (blocked := unreachable_part(job_dir)):
            return RunOutcome(SANDBOX_ERROR, 0.0, stderr=f"the sandbox user cannot enter {blocked}: "
                                                          "put job directories where every user can reach them")
        try:
            self.prepare()
        except BackendUnavailable:
            raise
        except Exception as exc:  # the image build or the daemon failed: ours to retry
            return RunOutcome(SANDBOX_ERROR, 0.0, stderr=f"docker backend not ready: {exc}")
        warm = self._pool.take()
        if warm is not None:
            try:
                fill_job_dir(job_dir, warm.job_dir)
            except OSError as exc:
                self._pool.discard(warm)
                self._pool.done()
                return RunOutcome(SANDBOX_ERROR, 0.0, stderr=f"could not hand the job to a warm container: {exc}")
            started = time.monotonic()
            try:
                if warm.stream.send(job_stream):
                    return self.finish(warm, started)
                self._pool.discard(warm)  # it died while it waited: run this job cold instead
            finally:
                self._pool.done()
        if self.pool_size > 0:
            self.pool_misses += 1
        started = time.monotonic()
        try:
            sandbox = self.start_container(job_dir, wait=False, parse_only=is_parse_job(job_root))
        except Exception as exc:
            return RunOutcome(SANDBOX_ERROR, time.monotonic() - started, stderr=f"could not start a container: {exc}")
        if self._pool is not None:
            self._pool.started_cold()
        if not sandbox.stream.send(job_stream):
            self._pool.destroy(sandbox)
            return RunOutcome(SANDBOX_ERROR, time.monotonic() - started, stderr="could not send the job to a container")
        return self.finish(sandbox, started)

    def finish(self, sandbox: Sandbox, started: float) -> RunOutcome:
        """Reads the archive under the wall and output limits, then destroys the container whatever happened."""
        client = self.client()
        exit_code, oom_killed, stopped = -1, False, "error"
        try:
            stopped = sandbox.stream.read_to_end(started + self.wall_s, stdout_cap_bytes=self.output_bytes)
            wall_s = time.monotonic() - started
            if stopped is None and archive_complete(sandbox.stream.stdout):
                exit_code = 0  # only the runner's last act writes the end record; its exit is not worth waiting for
            elif stopped is None:
                exit_code = client.api.wait(sandbox.id, timeout=self.docker_timeout_s).get("StatusCode", -1)
            if stopped is None and (exit_code != 0 or b'"signal": 9' in sandbox.stream.stdout[:2**16]):  # runner.json first
                oom_killed = bool(client.api.inspect_container(sandbox.id)["State"].get("OOMKilled"))
        except Exception as exc:
            return RunOutcome(SANDBOX_ERROR, time.monotonic() - started, stderr=f"docker failed mid-run: {exc}")
        finally:
            self._pool.destroy(sandbox, finished=exit_code == 0 and stopped is None)
        stderr = sandbox.stream.stderr_text()
        if stopped == "timeout":
            return RunOutcome(TIMEOUT, wall_s, stderr=stderr)
        if stopped == "overflow":
            return RunOutcome(SANDBOX_ERROR, wall_s, stderr=f"archive larger than {self.output_bytes} bytes\n{stderr}")
        if exit_code != 0:
            status = MEMORY if oom_killed and exit_code == 137 else SANDBOX_ERROR
            return RunOutcome(status, wall_s, stderr=f"runner exited with {exit_code}\n{stderr}", oom_killed=oom_killed)
        return RunOutcome(OK, wall_s, archive=bytes(sandbox.stream.stdout), stderr=stderr, oom_killed=oom_killed)

    # -- containers ---------------------------------------------------------------------------------------------

    def host_config(self, job_dir: Path) -> dict:
        """Every isolation setting in one place, next to the limit it enforces."""
        from docker.types import LogConfig, Ulimit

        memory_bytes = (self.memory_mb + self.runner_memory_mb + self.tmpfs_mb) * 2**20  # /tmp pages count too
        return self.client().api.create_host_config(
            network_mode="none",  # no interface but an isolated loopback
            read_only=True,
            tmpfs={"/tmp": f"rw,nosuid,nodev,noexec,size={self.tmpfs_mb}m,nr_inodes=65536,mode=1777"},  # the only writable place
            binds={str(job_dir): {"bind": "/job", "mode": "ro"}},
            ipc_mode="none",  # no /dev/shm either
            cap_drop=["ALL"],
            security_opt=self._security_opt,  # + Docker's default seccomp profile minus io_uring & co: syscall_filter.py
            mem_limit=memory_bytes,
            memswap_limit=memory_bytes,  # no swap
            nano_cpus=int(self.cpu_quota * 1e9),
            pids_limit=self.max_processes,
            ulimits=[
                Ulimit(name="cpu", soft=int(self.cpu_backstop_s), hard=int(self.cpu_backstop_s) + 1),
                Ulimit(name="fsize", soft=self.tmpfs_mb * 2**20, hard=self.tmpfs_mb * 2**20),
                Ulimit(name="core", soft=0, hard=0),
                Ulimit(name="nofile", soft=256, hard=256),
            ],
            log_config=LogConfig(type="none"),  # output is read from the attach stream, never stored
            oom_score_adj=1000,  # if the host runs short, the sandbox dies before the worker
            init=False,  # the runner is PID 1 and kills every stray process itself
        )

    def start_container(self, job_dir: Path, wait: bool, parse_only: bool = False) -> Sandbox:
        """Create, attach (before start, so no output is lost), start; a warm one also waits for NumPy to load. A cold
        one for a parse job starts its runner without NumPy (runner.py --parse)."""
        api = self.client().api
        flags = ["--wait"] if wait else ["--parse"] if parse_only else []
        container = api.create_container(
            self.image, command=RUNNER + flags + ["/job"],
            user=f"{self.uid}:{self.uid}", hostname=HOSTNAME, working_dir="/tmp",  # never the container id
            environment={"GRADEBOX_KILL_STRAYS": "1"}, stdin_open=True,  # the job stream comes over stdin
            network_disabled=True,  # also: no resolv.conf or hosts of the host's (empty files from the init layer)
            labels={LABEL: "1", LABEL_OWNER: self._owner, LABEL_JOB_DIR: str(job_dir) if wait else ""},
            host_config=self.host_config(job_dir), name=f"gradebox-{uuid.uuid4().hex[:16]}",
        )
        sandbox = None
        try:
            raw = api.attach_socket(container["Id"], params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1})
            sandbox = Sandbox(container["Id"], AttachedStream(raw), job_dir if wait else None)
            api.start(container["Id"])
            if wait and not sandbox.stream.wait_for_stderr_line(READY_LINE, time.monotonic() + self.start_timeout_s):
                raise RuntimeError(f"warm container never became ready: {sandbox.stream.stderr_text()[-500:]}")
            return sandbox
        except BaseException:
            if sandbox is not None:
                sandbox.stream.close()
            api.remove_container(container["Id"], force=True)
            raise


def fill_job_dir(source: Path, target: Path) -> None:
    """Hard links (a copy across file systems) of the job into a warm container's bind-mounted /job."""
    for path in source.iterdir():
        if path.is_dir():
            shutil.copytree(path, target / path.name, copy_function=link_or_copy)
        else:
            link_or_copy(str(path), str(target / path.name))


def link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
        os.chmod(target, 0o444)


def sandbox_host() -> str:
    """The name of the machine whose Docker daemon and process table this worker shares: GRADER_SANDBOX_HOST
    when set (a worker in a container, which shares the host's process namespace: deploy/compose.yaml), else
    the hostname. Workers that give the same name must see the same pids, or the reaper takes a live worker
    for a dead one."""
    return os.environ.get("GRADER_SANDBOX_HOST") or socket.gethostname()


def owner_label() -> str:
    """host:pid:start time (so the reaper can tell a live worker from a crashed one whose pid was reused):backend."""
    return f"{sandbox_host()}:{os.getpid()}:{process_start_ticks(os.getpid())}:{uuid.uuid4().hex[:8]}"


def process_start_ticks(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""
