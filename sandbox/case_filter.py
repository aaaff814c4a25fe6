"""A seccomp filter each case's process installs on itself: it may signal only itself and its own process group.

The sandbox's own filter (sandbox/backends/syscall_filter.py) already refuses ptrace and reading other
processes' memory; the runner, the zygote and the stand-in helpers are not dumpable. What is left between
processes of one uid is signals: without this, a case could stop the runner, kill the helper answering its
stand-ins, or join the runner's process group and signal it from there. Refused (EPERM):

- kill() to any pid but 0, its own pid and its own group (-pid); tgkill, rt_sigqueueinfo and rt_tgsigqueueinfo
  to any thread group but its own; tkill and pidfd_send_signal always;
- setpgid() into an existing group (only setpgid(x, 0), a new group, passes);
- fcntl(F_SETOWN / F_SETOWN_EX) and ioctl(FIOSETOWN / SIOCSPGRP / TIOCSPGRP), which make the kernel signal a
  chosen process later;
- changing another process's limits, priority, scheduling or CPUs (prlimit64, setpriority, sched_set*,
  ioprio_set), which a process of the same uid may otherwise do: a case could shrink the runner's address space
  or file limit and so fail the whole run;
- System V message queues, semaphores and shared memory, and POSIX message queues: they outlive the process
  that made them, so a case could leave its inputs there for the next case to read.

Only the native ABI is checked: the sandbox's own filter refuses every other (i386's int 0x80, x32) in both
backends. Built here with ctypes (the BPF is small and fixed, and libseccomp is not in the sandbox image); runs inside the
sandbox, so standard library only. Children of the case inherit the filter, with the case's pid in it.
"""
from __future__ import annotations

import ctypes
import os
import platform
import struct

PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
RET_ALLOW = 0x7FFF0000
RET_EPERM = 0x00050000 | 1  # SECCOMP_RET_ERRNO | EPERM
LD_ABS_W, JEQ_K, RET_K = 0x20, 0x15, 0x06
NR, ARCH = 0, 4  # offsets in struct seccomp_data


def arg(index: int) -> int:
    """Offset of the low 32 bits of syscall argument `index` (little-endian), enough for a pid or a command."""
    return 16 + 8 * index


# (audit arch, syscall numbers) of the architectures the sandbox image is built for.
ARCHITECTURES = {
    "x86_64": (0xC000003E, {"kill": 62, "tkill": 200, "tgkill": 234, "rt_sigqueueinfo": 129,
                            "rt_tgsigqueueinfo": 297, "pidfd_send_signal": 424, "setpgid": 109,
                            "fcntl": 72, "ioctl": 16, "prlimit64": 302, "setpriority": 141,
                            "sched_setparam": 142, "sched_setscheduler": 144, "sched_setaffinity": 203,
                            "sched_setattr": 314, "ioprio_set": 251,
                            "msgget": 68, "msgsnd": 69, "msgrcv": 70, "msgctl": 71, "semget": 64, "semop": 65,
                            "semctl": 66, "semtimedop": 220, "shmget": 29, "shmat": 30, "shmctl": 31, "shmdt": 67,
                            "mq_open": 240, "mq_unlink": 241, "mq_timedsend": 242, "mq_timedreceive": 243,
                            "mq_notify": 244, "mq_getsetattr": 245}),
    "aarch64": (0xC00000B7, {"kill": 129, "tkill": 130, "tgkill": 131, "rt_sigqueueinfo": 138,
                             "rt_tgsigqueueinfo": 240, "pidfd_send_signal": 424, "setpgid": 154,
                             "fcntl": 25, "ioctl": 29, "prlimit64": 261, "setpriority": 140,
                             "sched_setparam": 118, "sched_setscheduler": 119, "sched_setaffinity": 122,
                             "sched_setattr": 274, "ioprio_set": 30,
                             "msgget": 186, "msgctl": 187, "msgrcv": 188, "msgsnd": 189, "semget": 190,
                             "semctl": 191, "semtimedop": 192, "semop": 193, "shmget": 194, "shmctl": 195,
                             "shmat": 196, "shmdt": 197, "mq_open": 180, "mq_unlink": 181, "mq_timedsend": 182,
                             "mq_timedreceive": 183, "mq_notify": 184, "mq_getsetattr": 185}),
}
ALWAYS_REFUSED = ("tkill", "pidfd_send_signal", "msgget", "msgsnd", "msgrcv", "msgctl", "semget", "semop", "semctl",
                  "semtimedop", "shmget", "shmat", "shmctl", "shmdt", "mq_open", "mq_unlink", "mq_timedsend",
                  "mq_timedreceive", "mq_notify", "mq_getsetattr")
