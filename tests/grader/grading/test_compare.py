import numpy as np
import pytest

from grader.grading.compare import SHAPES, STRUCTURE, VALUES, Comparison, compare_outputs, compare_threshold
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
    comparison = compare_outputs(params(dW1=[[0.0]], db1=[[0.0]]), params(dX=[[0.0]], db1=[[0.0]]), ("v",), 1e-5, 1e-8)
    keys = {p.key for p in comparison.failed(STRUCTURE)}
    assert keys == {"missing_keys", "extra_keys"}
    assert messages.hint("missing_keys") is None  # it names the keys; a hint could only guess why they are missing


def test_a_key_returned_in_the_wrong_case_is_named_with_the_key_it_should_be():
    comparison = compare_outputs(params(dW1=[[0.0]], db1=[[0.0]]), params(dw1=[[0.0]], db1=[[0.0]]), ("v",), 1e-5, 1e-8)
    missing, extra = comparison.failed(STRUCTURE)
    assert (missing.key, extra.key) == ("misspelt_keys", "extra_keys")
    assert messages.say(missing.key, case="published case", path=missing.path, **missing.fields) == \
        "published case: v is missing the key(s) 'dW1'."
    assert messages.hint(missing.key, path=missing.path, **missing.fields) == \
        "Keys are compared exactly, upper and lower case included: store it under 'dW1', not 'dw1'."


def test_the_keys_of_the_last_layers_missing_get_the_loop_hint_and_never_a_spelling_hint():
    expected = params(W1=[[1.0]], b1=[[0.0]], W2=[[1.0]], b2=[[0.0]], W3=[[1.0]], b3=[[0.0]])
    for returned, layers in ((2, "3"), (1, "2 to 3")):
        actual = {k: v for k, v in expected.items() if int(k[1:]) <= returned}
        (problem,) = compare_outputs(expected, actual, ("parameters",), 1e-5, 1e-8).problems
        assert (problem.key, problem.fields["layers"]) == ("missing_layers", layers)
        hint = messages.hint(problem.key, path=problem.path, **problem.fields)
        assert hint == f"parameters has nothing for layer {layers}: check that your loop runs over every layer " \
                       "(range(a, b) stops before b)."


@pytest.mark.parametrize("returned", [
    {"W1": [[1.0]], "W2": [[1.0]], "b2": [[0.0]]},  # a first-layer key missing, not a last layer
    {"W1": [[1.0]], "b1": [[0.0]], "W2": [[1.0]]},  # half of the last layer
    {},  # nothing at all: no layer is there to stop after
])
def test_other_missing_keys_get_no_layer_hint(returned):
    expected = params(W1=[[1.0]], b1=[[0.0]], W2=[[1.0]], b2=[[0.0]])
    problems = compare_outputs(expected, params(**returned), ("parameters",), 1e-5, 1e-8).problems
    assert [p.key for p in problems] == ["missing_keys"]


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


# --- Totality: whatever a submission returns, the comparison answers with a message, never an exception ---------

import copy  # noqa: E402
import math  # noqa: E402
import warnings  # noqa: E402

from grader.grading import messages  # noqa: E402
from sandbox import wire  # noqa: E402

WIDEST_INT = 2**1024 - 1  # the widest int the wire carries (1024 bits); beyond the float range
W = "wrong_type"


def said(comparison) -> list[str]:
    """Every problem formats through the catalogue, as feedback.py formats it (text and hint)."""
    texts = [messages.say(p.key, case="published case", path=p.path, **p.fields) for p in comparison.problems]
    for problem in comparison.problems:
        messages.hint(problem.key, path=problem.path, **problem.fields)
        messages.fixed_hint(problem.key)
    return texts


EXPECTED = {  # what a reference returns, and the output names it is compared under
    "float": (0.5, ("cost",)),
    "int": (3, ("count",)),
    "float array": (np.arange(6.0).reshape(2, 3) / 2, ("W1",)),
    "int array": (np.arange(6).reshape(2, 3), ("Y",)),
    "dict of arrays": ({"W1": np.ones((2, 3)), "b1": np.zeros((2, 1))}, ("parameters",)),
    "tuple of two arrays": ((np.ones((2, 3)), np.zeros((2, 3), dtype=int)), ("A", "cache")),
}

