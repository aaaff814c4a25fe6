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
import tempfile
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
FRAMEWORK_FILE = "etc/gradebox-framework"  # names the framework the runner loads before it forks (sandbox/frameworks.py)
WHEEL_PLATFORMS = ("manylinux2014_x86_64", "manylinux_2_17_x86_64", "manylinux_2_28_x86_64")
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


def rootfs_hash(suite: str = SUITE, packages: tuple[str, ...] = PACKAGES, wheels: tuple[str, ...] = (),
                framework: str = "") -> str:
    """Names the tree by what is in it, so a package change builds a new one beside the old. A tree without
    wheels or framework hashes as before they existed, so the numpy tree keeps its name."""
    spec = {"suite": suite, "packages": sorted(packages), "format": FORMAT_VERSION}
    if wheels or framework:
        spec.update(wheels=sorted(wheels), framework=framework)
    return hashlib.sha256(json.dumps(spec).encode()).hexdigest()[:16]


def read_pins(path: Path) -> tuple[str, ...]:
    """`name==version` lines of a requirements file, comments and blank lines left out."""
    lines = (line.split("#", 1)[0].strip() for line in Path(path).read_text().splitlines())
    pins = tuple(line for line in lines if line)
    loose = [pin for pin in pins if "==" not in pin]
    if loose:
        raise ValueError(f"{path}: every wheel must be pinned with ==, not {', '.join(loose)}")
    return pins


def wheels_dir(cache_dir: Path, wheels: tuple[str, ...], python: str) -> Path:
    """Downloads the pinned wheels once per pin set and Python (binary only, no dependency resolution at
    install time): cache_dir/wheels/<hash>/. The only step that reaches PyPI; the tree's build stays offline."""
    key = hashlib.sha256(json.dumps({"wheels": sorted(wheels), "python": python,
                                     "platforms": WHEEL_PLATFORMS}).encode()).hexdigest()[:16]
    target = Path(cache_dir) / "wheels" / key
    if (target / ".complete").is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".downloading-", dir=target.parent))
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--implementation", "cp",
           "--python-version", python, *(f"--platform={platform}" for platform in WHEEL_PLATFORMS),
           "--dest", str(staging), *wheels]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise RootfsError(f"pip download of the environment's wheels failed: {done.stderr[-2000:]}")
    (staging / ".complete").write_text("\n".join(sorted(wheels)) + "\n")
    if target.exists():
        shutil.rmtree(target)
    staging.rename(target)
    return target


def install_wheels(tree: Path, wheels: tuple[str, ...], cache_dir: Path) -> None:
    """Installs the pinned wheels into the tree's /usr/local, offline (--no-index), with the host's pip."""
    python = tree_python(tree)
    short = ".".join(python.split(".")[:2])
    found = wheels_dir(cache_dir, wheels, short)
    site = tree / "usr/local/lib" / f"python{short}" / "dist-packages"
    site.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "install", "--no-index", "--find-links", str(found), "--no-deps",
           "--only-binary=:all:", "--implementation", "cp", "--python-version", short,
           *(f"--platform={platform}" for platform in WHEEL_PLATFORMS), "--no-compile", "--upgrade",
           "--target", str(site), *wheels]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RootfsError(f"installing the environment's wheels failed: {done.stderr[-2000:]}")
    shutil.rmtree(site / "bin", ignore_errors=True)  # console scripts point at the host's Python
    compiled = subprocess.run(["chroot", str(tree), "/usr/bin/python3", "-I", "-m", "compileall", "-q",
                               f"/usr/local/lib/python{short}/dist-packages"], capture_output=True, text=True)
    if compiled.returncode not in (0, 1):  # 1: some test file of a wheel does not compile; nothing imports it
        raise RootfsError(f"compiling the environment's wheels failed: {compiled.stderr[-2000:]}")


def tree_python(tree: Path) -> str:
    done = subprocess.run(["chroot", str(tree), "/usr/bin/python3", "-I", "-c",
                           "import platform; print(platform.python_version())"], capture_output=True, text=True)
    if done.returncode != 0:
        raise RootfsError(f"the new tree's python does not start: {done.stderr[-2000:]}")
    return done.stdout.strip()


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
    wheels: tuple[str, ...] = (),
    framework: str = "",
) -> Path:
    """Returns a complete tree, building it once; safe to call from many workers at once. `wheels` (pinned)
    are installed at build time; `framework` names what the runner imports before it forks."""
    base = Path(cache_dir) / "rootfs"
    tree = base / rootfs_hash(suite, packages, wheels, framework)
    if is_complete(tree):
        return tree
    base.mkdir(parents=True, exist_ok=True)
    with open(base / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not is_complete(tree):
            _build(tree, mirror, suite, packages, wheels, framework, Path(cache_dir))
    return tree


def _build(tree: Path, mirror: str, suite: str, packages: tuple[str, ...], wheels: tuple[str, ...] = (),
           framework: str = "", cache_dir: Path = DEFAULT_CACHE_DIR) -> None:
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
    if wheels:
        install_wheels(tmp, wheels, cache_dir)
    if framework:
        (tmp / FRAMEWORK_FILE).write_text(framework + "\n")
        (tmp / FRAMEWORK_FILE).chmod(0o644)
    versions = "numpy.__version__, platform.python_version()"
    if framework:
        versions += f", importlib.import_module({framework!r}).__version__"
    probe = subprocess.run(
        ["chroot", str(tmp), "/usr/bin/python3", "-I", "-c",
         f"import importlib, platform, h5py, numpy; print({versions})"],
        capture_output=True, text=True, env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "TF_CPP_MIN_LOG_LEVEL": "2"},
    )
    if probe.returncode != 0:
        raise RootfsError(f"the new tree's python cannot import numpy, h5py {framework}: {probe.stderr[-2000:]}")
    numpy, python, *framework_version = probe.stdout.split()
    marker = {"suite": suite, "packages": list(packages), "format": FORMAT_VERSION,
              "mirror": mirror, "numpy": numpy, "python": python}
    if wheels or framework:
        marker.update(wheels=list(wheels), framework=framework, framework_version="".join(framework_version))
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
    parser.add_argument("--environment", default="numpy", help="a name of sandbox.environments (default numpy)")
    args = parser.parse_args(argv)
    from sandbox.environments import get_environment  # it imports this module

    environment = get_environment(args.environment)
    try:
        tree = ensure_rootfs(args.cache_dir, mirror=args.mirror, suite=environment.suite,
                             packages=environment.packages, wheels=environment.wheels,
                             framework=environment.framework)
    except RootfsError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(tree)
    return 0


if __name__ == "__main__":
    sys.exit(main())
