"""Picks the sandbox backend by name: docker in production, bwrap where no daemon answers."""
from __future__ import annotations

from sandbox.backends.base import Backend, BackendUnavailable
from sandbox.backends.bwrap import BwrapBackend

__all__ = ["Backend", "BackendUnavailable", "BwrapBackend", "make_backend", "docker_answers", "docker_backend_class"]

DOCKER_PING_S = 1.0


def docker_backend_class():
    """The one place that imports the docker backend (it needs the docker SDK only once it talks to a daemon)."""
    from sandbox.backends.docker import DockerBackend

    return DockerBackend


def docker_answers(timeout_s: float = DOCKER_PING_S) -> bool:
    try:
        import docker

        client = docker.from_env(timeout=timeout_s)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:  # no SDK, no socket, no daemon: all mean "not docker"
        return False


def make_backend(name: str, **limits) -> Backend:
    """'process' runs the runner with NO isolation and exists only for benchmarks; 'auto' never picks it."""
    if name == "bwrap":
        return BwrapBackend(**limits)
    if name == "docker":
        if not docker_answers():
            raise BackendUnavailable("GRADER_SANDBOX is docker but no Docker daemon answers (start it: make docker)")
        return docker_backend_class()(**limits)
    if name == "auto":
        if docker_answers():
            try:
                return docker_backend_class()(**limits)
            except BackendUnavailable:
                pass
        return BwrapBackend(**limits)
    if name == "process":
        from sandbox.backends.process import ProcessBackend

        return ProcessBackend(**limits)
    raise BackendUnavailable(f"unknown sandbox backend {name!r}; expected auto, docker or bwrap")
