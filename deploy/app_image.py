"""Builds the platform's own image offline: `python deploy/app_image.py` prints its tag.

One image runs every service of deploy/compose.yaml (web, workers, beat, migrate) and the stack's own
PostgreSQL, Redis and nginx, all from Debian packages: no registry is reachable. The way is the sandbox
image's (sandbox/image/build.py): a debootstrap tree (Debian bookworm, whose Python 3.11 is the platform's)
brought in by `docker import`, then `docker build --network none` on top of it. The Python dependencies are
the ones this checkout's virtualenv runs, pinned to the installed versions and turned into wheels on the
host before the build (`pip wheel`, the only step that reaches PyPI); inside the build they are installed
with `--no-index`. The image is tagged with a hash of everything that goes in, so an unchanged checkout never
rebuilds it.
"""
from __future__ import annotations

import argparse
import fcntl
import hashlib
import importlib.metadata
import json
import logging
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: the sandbox package is the checkout's own
    sys.path.insert(0, str(ROOT))

from sandbox.image.build import ImageError, docker_client, find_image  # noqa: E402
from sandbox.rootfs import DEFAULT_CACHE_DIR, DEFAULT_MIRROR, RootfsError, tree_python  # noqa: E402

log = logging.getLogger(__name__)

REPOSITORY = "gradebox-app"
BASE_REPOSITORY = "gradebox-app-base"
SUITE = "bookworm"  # Python 3.11: the wheels built on the host (Python 3.11) install as they are
PACKAGES = ("python3", "python3-venv", "ca-certificates", "tini", "util-linux", "nginx-core", "redis-server",
            "postgresql", "postgresql-client")
IMAGE_DIR = ROOT / "deploy" / "app-image"
MARKER = ".gradebox-app-rootfs.json"
FORMAT_VERSION = 1  # bump when the build steps change in a way the inputs below do not show
LABEL_INPUTS = "org.gradebox.inputs"


def runtime_pins(python: str, pyproject: Path = ROOT / "pyproject.toml") -> tuple[str, ...]:
    """The packages the project needs at run time under the image's Python `python` (e.g. "3.11.2"):
    pyproject.toml's dependencies without extras, and theirs, with environment markers judged for that Python.
    Each is pinned `name==version` to the version installed here, so the image runs what the tests ran; one
    this Python does not need (a back-port for an older patch release) keeps its requirement as written."""
    environment = {"python_full_version": python, "python_version": ".".join(python.split(".")[:2])}
    pins: dict[str, str] = {}
    seen: set[str] = set()
    todo = [Requirement(text) for text in tomllib.loads(Path(pyproject).read_text())["project"]["dependencies"]]
    while todo:
        requirement = todo.pop()
        if requirement.marker is not None and not requirement.marker.evaluate(dict(environment, extra="")):
            continue
        name = canonicalize_name(requirement.name)
        key = f"{name}[{','.join(sorted(requirement.extras))}]"
        if key in seen:
            continue
        seen.add(key)
        try:
            distribution = importlib.metadata.distribution(requirement.name)
        except importlib.metadata.PackageNotFoundError:
            pins.setdefault(name, str(requirement.specifier))
            continue
        pins[name] = f"=={distribution.version}"
        for text in distribution.requires or ():
            nested = Requirement(text)
            if nested.marker is None or any(nested.marker.evaluate(dict(environment, extra=extra))
                                            for extra in ("", *requirement.extras)):
                nested.marker = None
                todo.append(nested)
    return tuple(sorted(f"{name}{spec}" for name, spec in pins.items()))


def ensure_tree(cache_dir: Path, mirror: str = DEFAULT_MIRROR) -> Path:
    """The debootstrap tree of the image's Debian packages, built once per package set under
    cache_dir/app-rootfs/<hash>. Raises RootfsError when debootstrap fails."""
    spec = {"suite": SUITE, "packages": sorted(PACKAGES), "format": FORMAT_VERSION}
    tree = Path(cache_dir) / "app-rootfs" / hashlib.sha256(json.dumps(spec).encode()).hexdigest()[:16]
    if (tree / MARKER).is_file():
        return tree
    tree.parent.mkdir(parents=True, exist_ok=True)
    with open(tree.parent / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (tree / MARKER).is_file():
            return tree
        staging = tree.with_name(f".building-{tree.name}")
        shutil.rmtree(staging, ignore_errors=True)
        log.info("building the app image's tree", extra={"tree": str(tree)})
        done = subprocess.run(["debootstrap", "--variant=minbase", f"--include={','.join(PACKAGES)}", SUITE,
                               str(staging), mirror], capture_output=True, text=True)
        if done.returncode != 0:
            raise RootfsError(f"debootstrap failed ({done.returncode}): {done.stderr[-2000:]}")
        shutil.rmtree(staging / "var/cache/apt/archives", ignore_errors=True)
        (staging / "var/cache/apt/archives/partial").mkdir(parents=True, exist_ok=True)
        for name, text in {"etc/hostname": "gradebox\n", "etc/resolv.conf": ""}.items():
            (staging / name).unlink(missing_ok=True)
            (staging / name).write_text(text)
        (staging / MARKER).write_text(json.dumps(dict(spec, mirror=mirror), indent=1) + "\n")
        shutil.rmtree(tree, ignore_errors=True)
        staging.rename(tree)
    return tree


def ensure_wheels(cache_dir: Path, pins: tuple[str, ...]) -> Path:
    """Wheels of the pinned packages for the host's Python (built where PyPI has only a source archive),
    once per pin set under cache_dir/app-wheels/<hash>. Raises ImageError when pip fails."""
    key = hashlib.sha256(json.dumps({"pins": pins, "python": sys.version_info[:2]}).encode()).hexdigest()[:16]
    target = Path(cache_dir) / "app-wheels" / key
    if (target / ".complete").is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".building-", dir=target.parent))
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(staging), *pins],
                          capture_output=True, text=True)
    if done.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise ImageError(f"pip wheel of the platform's dependencies failed: {done.stderr[-2000:]}")
    (staging / ".complete").write_text("\n".join(pins) + "\n")
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return target


