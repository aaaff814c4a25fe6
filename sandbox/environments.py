"""Sandbox environments: a named root filesystem (hence image) and its limits. A bundle's manifest names one.

A second environment is a new entry here (its Debian suite and packages, and
limits where they differ); `EnvironmentBackends` then builds its tree and
image on first use and gives it a backend of its own, with its own warm pool.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from sandbox.rootfs import PACKAGES, SUITE, ensure_rootfs, read_pins

DEFAULT_ENVIRONMENT = "numpy"


class UnknownEnvironment(LookupError):
    def __init__(self, name: str):
        super().__init__(f"unknown sandbox environment {name!r}; known environments: {', '.join(sorted(ENVIRONMENTS))}")
        self.name = name


@dataclass(frozen=True)
class Environment:
    """What a bundle's code runs on: Debian's Python and packages, and limits that override the defaults."""

    name: str
    suite: str
    packages: tuple[str, ...]
    limits: dict = field(default_factory=dict)  # e.g. {"memory_mb": 2048} for a heavier framework
    wheels: tuple[str, ...] = ()  # pinned PyPI wheels installed into the tree at build time (never at run time)
    framework: str = ""  # a module the runner imports before it forks its zygote (sandbox/frameworks.py)


TENSORFLOW_PINS = Path(__file__).with_name("requirements") / "tensorflow.txt"

ENVIRONMENTS = {
    "numpy": Environment("numpy", SUITE, PACKAGES),
    # TensorFlow 2.15's CPU wheel for bookworm's Python 3.11, with the NumPy 1.26 it needs (it shadows Debian's
    # 1.24 in /usr/local). Importing TensorFlow maps about 1 GB of address space and keeps about 400 MB resident
    # in the runner, and a session starts a thread pool per core: each case's address space, the runner's share
    # of the container, the process count and the CPU time (the model check trains for up to a minute) grow.
    "tensorflow": Environment(
        "tensorflow", "bookworm", PACKAGES,
        limits={"memory_mb": 4096, "runner_memory_mb": 1024, "max_processes": 256, "cpu_s": 120.0,
                "wall_s": 300.0},
        wheels=read_pins(TENSORFLOW_PINS),
        framework="tensorflow",
    ),
}


def get_environment(name: str) -> Environment:
    try:
        return ENVIRONMENTS[name]
    except KeyError:
        raise UnknownEnvironment(name) from None


class EnvironmentBackends:
    """One backend per environment, made on first use: `make(rootfs=..., **limits)` builds it."""

    def __init__(self, make: Callable[..., object], cache_dir: Path, limits: dict,
                 configure: Callable[[object], None] | None = None):
        self.make = make
        self.cache_dir = Path(cache_dir)
        self.limits = dict(limits)
        self.configure = configure
        self._backends: dict[str, object] = {}
        self._lock = threading.Lock()

    def get(self, name: str = DEFAULT_ENVIRONMENT):
        """The backend of environment `name`; raises UnknownEnvironment for a name not in ENVIRONMENTS."""
        environment = get_environment(name)
        with self._lock:
            if name not in self._backends:
                rootfs = ensure_rootfs(self.cache_dir, suite=environment.suite, packages=environment.packages,
                                       wheels=environment.wheels, framework=environment.framework)
                backend = self.make(rootfs=rootfs, **{**self.limits, **environment.limits})
                if self.configure is not None:
                    self.configure(backend)
                self._backends[name] = backend
            return self._backends[name]

    def started(self) -> list:
        """Backends made so far (to shut their warm pools down)."""
        with self._lock:
            return list(self._backends.values())
