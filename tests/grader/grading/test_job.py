"""The sandbox receives inputs only: never expected outputs, never reference code."""
import importlib
import inspect
import json

import h5py
import numpy as np
import pytest

from assignments.registry import get_assignment
from grader.grading.job import prepare_inputs, write_job
from grader.grading.setup import get_grader
from tests import student_files as files

pytestmark = pytest.mark.sandbox


def test_job_directory_holds_no_expected_outputs_and_no_reference_code(tmp_path):
    assignment = get_assignment("optimization")
    grader = get_grader()
    prepared = prepare_inputs(assignment, grader.cache_dir)
    expected = grader.expected_for(assignment)
    job_dir = tmp_path / "job"
    job_dir.mkdir()
    student = files.python_file(replace={"update_parameters_with_adam": files.ADAM_WITHOUT_BIAS_CORRECTION}).decode()
    write_job(job_dir, assignment, prepared, student, grader.limits(0))

    names = sorted(p.name for p in job_dir.iterdir())
    assert names == sorted(["job.json", "submission.py", "inputs.h5", *assignment.helper_modules])
    job_text = (job_dir / "job.json").read_text()
    assert "expected" not in json.loads(job_text)

    reference_source = inspect.getsource(importlib.import_module(assignment.reference_module))
    reference_body = reference_source.split("def update_parameters_with_adam", 1)[1].split("return parameters, v, s")[0]
    for path in job_dir.iterdir():
        content = path.read_bytes()
        assert reference_body.encode() not in content, path.name
        assert b"reference" not in content or path.name == "submission.py", path.name

    sent = []
    with h5py.File(job_dir / "inputs.h5") as h5:
        h5.visititems(lambda name, item: sent.append(item[()]) if isinstance(item, h5py.Dataset) else None)
    built = [a for graded in assignment.functions for case in graded.cases for a in _arrays(case.build())]
    assert len(sent) == len(built)  # exactly the test-case inputs, nothing added
    for array in sent:
        assert any(array.shape == b.shape and np.array_equal(array, b) for b in built)
    adam_outputs = [a for value in expected.outputs["update_parameters_with_adam"].values() for a in _arrays(value)]
    assert not any(a.shape == s.shape and np.array_equal(a, s) for a in adam_outputs[:1] for s in sent)


def _arrays(value):
    if isinstance(value, np.ndarray):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _arrays(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _arrays(item)
