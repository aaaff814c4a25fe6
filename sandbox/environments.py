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

from sandbox.rootfs import PACKAGES, SUITE, ensure_rootfs

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


ENVIRONMENTS = {
    "numpy": Environment("numpy", SUITE, PACKAGES),
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
                rootfs = ensure_rootfs(self.cache_dir, suite=environment.suite, packages=environment.packages)
                backend = self.make(rootfs=rootfs, **{**self.limits, **environment.limits})
                if self.configure is not None:
                    self.configure(backend)
                self._backends[name] = backend
            return self._backends[name]

    def started(self) -> list:
        """Backends made so far (to shut their warm pools down)."""
        with self._lock:
            return list(self._backends.values())
