"""Case arguments on the staff pages: literal TOML written and read back unchanged, HDF5 files described, never run."""
from __future__ import annotations

import io
import math
import tomllib

import h5py
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.authoring.case_args import BadArguments, Dataset, hdf5_args_problem, hdf5_layout, parse_literal, to_toml

scalars = (st.booleans() | st.integers(min_value=-2**63, max_value=2**63 - 1)
           | st.floats(allow_nan=False) | st.text(max_size=20))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(values)
def test_any_toml_value_is_written_inline_and_read_back_unchanged(value):
    text = to_toml(value)
    assert "\n" not in text
    assert tomllib.loads(f"args = {text}")["args"] == value


def test_nan_is_written_as_toml_reads_it():
    assert math.isnan(tomllib.loads(f"x = {to_toml(float('nan'))}")["x"])


def test_literal_arguments_are_checked_as_the_loader_builds_them():
    assert parse_literal('[{ array = [[1, 2]], dtype = "int32" }, 0.5, "x", [3, 2, 1]]') == [
        {"array": [[1, 2]], "dtype": "int32"}, 0.5, "x", [3, 2, 1]]
    assert parse_literal("[]") == []
    for text, message in [("[1, 2", "not a TOML array"), ("1", "as a TOML array"),
                          ("[{ array = [[1], [2, 3]] }]", "argument 1"),
                          ("[0, { array = [1], dtype = \"U3\" }]", "argument 2: dtype <U3 is not numeric"),
                          ("[{ array = [1], shape = [1] }]", "only 'array' and 'dtype'")]:
        with pytest.raises(BadArguments, match=message):
            parse_literal(text)


def hdf5(build) -> bytes:
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as handle:
        build(handle)
    return buffer.getvalue()


def test_an_hdf5_file_is_described_by_its_datasets_only():
    def build(handle):
        handle["arg0"] = np.zeros((3, 4), dtype=np.float32)
        group = handle.create_group("arg1")
        group["W1"] = np.ones((5, 3))
        group["b1"] = np.zeros((5, 1), dtype=np.int64)

    layout = hdf5_layout(hdf5(build))
    assert layout == [Dataset("arg0", (3, 4), "float32"), Dataset("arg1/W1", (5, 3), "float64"),
                      Dataset("arg1/b1", (5, 1), "int64")]
    assert hdf5_args_problem(layout) is None


def test_an_hdf5_file_that_is_no_argument_list_says_why():
    assert "arg0" in hdf5_args_problem(hdf5_layout(hdf5(lambda h: h.create_dataset("X", data=[1.0]))))
    def gap(handle):
        handle["arg0"] = [1.0]
        handle["arg2"] = [2.0]

    assert hdf5_args_problem(hdf5_layout(hdf5(gap))) == (
        "the file's top-level names are arg0, arg2; case arguments are arg0, arg1 (a group is a dict of its members)")
    assert hdf5_args_problem([]) == "the file holds no dataset"
    with pytest.raises(ValueError, match="not an HDF5 file"):
        hdf5_layout(b"PK\x03\x04 not hdf5")