# id: (actual, key against each EXPECTED column in order, key of compare_threshold(actual, "<", 2e-7) or None: holds)
HOSTILE = {
    "int 2**100": (2**100, ("wrong_scalar", "wrong_scalar", W, W, W, W), "threshold"),
    "int -2**1023": (-(2**1023), ("wrong_scalar", "wrong_scalar", W, W, W, W), None),
    "int 2**1024-1": (WIDEST_INT, ("wrong_number", "wrong_number", W, W, W, W), "threshold_number"),
    "int -(2**1024-1)": (-WIDEST_INT, ("wrong_number", "wrong_number", W, W, W, W), None),
    "True": (True, (W, W, W, W, W, W), W),
    "False": (False, (W, W, W, W, W, W), W),
    "nan": (math.nan, ("not_finite", "not_finite", W, W, W, W), "threshold"),
    "inf": (math.inf, ("not_finite", "not_finite", W, W, W, W), "threshold"),
    "-inf": (-math.inf, ("not_finite", "not_finite", W, W, W, W), "threshold"),
    "complex scalar": (1 + 2j, (W, W, W, W, W, W), W),
    "NumPy complex scalar": (np.complex128(1j), (W, W, W, W, W, W), W),
    "0-d complex array": (np.array(1 + 2j), (W, W, "wrong_shape", "wrong_shape", W, W), W),
    "complex array": (np.ones((2, 3), dtype=complex), (W, W, W, W, W, W), W),
    "float16 array": (np.ones((2, 3), dtype=np.float16), (W, W, "wrong_values", "wrong_values", W, W), W),
    "float16 array with inf": (np.full((2, 3), np.inf, dtype=np.float16), (W, W, "not_finite", "not_finite", W, W), W),
    "0-d float array": (np.array(0.25), ("wrong_scalar", "wrong_scalar", "wrong_shape", "wrong_shape", W, W), "threshold"),
    "0-d float16 inf": (np.array(np.inf, dtype=np.float16), ("not_finite", "not_finite", "wrong_shape", "wrong_shape", W, W), "threshold"),
    "0-d int array": (np.array(-(2**62)), ("wrong_scalar", "wrong_scalar", "wrong_shape", "wrong_shape", W, W), None),
    "zero-size (0,)": (np.zeros((0,)), (W, W, "wrong_shape", "wrong_shape", W, W), W),
    "zero-size (3, 0)": (np.zeros((3, 0)), (W, W, "wrong_shape", "wrong_shape", W, W), W),
    "array with nan": (np.full((2, 3), np.nan), (W, W, "not_finite", "not_finite", W, W), W),
    "array with inf": (np.array([[0.0, np.inf, -np.inf]] * 2), (W, W, "not_finite", "not_finite", W, W), W),
    "int array": (np.ones((2, 3), dtype=np.int64), (W, W, "wrong_values", "wrong_values", W, W), W),
    "float array where ints are expected": (np.arange(6.0).reshape(2, 3) + 0.5, (W, W, "wrong_values", "wrong_values", W, W), W),
    "uint64 array at its limit": (np.full((2, 3), 2**64 - 1, dtype=np.uint64), (W, W, "wrong_values", "wrong_values", W, W), W),
    "bool array": (np.ones((2, 3), dtype=bool), (W, W, "wrong_values", "wrong_values", W, W), W),
    "bool array of one element": (np.array([[True]]), (W, W, "wrong_shape", "wrong_shape", W, W), W),
    "str": ("W1", (W, W, W, W, W, W), W),
    "long str": ("x" * 10_000, (W, W, W, W, W, W), W),
    "None": (None, (W, W, W, W, W, W), W),
    "empty list": ([], (W, W, W, W, W, "wrong_length"), W),
    "empty tuple": ((), (W, W, W, W, W, "wrong_length"), W),
    "empty dict": ({}, (W, W, W, W, "missing_keys", W), W),
    "nested": ([(1, {"a": [None, ()]})], (W, W, W, W, W, "wrong_length"), W),
    "dict with an extra key": (
        {"W1": np.ones((2, 3)), "b1": np.zeros((2, 1)), "W9": 2**100}, (W, W, W, W, "extra_keys", W), W),
    "dict with a missing key": ({"W1": np.ones((2, 3))}, (W, W, W, W, "missing_keys", W), W),
    "dict of many long keys": ({f"k{i}" * 500: i for i in range(1000)}, (W, W, W, W, "missing_keys", W), W),
    "Unsupported": (wire.Unsupported("object" * 1000, "why " * 1000),
                    ("unsupported",) * 6, W),
    "tuple of three arrays": ((np.ones((2, 3)),) * 3, (W, W, W, W, W, "wrong_length"), W),
    "tuple of a huge int and None": ((WIDEST_INT, None), (W, W, W, W, W, W), W),
    "tuple of a complex and an Unsupported": (
        (np.ones((2, 3), dtype=complex), wire.Unsupported("set", "x")), (W, W, W, W, W, W), W),
}


