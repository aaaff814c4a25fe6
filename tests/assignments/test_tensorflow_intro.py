"""What is particular to the "TensorFlow Tutorial" bundle (assignments/tensorflow_intro).

The reference's NumPy functions reproduce the course's published outputs here, in the test process; the same
numbers come out of the course's own TensorFlow code in the tensorflow sandbox, which also grades the reference's
TensorFlow functions (create_placeholders, initialize_parameters, forward_propagation, compute_cost) against
the course's (tests/sandbox/test_tensorflow_environment.py).
"""
from __future__ import annotations

import tomllib
from pathlib import Path

import h5py
import numpy as np
import pytest

from reference import tensorflow_intro as ref
from sandbox.frameworks import classify_initial_values

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "assignments" / "tensorflow_intro"
GRADED = ("linear_function", "sigmoid", "cost", "one_hot_matrix", "ones", "create_placeholders",
          "initialize_parameters", "forward_propagation", "compute_cost")


def manifest() -> dict:
    return tomllib.loads((BUNDLE / "assignment.toml").read_text())


def test_the_nine_course_functions_are_graded_in_the_tensorflow_environment():
    data = manifest()
    assert data["environment"] == "tensorflow"
    assert tuple(function["name"] for function in data["functions"]) == GRADED
    assert all(any(case.get("hidden") for case in function["cases"]) for function in data["functions"])


def test_linear_function_published_minus_2_15657382_2_95891446_minus_1_08926781_minus_0_84538042():
    np.testing.assert_allclose(ref.linear_function(),
                               [[-2.15657382], [2.95891446], [-1.08926781], [-0.84538042]], rtol=1e-7)


def test_sigmoid_published_sigmoid_0_is_0_5_and_sigmoid_12_is_0_9999938():
    assert ref.sigmoid(0) == np.float32(0.5)
    np.testing.assert_allclose(ref.sigmoid(12), 0.9999938, rtol=1e-7)


def test_cost_published_1_0053872_1_0366409_0_41385433_0_39956614():
    logits = ref.sigmoid(np.array([0.2, 0.4, 0.7, 0.9]))
    np.testing.assert_allclose(ref.cost(logits, np.array([0, 0, 1, 1])),
                               [1.0053872, 1.0366409, 0.41385433, 0.39956614], rtol=1e-6)


def test_one_hot_matrix_published_for_labels_1_2_3_0_2_1_and_C_4():
    np.testing.assert_array_equal(ref.one_hot_matrix(np.array([1, 2, 3, 0, 2, 1]), 4),
                                  [[0., 0., 0., 1., 0., 0.],
                                   [1., 0., 0., 0., 0., 1.],
                                   [0., 1., 0., 0., 1., 0.],
                                   [0., 0., 1., 0., 0., 0.]])


def test_ones_published_ones_3_is_1_1_1():
    np.testing.assert_array_equal(ref.ones([3]), [1., 1., 1.])


@pytest.mark.parametrize("shape", [(25, 12288), (12, 25), (6, 12)])
def test_glorot_uniform_draws_of_the_course_shapes_are_named_glorot_uniform_and_randn_is_not(shape):
    rng = np.random.RandomState(2)
    limit = np.sqrt(6 / sum(shape))
    assert classify_initial_values(rng.uniform(-limit, limit, shape)) == "glorot_uniform"
    assert classify_initial_values(rng.randn(*shape)) == "standard_normal"
    assert classify_initial_values(0.01 * rng.randn(*shape)) == "other"
    assert classify_initial_values(np.zeros(shape)) == "zeros"


def test_the_stand_in_data_set_has_the_signs_shapes_six_classes_and_a_held_out_part():
    with h5py.File(BUNDLE / "digits_train.h5") as train, h5py.File(BUNDLE / "digits_test.h5") as test:
        assert train["train_set_x"].shape[1:] == (64, 64, 3) and train["train_set_x"].dtype == np.uint8
        assert test["test_set_x"].shape == (120, 64, 64, 3)
        assert sorted(set(train["train_set_y"][:])) == list(range(6))
        assert np.bincount(test["test_set_y"][:]).tolist() == [20] * 6
        assert train["X"].shape == (12288, train["train_set_x"].shape[0])
        np.testing.assert_allclose(train["X"][:, 0], train["train_set_x"][0].reshape(-1) / 255, rtol=1e-6)


def test_the_held_out_images_are_not_in_the_training_set():
    with h5py.File(BUNDLE / "digits_train.h5") as train, h5py.File(BUNDLE / "digits_test.h5") as test:
        seen = {image.tobytes() for image in train["train_set_x"][:]}
        assert not any(image.tobytes() in seen for image in test["test_set_x"][:])


def test_build_dataset_rebuilds_both_files_with_the_same_arrays(tmp_path, monkeypatch):
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_dataset", BUNDLE / "build_dataset.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "HERE", tmp_path)
    module.main()
    for name in ("digits_train.h5", "digits_test.h5"):
        with h5py.File(tmp_path / name) as rebuilt, h5py.File(BUNDLE / name) as kept:
            assert sorted(rebuilt) == sorted(kept)
            for key in kept:
                np.testing.assert_array_equal(rebuilt[key][:], kept[key][:])
