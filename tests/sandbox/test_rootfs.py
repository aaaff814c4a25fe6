"""What names a root filesystem, and the pinned wheels of an environment (no tree is built here)."""
import hashlib
import json
import os
from pathlib import Path

import pytest

from sandbox.environments import ENVIRONMENTS, EnvironmentBackends, get_environment
from sandbox.rootfs import (
    DEFAULT_CACHE_DIR, FORMAT_VERSION, FRAMEWORK_FILE, PACKAGES, SUITE, numpy_version, python_version, read_pins,
    rootfs_hash,
)


def test_the_numpy_tree_keeps_the_name_it_had_before_environments_had_wheels():
    spec = json.dumps({"suite": SUITE, "packages": sorted(PACKAGES), "format": FORMAT_VERSION})
    assert rootfs_hash(SUITE, PACKAGES) == hashlib.sha256(spec.encode()).hexdigest()[:16]
    numpy = get_environment("numpy")
    assert numpy.wheels == () and numpy.framework == "" and numpy.limits == {}


def test_wheels_and_framework_name_a_tree_of_their_own():
    tensorflow = get_environment("tensorflow")
    names = {rootfs_hash(tensorflow.suite, tensorflow.packages),
             rootfs_hash(tensorflow.suite, tensorflow.packages, tensorflow.wheels),
             rootfs_hash(tensorflow.suite, tensorflow.packages, tensorflow.wheels, tensorflow.framework),
             rootfs_hash(tensorflow.suite, tensorflow.packages, tensorflow.wheels[:-1], tensorflow.framework)}
    assert len(names) == 4


def test_every_tensorflow_wheel_is_pinned_and_tensorflow_cpu_wants_numpy_below_2():
    pins = dict(pin.split("==") for pin in get_environment("tensorflow").wheels)
    assert pins["tensorflow-cpu"].startswith("2.15.") and pins["numpy"].startswith("1.")


def test_a_requirement_without_an_exact_pin_is_refused(tmp_path):
    path = tmp_path / "requirements.txt"
    path.write_text("# comment\nnumpy==1.26.4\ntensorflow-cpu>=2.15\n")
    with pytest.raises(ValueError, match="tensorflow-cpu>=2.15"):
        read_pins(path)


@pytest.mark.sandbox
def test_each_environment_gets_its_own_backend_tree_and_limits():
    """On the built trees (make rootfs): nothing is mocked, so the trees must exist."""
    made = []
    cache_dir = Path(os.environ.get("GRADER_CACHE_DIR", DEFAULT_CACHE_DIR))
    backends = EnvironmentBackends(lambda **limits: made.append(limits) or limits, cache_dir, {"memory_mb": 1024})
    numpy, tensorflow = backends.get("numpy"), backends.get("tensorflow")
    assert numpy is not tensorflow and numpy["rootfs"] != tensorflow["rootfs"] and len(made) == 2
    assert numpy["memory_mb"] == 1024
    assert tensorflow["memory_mb"] == ENVIRONMENTS["tensorflow"].limits["memory_mb"] == 4096
    assert numpy_version(tensorflow["rootfs"]).startswith("1.26") and python_version(tensorflow["rootfs"]) >= "3.11"
    assert (tensorflow["rootfs"] / FRAMEWORK_FILE).read_text().strip() == "tensorflow"
    assert not (numpy["rootfs"] / FRAMEWORK_FILE).exists()
