"""Builds the stand-in for the course's SIGNS data set: `python assignments/tensorflow_intro/build_dataset.py`.

The SIGNS images (hand signs of the numbers 0 to 5, 64 x 64 RGB, 1080 training and 120 test images) are not
available here. The stand-in has the same classes, shapes and dataset names: scikit-learn's bundled
handwritten digits (the UCI optical digits, 8 x 8 pixels of 0..16, shipped inside the scikit-learn package)
of the classes 0 to 5, 1083 images, each pixel upscaled to an 8 x 8 block (64 x 64), scaled to 0..255 and
repeated over three channels. 20 images of each class (120) are held out for the model check's test
accuracy; the other 963 are the training set. Both files also hold the flattened, normalised "X" (12288, m)
and the labels "Y" (1, m) that the model check's trusted-side forward pass reads.

Run with the project's virtual environment (it has scikit-learn); the output is deterministic.
"""
from pathlib import Path

import h5py
import numpy as np
from sklearn.datasets import load_digits

HERE = Path(__file__).resolve().parent
CLASSES = 6
HELD_OUT_PER_CLASS = 20
SEED = 0


def images_and_labels():
    digits = load_digits()
    keep = digits.target < CLASSES
    small = digits.images[keep]  # (m, 8, 8), 0..16
    labels = digits.target[keep].astype(np.int64)
    big = np.kron(small, np.ones((1, 8, 8)))  # (m, 64, 64)
    pixels = np.rint(big * 255.0 / 16.0).astype(np.uint8)
    return np.repeat(pixels[..., None], 3, axis=3), labels


def split(labels):
    rng = np.random.RandomState(SEED)
    test = np.concatenate([rng.permutation(np.flatnonzero(labels == c))[:HELD_OUT_PER_CLASS] for c in range(CLASSES)])
    train = np.setdiff1d(np.arange(labels.size), test)
    return rng.permutation(train), rng.permutation(test)


def write(path: Path, prefix: str, images, labels) -> None:
    options = {"compression": "gzip", "compression_opts": 9, "shuffle": True}
    with h5py.File(path, "w") as h5:
        h5.create_dataset(f"{prefix}_set_x", data=images, **options)
        h5.create_dataset(f"{prefix}_set_y", data=labels, **options)
        h5.create_dataset("list_classes", data=np.arange(CLASSES, dtype=np.int64))
        h5.create_dataset("X", data=(images.reshape(images.shape[0], -1).T / 255.0).astype(np.float32), **options)
        h5.create_dataset("Y", data=labels.reshape(1, -1), **options)


def main() -> None:
    images, labels = images_and_labels()
    train, test = split(labels)
    write(HERE / "digits_train.h5", "train", images[train], labels[train])
    write(HERE / "digits_test.h5", "test", images[test], labels[test])
    print(f"digits_train.h5: {train.size} images, digits_test.h5: {test.size} images")


if __name__ == "__main__":
    main()