OWN_PROCESS_FIRST = ("prlimit64", "sched_setparam", "sched_setscheduler", "sched_setaffinity", "sched_setattr")
PRIO_PROCESS, IOPRIO_WHO_PROCESS = 0, 1
F_SETOWN, F_SETOWN_EX = 8, 15
FIOSETOWN, SIOCSPGRP, TIOCSPGRP = 0x8901, 0x8902, 0x5410


class _Program:
    """A forward-only BPF program with labels: each jump is (label if equal, label if not), None = next."""

    def __init__(self):
        self.code: list = []
        self.labels: dict[str, int] = {}

    def load(self, offset: int) -> None:
        self.code.append((LD_ABS_W, None, None, offset))

    def jeq(self, value: int, then: str | None, otherwise: str | None = None) -> None:
        self.code.append((JEQ_K, then, otherwise, value & 0xFFFFFFFF))

    def ret(self, value: int) -> None:
        self.code.append((RET_K, None, None, value))

    def label(self, name: str) -> None:
        self.labels[name] = len(self.code)

    def assemble(self) -> bytes:
        out = b""
        for position, (op, then, otherwise, k) in enumerate(self.code):
            jt = self.labels[then] - position - 1 if then else 0
            jf = self.labels[otherwise] - position - 1 if otherwise else 0
            if not (0 <= jt < 256 and 0 <= jf < 256):
                raise ValueError("jump out of range")
            out += struct.pack("=HBBI", op, jt, jf, k)
        return out


def program(pid: int, machine: str | None = None) -> bytes:
    """The filter's BPF for a process `pid`; ValueError on an architecture it has no numbers for."""
    machine = machine or platform.machine()
    if machine not in ARCHITECTURES:
        raise ValueError(f"no syscall numbers for {machine}")
    audit_arch, nr = ARCHITECTURES[machine]
    p = _Program()
    p.load(ARCH)
    p.jeq(audit_arch, None, "allow")  # other ABIs (i386, and x32's high numbers below) the sandbox's filter refuses
    p.load(NR)
    for name in ALWAYS_REFUSED:
        p.jeq(nr[name], "deny")
    for name in OWN_PROCESS_FIRST:
        p.jeq(nr[name], "own_process_first")
    p.jeq(nr["setpriority"], "own_process_second")
    p.jeq(nr["ioprio_set"], "ioprio")
    p.jeq(nr["kill"], "kill")
    for name in ("tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo"):
        p.jeq(nr[name], "own_group_leader")
    p.jeq(nr["setpgid"], "setpgid")
    p.jeq(nr["fcntl"], "fcntl")
    p.jeq(nr["ioctl"], "ioctl")
    p.ret(RET_ALLOW)
    p.label("kill")
    p.load(arg(0))
    p.jeq(0, "allow")
    p.jeq(pid, "allow")
    p.jeq(-pid, "allow")
    p.ret(RET_EPERM)
    p.label("own_process_first")  # (pid, ...): 0 or its own pid
    p.load(arg(0))
    p.jeq(0, "allow")
    p.jeq(pid, "allow", "deny")
    p.label("own_process_second")  # setpriority(PRIO_PROCESS, 0 or its own pid, ...)
    p.load(arg(0))
    p.jeq(PRIO_PROCESS, "second_is_self", "deny")
    p.label("ioprio")  # ioprio_set(IOPRIO_WHO_PROCESS, 0 or its own pid, ...)
    p.load(arg(0))
    p.jeq(IOPRIO_WHO_PROCESS, "second_is_self", "deny")
    p.label("second_is_self")
    p.load(arg(1))
    p.jeq(0, "allow")
    p.jeq(pid, "allow", "deny")
    p.label("own_group_leader")
    p.load(arg(0))
    p.jeq(pid, "allow", "deny")
    p.label("setpgid")
    p.load(arg(1))
    p.jeq(0, "allow", "deny")
    p.label("fcntl")
    p.load(arg(1))
    p.jeq(F_SETOWN, "deny")
    p.jeq(F_SETOWN_EX, "deny", "allow")
    p.label("ioctl")
    p.load(arg(1))
    p.jeq(FIOSETOWN, "deny")
    p.jeq(SIOCSPGRP, "deny")
    p.jeq(TIOCSPGRP, "deny", "allow")
    p.label("allow")
    p.ret(RET_ALLOW)
    p.label("deny")
    p.ret(RET_EPERM)
    return p.assemble()


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def install(pid: int | None = None) -> None:
    """Loads the filter into the calling process (and so into everything it forks). Raises OSError on failure."""
    code = program(os.getpid() if pid is None else pid)
    libc = ctypes.CDLL(None, use_errno=True)
    buffer = ctypes.create_string_buffer(code, len(code))
    fprog = _SockFprog(len(code) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "PR_SET_NO_NEW_PRIVS refused")
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "the case's seccomp filter was refused")
