"""Writes the circles data set the way the course's init_utils.load_dataset drew it.

Run `python -m assignments.initialization.build_dataset` (needs the pinned
scikit-learn of the `datasets` extra). make_circles draws from NumPy's global
generator, so seeding it with 1 and 2 as the course did gives the course's
points. The training set goes to circles_train.h5, which every sandbox job
receives; the test set goes to circles_test.h5, which only the trusted side
reads to compute test accuracy.
"""
from pathlib import Path

import h5py
import numpy as np

FOLDER = Path(__file__).parent
TRAIN_PATH = FOLDER / "circles_train.h5"
TEST_PATH = FOLDER / "circles_test.h5"


def draw_circles():
    """(train_X, train_Y, test_X, test_Y) in the course's layout: X (2, m), Y (1, m)."""
    import sklearn.datasets

    np.random.seed(1)
    train_X, train_Y = sklearn.datasets.make_circles(n_samples=300, noise=.05)
    np.random.seed(2)
    test_X, test_Y = sklearn.datasets.make_circles(n_samples=100, noise=.05)
    return train_X.T, train_Y.reshape((1, -1)), test_X.T, test_Y.reshape((1, -1))


def write(path, prefix, X, Y):
    """No timestamps in the file, so a rebuild is byte-for-byte the same."""
    with h5py.File(path, "w", track_order=False) as f:
        f.create_dataset(prefix + "_X", data=np.ascontiguousarray(X, dtype=np.float64), track_times=False)
        f.create_dataset(prefix + "_Y", data=np.ascontiguousarray(Y, dtype=np.int64), track_times=False)


def main():
    train_X, train_Y, test_X, test_Y = draw_circles()
    write(TRAIN_PATH, "train", train_X, train_Y)
    write(TEST_PATH, "test", test_X, test_Y)
    print(f"wrote {TRAIN_PATH.name} {train_X.shape} and {TEST_PATH.name} {test_X.shape}")


if __name__ == "__main__":
    main()
