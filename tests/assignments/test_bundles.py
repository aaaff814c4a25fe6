"""What every assignment bundle must satisfy, whatever its course: one test module over all of bundle_folders().

The bundle's code runs here in the test process (tests/assignments/bundle_code.py),
beside its job files and without the repository's packages, as in the sandbox.
Model checks are not trained here beyond one iteration; the full runs are in the
per-assignment files, marked slow. What is particular to one assignment (the
course's published numbers, its cases' purposes, its mistakes) is in
test_<assignment>.py.
"""
from __future__ import annotations

import ast
import inspect
import itertools
import tomllib

import numpy as np
import pytest

from assignments.source import parameters
from grader.grading import classifier
from grader.grading.variants import zeros_like
from sandbox.environments import get_environment
from tests.assignments.bundle_code import (
    SANDBOX_MODULES, SLUGS, bundle, code, code_cells, driver_names, identical, imported_modules, leaves, matches, rebound,
    runs_here,
)

FUNCTIONS = [(slug, graded.name) for slug in SLUGS for graded in bundle(slug).functions]
CASES = [(slug, graded, case) for slug in SLUGS for graded in bundle(slug).functions for case in graded.cases]
HIDDEN = [(slug, graded, case) for slug, graded, case in CASES if case.hidden]
MISTAKES = [(slug, mistake) for slug in SLUGS for mistake in bundle(slug).mistakes]
CHECKS = [(slug, check) for slug in SLUGS for check in bundle(slug).model_checks if runs_here(slug)]
SANDBOX_FILES = [(slug, path) for slug in SLUGS for path in (
    *[p for p in bundle(slug).job_files if p.suffix == ".py"],
    *[bundle(slug).files[role] for role in ("supplied", "cases") if role in bundle(slug).files])]
# What runs bundle code in the test process: the bundles of the numpy environment.
RUN_FUNCTIONS = [(slug, name) for slug, name in FUNCTIONS if runs_here(slug)]
RUN_CASES = [param for param in CASES if runs_here(param[0])]
RUN_MISTAKES = [param for param in MISTAKES if runs_here(param[0])]
STARTERS = [(slug, graded) for slug, graded in FUNCTIONS if "starter" in bundle(slug).files]


def case_id(param) -> str:
    slug, graded, case = param
    return f"{slug}-{graded.name}-{case.id}"


def function_id(param) -> str:
    return "-".join(param)


def mistake_id(param) -> str:
    return f"{param[0]}-{param[1].key}"


def named_outputs(value, graded) -> tuple:
    """The returned values one per name of `outputs`: a tuple of that many when there are several."""
    if len(graded.outputs) == 1:
        return (value,)
    assert type(value) is tuple and len(value) == len(graded.outputs), type(value)
    return value


# The manifest

@pytest.mark.parametrize("slug", SLUGS)
def test_the_bundle_loads_with_the_functions_its_manifest_names(slug):
    loaded = bundle(slug)
    manifest = tomllib.loads((loaded.folder / "assignment.toml").read_text())
    assert loaded.slug == slug
    assert [(f.name, f.points, f.outputs) for f in loaded.functions] == \
        [(f["name"], float(f["points"]), tuple(f["outputs"])) for f in manifest["functions"]]
    assert [[case.id for case in f.cases] for f in loaded.functions] == \
        [[case["id"] for case in f["cases"]] for f in manifest["functions"]]
    assert loaded.max_score == sum(f["points"] for f in manifest["functions"]) > 0


@pytest.mark.parametrize("param", FUNCTIONS, ids=function_id)
def test_every_function_has_a_public_and_a_hidden_case_with_ids_of_its_own(param):
    slug, name = param
    cases = bundle(slug).function(name).cases
    assert any(not case.hidden for case in cases) and any(case.hidden for case in cases)
    assert len({case.id for case in cases}) == len(cases)


# Cases

@pytest.mark.parametrize("param", CASES, ids=case_id)
def test_every_case_builds_the_same_arguments_twice(param):
    slug, graded, case = param
    args = code(slug).args(case)
    assert type(args) is tuple
    assert identical(args, code(slug).args(case))


