"""The classifier model check's trusted side: parameter shapes, the platform's own forward pass, accuracies.

A bundle names its network (`layers`, `activations`) and its data (`train`,
`test`); no bundle code runs here. Parameters returned from the sandbox are
checked against the layer sizes before any arithmetic, so a student cannot
make the worker evaluate a network of any size they like.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import h5py
import numpy as np

from assignments.bundle import DataRef, ModelCheck

DATA_BYTES_MAX = 256 * 2**20  # a bundle's training or test set, read on the trusted side


class ParametersRejected(ValueError):
    """The returned parameters do not fit the manifest's network; the message is for the student."""


def expected_shapes(layers: tuple[int, ...]) -> dict[str, tuple[int, int]]:
    """W1 (n_1, n_x), b1 (n_1, 1), ... as the course's initialize_parameters(layers_dims) makes them."""
    shapes = {}
    for l in range(1, len(layers)):
        shapes[f"W{l}"] = (layers[l], layers[l - 1])
        shapes[f"b{l}"] = (layers[l], 1)
    return shapes


def checked_parameters(check: ModelCheck, parameters: dict) -> dict[str, np.ndarray]:
    """Float copies of W1, b1, ..., WL, bL; raises ParametersRejected naming the first misfit."""
    checked = {}
    for name, shape in expected_shapes(check.layers).items():
        if name not in parameters:
            wanted = ", ".join(expected_shapes(check.layers))
            raise ParametersRejected(f'parameters has no "{name}"; the model needs {wanted}')
        value = parameters[name]
        if not isinstance(value, np.ndarray) or value.dtype.kind not in "biuf" or value.shape != shape:
            got = f"{value.dtype} {value.shape}" if isinstance(value, np.ndarray) else type(value).__name__
            raise ParametersRejected(f'parameters["{name}"] should be numbers of shape {shape}, got {got}')
        checked[name] = value.astype(np.float64)
    return checked


def _activate(kind: str, Z: np.ndarray) -> np.ndarray:
    if kind == "relu":
        return np.maximum(0, Z)
    if kind == "tanh":
        return np.tanh(Z)
    if kind == "sigmoid":
        return 1 / (1 + np.exp(-Z))
    if kind == "softmax":
        shifted = np.exp(Z - Z.max(axis=0, keepdims=True))
        return shifted / shifted.sum(axis=0, keepdims=True)
    return Z  # linear


def predict(check: ModelCheck, parameters: dict[str, np.ndarray], X: np.ndarray) -> np.ndarray:
    """Labels (1, m): a sigmoid output thresholded at 0.5 as the course's predict(); a softmax output's arg max."""
    A = X
    with np.errstate(all="ignore"):
        for l, kind in enumerate(check.activations, start=1):
            A = _activate(kind, parameters[f"W{l}"] @ A + parameters[f"b{l}"])
    if check.activations[-1] == "softmax":
        return np.argmax(A, axis=0).reshape(1, -1)
    return (A > 0.5).astype(int)


@lru_cache(maxsize=32)
def _read(path: Path, X: str, Y: str, mtime_ns: int) -> tuple[np.ndarray, np.ndarray]:
    with h5py.File(path, "r") as h5:
        for name in (X, Y):
            if h5[name].size * h5[name].dtype.itemsize > DATA_BYTES_MAX:
                raise ValueError(f"{path.name}: {name} is larger than {DATA_BYTES_MAX} bytes")
        return np.array(h5[X]), np.array(h5[Y])


def read_data(data: DataRef) -> tuple[np.ndarray, np.ndarray]:
    """X (n_x, m) and Y (1, m) of a bundle's data file (read once per file version)."""
    return _read(data.file, data.X, data.Y, data.file.stat().st_mtime_ns)


def evaluate(check: ModelCheck, parameters: dict) -> dict[str, float]:
    """train_accuracy (and test_accuracy when the check has a test set) of the returned parameters."""
    checked = checked_parameters(check, parameters)
    metrics = {}
    for metric, data in (("train_accuracy", check.train), ("test_accuracy", check.test)):
        if data is not None:
            X, Y = read_data(data)
            metrics[metric] = float(np.mean(predict(check, checked, X) == Y.reshape(1, -1)))
    return metrics
