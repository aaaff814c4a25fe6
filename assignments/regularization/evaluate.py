"""Trusted-side accuracies of the football-field model; never copied into a sandbox job.

The forward pass is written out here rather than imported from reg_utils, so
the host judges the sandbox's parameters with code no job can touch.
football_test.h5 is the held-out set: it is not among the helper modules.
"""
from pathlib import Path

import h5py
import numpy as np

FOLDER = Path(__file__).parent
TRAIN_PATH = FOLDER / "football_train.h5"
TEST_PATH = FOLDER / "football_test.h5"
PARAMETER_SHAPES = {"W1": (20, 2), "b1": (20, 1), "W2": (3, 20), "b2": (3, 1), "W3": (1, 3), "b3": (1, 1)}


def read_points(path):
    """X (2, m) and Y (1, m), stored as "X" and "Y" by build_dataset.py."""
    with h5py.File(path, "r") as f:
        return np.array(f["X"]), np.array(f["Y"])


def training_set():
    return read_points(TRAIN_PATH)


def held_out_set():
    return read_points(TEST_PATH)


def _checked(parameters):
    """Float arrays of the course model's shapes ([2, 20, 3, 1]); anything else is refused with a reason."""
    checked = {}
    for name, shape in PARAMETER_SHAPES.items():
        if name not in parameters:
            raise ValueError(f'parameters has no "{name}"; the model needs W1, b1, W2, b2, W3 and b3')
        value = np.asarray(parameters[name])
        if value.shape != shape or value.dtype.kind not in "biuf":
            raise ValueError(f'parameters["{name}"] should be numbers of shape {shape}, got {value.dtype} {value.shape}')
        checked[name] = value.astype(float)
    return checked


def predict_labels(parameters, X):
    """0/1 labels of LINEAR->RELU->LINEAR->RELU->LINEAR->SIGMOID, threshold 0.5 as the course's predict()."""
    p = _checked(parameters)
    with np.errstate(all="ignore"):
        a1 = np.maximum(0, p["W1"] @ X + p["b1"])
        a2 = np.maximum(0, p["W2"] @ a1 + p["b2"])
        a3 = 1 / (1 + np.exp(-(p["W3"] @ a2 + p["b3"])))
    return (a3 > 0.5).astype(int)


def evaluate(parameters):
    train_X, train_Y = training_set()
    test_X, test_Y = held_out_set()
    return {
        "train_accuracy": float(np.mean(predict_labels(parameters, train_X) == train_Y)),
        "test_accuracy": float(np.mean(predict_labels(parameters, test_X) == test_Y)),
    }
