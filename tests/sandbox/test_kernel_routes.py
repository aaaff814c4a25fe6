"""Kernel routes past the sandbox, on both backends: each is refused by the seccomp policy, the honest routes still
work, the sandbox has its own hostname and no resolver of the host's, and a run gets one CPU's worth of time.

Every probe makes a call the kernel would carry out for an unprivileged process here (or answer with an errno other
than EPERM / ENOSYS): `test_probes_reach_the_kernel_without_the_filter` checks exactly that with the filter taken
away, so a refusal below can only come from the policy (sandbox/backends/syscall_filter.py), never from a bad
argument.
"""
from __future__ import annotations

import signal
from pathlib import Path

import pytest

from sandbox.backends import syscall_filter
from sandbox.outcome import OK
from sandbox.results import read_results

pytestmark = pytest.mark.slow

PROBES = r'''
import ctypes, errno, mmap, os, resource, signal, socket, threading, time

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
CLONE_NEWUSER, CLONE_NEWNET = 0x10000000, 0x40000000


def syscall(number, *args):
    ctypes.set_errno(0)
    return libc.syscall(ctypes.c_long(number), *args), ctypes.get_errno()


def said(rc, err):
    """'ok' when the kernel did it, else the errno's name."""
    return "ok" if rc >= 0 else errno.errorcode.get(err, str(err))


def in_child(probe):
    """Runs probe() in a forked child (it may become traced, change namespaces or die) and returns what it said."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.write(write_end, probe().encode())
        finally:
            os._exit(0)
    os.close(write_end)
    answer = os.read(read_end, 100).decode()
    os.close(read_end)
    _, status = os.waitpid(pid, 0)
    if not answer and os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}"
    return answer


def forked(rc, err):
    """A clone that worked returns twice: the copy leaves at once, the caller reaps it."""
    if rc == 0:
        os._exit(0)
    if rc > 0:
        os.waitpid(rc, 0)
    return said(rc, err)


def unshare_user_and_net():  # a user namespace brings every capability, hence nf_tables in the new netns
    ctypes.set_errno(0)
    return said(libc.unshare(CLONE_NEWUSER | CLONE_NEWNET), ctypes.get_errno())


def clone_new_user():  # glibc's fallback when clone3 says ENOSYS: the flags are in a register the filter reads
    return in_child(lambda: forked(*syscall(56, ctypes.c_ulong(CLONE_NEWUSER | signal.SIGCHLD), None, None, None, None)))


def clone3_new_user():  # struct clone_args, version 0 (64 bytes): flags, pidfd, child_tid, parent_tid, exit_signal, ...
    args = (ctypes.c_uint64 * 8)(CLONE_NEWUSER, 0, 0, 0, signal.SIGCHLD, 0, 0, 0)
    return in_child(lambda: forked(*syscall(435, ctypes.byref(args), ctypes.c_size_t(64))))


def io_uring_setup():
    params = ctypes.create_string_buffer(120)  # struct io_uring_params, zeroed
    rc, err = syscall(425, ctypes.c_uint(4), params)
    if rc >= 0:
        os.close(rc)
    return said(rc, err)


def keyctl():  # KEYCTL_GET_KEYRING_ID of KEY_SPEC_THREAD_KEYRING, created if missing: gone with the thread
    return said(*syscall(250, ctypes.c_int(0), ctypes.c_int(-1), ctypes.c_int(1)))


def netlink_netfilter():  # nf_tables' socket
    try:
        socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12).close()
        return "ok"
    except OSError as exc:
        return errno.errorcode.get(exc.errno, str(exc.errno))


def netlink_netfilter_high_bits():  # the kernel reads an int: AF_NETLINK with bits above 32 set is AF_NETLINK
    rc, err = syscall(41, ctypes.c_ulong((1 << 32) | socket.AF_NETLINK), ctypes.c_ulong(socket.SOCK_RAW), ctypes.c_ulong(12))
    if rc >= 0:
        os.close(rc)
    return said(rc, err)


def bpf():  # an unknown command: the kernel itself answers EINVAL (unprivileged map and program loads: EPERM)
    attr = ctypes.create_string_buffer(64)
    return said(*syscall(321, ctypes.c_int(1000), attr, ctypes.c_uint(64)))


def ptrace_traceme():
    return in_child(lambda: said(*syscall(101, ctypes.c_long(0), ctypes.c_long(0), None, None)))


def perf_event_open():  # a software clock of this task, user space only: open to unprivileged users at paranoid <= 2
    attr = (ctypes.c_uint32 * 32)()
    attr[0], attr[1] = 1, 64  # PERF_TYPE_SOFTWARE, PERF_ATTR_SIZE_VER0
    attr[2] = 1  # config: PERF_COUNT_SW_TASK_CLOCK
    attr[10] = 1 | 32 | 64  # disabled, exclude_kernel, exclude_hv
    rc, err = syscall(298, attr, ctypes.c_int(0), ctypes.c_int(-1), ctypes.c_int(-1), ctypes.c_ulong(0))
    if rc >= 0:
        os.close(rc)
    return said(rc, err)


def userfaultfd():  # UFFD_USER_MODE_ONLY: open to unprivileged users whatever vm.unprivileged_userfaultfd says
    rc, err = syscall(323, ctypes.c_int(os.O_CLOEXEC | os.O_NONBLOCK | 1))
    if rc >= 0:
        os.close(rc)
    return said(rc, err)


def compat_unshare_user():  # i386's unshare (310) through int 0x80: another syscall table, same kernel
    code = bytes.fromhex("53" "b836010000" "bb00000010" "cd80" "5b" "c3")  # push rbx; eax=310; ebx=NEWUSER; int 0x80; pop rbx; ret
    page = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    page.write(code)
    function = ctypes.CFUNCTYPE(ctypes.c_int)(ctypes.addressof(ctypes.c_char.from_buffer(page)))
    return in_child(lambda: "ok" if (rc := function()) >= 0 else errno.errorcode.get(-rc, str(-rc)))


def honest_routes():
    """What the runner, NumPy and a student's code use: each must still work."""
    import numpy as np

    done = []
    pid = os.fork()  # clone without namespace flags
    if pid == 0:
        os._exit(7)
    pidfd = os.pidfd_open(pid)
    os.close(pidfd)
    done.append(("fork", os.WEXITSTATUS(os.waitpid(pid, 0)[1]) == 7))
    results = []
    threads = [threading.Thread(target=lambda: results.append(1)) for _ in range(2)]  # clone3 -> ENOSYS -> clone
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.append(("threads", results == [1, 1]))
    left, right = socket.socketpair(socket.AF_UNIX)
    left.sendall(b"x")
    done.append(("af_unix", right.recv(1) == b"x"))
    server = socket.socket(socket.AF_INET)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.create_connection(server.getsockname(), timeout=1)
    client.sendall(b"ping")
    done.append(("af_inet_loopback", server.accept()[0].recv(4) == b"ping"))
    socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).close()
    done.append(("af_inet6", True))
    done.append(("netlink_route", [name for _, name in socket.if_nameindex()] == ["lo"]))
    done.append(("setrlimit", resource.setrlimit(resource.RLIMIT_CORE, (0, 0)) is None))
    done.append(("prctl", libc.prctl(4, 0, 0, 0, 0) == 0))  # PR_SET_DUMPABLE, as the runner does
    done.append(("numpy", float(np.ones((64, 64)) @ np.ones(64) @ np.ones(64)) == 64.0 * 64))
    return done


def identity():
    with open("/etc/hostname") as hostname, open("/etc/hosts") as hosts, open("/etc/resolv.conf") as resolver:
        return socket.gethostname(), hostname.read(), hosts.read(), resolver.read()


def burn(seconds):
    """Two busy processes for `seconds` of wall time: the CPU time they got, per second of wall time."""
    started = time.monotonic()
    pids = []
    for _ in range(2):
        pid = os.fork()
        if pid == 0:
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                pass
            os._exit(0)
        pids.append(pid)
    for pid in pids:
        os.waitpid(pid, 0)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) / (time.monotonic() - started)
'''

