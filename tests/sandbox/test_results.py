"""Archives built by hand, including hostile ones: nothing in them may crash the worker."""
import io
import json
import zipfile

import numpy as np
import pytest

from sandbox.results import JSON_MEMBER_BYTES_MAX, ResultsError, read_results

JOB = {"functions": [{"name": "f", "cases": [{"id": "published"}, {"id": "hidden-1"}]},
                     {"name": "g", "cases": [{"id": "published"}]}]}
REPORTS = [{"index": 0, "name": "f", "status": "ok", "exit": 0, "signal": None, "wall_s": 0.1},
           {"index": 1, "name": "g", "status": "ok", "exit": 0, "signal": None, "wall_s": 0.1}]


def npz(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def archive(members: dict, compression=zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data if isinstance(data, bytes) else json.dumps(data))
    return buffer.getvalue()


def good_members() -> dict:
    case = {"id": "published", "status": "ok", "wall_s": 0.01,
            "value": {"t": "dict", "items": {"W1": {"t": "array", "ref": "c0/a0"}}}}
    error = {"id": "hidden-1", "status": "error",
             "error": {"type": "KeyError", "message": "'dW1'", "traceback": [{"line": 3, "function": "f", "source": "x"}]}}
    return {
        "runner.json": {"version": 1, "functions": REPORTS},
        "f0.json": {"setup_errors": [], "cases": [case, error], "complete": True},
        "f0.c0.npz": npz(**{"c0/a0": np.eye(2)}),
        "f0.out": "héllo".encode() + b"\xff",
        "f1.json": {"setup_errors": [], "cases": [{"id": "published", "status": "ok", "value": {"t": "int", "v": 1}}]},
    }


def test_well_formed_archive_gives_decoded_values_and_errors():
    runs = read_results(archive(good_members()), JOB)
    f = runs["f"]
    np.testing.assert_array_equal(f.cases[0].value["W1"], np.eye(2))
    assert f.cases[1].error["type"] == "KeyError" and f.output == "héllo\ufffd"
    assert runs["g"].cases[0].value == 1


@pytest.mark.parametrize("data", [b"", b"not a zip", archive(good_members())[:-30]])
def test_unreadable_archive_is_a_sandbox_side_error(data):
    with pytest.raises(ResultsError):
        read_results(data, JOB)


def test_compressed_members_are_refused_before_reading():
    with pytest.raises(ResultsError, match="compressed"):
        read_results(archive(good_members(), zipfile.ZIP_DEFLATED), JOB)


def test_missing_runner_json_is_a_sandbox_side_error():
    members = good_members()
    del members["runner.json"]
    with pytest.raises(ResultsError):
        read_results(archive(members), JOB)


def test_oversized_json_member_marks_only_that_function_missing():
    members = good_members()
    members["f0.json"] = b" " * (JSON_MEMBER_BYTES_MAX + 1)
    runs = read_results(archive(members), JOB)
    assert runs["f"].status == "missing_result" and "cap" in runs["f"].problem
    assert runs["g"].status == "ok"


def test_pickled_object_arrays_are_never_loaded():
    members = good_members()
    members["f0.c0.npz"] = npz(**{"c0/a0": np.array([{"evil": 1}], dtype=object)})
    case = read_results(archive(members), JOB)["f"].cases[0]
    assert case.status == "missing_result" and case.value is None


def test_garbage_results_json_marks_the_function_missing():
    members = good_members()
    members["f0.json"] = b"[1, 2"
    assert read_results(archive(members), JOB)["f"].status == "missing_result"


def test_malformed_value_tree_marks_only_that_case():
    members = good_members()
    members["f1.json"] = {"cases": [{"id": "published", "status": "ok", "value": {"t": "int", "v": "1"}}]}
    case = read_results(archive(members), JOB)["g"].cases[0]
    assert case.status == "missing_result" and case.error["type"] == "GradeboxResultError"


def test_function_the_runner_did_not_report_is_missing():
    members = good_members()
    members["runner.json"] = {"version": 1, "functions": REPORTS[:1]}
    runs = read_results(archive(members), JOB)
    assert runs["g"].status == "missing_result" and runs["g"].cases[0].status == "missing_result"


def test_cases_never_reached_are_not_run():
    members = good_members()
    members["runner.json"] = {"version": 1, "functions": [dict(REPORTS[0], status="timeout", exit=None, signal=9),
                                                          REPORTS[1]]}
    members["f0.json"] = {"setup_errors": [], "cases": [{"id": "published", "status": "running"}]}
    f = read_results(archive(members), JOB)["f"]
    assert [case.status for case in f.cases] == ["timeout", "not_run"]


def test_error_fields_are_coerced_to_the_shapes_we_show():
    members = good_members()
    members["f1.json"] = {"setup_errors": [{"line": "x", "source": 3}, "junk"],
                          "cases": [{"id": "published", "status": "error", "error": {"traceback": [1, {"line": []}]}}]}
    g = read_results(archive(members), JOB)["g"]
    assert g.setup_errors[0] == {"line": None, "source": "3", "error": ""}
    assert g.cases[0].error == {"type": "Error", "message": "", "traceback": [{"line": None, "function": "", "source": ""}]}
