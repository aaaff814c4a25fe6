"""Writes the moons data set the way the course's opt_utils.load_dataset drew it, plus our held-out set.

Run `python -m assignments.optimization.build_dataset` (needs the pinned
scikit-learn of the `datasets` extra). make_moons draws its noise from NumPy's
global generator, so seeding it with 3 as the course did gives the course's
300 training points; they go to moons_train.h5, which every sandbox job
receives. The course evaluated its models on the training set only; the
held-out set is ours, drawn the same way after np.random.seed(4), and goes to
moons_test.h5, which only the trusted side reads.
"""
from pathlib import Path

import h5py
import numpy as np

FOLDER = Path(__file__).parent
TRAIN_PATH = FOLDER / "moons_train.h5"
TEST_PATH = FOLDER / "moons_test.h5"
TRAIN_SEED = 3  # the course's
TEST_SEED = 4  # ours: the course has no test set


def draw_moons(seed, n_samples=300):
    """X (2, m) and Y (1, m) in the course's layout."""
    import sklearn.datasets

    np.random.seed(seed)
    X, y = sklearn.datasets.make_moons(n_samples=n_samples, noise=.2)
    return X.T, y.reshape((1, n_samples))


def write(path, prefix, X, Y):
    """No timestamps in the file, so a rebuild is byte-for-byte the same."""
    with h5py.File(path, "w", track_order=False) as f:
        f.create_dataset(prefix + "_X", data=np.ascontiguousarray(X, dtype=np.float64), track_times=False)
        f.create_dataset(prefix + "_Y", data=np.ascontiguousarray(Y, dtype=np.int64), track_times=False)


def main():
    train_X, train_Y = draw_moons(TRAIN_SEED)
    test_X, test_Y = draw_moons(TEST_SEED)
    write(TRAIN_PATH, "train", train_X, train_Y)
    write(TEST_PATH, "test", test_X, test_Y)
    print(f"wrote {TRAIN_PATH.name} {train_X.shape} and {TEST_PATH.name} {test_X.shape}")


if __name__ == "__main__":
    main()