@pytest.mark.parametrize("expected_id", list(EXPECTED))
@pytest.mark.parametrize("actual_id", list(HOSTILE))
def test_any_returned_value_gets_a_verdict_and_a_message(expected_id, actual_id):
    expected, names = EXPECTED[expected_id]
    actual, keys, _ = HOSTILE[actual_id]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NumPy overflow or ComplexWarning on the way either
        comparison = compare_outputs(expected, actual, names, 1e-5, 1e-8)
    assert comparison.passed is False
    assert comparison.problems[0].key == keys[list(EXPECTED).index(expected_id)]
    assert all(len(text) < 3000 for text in said(comparison))  # student-sized, whatever came back


@pytest.mark.parametrize("actual_id", list(HOSTILE))
def test_any_returned_value_gets_a_threshold_verdict(actual_id):
    actual, _, key = HOSTILE[actual_id]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        comparison = compare_threshold(actual, ("difference",), "<", 2e-7)
    assert comparison.passed is (key is None)
    assert [p.key for p in comparison.problems] == ([] if key is None else [key])
    said(comparison)


def test_the_hostile_tuple_elements_are_judged_one_by_one():
    expected, names = EXPECTED["tuple of two arrays"]
    comparison = compare_outputs(expected, HOSTILE["tuple of a complex and an Unsupported"][0], names, 1e-5, 1e-8)
    assert [(p.key, p.path) for p in comparison.problems] == [("wrong_type", "A"), ("unsupported", "cache")]
    assert said(comparison)[0] == "published case: A is an array of complex128; expected an array of real numbers."


def test_a_huge_int_compares_as_the_number_it_is():
    assert compare_outputs(float(2**100), 2**100, ("x",), 1e-5, 1e-8).passed  # fits in a float: just a number
    assert compare_outputs(2**100, float(2**100), ("x",), 1e-5, 1e-8).passed
    assert compare_outputs(-(2**1023), -(2**1023), ("x",), 1e-5, 1e-8).passed
    assert compare_outputs(np.array(2.0**100), 2**100, ("x",), 1e-5, 1e-8).passed
    (problem,) = compare_outputs(1.0, WIDEST_INT, ("x",), 1e-5, 1e-8).problems
    assert problem.key == "wrong_number"
    assert said(Comparison([problem])) == ["published case: x is 1.79769e+308; expected 1."]
    (problem,) = compare_outputs(2.0, -(2**1100), ("x",), 1e-5, 1e-8).problems
    assert said(Comparison([problem])) == ["published case: x is -1.3583e+331; expected 2."]


def test_a_reference_int_beyond_the_float_range_is_compared_exactly():
    assert compare_outputs(2**1100, 2**1100, ("x",), 0.0, 0.0).passed
    assert compare_outputs(2**1100, 2**1100 + 1, ("x",), 1e-5, 1e-8).passed  # within rtol, as np.isclose would say
    assert [p.key for p in compare_outputs(2**1100, 2**1100 + 1, ("x",), 0.0, 0.0).problems] == ["wrong_number"]
    assert [p.key for p in compare_outputs(2**1100, 1e308, ("x",), 1e-5, 1e-8).problems] == ["wrong_number"]
    assert [p.key for p in compare_outputs(2**1100, math.nan, ("x",), 1e-5, 1e-8).problems] == ["not_finite"]
    assert [p.key for p in compare_outputs(math.inf, 2**1100, ("x",), 1e-5, 1e-8).problems] == ["wrong_number"]


def test_a_huge_int_for_a_one_element_array():
    assert [p.key for p in compare_outputs(np.array(0.5), WIDEST_INT, ("x",), 1e-5, 1e-8).problems] == ["wrong_number"]
    assert [p.key for p in compare_outputs(np.ones((1, 1)), WIDEST_INT, ("x",), 1e-5, 1e-8).problems] == ["wrong_shape"]
    (problem,) = compare_outputs(np.array([[0.5]]), 2**100, ("x",), 1e-5, 1e-8).problems
    assert problem.key == "wrong_shape"  # a scalar has shape (), as it always had
    assert [p.key for p in compare_outputs(np.array(0.5), 2**100, ("x",), 1e-5, 1e-8).problems] == ["wrong_values"]
    assert compare_outputs(np.array(2**63, dtype=np.uint64), 2**63, ("x",), 0.0, 0.0).passed


def test_a_wrong_0d_array_reports_wrong_values():
    (problem,) = compare_outputs(np.array(0.5), np.array(0.25), ("x",), 1e-5, 1e-8).problems
    assert problem.key == "wrong_values" and problem.fields["where"] == [] and problem.fields["error"] == 0.25
    said(Comparison([problem]))


