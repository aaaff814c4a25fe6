"""Builds the process-wide Grader from Django settings (sandbox/ never reads settings itself)."""
from __future__ import annotations

import functools

from django.conf import settings

from grader.grading.pipeline import Grader
from sandbox.backends import make_backend
from sandbox.environments import EnvironmentBackends


def _configure(backend) -> None:
    if backend.name == "docker":  # the warm pool, one per environment; bwrap has none
        backend.pool_size = settings.GRADER_DOCKER_POOL_SIZE
        backend.pool_max_age_s = settings.GRADER_DOCKER_POOL_MAX_AGE_S


@functools.lru_cache(maxsize=1)
def get_grader() -> Grader:
    limits = {
        "wall_s": settings.GRADER_WALL_S,
        "cpu_s": settings.GRADER_CPU_S,
        "memory_mb": settings.GRADER_MEMORY_MB,
        "max_processes": settings.GRADER_MAX_PROCESSES,
        "output_bytes": settings.GRADER_OUTPUT_BYTES,
        "tmpfs_mb": settings.GRADER_TMPFS_MB,
        "cpu_quota": settings.GRADER_CPU_QUOTA,
    }
    backends = EnvironmentBackends(
        functools.partial(make_backend, settings.GRADER_SANDBOX), settings.GRADER_CACHE_DIR, limits, _configure)
    return Grader(
        backends=backends,
        cache_dir=settings.GRADER_CACHE_DIR,
        jobs_dir=settings.GRADER_JOBS_DIR,
        max_upload_bytes=settings.GRADER_MAX_UPLOAD_BYTES,
        keep_jobs=settings.GRADER_KEEP_JOBS,
        model_checks=settings.GRADER_MODEL_CHECKS,
    )
