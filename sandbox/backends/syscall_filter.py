"""The seccomp policy of both backends: one list of kernel routes the sandbox never gets.

Nested user namespaces (which hand back every capability, hence nf_tables, mounts, ...), io_uring, the key
store, eBPF, perf, userfaultfd, other processes' memory, and the machine's administration are refused; sockets
are limited to AF_UNIX, AF_INET, AF_INET6 and AF_NETLINK for NETLINK_ROUTE only (`socket.if_nameindex`,
`getaddrinfo`). A refused call fails with EPERM, so the student's code gets an ordinary OSError; `clone3` fails with
ENOSYS instead, so glibc falls back to `clone`, whose flags (in a register, not in memory) a filter can read.
Any syscall ABI but the native one (i386's `int 0x80`, x32) gets ENOSYS: nothing in the sandbox is 32-bit code,
and the same numbers mean other calls there.

- bwrap: a BPF program built by libseccomp's own Python binding (Debian's `python3-seccomp`, which exists for
  the system Python only), once per content of this file, into `<cache>/seccomp/<hash>/seccomp.bpf`; bwrap
  loads it from a file descriptor (`--seccomp FD`) just before it runs the runner. Default: allow.
- docker: the same rules in the daemon's profile format, given as the container's seccomp profile (a custom
  profile replaces Docker's default one, which allows io_uring and ptrace). Default: allow.

This file runs under two interpreters: the worker's (`ensure_filter`, `docker_profile`) and, as a script, the
system Python that has the binding (`--build`). At module level it imports only the standard library.
"""
from __future__ import annotations

import argparse
import errno
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's python3-seccomp is built for this interpreter
FILTER_NAME = "seccomp.bpf"

# Refused whatever the arguments (EPERM).
REFUSED = (
    # namespaces: a new user namespace comes with every capability inside it
    "unshare", "setns",
    # kernel attack surface an unprivileged process reaches otherwise
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    "keyctl", "add_key", "request_key",
    "bpf", "perf_event_open", "userfaultfd",
    # other processes' memory and state
    "ptrace", "process_vm_readv", "process_vm_writev", "process_madvise", "pidfd_getfd", "kcmp",
    # the machine's administration: modules, kexec, mounts, swap, accounting, file handles, clocks
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
    "mount", "umount2", "pivot_root", "chroot", "mount_setattr",
    "fsopen", "fsconfig", "fsmount", "fspick", "open_tree", "move_mount",
    "swapon", "swapoff", "reboot", "acct", "open_by_handle_at", "name_to_handle_at",
    "quotactl", "lookup_dcookie", "syslog", "iopl", "ioperm", "vhangup", "uselib", "nfsservctl",
    "fanotify_init", "settimeofday", "clock_settime",
)
# clone3 takes its flags in a struct a filter cannot read: refused as "not implemented", glibc then uses clone.
NOT_IMPLEMENTED = ("clone3",)
# clone with any of these flags is refused; plain fork() and threads pass. (CLONE_NEWTIME shares its bit with the
# exit signal in clone(); it is reachable only through unshare and clone3, both refused.)
CLONE_NAMESPACE_FLAGS = {
    "CLONE_NEWNS": 0x00020000,
    "CLONE_NEWCGROUP": 0x02000000,
    "CLONE_NEWUTS": 0x04000000,
    "CLONE_NEWIPC": 0x08000000,
    "CLONE_NEWUSER": 0x10000000,
    "CLONE_NEWPID": 0x20000000,
    "CLONE_NEWNET": 0x40000000,
}
AF_UNIX, AF_INET, AF_INET6, AF_NETLINK = 1, 2, 10, 16
NETLINK_ROUTE = 0
SOCKET_FAMILIES = (AF_UNIX, AF_INET, AF_INET6)  # any protocol; AF_NETLINK only with NETLINK_ROUTE


class FilterError(RuntimeError):
    """The filter could not be built: an infrastructure failure, never the student's."""


