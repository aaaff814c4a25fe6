"""Builds the Debian root filesystem that both backends and the reference solutions run in."""
from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import logging
import shutil
import subprocess
import sys
from pathlib import Path

log = logging.getLogger(__name__)

SUITE = "trixie"  # Python 3.13 and NumPy 2: what students write against
PACKAGES = ("python3-minimal", "python3-numpy", "python3-h5py")
DEFAULT_MIRROR = "http://deb.debian.org/debian"
DEFAULT_CACHE_DIR = Path("/var/cache/gradebox")
# Bump when the layout of a built tree changes, so old trees are not reused.
# 2: the build host's hostname and resolver are no longer copied in (debootstrap copies both).
# 3: the marker records the tree's Python version beside its NumPy.
FORMAT_VERSION = 3
MARKER = ".gradebox-rootfs.json"
MOUNT_POINTS = ("job", "opt/gradebox", "tmp")
HOSTNAME = "gradebox"
# Written over what debootstrap copied from the build host: nothing of the machine that built the tree goes in.
HOST_FILES = {
    "etc/hostname": f"{HOSTNAME}\n",
    "etc/hosts": "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n",
    "etc/resolv.conf": "",  # no network inside: no resolver (glibc then tries the sandbox's own loopback)
}


class RootfsError(RuntimeError):
    """The tree could not be built; an infrastructure failure, never the student's."""


def rootfs_hash(suite: str = SUITE, packages: tuple[str, ...] = PACKAGES) -> str:
    """Names the tree by what is in it, so a package change builds a new one beside the old."""
    spec = json.dumps({"suite": suite, "packages": sorted(packages), "format": FORMAT_VERSION})
    return hashlib.sha256(spec.encode()).hexdigest()[:16]


def is_complete(tree: Path) -> bool:
    """The marker is written last, so a tree without it is a leftover of a failed build."""
    return (tree / MARKER).is_file()


def numpy_version(tree: Path) -> str:
    """The NumPy that student and reference share; recorded at build time."""
    return json.loads((tree / MARKER).read_text())["numpy"]


def python_version(tree: Path) -> str:
    """The Python that parses and runs student code; recorded at build time."""
    return json.loads((tree / MARKER).read_text()).get("python", "")


def ensure_rootfs(
    cache_dir: Path = DEFAULT_CACHE_DIR,
    mirror: str = DEFAULT_MIRROR,
    suite: str = SUITE,
    packages: tuple[str, ...] = PACKAGES,
) -> Path:
    """Returns a complete tree, building it once; safe to call from many workers at once."""
    base = Path(cache_dir) / "rootfs"
    tree = base / rootfs_hash(suite, packages)
    if is_complete(tree):
        return tree
    base.mkdir(parents=True, exist_ok=True)
    with open(base / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not is_complete(tree):
            _build(tree, mirror, suite, packages)
    return tree


def _build(tree: Path, mirror: str, suite: str, packages: tuple[str, ...]) -> None:
    """Builds beside the final path and renames, so readers never see a half-built tree."""
    tmp = tree.with_name(f".building-{tree.name}")
    for leftover in (tmp, tree):
        if leftover.exists():
            shutil.rmtree(leftover)
    log.info("building sandbox rootfs", extra={"rootfs": str(tree), "mirror": mirror})
    cmd = ["debootstrap", "--variant=minbase", f"--include={','.join(packages)}", suite, str(tmp), mirror]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RootfsError(f"debootstrap failed ({done.returncode}): {done.stderr[-2000:]}")
    shutil.rmtree(tmp / "var/cache/apt/archives", ignore_errors=True)
    for mount_point in MOUNT_POINTS:
        (tmp / mount_point).mkdir(parents=True, exist_ok=True)
    scrub_host_files(tmp)
    probe = subprocess.run(
        ["chroot", str(tmp), "/usr/bin/python3", "-I", "-c",
         "import platform, h5py, numpy; print(numpy.__version__, platform.python_version())"],
        capture_output=True, text=True,
    )
    if probe.returncode != 0:
        raise RootfsError(f"the new tree's python cannot import numpy and h5py: {probe.stderr[-2000:]}")
    numpy, python = probe.stdout.split()
    marker = {"suite": suite, "packages": list(packages), "format": FORMAT_VERSION,
              "mirror": mirror, "numpy": numpy, "python": python}
    (tmp / MARKER).write_text(json.dumps(marker, indent=1) + "\n")
    tmp.rename(tree)


def scrub_host_files(tree: Path) -> None:
    """Replaces the build host's hostname, hosts and resolver files (regular files, never through a symlink)."""
    for name, text in HOST_FILES.items():
        path = tree / name
        if path.is_symlink() or path.exists():
            path.unlink()
        path.write_text(text)
        path.chmod(0o644)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build (or find) the sandbox root filesystem.")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR)
    parser.add_argument("--mirror", default=DEFAULT_MIRROR)
    args = parser.parse_args(argv)
    try:
        tree = ensure_rootfs(args.cache_dir, mirror=args.mirror)
    except RootfsError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(tree)
    return 0


if __name__ == "__main__":
    sys.exit(main())
