"""A world-readable copy of the runner, so an unprivileged sandbox can mount it wherever the code lives."""
from __future__ import annotations

import hashlib
import os
import shutil
import stat
import tempfile
from pathlib import Path

from sandbox.backends.base import SANDBOX_SOURCE_DIR


def runner_sources() -> list[Path]:
    """The runner and the modules it imports: every top-level module of sandbox/ (no backends, no tests)."""
    return sorted(SANDBOX_SOURCE_DIR.glob("*.py"))


def install_runner(cache_dir: Path) -> Path:
    """Copies the runner to cache_dir/runner/<hash>/ once per content; safe to call from many workers."""
    digest = hashlib.sha256()
    for path in runner_sources():
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    target = Path(cache_dir) / "runner" / digest.hexdigest()[:16]
    if target.is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=target.parent))
    for path in runner_sources():
        shutil.copyfile(path, staging / path.name)
        (staging / path.name).chmod(0o644)
    staging.chmod(0o755)
    try:
        os.rename(staging, target)
    except OSError:  # another worker won the race
        shutil.rmtree(staging, ignore_errors=True)
    return target


def unreachable_part(path: Path) -> Path | None:
    """The first directory on the way to `path` that other users cannot enter, if any."""
    for part in reversed(Path(path).resolve().parents):
        if not part.stat().st_mode & stat.S_IXOTH:
            return part
    return None
