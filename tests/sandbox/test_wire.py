import json
import math

import h5py
import numpy as np
import pytest

from sandbox import wire


def round_trip(value):
    arrays = {}
    tree = wire.encode(value, arrays, prefix="c0")
    return wire.decode(json.loads(json.dumps(tree)), arrays)


def test_plain_values_survive_the_round_trip():
    value = {"W1": np.arange(6.0).reshape(2, 3), "costs": [0.5, 1, True, None, "x"], "shape": (2, 3)}
    back = round_trip(value)
    assert back["costs"] == [0.5, 1, True, None, "x"] and back["shape"] == (2, 3)
    np.testing.assert_array_equal(back["W1"], value["W1"])


def test_numpy_scalars_become_python_numbers():
    assert round_trip((np.float32(0.5), np.int64(3), np.bool_(True))) == (0.5, 3, True)


def test_nan_and_infinities_travel_as_strings_in_json():
    tree = wire.encode([math.nan, math.inf, -math.inf], {}, "")
    assert [item["v"] for item in tree["items"]] == ["nan", "inf", "-inf"]
    nan, inf, minus_inf = round_trip([math.nan, math.inf, -math.inf])
    assert math.isnan(nan) and inf == math.inf and minus_inf == -math.inf


def test_object_arrays_are_unsupported_not_pickled():
    back = round_trip(np.array([{"a": 1}], dtype=object))
    assert isinstance(back, wire.Unsupported) and "object" in back.why


def test_subclasses_are_unsupported_and_their_methods_never_run():
    class Sneaky(dict):
        def __eq__(self, other):
            raise AssertionError("called")

        def items(self):
            raise AssertionError("called")

    back = round_trip(Sneaky(a=1))
    assert back == wire.Unsupported("test_subclasses_are_unsupported_and_their_methods_never_run.<locals>.Sneaky",
                                     "this type cannot be returned from the sandbox")


def test_self_referencing_list_stops_at_the_depth_bound():
    loop = []
    loop.append(loop)
    tree = wire.encode(loop, {}, "")
    depth = 0
    while tree["t"] == "list":
        tree, depth = tree["items"][0], depth + 1
    assert tree["t"] == "unsupported" and depth == wire.Encoder.max_depth + 1


def test_too_many_items_make_the_container_unsupported():
    tree = wire.encode(list(range(wire.Encoder.max_items + 1)), {}, "")
    assert tree["t"] == "unsupported" and "items" in tree["why"]


def test_arrays_beyond_the_byte_budget_are_unsupported():
    arrays = {}
    tree = wire.encode([np.zeros(100), np.zeros(100)], arrays, "c0", max_array_bytes=1000)
    assert tree["items"][0]["t"] == "array" and tree["items"][1]["t"] == "unsupported"
    assert list(arrays) == ["c0/a0"]


def test_non_string_dict_keys_are_unsupported():
    assert wire.encode({1: 2}, {}, "")["t"] == "unsupported"


def test_malformed_trees_raise_wire_error():
    for tree in ({"t": "int", "v": "3"}, {"t": "array", "ref": "missing"}, {"t": "what"}, [1], {"t": "list"}):
        with pytest.raises(wire.WireError):
            wire.decode(tree, {})


def test_decoding_refuses_object_arrays():
    with pytest.raises(wire.WireError):
        wire.decode({"t": "array", "ref": "a"}, {"a": np.array([None], dtype=object)})


def test_decoded_arrays_are_fresh_copies():
    arrays = {"a": np.zeros(3)}
    wire.decode({"t": "array", "ref": "a"}, arrays)[0] = 7
    assert arrays["a"][0] == 0


def test_hdf5_keeps_the_tree_as_an_attribute_and_arrays_as_datasets(tmp_path):
    value = ({"W1": np.eye(3), "b1": np.zeros((3, 1))}, 0.01, 2)
    with h5py.File(tmp_path / "inputs.h5", "w") as h5:
        tree = wire.write_h5_tree(h5, value, name="f0/c1")
    assert tree["items"][0]["items"]["W1"] == {"t": "array", "ref": "f0/c1/a0"}
    with h5py.File(tmp_path / "inputs.h5", "r") as h5:
        back = wire.read_h5_tree(h5, name="f0/c1")
        assert wire.decode(tree, h5)[1:] == (0.01, 2)
    np.testing.assert_array_equal(back[0]["W1"], np.eye(3))
    assert back[0]["b1"].shape == (3, 1)


def test_find_unsupported_lists_the_values_that_would_not_survive():
    tree = wire.encode({"ok": 1, "bad": [object()]}, {}, "")
    assert [node["type"] for node in wire.find_unsupported(tree)] == ["object"]