@pytest.mark.parametrize("param", HIDDEN, ids=case_id)
def test_hidden_cases_differ_from_the_public_ones(param):
    """In their arguments, and in the reference's output unless the case is a threshold (rtol 0, atol the margin)."""
    slug, graded, case = param
    bundle_code = code(slug)
    if not inspect.signature(getattr(bundle_code.reference, graded.name)).parameters:
        # A function without arguments (tensorflow-intro's linear_function) has one call: its hidden case repeats
        # it, and the contract exempts it from the answers that ignore an argument.
        assert bundle_code.inputs(case) == ()
        return
    threshold = case.rtol == 0 and case.atol > 0
    for public in [c for c in graded.cases if not c.hidden]:
        assert not matches(bundle_code.inputs(public), bundle_code.inputs(case), ("args",), case), public.id
        if not threshold and runs_here(slug):  # elsewhere the contract's "published answer" row checks it
            expected = bundle_code.expected(graded.name, public)
            assert not matches(expected, bundle_code.expected(graded.name, case), graded.outputs, case), public.id


# The reference

@pytest.mark.parametrize("param", RUN_CASES, ids=case_id)
def test_the_reference_runs_on_every_case_and_returns_the_named_outputs(param):
    slug, graded, case = param
    np.random.seed(1)
    value = code(slug).run(graded.name, case)
    numbers = [np.asarray(leaf) for leaf in leaves(named_outputs(value, graded))]
    assert numbers and all(leaf.dtype.kind in "biuf" and np.isfinite(leaf).all() for leaf in numbers)
    np.random.seed(2)
    assert identical(code(slug).run(graded.name, case), value), "the output depends on the global random state"


@pytest.mark.parametrize("slug", SLUGS)
def test_the_reference_takes_its_helpers_from_numpy_the_standard_library_or_the_job_files(slug):
    bundle_code = code(slug)
    allowed = SANDBOX_MODULES | set(bundle_code.bundle.job_module_names) | {"reference"}
    for name, value in vars(bundle_code.reference).items():
        if name.startswith("__"):
            continue
        origin = value.__name__ if inspect.ismodule(value) else getattr(value, "__module__", None)
        assert origin is None or origin.split(".")[0] in allowed, (name, origin)


@pytest.mark.parametrize("param", SANDBOX_FILES, ids=lambda param: f"{param[0]}-{param[1].name}")
def test_sandbox_files_import_only_what_the_sandbox_has(param):
    """At their top level and inside the drivers, which always run; course plotting code imports matplotlib lazily."""
    slug, path = param
    loaded = bundle(slug)
    allowed = SANDBOX_MODULES | set(loaded.job_module_names) | {get_environment(loaded.environment).framework} - {""}
    if path == loaded.files.get("cases"):
        allowed |= {"supplied", "reference"}
    text = path.read_text()
    assert imported_modules(text, inside=driver_names(text)) <= allowed