def filter_hash() -> str:
    """Names the compiled filter by the policy that made it, so a changed rule builds a new file beside the old."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


# -- bwrap: a compiled BPF program ------------------------------------------------------------------------------


def build_filter(seccomp):
    """The libseccomp filter (`seccomp` is the binding's module): default allow, the routes above refused."""
    refuse, not_implemented = seccomp.ERRNO(errno.EPERM), seccomp.ERRNO(errno.ENOSYS)
    rules = seccomp.SyscallFilter(seccomp.ALLOW)
    rules.set_attr(seccomp.Attr.ACT_BADARCH, not_implemented)  # only the native ABI exists in here
    for name in REFUSED:
        rules.add_rule(refuse, name)
    for name in NOT_IMPLEMENTED:
        rules.add_rule(not_implemented, name)
    for flag in CLONE_NAMESPACE_FLAGS.values():  # one rule per bit: refused when any of them is set
        rules.add_rule(refuse, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
    # Comparisons are on all 64 bits while the kernel reads an int: a family with high bits set must not pass
    # as the family in its low bits, so everything from AF_NETLINK + 1 up is refused, the rest one by one.
    rules.add_rule(refuse, "socket", seccomp.Arg(0, seccomp.GE, AF_NETLINK + 1))
    for family in range(AF_NETLINK):
        if family not in SOCKET_FAMILIES:
            rules.add_rule(refuse, "socket", seccomp.Arg(0, seccomp.EQ, family))
    rules.add_rule(refuse, "socket", seccomp.Arg(0, seccomp.EQ, AF_NETLINK), seccomp.Arg(2, seccomp.NE, NETLINK_ROUTE))
    return rules


def write_filter(path: Path) -> None:
    """Needs the binding: runs in the system Python (see ensure_filter)."""
    import seccomp

    with open(path, "wb") as handle:
        build_filter(seccomp).export_bpf(handle)


def ensure_filter(cache_dir: Path, python: str = SYSTEM_PYTHON) -> Path:
    """Returns the compiled filter under `cache_dir`, building it once; safe to call from many workers at once."""
    target = Path(cache_dir) / "seccomp" / filter_hash() / FILTER_NAME
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, staging = tempfile.mkstemp(prefix=".staging-", dir=target.parent)
    os.close(fd)
    try:
        try:
            import seccomp  # noqa: F401  (this interpreter has the binding: the system Python)
        except ImportError:
            done = subprocess.run([python, "-I", str(Path(__file__).resolve()), "--build", staging],
                                  capture_output=True, text=True, timeout=60)
            if done.returncode != 0:
                raise FilterError(f"could not build the seccomp filter with {python} (is python3-seccomp installed? "
                                  f"make system): {done.stderr.strip()[-1000:]}") from None
        else:
            write_filter(Path(staging))
        size = Path(staging).stat().st_size
        if size == 0 or size % 8:  # a BPF program is a whole number of 8-byte instructions
            raise FilterError(f"the seccomp filter came out malformed ({size} bytes)")
        os.chmod(staging, 0o644)
        os.replace(staging, target)
    except (OSError, subprocess.SubprocessError) as exc:
        raise FilterError(f"could not build the seccomp filter: {exc}") from exc
    finally:
        Path(staging).unlink(missing_ok=True)
    return target


# -- docker: a profile for the daemon -----------------------------------------------------------------------------


def docker_profile() -> dict:
    """The same policy in the daemon's profile format: default allow, the routes above refused, native ABI only."""
    def refused(names, errno_ret=errno.EPERM, args=()):
        return {"names": list(names), "action": "SCMP_ACT_ERRNO", "errnoRet": errno_ret, "args": list(args)}

    def arg(index, op, value, value_two=0):
        return {"index": index, "value": value, "valueTwo": value_two, "op": op}

    syscalls = [refused(REFUSED), refused(NOT_IMPLEMENTED, errno.ENOSYS)]
    syscalls += [refused(["clone"], args=[arg(0, "SCMP_CMP_MASKED_EQ", flag, flag)])
                 for flag in CLONE_NAMESPACE_FLAGS.values()]
    syscalls.append(refused(["socket"], args=[arg(0, "SCMP_CMP_GE", AF_NETLINK + 1)]))
    syscalls += [refused(["socket"], args=[arg(0, "SCMP_CMP_EQ", family)])
                 for family in range(AF_NETLINK) if family not in SOCKET_FAMILIES]
    syscalls.append(refused(["socket"], args=[arg(0, "SCMP_CMP_EQ", AF_NETLINK), arg(2, "SCMP_CMP_NE", NETLINK_ROUTE)]))
    return {"defaultAction": "SCMP_ACT_ALLOW",
            "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": []}],
            "syscalls": syscalls}


def docker_security_opt() -> str:
    """The `seccomp=<json>` entry of a container's SecurityOpt: the daemon takes the profile's text inline."""
    return "seccomp=" + json.dumps(docker_profile(), separators=(",", ":"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build (or find) the sandbox's seccomp filter.")
    parser.add_argument("--cache-dir", type=Path, help="build the bwrap filter there once and print its path")
    parser.add_argument("--build", type=Path, help=argparse.SUPPRESS)  # the system Python writes the BPF here
    parser.add_argument("--pfc", action="store_true", help="print the bwrap filter as libseccomp's pseudo code")
    parser.add_argument("--docker-profile", action="store_true", help="print the Docker profile")
    args = parser.parse_args(argv)
    if args.build:
        write_filter(args.build)
    elif args.pfc:
        import seccomp

        build_filter(seccomp).export_pfc(sys.stdout)
    elif args.docker_profile:
        print(json.dumps(docker_profile(), indent=1))
    elif args.cache_dir:
        try:
            print(ensure_filter(args.cache_dir))
        except FilterError as exc:
            print(exc, file=sys.stderr)
            return 1
    else:
        parser.print_usage(sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