# The routes, and what the kernel may answer for each when no filter is in the way (the probe is built so that
# it is never EPERM or ENOSYS); refused means EPERM or ENOSYS from the policy.
ROUTES = ["unshare_user_and_net", "clone_new_user", "clone3_new_user", "io_uring_setup", "keyctl", "netlink_netfilter",
          "netlink_netfilter_high_bits", "bpf", "ptrace_traceme", "perf_event_open", "userfaultfd",
          "compat_unshare_user"]
REFUSED = {"EPERM", "ENOSYS"}
# A call from a foreign ABI: bwrap's filter answers ENOSYS; Docker's runtime kills the caller (SIGSYS), since our
# profile lists no 32-bit sub-architecture (Docker's default allows i386's socketcall, which no filter can read).
REFUSED_FOREIGN_ABI = REFUSED | {f"signal {signal.SIGSYS.value}"}
# Under Docker's stock profile these still get through (the rest it refuses already): ours must close them.
OPEN_UNDER_DOCKERS_DEFAULT = ["io_uring_setup", "ptrace_traceme", "netlink_netfilter", "netlink_netfilter_high_bits"]
# The kernel itself refuses a probe when one of these says so: then the calibration cannot show anything about it.
KERNEL_REFUSES = {
    "io_uring_setup": ("kernel/io_uring_disabled", lambda value: value != 0),
    "perf_event_open": ("kernel/perf_event_paranoid", lambda value: value > 2),
    "unshare_user_and_net": ("user/max_user_namespaces", lambda value: value == 0),
    "clone_new_user": ("user/max_user_namespaces", lambda value: value == 0),
    "clone3_new_user": ("user/max_user_namespaces", lambda value: value == 0),
}
BURN_S = 1.0
_runs: dict[str, dict] = {}  # backend name -> its probe run, shared by the tests of this module