def test_complex_arrays_compare_where_the_reference_returns_complex():
    expected = np.array([[1 + 2j, 3.0]])
    assert compare_outputs(expected, expected.copy(), ("z",), 1e-5, 1e-8).passed
    assert compare_outputs(np.array([[1.0, 2.0]], dtype=complex), np.array([[1.0, 2.0]]), ("z",), 1e-5, 1e-8).passed
    (problem,) = compare_outputs(expected, np.array([[1 + 2.5j, 3.0]]), ("z",), 1e-5, 1e-8).problems
    assert problem.key == "wrong_values" and problem.fields["where"] == [0, 0] and problem.fields["error"] == 0.5
    (problem,) = compare_outputs(np.ones((1, 2)), np.ones((1, 2), dtype=complex), ("z",), 1e-5, 1e-8).problems
    assert problem.key == "wrong_type" and problem.fields["expected"] == "an array of real numbers"


def test_nan_and_infinity_in_a_scalar_follow_the_arrays_equal_nan_rule():
    assert compare_outputs(math.nan, math.nan, ("x",), 1e-5, 1e-8).passed
    assert compare_outputs(math.inf, math.inf, ("x",), 1e-5, 1e-8).passed
    assert [p.key for p in compare_outputs(1.0, math.nan, ("x",), 1e-5, 1e-8).problems] == ["not_finite"]
    assert [p.key for p in compare_outputs(math.nan, 1.0, ("x",), 1e-5, 1e-8).problems] == ["wrong_scalar"]
    assert [p.key for p in compare_outputs(math.inf, -math.inf, ("x",), 1e-5, 1e-8).problems] == ["wrong_scalar"]
    assert [p.key for p in compare_outputs(np.ones(3), np.array([1.0, np.nan, 1.0]), ("x",), 1e-5, 1e-8).problems] == [
        "not_finite"]


def test_no_infinity_or_nan_holds_a_threshold():
    for value in (-math.inf, math.inf, math.nan, np.array(-np.inf, dtype=np.float16)):
        for op in ("<", "<=", ">", ">="):
            assert [p.key for p in compare_threshold(value, ("difference",), op, 2e-7).problems] == ["threshold"]
    assert compare_threshold(-WIDEST_INT, ("difference",), "<", 2e-7).passed  # a finite number, however large
    (problem,) = compare_threshold(WIDEST_INT, ("difference",), "<", 2e-7).problems
    assert said(Comparison([problem])) == [
        "published case: difference is 1.79769e+308, an integer too large to be a float; it must be < 2e-07."]


def test_plain_values_compare_as_python_does_and_say_what_came_back():
    assert compare_outputs(True, np.array([[True]]), ("flag",), 1e-5, 1e-8).passed
    assert compare_outputs(True, 1, ("flag",), 1e-5, 1e-8).passed  # Python's True == 1, as before
    assert compare_outputs(None, None, ("x",), 1e-5, 1e-8).passed
    (problem,) = compare_outputs(True, False, ("flag",), 1e-5, 1e-8).problems
    assert problem.key == "wrong_value" and said(Comparison([problem])) == ["published case: flag is False; expected True."]
    for actual in (np.ones((2, 2), dtype=bool), np.zeros((0,)), np.array(1j), "True", None, [True]):
        (problem,) = compare_outputs(True, actual, ("flag",), 1e-5, 1e-8).problems
        assert problem.key == "wrong_type", actual
        said(Comparison([problem]))


def test_student_controlled_text_is_clipped_in_messages():
    comparison = compare_outputs({"W1": np.ones(1)}, {"W1": np.ones(1), **{f"x{i}" * 1000: 0 for i in range(100)}},
                                 ("p",), 1e-5, 1e-8)
    (text,) = said(comparison)
    assert text.endswith("and 70 more.") and len(text) < 3000
    (text,) = said(compare_outputs(1.0, wire.Unsupported("T" * 10**5, "w" * 10**5), ("x",), 1e-5, 1e-8))
    assert len(text) < 600


def test_outputs_of_a_mistake_that_are_not_one_per_name_compare_whole():
    """A catalogued mistake's outputs are not checked against the manifest like the reference's."""
    assert compare_outputs(1.0, 1.0, ("A", "cache"), 1e-5, 1e-8).passed
    assert not compare_outputs(None, (1.0, 2.0), ("A", "cache"), 1e-5, 1e-8).passed
    assert not compare_outputs((1.0,), (1.0, 2.0), ("A", "cache"), 1e-5, 1e-8).passed
    (problem,) = compare_outputs((1.0, 2.0), wire.Unsupported("set", "no sets"), ("A", "cache"), 1e-5, 1e-8).problems
    assert problem.key == "unsupported" and problem.path == "the return value"


