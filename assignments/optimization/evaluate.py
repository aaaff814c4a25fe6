"""Trusted-side accuracies of the three-layer moons model; never copied into a sandbox job.

The forward pass is written out here rather than imported from opt_utils, so
the host judges the sandbox's parameters with code no job can touch. The
training set is the course's (moons_train.h5); the held-out set (moons_test.h5)
is ours: the course measured its models on the training set only.
"""
from pathlib import Path

import h5py
import numpy as np

FOLDER = Path(__file__).parent
TRAIN_PATH = FOLDER / "moons_train.h5"
TEST_PATH = FOLDER / "moons_test.h5"
LAYER_NAMES = ("W1", "b1", "W2", "b2", "W3", "b3")


def read_moons(path, prefix):
    """X (2, m) and Y (1, m) stored as "<prefix>_X" and "<prefix>_Y" by build_dataset.py."""
    with h5py.File(path, "r") as f:
        return np.array(f[prefix + "_X"]), np.array(f[prefix + "_Y"])


def training_set():
    return read_moons(TRAIN_PATH, "train")


def held_out_set():
    return read_moons(TEST_PATH, "test")


def predict_labels(parameters, X):
    """0/1 labels of LINEAR->RELU->LINEAR->RELU->LINEAR->SIGMOID, threshold 0.5 as the course's predict()."""
    missing = [name for name in LAYER_NAMES if name not in parameters]
    if missing:
        raise ValueError(f"parameters has no {', '.join(missing)}; the model needs W1, b1, W2, b2, W3 and b3")
    W1, b1, W2, b2, W3, b3 = (np.asarray(parameters[name], dtype=float) for name in LAYER_NAMES)
    with np.errstate(all="ignore"):
        a1 = np.maximum(0, W1 @ X + b1)
        a2 = np.maximum(0, W2 @ a1 + b2)
        a3 = 1 / (1 + np.exp(-(W3 @ a2 + b3)))
    if a3.shape != (1, X.shape[1]):
        raise ValueError(f"the model's output has shape {a3.shape}, expected (1, {X.shape[1]})")
    return (a3 > 0.5).astype(int)


def evaluate(parameters):
    train_X, train_Y = training_set()
    test_X, test_Y = held_out_set()
    return {
        "train_accuracy": float(np.mean(predict_labels(parameters, train_X) == train_Y)),
        "test_accuracy": float(np.mean(predict_labels(parameters, test_X) == test_Y)),
    }