@pytest.mark.parametrize("slug", [slug for slug in SLUGS if "supplied" in bundle(slug).files])
def test_supplied_code_never_defines_a_graded_function(slug):
    """Supplied defs fill in what an upload lacks: a graded one would hand a missing function its answer."""
    tree = ast.parse(bundle(slug).text("supplied"))
    defined = {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
    assert defined and not defined & {graded.name for graded in bundle(slug).functions}


# Mistakes

@pytest.mark.parametrize("param", RUN_MISTAKES, ids=mistake_id)
def test_every_mistake_differs_from_the_reference_on_some_case_of_its_function(param):
    slug, mistake = param
    bundle_code = code(slug)
    graded = bundle_code.bundle.function(mistake.function)
    assert "\n" not in mistake.hint and mistake.hint.endswith((".", "?"))
    np.random.seed(2)
    outputs = bundle_code.mistake_outputs(mistake)
    if mistake.pattern is None:  # known by its outputs alone: they must exist and be the same on every run
        assert outputs, f"{mistake.key} raises on every case: its hint could never be given"
        np.random.seed(3)
        assert all(identical(value, outputs[case_id]) for case_id, value in bundle_code.mistake_outputs(mistake).items()), \
            f"{mistake.key} depends on the global random state: no recorded output can match it (give it a pattern)"
    differing = [case.id for case in graded.cases if case.id not in outputs
                 or not matches(bundle_code.expected(graded.name, case), outputs[case.id], graded.outputs, case)]
    assert differing, f"{mistake.key} cannot be told from the reference"


@pytest.mark.parametrize("param", RUN_MISTAKES, ids=mistake_id)
def test_a_mistake_leaves_the_other_functions_as_the_reference_has_them(param):
    slug, mistake = param
    bundle_code = code(slug)
    namespace = bundle_code.mistake(mistake)
    for graded in bundle_code.bundle.functions:
        if graded.name != mistake.function:
            for case in graded.cases:
                value = bundle_code.run(graded.name, case, namespace)
                assert matches(bundle_code.expected(graded.name, case), value, graded.outputs, case), (graded.name, case.id)


def _hint_given(graded, mistake_outputs: dict, student_outputs: dict) -> bool:
    """The platform's rule: the hint goes to a student whose outputs match the mistake's on every case they returned
    (a function that returned nothing matches no outputs)."""
    cases = {case.id: case for case in graded.cases}
    return bool(student_outputs) and all(case_id in mistake_outputs and matches(mistake_outputs[case_id], value, graded.outputs, cases[case_id])
               for case_id, value in student_outputs.items())


@pytest.mark.parametrize("param", FUNCTIONS, ids=function_id)
def test_no_two_mistakes_of_a_function_give_the_same_outputs(param):
    slug, name = param
    bundle_code = code(slug)
    graded = bundle_code.bundle.function(name)
    outputs = {m.key: bundle_code.mistake_outputs(m) for m in bundle_code.bundle.mistakes if m.function == name}
    for (key_a, a), (key_b, b) in itertools.combinations(outputs.items(), 2):
        assert not _hint_given(graded, a, b) and not _hint_given(graded, b, a), \
            f"{key_a} and {key_b} give the same outputs: their hints would be ambiguous"


# Answers that skip the work (the contract runs the same answers in the sandbox: grader/grading/variants.py)

def _answers_that_skip_the_work(bundle_code, graded) -> dict:
    """{row: (answer(case) -> value, declared without effect)}, made here from the reference as variants.py makes them."""
    name = graded.name
    published = next((case for case in graded.cases if not case.hidden), graded.cases[0])
    output = bundle_code.expected(name, published)
    answers = {"constant": (lambda case: zeros_like(output), False),
               "published answer": (lambda case: bundle_code.run(name, published), False)}
    signature = parameters(bundle_code.bundle.text("reference"), name)
    declared = set(graded.printing_only) | {arg for arg, _ in graded.unused_arguments}

    def ignoring(index):
        def answer(case):
            given, fixed_from = list(bundle_code.inputs(case)), bundle_code.inputs(published)
            args = given + [default for _, _, default in signature[len(given):index + 1]]
            args[index] = fixed_from[index] if index < len(fixed_from) else signature[index][2]
            return bundle_code.call(bundle_code.function(name, case), *args)
        return answer

    for index, (arg, positional, _) in enumerate(signature):
        if positional:
            answers[f"ignores {arg}"] = (ignoring(index), arg in declared)
    answered = {callee for case in graded.cases for callee in case.stand_ins + tuple(c for c, _ in case.callees)}
    for callee in sorted(answered):
        def never_calls(case, callee=callee, fixed=bundle_code.function(name, published).__globals__[callee]):
            return bundle_code.call(rebound(bundle_code.function(name, case), **{callee: fixed}), *bundle_code.inputs(case))
        answers[f"ignores callee {callee}()"] = (never_calls, False)
    return answers


def _loses_points(bundle_code, graded, answer) -> bool:
    for case in graded.cases:
        try:
            value = answer(case)
        except Exception:
            return True  # an error fails the case
        if not matches(bundle_code.expected(graded.name, case), value, graded.outputs, case):
            return True
    return False


@pytest.mark.parametrize("param", RUN_FUNCTIONS, ids=function_id)
def test_no_answer_that_skips_the_work_passes_every_case(param):
    """A constant, the published answer, and an answer ignoring any one argument or answered callee each fail a case;
    an argument declared without effect (printing_only, unused_arguments) really has none."""
    slug, name = param
    bundle_code = code(slug)
    graded = bundle_code.bundle.function(name)
    answers = _answers_that_skip_the_work(bundle_code, graded)
    np.random.seed(4)
    passing = [row for row, (answer, declared) in answers.items()
               if not declared and not _loses_points(bundle_code, graded, answer)]
    wrongly_declared = [row for row, (answer, declared) in answers.items()
                        if declared and _loses_points(bundle_code, graded, answer)]
    assert passing == [] and wrongly_declared == []


# Model checks (one iteration of training: the full runs are slow)

@pytest.mark.parametrize("param", CHECKS, ids=lambda param: f"{param[0]}-{param[1].id}")
def test_model_check_network_and_dependencies_are_what_its_driver_trains(param):
    """After one iteration: the parameters fit `layers`, the platform's forward pass (`activations`) predicts
    as the course's predict_dec, and the driver calls exactly the graded functions of `depends_on`."""
    slug, check = param
    bundle_code = code(slug)
    called = set()

    def recording(name):
        def call(*args, **kwargs):
            called.add(name)
            return getattr(bundle_code.reference, name)(*args, **kwargs)
        return call

    driver = bundle_code.drivers(**{f.name: recording(f.name) for f in bundle_code.bundle.functions})[check.driver]
    parameters, costs = bundle_code.call(driver, *bundle_code.brief_args(check, 1))
    assert called == set(check.depends_on)
    assert len(costs) >= 1 and all(type(cost) is float for cost in costs)
    checked = classifier.checked_parameters(check, parameters)
    assert set(parameters) == set(classifier.expected_shapes(check.layers))
    last = f"W{len(check.layers) - 1}"
    with pytest.raises(classifier.ParametersRejected, match=f'no "{last}"'):
        classifier.checked_parameters(check, {k: v for k, v in parameters.items() if k != last})
    with pytest.raises(classifier.ParametersRejected, match=rf'parameters\["{last}"\] should be numbers of shape'):
        classifier.checked_parameters(check, {**parameters, last: parameters[last].T[..., None]})
    X, _ = classifier.read_data(check.train)
    modules = [bundle_code.module(name) for name in bundle_code.bundle.job_module_names]
    predict_dec = next((m.predict_dec for m in modules if hasattr(m, "predict_dec")), None)
    if predict_dec is None:
        pytest.skip("no job module has the course's predict_dec to compare the activations with")
    course = bundle_code.call(predict_dec, parameters, X)
    np.testing.assert_array_equal(classifier.predict(check, checked, X), np.asarray(course).reshape(1, -1))


# The starter notebook

@pytest.mark.parametrize("param", STARTERS, ids=function_id)
def test_starter_has_one_blanked_graded_cell_with_the_reference_signature(param):
    slug, name = param
    bundle_code = code(slug)
    (source,) = [s for s in code_cells(bundle_code.bundle) if s.splitlines()[0] == f"# GRADED FUNCTION: {name}"]
    assert "### START CODE HERE ###" in source and "### END CODE HERE ###" in source
    blank = bundle_code.namespace(source, f"<starter cell {name}>")
    assert inspect.signature(blank[name]) == inspect.signature(getattr(bundle_code.reference, name))
    graded = bundle_code.bundle.function(name)
    public = next(case for case in graded.cases if not case.hidden)
    if not runs_here(slug):
        return  # its reference needs the framework only the sandbox has: the signature is what is checked here
    try:
        value = bundle_code.run(name, public, blank)
    except Exception:
        return  # a blank that raises is blank
    assert not matches(bundle_code.expected(name, public), value, graded.outputs, public)