def run_probes(backend, job_dir, build_job, functions=None) -> dict:
    functions = functions or {name: [()] for name in ROUTES + ["honest_routes", "identity"]}
    job = build_job(job_dir, PROBES, functions, wall_s=10.0)
    outcome = backend.run(job_dir)
    assert outcome.status == OK, f"the sandbox itself failed: {outcome.status} {outcome.stderr[-2000:]}"
    return read_results(outcome.archive, job)


def answer(runs, name):
    run = runs[name]
    assert run.status == "ok" and run.cases[0].status == "ok", f"{name}: {run.status} {run.cases[0].error}"
    return run.cases[0].value


@pytest.fixture
def probes(sandbox_backend, job_dir, build_job) -> dict:
    if sandbox_backend.name not in _runs:
        _runs[sandbox_backend.name] = run_probes(sandbox_backend, job_dir, build_job)
    return _runs[sandbox_backend.name]


def kernel_refuses(route: str) -> bool:
    sysctl, refuses = KERNEL_REFUSES.get(route, (None, None))
    if sysctl is None:
        return False
    try:
        return refuses(int(Path("/proc/sys", sysctl).read_text().split()[0]))
    except (OSError, ValueError):
        return False


# -- refused ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("route", ROUTES)
def test_kernel_route_is_refused(route, probes):
    said = answer(probes, route)
    assert said in (REFUSED_FOREIGN_ABI if route == "compat_unshare_user" else REFUSED), f"{route} got through: {said}"


def test_honest_routes_still_work(probes):
    done = answer(probes, "honest_routes")
    assert [name for name, worked in done if not worked] == [], done


def test_probes_reach_the_kernel_without_the_filter(sandbox_backend, sandbox_rootfs, job_dir, build_job, monkeypatch):
    """Calibration: with the filter taken away each probe gets through (or gets another errno), so the refusals
    above are the policy's. bwrap runs without --seccomp and --disable-userns; Docker with its stock profile."""
    if sandbox_backend.name == "bwrap":
        from sandbox.backends import make_backend

        backend = make_backend("bwrap", rootfs=sandbox_rootfs, wall_s=30.0)
        original = backend.command

        def unfiltered(job, seccomp_fd, *flags):
            command = original(job, seccomp_fd, *flags)
            at = command.index("--seccomp")
            del command[at:at + 2]
            return [part for part in command if part != "--disable-userns"]

        monkeypatch.setattr(backend, "command", unfiltered)
        routes = ROUTES
    else:
        from sandbox.backends import make_backend

        backend = make_backend("docker", rootfs=sandbox_rootfs, wall_s=30.0, pool_size=0)
        backend._security_opt = ["no-new-privileges"]  # Docker's built-in default profile
        routes = OPEN_UNDER_DOCKERS_DEFAULT
    try:
        runs = run_probes(backend, job_dir, build_job, {name: [()] for name in routes})
    finally:
        if backend.name == "docker":
            backend.close()
    said = {route: answer(runs, route) for route in routes}
    unexplained = {route: value for route, value in said.items() if value in REFUSED and not kernel_refuses(route)}
    assert unexplained == {}, f"these probes are refused even without the filter, so they prove nothing: {said}"


