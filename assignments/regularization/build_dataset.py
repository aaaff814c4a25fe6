"""Writes the football-field data set: football_train.h5 (goes into the sandbox) and football_test.h5 (host only).

The course's `datasets/data.mat` (211 training and 200 test points) is not
available, so we draw a data set of the same size and kind with NumPy alone:
positions on the field in the course's plotting window, blue (1) above a
wavy diagonal and red (0) below it, with noise near the line and a few
labels flipped anywhere. Run `python -m assignments.regularization.build_dataset`;
the same seed gives the same bytes.

SEED and the noise levels were picked from a small sweep (seeds 1-15, four
noise settings; see docs/seed-numbers.md) for the case the
notebook teaches: the unregularized model overfits, and both L2 and dropout
give up training accuracy for test accuracy.
"""
import h5py
import numpy as np

from pathlib import Path

FOLDER = Path(__file__).parent
TRAIN_PATH = FOLDER / "football_train.h5"
TEST_PATH = FOLDER / "football_test.h5"

SEED = 10
TRAIN_SIZE = 211
TEST_SIZE = 200
X1_RANGE = (-0.6, 0.3)
X2_RANGE = (-0.7, 0.6)
BOUNDARY_NOISE = 0.12  # standard deviation of the noise added to the distance from the line
FLIP_RATE = 0.02  # labels flipped regardless of position


def boundary(x1):
    """The line the French team's headers fall above: a diagonal with a wave."""
    return 0.9 * x1 + 0.05 + 0.12 * np.sin(9 * x1)


def draw(rng, m):
    x1 = rng.uniform(*X1_RANGE, m)
    x2 = rng.uniform(*X2_RANGE, m)
    margin = x2 - boundary(x1) + BOUNDARY_NOISE * rng.randn(m)
    y = (margin > 0).astype(np.int64)
    flipped = rng.rand(m) < FLIP_RATE
    y = np.where(flipped, 1 - y, y)
    return np.vstack([x1, x2]), y.reshape(1, m)


def build():
    """(train_X, train_Y, test_X, test_Y), drawn in that order from one generator."""
    rng = np.random.RandomState(SEED)
    train_X, train_Y = draw(rng, TRAIN_SIZE)
    test_X, test_Y = draw(rng, TEST_SIZE)
    return train_X, train_Y, test_X, test_Y


def write(path, X, Y):
    with h5py.File(path, "w", track_order=False) as f:
        f.create_dataset("X", data=X, track_times=False)
        f.create_dataset("Y", data=Y, track_times=False)


if __name__ == "__main__":
    train_X, train_Y, test_X, test_Y = build()
    write(TRAIN_PATH, train_X, train_Y)
    write(TEST_PATH, test_X, test_Y)
    print(f"wrote {TRAIN_PATH} ({train_X.shape[1]} points) and {TEST_PATH} ({test_X.shape[1]} points)")
