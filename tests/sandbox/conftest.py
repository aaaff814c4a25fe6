"""Builds real job directories the way the grading pipeline lays them out."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import shutil
import tempfile
from pathlib import Path

import h5py
import pytest

from sandbox import wire
from sandbox.channel import PUBLIC_DIR, pack_job

RUNNER = Path(__file__).resolve().parents[2] / "sandbox" / "runner.py"


def write_job(job_dir: Path, source: str, functions: dict, wall_s: float = 5.0, limits: dict | None = None,
              helpers: dict | None = None) -> dict:
    """functions maps a name to its cases, each case a tuple of positional arguments. Lays the directory out as
    grader.grading.job does: job.json and inputs.h5 (sent over stdin), files/ (mounted as /job)."""
    public = job_dir / PUBLIC_DIR
    public.mkdir(parents=True, exist_ok=True)
    (public / "submission.py").write_text(textwrap.dedent(source))
    for name, text in (helpers or {}).items():
        (public / name).write_text(textwrap.dedent(text))
    job = {"version": 1, "submission": "submission.py", "functions": [],
           "limits": {"memory_mb": 1024, "cpu_s": 10, "output_bytes": 64 * 2**20, **(limits or {})}}
    with h5py.File(job_dir / "inputs.h5", "w") as inputs:
        for f, (name, cases) in enumerate(functions.items()):
            entry = {"name": name, "wall_s": wall_s, "cases": []}
            for c, args in enumerate(cases):
                tree = wire.write_h5_tree(inputs, tuple(args), name=f"f{f}/c{c}")
                entry["cases"].append({"id": f"case-{c}", "args": tree})
            job["functions"].append(entry)
    (job_dir / "job.json").write_text(json.dumps(job))
    return job


def run_plain_runner(job_dir: Path, timeout_s: float = 60) -> subprocess.CompletedProcess:
    """The runner as a plain process with the host's Python: fast, and no isolation needed to test its logic."""
    return subprocess.run([sys.executable, "-I", str(RUNNER), str(job_dir / PUBLIC_DIR)], input=pack_job(job_dir),
                          capture_output=True, timeout=timeout_s)


@pytest.fixture
def job_dir():
    """Outside pytest's private tmp dirs: the sandbox runs as an unprivileged host user that must reach it."""
    base = Path(tempfile.mkdtemp(prefix="gradebox-test-"))
    base.chmod(0o755)
    yield base / "job"
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def build_job():
    """A fixture rather than an import: several conftest.py files may live under tests/."""
    return write_job


@pytest.fixture
def run_runner():
    return run_plain_runner


# -- both backends: the same tests run against bubblewrap and Docker ------------------------------------------------

BACKENDS = [
    pytest.param("bwrap", marks=pytest.mark.sandbox),
    pytest.param("docker", marks=[pytest.mark.sandbox, pytest.mark.docker]),
]
# Docker tests never skip quietly where Docker is required (CI sets it): they fail, saying why.
REQUIRE_DOCKER = os.environ.get("GRADEBOX_REQUIRE_DOCKER") == "1"
SANDBOX_LIMITS = {"wall_s": 30.0, "max_processes": 32, "memory_mb": 512}


def require_docker() -> None:
    from sandbox.backends import docker_answers

    if docker_answers(timeout_s=5.0):
        return
    message = "NO DOCKER DAEMON ANSWERS: the Docker sandbox tests did not run (start it: make docker)"
    if REQUIRE_DOCKER:
        pytest.fail(message + " [GRADEBOX_REQUIRE_DOCKER=1]", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def sandbox_rootfs() -> Path:
    from sandbox.rootfs import ensure_rootfs

    return ensure_rootfs(Path(os.environ.get("GRADER_CACHE_DIR", "/var/cache/gradebox")))


@pytest.fixture(scope="session")
def docker_daemon() -> None:
    require_docker()


@pytest.fixture(scope="session")
def docker_backend(sandbox_rootfs, docker_daemon):
    """One warm pool for the whole session, as a worker would keep it; tests may change only host-side limits."""
    from sandbox.backends import make_backend

    backend = make_backend("docker", rootfs=sandbox_rootfs, pool_size=2, **SANDBOX_LIMITS)
    backend.prepare()
    yield backend
    backend.close()


@pytest.fixture(params=BACKENDS)
def sandbox_backend(request, sandbox_rootfs):
    """A ready backend of each kind; wall_s and output_bytes may be changed by the test and are restored."""
    if request.param == "bwrap":
        from sandbox.backends import make_backend

        yield make_backend("bwrap", rootfs=sandbox_rootfs, **SANDBOX_LIMITS)
        return
    backend = request.getfixturevalue("docker_backend")
    saved = backend.wall_s, backend.output_bytes
    yield backend
    backend.wall_s, backend.output_bytes = saved


# -- say how many Docker tests ran: CI greps this line, and a run without Docker must not look like a pass ---------

_docker_outcomes: dict[str, int] = {}


def pytest_runtest_logreport(report):
    if "docker" in report.keywords and (report.when == "call" or report.outcome != "passed"):
        _docker_outcomes[report.outcome] = _docker_outcomes.get(report.outcome, 0) + 1


def pytest_terminal_summary(terminalreporter):
    if not _docker_outcomes:
        return
    counts = ", ".join(f"{count} {outcome}" for outcome, count in sorted(_docker_outcomes.items()))
    terminalreporter.write_line(f"docker sandbox tests: {counts}")
    if _docker_outcomes.get("skipped"):
        terminalreporter.write_line("!" * 78 + "\n!!! DOCKER WAS UNAVAILABLE: the Docker sandbox was NOT tested\n" + "!" * 78,
                                    red=True, bold=True)
