"""The answers that skip the work (grader/grading/variants.py): which calls each makes, and how they are batched.

Built from job entries as prepare_inputs makes them, without a sandbox; the
contract's own tests (test_contract.py) run them.
"""
from __future__ import annotations

import numpy as np
import pytest

from assignments.bundle import load_bundle
from grader.grading import variants
from sandbox.wire import encode
from tests.grader.authoring.bundles import manifest, write_bundle

REFERENCE = '''import numpy as np


def scale(Z, factor=2.0, shift=0.0, *, verbose=False):
    """Z * factor + shift."""
    return Z * factor + shift


def total(x, theta):
    """Calls its graded callee."""
    return scale(x) + theta
'''


def function(name, cases, **keys):
    return {"name": name, "points": 1, "outputs": ["A"], "cases": cases, **keys}


@pytest.fixture
def bundle(tmp_path):
    functions = [
        function("scale", [{"id": "published", "args": [{"array": [[1.0, 2.0]]}]},
                           {"id": "factor", "args": "cases.py:wide", "hidden": True},
                           {"id": "shifted", "args": "cases.py:slope", "hidden": True}],
                 printing_only=["verbose"]),
        function("total", [{"id": "published", "args": [1.0, 2.0], "stand_ins": ["scale"]},
                           {"id": "own", "args": [3.0, 4.0], "hidden": True},
                           {"id": "given", "args": [5.0, 6.0], "hidden": True, "callees": {"scale": "cases.py:slope"}}]),
    ]
    return load_bundle(write_bundle(tmp_path / "b", **{"assignment.toml": manifest(functions=functions, mistakes=None),
                                                       "reference.py": REFERENCE}))


def entry(case_id, *args, **callees):
    arrays: dict = {}
    job = {"id": case_id, "args": encode(tuple(args), arrays, prefix=case_id)}
    if callees:
        job["callees"] = {name: list(target) for name, target in callees.items()}
    return job


@pytest.fixture
def jobs():
    Z = np.ones((1, 2))
    return [
        {"name": "scale", "wall_s": 5, "cases": [entry("published", Z), entry("factor", Z, 3.0),
                                                  entry("shifted", Z, 2.0, 1.5)]},
        {"name": "total", "wall_s": 5, "cases": [entry("published", 1.0, 2.0, scale=("reference", "scale")),
                                                  entry("own", 3.0, 4.0),
                                                  entry("given", 5.0, 6.0, scale=("cases", "slope"))]},
    ]


OUTPUTS = {"scale": {"published": np.array([[2.0, 4.0]]), "factor": np.ones((1, 2)), "shifted": np.ones((1, 2))},
           "total": {"published": 4.0, "own": 9.0, "given": 1.0}}


def by_key(found, function):
    return {v.key: v for v in found if v.graded.name == function}


def items(job):
    return [item.get("v", item.get("t")) for item in job["args"]["items"]]


def test_each_parameter_gets_an_answer_that_ignores_it_fixed_at_the_published_value_or_the_default(bundle, jobs):
    found = by_key(variants.build(bundle, jobs, OUTPUTS), "scale")
    assert list(found) == ["constant", "published answer", "ignores Z", "ignores factor", "ignores shift",
                           "ignores verbose"]
    factor = found["ignores factor"]
    assert [(case["id"], items(case)) for case in factor.cases] == [("factor", ["array", 2.0])]  # the default
    assert "always 2.0, as in the published case" in factor.passes
    shift = found["ignores shift"]
    assert [(case["id"], items(case)) for case in shift.cases] == [("shifted", ["array", 2.0, 0.0])]


def test_a_case_that_already_passes_the_published_value_is_not_run_again(bundle, jobs):
    """"shifted" passes factor 2.0, the published case's (default) value: ignoring factor changes nothing there."""
    factor = by_key(variants.build(bundle, jobs, OUTPUTS), "scale")["ignores factor"]
    assert [case["id"] for case in factor.cases] == ["factor"] and factor.unchanged == 2
    Z = np.ones((1, 2))
    jobs[0]["cases"][2] = entry("shifted", Z, 5.0, 1.5)
    factor = by_key(variants.build(bundle, jobs, OUTPUTS), "scale")["ignores factor"]
    assert [case["id"] for case in factor.cases] == ["factor", "shifted"]
    jobs[0]["cases"][1:] = [entry("factor", Z), entry("shifted", Z)]
    unchanged = by_key(variants.build(bundle, jobs, OUTPUTS), "scale")["ignores factor"]
    assert unchanged.cases == [] and unchanged.problem.startswith(
        "an answer that ignores factor (always 2.0, as in the published case) makes every case's own call")


