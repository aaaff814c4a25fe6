import numpy as np
import pytest

from grader.grading.compare import SHAPES, STRUCTURE, VALUES, compare_outputs, compare_threshold
from sandbox.wire import Unsupported


def params(**arrays):
    return {k: np.asarray(v, dtype=float) for k, v in arrays.items()}


def test_identical_outputs_pass():
    expected = (params(W1=[[1.0, 2.0]]), params(dW1=[[0.0, 0.0]]))
    assert compare_outputs(expected, expected, ("parameters", "v"), 1e-5, 1e-8).passed


def test_wrong_values_report_largest_error_and_its_index():
    expected = params(W1=[[1.0, 2.0], [3.0, 4.0]])
    actual = params(W1=[[1.0, 2.0], [3.31, 4.0]])
    (problem,) = compare_outputs(expected, actual, ("parameters",), 1e-5, 1e-8).failed(VALUES)
    assert problem.path == 'parameters["W1"]'
    assert problem.fields["where"] == [1, 0]
    assert abs(problem.fields["error"] - 0.31) < 1e-9


def test_rank1_bias_gets_the_broadcasting_hint_key():
    (problem,) = compare_outputs(params(db1=[[0.0], [0.0]]), {"db1": np.zeros(2)}, ("v",), 1e-5, 1e-8).failed(SHAPES)
    assert problem.key == "rank1_shape"


def test_missing_and_extra_keys_are_structure_problems():
    comparison = compare_outputs(params(dW1=[[0.0]], db1=[[0.0]]), params(dw1=[[0.0]], db1=[[0.0]]), ("v",), 1e-5, 1e-8)
    keys = {p.key for p in comparison.failed(STRUCTURE)}
    assert keys == {"missing_keys", "extra_keys"}


def test_tuple_of_wrong_length_and_non_tuple_are_reported():
    expected = (params(W1=[[1.0]]), params(dW1=[[1.0]]))
    assert compare_outputs(expected, (expected[0],), ("parameters", "v"), 1e-5, 1e-8).problems[0].key == "wrong_length"
    assert compare_outputs(expected, expected[0], ("parameters", "v"), 1e-5, 1e-8).problems[0].key == "wrong_type"


def test_nan_where_numbers_were_expected_is_not_finite():
    (problem,) = compare_outputs(params(W1=[[1.0]]), params(W1=[[np.nan]]), ("p",), 1e-5, 1e-8).problems
    assert problem.key == "not_finite"


def test_nan_in_both_compares_equal_and_a_nan_difference_does_not_crash():
    expected = params(W1=[[np.nan, 1.0]])
    assert compare_outputs(expected, params(W1=[[np.nan, 1.0]]), ("p",), 1e-5, 1e-8).passed
    (problem,) = compare_outputs(params(W1=[[np.nan, 1.0]]), params(W1=[[1.0, 1.0]]), ("p",), 1e-5, 1e-8).problems
    assert problem.fields["where"] == [0, 0]


def test_unsupported_values_and_python_lists_are_structure_problems():
    assert compare_outputs(params(W1=[[1.0]]), {"W1": Unsupported("object", "x")}, ("p",), 1e-5, 1e-8).problems[0].key == "unsupported"
    assert compare_outputs(params(W1=[[1.0]]), {"W1": [[1.0]]}, ("p",), 1e-5, 1e-8).problems[0].key == "wrong_type"


def test_list_of_mini_batches_compares_item_by_item():
    expected = [(np.ones((2, 3)), np.zeros((1, 3)))]
    comparison = compare_outputs(expected, [(np.ones((2, 3)), np.ones((1, 3)))], ("mini_batches",), 1e-5, 1e-8)
    assert comparison.failed(VALUES)[0].path == "mini_batches[0][1]"


def test_integer_and_boolean_arrays_compare_exactly_whatever_the_tolerance():
    labels = np.array([[0, 1, 1, 0]])
    assert compare_outputs(labels, labels.astype(float), ("Y",), rtol=0.5, atol=0.5).passed
    off_by_one = compare_outputs(labels, labels + np.array([[0, 0, 0, 1]]), ("Y",), rtol=0.5, atol=2.0)
    assert [p.key for p in off_by_one.problems] == ["wrong_values"]
    mask = np.array([[True, False]])
    assert not compare_outputs(mask, np.array([[True, True]]), ("D",), rtol=1.0, atol=1.0).passed


@pytest.mark.parametrize("actual, op, bound, passed", [
    (1.2e-7, "<", 2e-7, True), (3.1e-7, "<", 2e-7, False), (2e-7, "<=", 2e-7, True),
    (np.array(0.28), ">", 0.1, True), (float("nan"), "<", 1.0, False), (0.5, ">=", 0.9, False),
])
def test_a_threshold_judges_one_number_against_its_bound(actual, op, bound, passed):
    comparison = compare_threshold(actual, ("difference",), op, bound)
    assert comparison.passed is passed
    if not passed:
        assert comparison.problems[0].fields["op"] == op and comparison.problems[0].key == "threshold"


def test_a_threshold_wants_a_number():
    (problem,) = compare_threshold({"difference": 1e-8}, ("difference",), "<", 2e-7).problems
    assert problem.key == "wrong_type" and problem.fields["expected"] == "a number"