# -- who the sandbox is -------------------------------------------------------------------------------------------


def test_hostname_and_resolver_are_the_sandbox_own(probes):
    hostname, hostname_file, hosts, resolver = answer(probes, "identity")
    assert hostname == "gradebox" and hostname_file.strip() == "gradebox"
    ours = {"127.0.0.1 localhost", "::1 localhost ip6-localhost ip6-loopback", "fe00::0 ip6-localnet",
            "ff00::0 ip6-mcastprefix", "ff02::1 ip6-allnodes", "ff02::2 ip6-allrouters"}  # Docker's own hosts file
    assert {" ".join(line.split()) for line in hosts.splitlines() if line.strip()} <= ours
    assert [line for line in resolver.splitlines() if line.strip() and line[0] not in "#;"] == []  # no resolver at all
    host_resolver = Path("/etc/resolv.conf").read_text() if Path("/etc/resolv.conf").exists() else ""
    for line in host_resolver.splitlines():
        fields = line.split()
        if len(fields) >= 2 and fields[0] in ("nameserver", "search", "domain") and not fields[1].startswith("127."):
            assert fields[1] not in resolver, f"the host's resolver ({line}) is inside"


# -- CPU ----------------------------------------------------------------------------------------------------------


def test_cpu_quota_holds(sandbox_backend, job_dir, build_job, monkeypatch):
    """Configured where the kernel enforces it (the run's cgroup), and two busy processes get one CPU between them."""
    assert sandbox_backend.cpu_quota == 1.0
    seen = []
    if sandbox_backend.name == "bwrap":
        from sandbox.backends.cgroup import CgroupV1

        create = CgroupV1.create

        def spy(self, *args, **kwargs):
            create(self, *args, **kwargs)
            seen.append(self.cpu_quota())  # read back from the kernel's file, host side

        monkeypatch.setattr(CgroupV1, "create", spy)
    else:
        pool = sandbox_backend._pool
        assert pool.wait_until_full()
        container = pool.ready[0].id
        host = sandbox_backend.client().api.inspect_container(container)["HostConfig"]
        assert host["NanoCpus"] == int(sandbox_backend.cpu_quota * 1e9)
        cpu_dir = Path(f"/sys/fs/cgroup/cpu/docker/{container}")
        if cpu_dir.is_dir():  # cgroup v1 with the cgroupfs driver, as here
            seen.append(int((cpu_dir / "cpu.cfs_quota_us").read_text()) / int((cpu_dir / "cpu.cfs_period_us").read_text()))
        else:
            seen.append(host["NanoCpus"] / 1e9)
    runs = run_probes(sandbox_backend, job_dir, build_job, {"burn": [(BURN_S,)]})
    assert seen == [1.0]
    cpus_used = answer(runs, "burn")
    assert 0 < cpus_used <= 1.25, f"two busy processes got {cpus_used:.2f} CPUs"


# -- the policy itself --------------------------------------------------------------------------------------------


def test_docker_profile_refuses_the_same_routes_as_the_bwrap_filter():
    profile = syscall_filter.docker_profile()
    assert profile["defaultAction"] == "SCMP_ACT_ALLOW"
    plain = {name for rule in profile["syscalls"] if not rule["args"] for name in rule["names"]}
    assert set(syscall_filter.REFUSED) | {"clone3"} <= plain
    assert {"io_uring_setup", "io_uring_enter", "io_uring_register", "keyctl", "unshare", "ptrace"} <= plain
    clone_bits = {rule["args"][0]["value"] for rule in profile["syscalls"] if rule["names"] == ["clone"]}
    assert clone_bits == set(syscall_filter.CLONE_NAMESPACE_FLAGS.values())
    netlink = [rule for rule in profile["syscalls"] if rule["names"] == ["socket"] and len(rule["args"]) == 2]
    assert netlink and netlink[0]["args"][1] == {"index": 2, "value": 0, "valueTwo": 0, "op": "SCMP_CMP_NE"}
    assert all(entry["subArchitectures"] == [] for entry in profile["archMap"])


def test_bwrap_filter_is_built_once_per_policy(tmp_path):
    path = syscall_filter.ensure_filter(tmp_path)
    assert path.parent.name == syscall_filter.filter_hash() and path.name == "seccomp.bpf"
    data = path.read_bytes()
    assert data and len(data) % 8 == 0
    assert syscall_filter.ensure_filter(tmp_path) == path and path.read_bytes() == data
