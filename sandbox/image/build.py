"""Builds the Docker sandbox image offline, once per content: `python -m sandbox.image.build`.

No registry is reachable: the base image is the debootstrap tree of sandbox.rootfs brought in with
`docker import`, and the build on top runs with no network. The image is labelled with a hash of
its inputs (tree, Dockerfile, runner sources), so an unchanged checkout never rebuilds it.
"""
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
import time
from pathlib import Path

from sandbox.backends.runner_files import runner_sources
from sandbox.environments import get_environment
from sandbox.rootfs import DEFAULT_CACHE_DIR, MARKER, ensure_rootfs, numpy_version

log = logging.getLogger(__name__)

REPOSITORY = "gradebox-sandbox"
BASE_REPOSITORY = "gradebox-rootfs"
LABEL_INPUTS = "org.gradebox.inputs"
LABEL_NUMPY = "org.gradebox.numpy"
LABEL_ROOTFS = "org.gradebox.rootfs"
DOCKERFILE = Path(__file__).with_name("Dockerfile")
SANDBOX_UID = 10001  # the image's `gradebox` user; never 0
FORMAT_VERSION = 1  # bump when the build steps change in a way the inputs below do not show


class ImageError(RuntimeError):
    """The image could not be built: an infrastructure failure, never the student's."""


def docker_client(timeout_s: float = 600):
    import docker  # only the host side needs the SDK; the runner never imports this module

    return docker.from_env(timeout=int(timeout_s))


def image_inputs_hash(rootfs: Path) -> str:
    """Everything that ends up in the image, so any change to it names a new image."""
    digest = hashlib.sha256()
    digest.update(json.dumps({"format": FORMAT_VERSION, "uid": SANDBOX_UID, "rootfs": Path(rootfs).name}).encode())
    digest.update((Path(rootfs) / MARKER).read_bytes())
    digest.update(DOCKERFILE.read_bytes())
    for path in runner_sources():
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def image_tag(rootfs: Path) -> str:
    return f"{REPOSITORY}:{image_inputs_hash(rootfs)}"


def find_image(client, tag: str):
    import docker.errors

    try:
        return client.images.get(tag)
    except docker.errors.ImageNotFound:
        return None


def ensure_image(rootfs: Path, client=None, lock_dir: Path | None = None) -> str:
    """Returns the tag of an image built from `rootfs` and this checkout's runner; builds it only when missing."""
    rootfs = Path(rootfs)
    client = client or docker_client()
    tag = image_tag(rootfs)
    if find_image(client, tag) is not None:
        return tag
    lock_dir = Path(lock_dir or rootfs.parents[1])
    lock_dir.mkdir(parents=True, exist_ok=True)
    with open(lock_dir / ".image.lock", "w") as lock:  # many workers may start at once: one builds
        fcntl.flock(lock, fcntl.LOCK_EX)
        if find_image(client, tag) is None:
            started = time.monotonic()
            base = ensure_base_image(rootfs, client)
            build_image(rootfs, base, tag, client)
            log.info("built sandbox image", extra={"image": tag, "seconds": round(time.monotonic() - started, 1)})
    return tag


def ensure_base_image(rootfs: Path, client) -> str:
    """`docker import` of the debootstrap tree; tagged by the tree's own hash, imported once."""
    tag = f"{BASE_REPOSITORY}:{rootfs.name}"
    if find_image(client, tag) is not None:
        return tag
    if not (rootfs / MARKER).is_file():
        raise ImageError(f"no complete sandbox root filesystem at {rootfs}")
    tar = subprocess.Popen(["tar", "--numeric-owner", "--xattrs", "-C", str(rootfs), "-c", "."],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        client.api.import_image_from_stream(tar.stdout, repository=BASE_REPOSITORY, tag=rootfs.name,
                                            changes=[f"LABEL {LABEL_ROOTFS}={rootfs.name}"])
    finally:
        tar.stdout.close()
        tar_error = tar.stderr.read().decode(errors="replace")
        tar.wait()
    if tar.returncode != 0:
        raise ImageError(f"tar of {rootfs} failed: {tar_error[-2000:]}")
    if find_image(client, tag) is None:
        raise ImageError(f"docker import of {rootfs} produced no image {tag}")
    return tag


def build_image(rootfs: Path, base: str, tag: str, client) -> None:
    """`docker build --network none` on top of the imported base; never pulls."""
    import docker.errors

    with tempfile.TemporaryDirectory(prefix="gradebox-image-") as context:
        shutil.copyfile(DOCKERFILE, Path(context) / "Dockerfile")
        (Path(context) / "runner").mkdir()
        for path in runner_sources():
            shutil.copyfile(path, Path(context) / "runner" / path.name)
        labels = {LABEL_INPUTS: tag.split(":", 1)[1], LABEL_NUMPY: numpy_version(rootfs), LABEL_ROOTFS: rootfs.name}
        try:
            client.images.build(path=context, tag=tag, network_mode="none", pull=False, rm=True, forcerm=True,
                                buildargs={"BASE": base, "UID": str(SANDBOX_UID)}, labels=labels)
        except docker.errors.BuildError as exc:
            lines = "".join(str(step.get("stream", step.get("error", ""))) for step in exc.build_log)
            raise ImageError(f"docker build failed: {exc.msg}\n{lines[-3000:]}") from None


def image_numpy_version(client, tag: str) -> str:
    """The NumPy inside the image, as recorded at build time; expected outputs carry it."""
    image = find_image(client, tag)
    return (image.labels or {}).get(LABEL_NUMPY, "") if image is not None else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build (or find) the Docker sandbox image, offline.")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR)
    parser.add_argument("--environment", default="numpy", help="a name of sandbox.environments (default numpy)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    started = time.monotonic()
    try:
        environment = get_environment(args.environment)
        rootfs = ensure_rootfs(args.cache_dir, suite=environment.suite, packages=environment.packages,
                               wheels=environment.wheels, framework=environment.framework)
        tag = ensure_image(rootfs)
    except Exception as exc:  # ImageError, RootfsError, or the daemon not answering: say which, exit 1
        print(f"sandbox image: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(f"{tag} (numpy {numpy_version(rootfs)}, {time.monotonic() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
