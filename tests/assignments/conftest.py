"""`draft`: a minimal valid assignment bundle, kept as data until a test has changed the one thing it is about.

Used by test_bundle_loader.py and test_manifest.py. The bundle grades `relu(Z)`
with a public literal case and a hidden cases.py builder, and catalogues one
mistake (np.maximum -> np.minimum). Nothing here imports or runs bundle code.
"""
from __future__ import annotations

import copy
import io
from pathlib import Path

import numpy as np
import pytest
import tomli_w

from assignments.bundle import Bundle, BundleError, load_bundle

REFERENCE = '''\
import numpy as np


def relu(Z):
    """The rectified linear unit, elementwise."""
    A = np.maximum(0, Z)
    return A
'''

CASES = '''\
import numpy as np


def relu_hidden():
    return (np.linspace(-1.0, 1.0, 6).reshape(2, 3),)


def model_args():
    return (3,)
'''

SUPPLIED = '''\
def gradebox_train_model(X, Y, num_iterations):
    return {}, []
'''

MANIFEST = {
    "slug": "tiny",
    "title": "A tiny bundle",
    "environment": "numpy",
    "reference": "reference.py",
    "cases": "cases.py",
    "mistakes": "mistakes.toml",
    "functions": [{
        "name": "relu",
        "points": 1,
        "outputs": ["A"],
        "cases": [
            {"id": "published", "args": [{"array": [[-1.0, 2.0]]}]},
            {"id": "hidden", "args": "cases.py:relu_hidden", "hidden": True},
        ],
    }],
}

MISTAKES = {"mistakes": [{
    "key": "relu_min",
    "function": "relu",
    "hint": "ReLU keeps the positive part: np.maximum(0, Z), not np.minimum.",
    "edits": [["np.maximum", "np.minimum", 1]],
}]}


def hdf5_bytes(**datasets) -> bytes:
    """An HDF5 file's bytes (the same bytes for the same datasets)."""
    import h5py

    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as file:
        for name, value in datasets.items():
            file[name] = value
    return buffer.getvalue()


class Draft:
    """A bundle not yet written: manifest and mistakes as dicts, files as {relative path: text or bytes}."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.manifest = copy.deepcopy(MANIFEST)
        self.mistakes = copy.deepcopy(MISTAKES)
        self.files: dict[str, str | bytes] = {"reference.py": REFERENCE, "cases.py": CASES}

    def function(self, index: int = 0) -> dict:
        return self.manifest["functions"][index]

    def case(self, case_id: str) -> dict:
        return next(case for case in self.function()["cases"] if case["id"] == case_id)

    def mistake(self, index: int = 0) -> dict:
        return self.mistakes["mistakes"][index]

    def add_file(self, key: str, name: str, content: str | bytes) -> None:
        """A job or private file."""
        self.files[name] = content
        self.manifest.setdefault(key, []).append(name)

    def add_hdf5_case(self, path: str = "inputs/x.h5") -> dict:
        self.files[path] = hdf5_bytes(arg0=np.arange(6.0).reshape(2, 3))
        case = {"id": "from_hdf5", "args": path, "hidden": True}
        self.function()["cases"].append(case)
        return case

    def add_model_check(self) -> dict:
        """A classifier check trained on the job file train.h5 by supplied.py's driver."""
        self.files["supplied.py"] = SUPPLIED
        self.manifest["supplied"] = "supplied.py"
        self.add_file("job_files", "train.h5", hdf5_bytes(train_X=np.zeros((2, 4)), train_Y=np.ones((1, 4))))
        check = {
            "id": "tiny_model", "kind": "classifier", "title": "Two layers", "driver": "gradebox_train_model",
            "args": "cases.py:model_args", "depends_on": ["relu"], "layers": [2, 3, 1],
            "activations": ["relu", "sigmoid"], "train": {"file": "train.h5", "X": "train_X", "Y": "train_Y"},
            "thresholds": [{"metric": "train_accuracy", "op": ">=", "value": 0.5, "why": "a coin does as well"}],
        }
        self.manifest["model_checks"] = [check]
        return check

    def rename(self, old: str, new: str) -> None:
        """Moves a file and every manifest value that names it."""
        self.files[new] = self.files.pop(old)

        def renamed(value):
            if isinstance(value, dict):
                return {key: renamed(item) for key, item in value.items()}
            if isinstance(value, list):
                return [renamed(item) for item in value]
            return new if value == old else value

        self.manifest = renamed(self.manifest)

    def write(self) -> Path:
        files = dict(self.files)
        files["assignment.toml"] = tomli_w.dumps(self.manifest)
        if self.mistakes is not None:
            files[self.manifest.get("mistakes", "mistakes.toml")] = tomli_w.dumps(self.mistakes)
        for name, content in files.items():
            path = self.folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return self.folder

    def load(self) -> Bundle:
        return load_bundle(self.write())

    def errors(self) -> list[str]:
        with pytest.raises(BundleError) as raised:
            self.load()
        return raised.value.errors

    def rejects(self, *expected: str) -> list[str]:
        """The load fails with one error containing each expected fragment, and no other error."""
        errors = self.errors()
        unmatched = list(errors)
        for fragment in expected:
            hit = next((error for error in unmatched if fragment in error), None)
            assert hit is not None, f"no error contains {fragment!r}: {errors}"
            unmatched.remove(hit)
        assert not unmatched, f"unexpected errors: {unmatched}"
        return errors


@pytest.fixture
def draft(tmp_path) -> Draft:
    return Draft(tmp_path / "tiny")


@pytest.fixture
def new_draft(tmp_path):
    """Drafts in folders of their own under tmp_path: new_draft("a/b") is a Draft of tmp_path/a/b."""
    return lambda where: Draft(tmp_path / where)