APP_PATHS = ("manage.py", "pyproject.toml", "grader", "sandbox", "reference", "assignments", "deploy/nginx.conf")


def source_files(root: Path = ROOT) -> list[str]:
    """The checkout's files the app runs from (APP_PATHS: never the tests, benchmarks or docs), tracked and
    untracked but not ignored (so never var/ or .venv/). Raises ImageError outside a git checkout."""
    done = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard",
                           "--", *APP_PATHS], capture_output=True)
    if done.returncode != 0:
        raise ImageError(f"git ls-files failed: {done.stderr.decode(errors='replace')[-500:]}")
    return sorted(name for name in done.stdout.decode().split("\0") if name and (root / name).is_file())


def inputs_hash(tree: Path, pins: tuple[str, ...], files: list[str], root: Path = ROOT) -> str:
    """Names the image by everything in it: the tree, the pins, the image folder and the app's sources."""
    digest = hashlib.sha256(json.dumps({"format": FORMAT_VERSION, "tree": tree.name, "pins": pins}).encode())
    for path in sorted(IMAGE_DIR.iterdir()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for name in files:
        digest.update(name.encode() + b"\0" + (root / name).read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def ensure_base(tree: Path, client) -> str:
    """`docker import` of the tree, tagged by its hash, imported once. Raises ImageError."""
    tag = f"{BASE_REPOSITORY}:{tree.name}"
    if find_image(client, tag) is not None:
        return tag
    tar = subprocess.Popen(["tar", "--numeric-owner", "--xattrs", "--exclude", f"./{MARKER}", "-C", str(tree),
                            "-c", "."], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        client.api.import_image_from_stream(tar.stdout, repository=BASE_REPOSITORY, tag=tree.name)
    finally:
        tar.stdout.close()
        tar_error = tar.stderr.read().decode(errors="replace")
        tar.wait()
    if tar.returncode != 0 or find_image(client, tag) is None:
        raise ImageError(f"docker import of {tree} failed: {tar_error[-2000:]}")
    return tag


def ensure_app_image(cache_dir: Path = DEFAULT_CACHE_DIR, client=None, mirror: str = DEFAULT_MIRROR) -> str:
    """The tag of the app image for this checkout, built only when missing (a few minutes the first time: the
    tree and the wheels are cached). Raises RootfsError or ImageError."""
    import docker.errors

    client = client or docker_client()
    tree = ensure_tree(Path(cache_dir), mirror)
    pins, files = runtime_pins(tree_python(tree)), source_files()
    tag = f"{REPOSITORY}:{inputs_hash(tree, pins, files)}"
    if find_image(client, tag) is not None:
        client.images.get(tag).tag(REPOSITORY, "latest")  # `latest` names this checkout's image
        return tag
    started = time.monotonic()
    base = ensure_base(tree, client)
    wheels = ensure_wheels(Path(cache_dir), pins)
    with tempfile.TemporaryDirectory(prefix="gradebox-app-image-") as context:
        context = Path(context)
        for path in IMAGE_DIR.iterdir():
            shutil.copyfile(path, context / path.name)
        shutil.copytree(wheels, context / "wheels", ignore=shutil.ignore_patterns(".complete"))
        for name in files:
            (context / "app" / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ROOT / name, context / "app" / name)
        try:
            client.images.build(path=str(context), tag=tag, network_mode="none", pull=False, rm=True, forcerm=True,
                                buildargs={"BASE": base}, labels={LABEL_INPUTS: tag.split(":", 1)[1]})
        except docker.errors.BuildError as exc:
            lines = "".join(str(step.get("stream", step.get("error", ""))) for step in exc.build_log)
            raise ImageError(f"docker build of the app image failed: {exc.msg}\n{lines[-3000:]}") from None
    client.images.get(tag).tag(REPOSITORY, "latest")
    log.info("built the app image", extra={"image": tag, "seconds": round(time.monotonic() - started, 1)})
    return tag


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build (or find) the platform's image, offline.")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR)
    parser.add_argument("--mirror", default=DEFAULT_MIRROR)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    started = time.monotonic()
    try:
        tag = ensure_app_image(args.cache_dir, mirror=args.mirror)
    except Exception as exc:  # RootfsError, ImageError, pip or the daemon: say which, exit 1
        print(f"app image: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(f"{tag} (also {REPOSITORY}:latest, {time.monotonic() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