# --- The same, by property: values of every kind the wire decodes, nested ---------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402 (a test dependency: never skipped)
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

ARRAY_DTYPES = st.one_of(hnp.boolean_dtypes(), hnp.integer_dtypes(), hnp.unsigned_integer_dtypes(),
                         hnp.floating_dtypes(), hnp.complex_number_dtypes())
ARRAYS = hnp.arrays(ARRAY_DTYPES, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3))
INTS = st.one_of(st.integers(), st.integers(min_value=-WIDEST_INT, max_value=WIDEST_INT),
                 st.sampled_from([2**53 + 1, 2**63, 2**64, 2**100, -(2**1023), 2**1023, WIDEST_INT, -WIDEST_INT]))

def plain_leaves(unsupported: bool):
    leaves = [st.none(), st.booleans(), INTS, st.floats(), st.text(max_size=5), ARRAYS]
    if unsupported:
        leaves.append(st.builds(wire.Unsupported, st.sampled_from(["object", "set", "Tensor"]), st.text(max_size=9)))
    return st.one_of(leaves)

def nested(leaves):
    return st.recursive(
        leaves,
        lambda children: st.one_of(
            st.lists(children, max_size=3),
            st.lists(children, max_size=3).map(tuple),
            st.dictionaries(st.text(max_size=3), children, max_size=3),
        ),
        max_leaves=10,
    )

def through_the_wire(value):
    """Exactly what a worker gets back: encoded in the sandbox, decoded outside."""
    arrays: dict = {}
    return wire.decode(wire.encode(value, arrays), arrays)

VALUES_ANY = nested(plain_leaves(unsupported=True)).map(through_the_wire)
VALUES_READABLE = nested(plain_leaves(unsupported=False)).map(through_the_wire)
NAMES = st.sampled_from([("out",), ("A", "cache"), ("parameters", "v", "s")])
TOLERANCES = st.sampled_from([(1e-5, 1e-8), (0.0, 0.0), (0.5, 2.0)])
PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

def mutated(data, value):
    """The same structure with some parts replaced: reaches the leaves of a matching structure."""
    if data.draw(st.integers(0, 4)) == 0:
        return data.draw(VALUES_ANY)
    if isinstance(value, dict):
        return {k: mutated(data, v) for k, v in value.items() if data.draw(st.integers(0, 9))}
    if isinstance(value, (list, tuple)):
        return type(value)(mutated(data, v) for v in value)
    return value

def judged(comparison) -> None:
    assert comparison.passed is (not comparison.problems)
    for problem in comparison.problems:
        assert problem.check in (STRUCTURE, SHAPES, VALUES) and problem.key in messages.CATALOGUE
    said(comparison)

@PROPERTY
@given(expected=VALUES_READABLE, actual=VALUES_ANY, names=NAMES, tolerances=TOLERANCES)
def test_any_pair_of_decoded_values_gets_a_verdict(expected, actual, names, tolerances):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        judged(compare_outputs(expected, actual, names, *tolerances))

@PROPERTY
@given(data=st.data(), expected=VALUES_READABLE, names=NAMES, tolerances=TOLERANCES)
def test_any_alteration_of_the_expected_value_gets_a_verdict(data, expected, names, tolerances):
    actual = mutated(data, expected)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        judged(compare_outputs(expected, actual, names, *tolerances))

@PROPERTY
@given(value=VALUES_READABLE, tolerances=TOLERANCES)
def test_a_value_passes_against_itself(value, tolerances):
    """NaN counts as equal to NaN in the same place (equal_nan), in a scalar as in an array; so does inf."""
    names = ("A", "cache") if isinstance(value, tuple) and len(value) == 2 else ("out",)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        comparison = compare_outputs(value, copy.deepcopy(value), names, *tolerances)
    assert comparison.passed, said(comparison)

@PROPERTY
@given(actual=VALUES_ANY, op=st.sampled_from(["<", "<=", ">", ">="]), bound=st.floats(-1.0, 1.0))
def test_any_decoded_value_gets_a_threshold_verdict(actual, op, bound):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        comparison = compare_threshold(actual, ("difference",), op, bound)
    judged(comparison)
    if comparison.passed:  # only a finite real number, alone, holds a threshold
        number = actual.reshape(()).item() if isinstance(actual, np.ndarray) else actual
        assert type(number) in (int, float) and (type(number) is int or math.isfinite(number))
