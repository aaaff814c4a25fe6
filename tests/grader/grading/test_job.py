"""The sandbox receives inputs only: never expected outputs, never the reference's graded code, never held-out data."""
import json

import h5py
import numpy as np
import pytest

from assignments import bundle_folders
from assignments.bundle import load_bundle
from assignments.source import def_source
from grader.grading.inputs import FUNCTIONS, MODELS, prepare_inputs
from grader.grading.job import write_job
from grader.grading.setup import get_grader
from sandbox.channel import PUBLIC_DIR
from sandbox.wire import decode
from tests import student_files as files

pytestmark = pytest.mark.sandbox


def _arrays(value):
    if isinstance(value, np.ndarray):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _arrays(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _arrays(item)


def _job(tmp_path, bundle, phase, source):
    grader = get_grader()
    prepared = prepare_inputs(bundle, grader, phase)
    job_dir = tmp_path / phase
    job_dir.mkdir()
    backend = grader.backend_for(bundle.environment)
    write_job(job_dir, bundle, prepared.functions, prepared.callee_sources, prepared.inputs_path, source,
              grader.limits(backend, 0))
    return job_dir


def test_job_directory_holds_no_expected_outputs_and_no_reference_code(tmp_path):
    bundle = load_bundle(bundle_folders()["optimization"])
    grader = get_grader()
    expected = grader.expected_for(bundle)
    student = files.python_file(replace={"update_parameters_with_adam": files.ADAM_WITHOUT_BIAS_CORRECTION}).decode()
    job_dir = _job(tmp_path, bundle, FUNCTIONS, student)

    assert sorted(p.name for p in job_dir.iterdir()) == ["files", "inputs.h5", "job.json"]  # the last two: stdin
    names = sorted(p.name for p in (job_dir / PUBLIC_DIR).iterdir())  # what the sandbox mounts
    assert names == sorted(["submission.py", *(p.name for p in bundle.job_files)])
    assert not {p.name for p in bundle.private_files} & set(names)
    job = json.loads((job_dir / "job.json").read_text())
    assert "expected" not in job and "callee_sources" not in job
    reference = bundle.text("reference")
    for function in bundle.functions:  # the student's file is the reference but for Adam
        body = def_source(reference, function.name, keep_docstring=False).split(":", 1)[1]
        for path in [*job_dir.glob("*.*"), *(job_dir / PUBLIC_DIR).iterdir()]:
            if path.name != "submission.py" or function.name == "update_parameters_with_adam":
                assert body.encode() not in path.read_bytes(), (function.name, path.name)

    with h5py.File(job_dir / "inputs.h5") as h5:
        sent = []
        h5.visititems(lambda name, item: sent.append(item[()]) if isinstance(item, h5py.Dataset) else None)
        args = [decode(case["args"], h5) for function in job["functions"] for case in function["cases"]]
    assert len(sent) == sum(1 for value in args for _ in _arrays(value))  # exactly the cases' inputs
    outputs = [a for value in expected.outputs["update_parameters_with_adam"].values() for a in _arrays(value)]
    for output in outputs:
        assert not any(output.shape == s.shape and np.array_equal(output, s) for s in sent)


def test_stand_ins_travel_as_the_callees_defs_only(tmp_path):
    bundle = load_bundle(bundle_folders()["gradient-checking"])
    job_dir = _job(tmp_path, bundle, FUNCTIONS, files.python_file("gradient-checking").decode())
    job = json.loads((job_dir / "job.json").read_text())
    sources = job["callee_sources"]
    assert set(sources) == {"reference", "cases"}
    assert "def forward_propagation" in sources["reference"] and "def backward_propagation" in sources["reference"]
    assert "def gradient_check" not in sources["reference"]  # the graded caller's reference stays out
    assert "def backward_twice" in sources["cases"] and "def forward_cubic" in sources["cases"]
    assert "def check_n_" not in sources["cases"]  # nor do the builders of hidden cases
    assert "supplied" not in sources["cases"]  # cases.py imports it; the callees do not need it, no job has it
    cases = [case for f in job["functions"] for case in f["cases"] if "callees" in case]
    assert {f["name"] for f in job["functions"] for case in f["cases"] if "callees" in case} == {"gradient_check"}
    assert all(set(case["callees"]) == {"forward_propagation", "backward_propagation"} for case in cases)


def test_model_jobs_hold_the_training_data_but_never_the_held_out_set(tmp_path):
    bundle = load_bundle(bundle_folders()["optimization"])
    job_dir = _job(tmp_path, bundle, MODELS, files.python_file().decode())
    names = {p.name for p in (job_dir / PUBLIC_DIR).iterdir()}
    assert "moons_train.h5" in names and "moons_test.h5" not in names
    job = json.loads((job_dir / "job.json").read_text())
    assert [f["name"] for f in job["functions"]] == ["gradebox_train_model"]
    assert [case["id"] for case in job["functions"][0]["cases"]] == ["gd", "momentum", "adam"]