def test_a_parameter_declared_printing_only_is_still_varied_but_marked(bundle, jobs):
    verbose = by_key(variants.build(bundle, jobs, OUTPUTS), "scale")["ignores verbose"]
    assert verbose.declared == "printing_only" and verbose.problem.startswith("verbose is keyword-only")


def test_the_constant_returns_zeros_shaped_like_the_published_output_on_every_case(bundle, jobs):
    constant = by_key(variants.build(bundle, jobs, OUTPUTS), "scale")["constant"]
    assert constant.calls == "gradebox_constant_scale" and len(constant.cases) == 3
    assert all(case["args"] == {"t": "tuple", "items": []} for case in constant.cases)
    namespace: dict = {"_gradebox_np": np}
    exec(constant.definition, namespace)  # generated here from shapes, not bundle code
    value = namespace["gradebox_constant_scale"](1, 2)
    assert value.shape == (1, 2) and value.dtype == np.float64 and not value.any()


def test_the_published_answer_gives_every_other_case_the_published_inputs_and_callees(bundle, jobs):
    published = by_key(variants.build(bundle, jobs, OUTPUTS), "total")["published answer"]
    assert [(case["id"], items(case), case["callees"]) for case in published.cases] == [
        ("own", [1.0, 2.0], {"scale": ["reference", "scale"]}),
        ("given", [1.0, 2.0], {"scale": ["reference", "scale"]})]


def test_an_answer_that_ignores_a_callee_takes_the_published_answer_or_its_own_def(bundle, jobs):
    found = by_key(variants.build(bundle, jobs, OUTPUTS), "total")
    ignores = found["ignores callee scale()"]
    assert [(case["id"], case["callees"]) for case in ignores.cases] == [
        ("own", {"scale": ["reference", "scale"]}), ("given", {"scale": ["reference", "scale"]})]
    del jobs[1]["cases"][0]["callees"]  # the published case now calls the submission's own scale
    ignores = by_key(variants.build(bundle, jobs, OUTPUTS), "total")["ignores callee scale()"]
    assert [(case["id"], case["callees"]) for case in ignores.cases] == [("given", {"scale": [variants.SELF, "scale"]})]


@pytest.mark.parametrize("value, zeros", [
    ({"W1": np.ones((2, 3)), "n": 3, "ok": True}, {"W1": np.zeros((2, 3)), "n": 0, "ok": False}),
    ([(np.ones((1, 2), dtype=np.int32), 0.5)], [(np.zeros((1, 2), dtype=np.int32), 0.0)]),
    (2.9e-10, 0.0),
])
def test_zeros_like_keeps_structure_shapes_and_types(value, zeros):
    got = variants.zeros_like(value)
    assert repr(got) == repr(zeros)


MiB = 2**20


def unit(name, *sizes):
    variant = variants.Variant(name, None, name, cases=[{"id": str(i)} for i in range(len(sizes))],
                               estimate_bytes=list(sizes))
    return variant


def test_a_job_gives_no_function_more_than_its_share_of_the_output_budget():
    small = [unit(f"small{i}", 1000) for i in range(20)]
    big = unit("big", 20 * MiB, 20 * MiB, 20 * MiB)  # 60 MiB: more than a job of one function may return
    units = variants._units(small + [big], 64 * MiB)
    assert [len(cases) for variant, cases, _ in units if variant is big] == [1, 1, 1]  # so case by case
    batches = variants._batches(units, 64 * MiB)
    assert len(batches) == 3 and sum(map(len, batches)) == 23
    for batch in batches:
        assert all(size <= variants._allowance_bytes(64 * MiB, len(batch)) for _, _, size in batch)
