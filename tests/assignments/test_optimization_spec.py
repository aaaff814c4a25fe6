"""The optimization spec's cases build, the reference runs on them, and every catalogued mistake shows."""
import ast
import itertools
import warnings

import numpy as np
import pytest

from assignments.optimization import opt_utils, testCases
from assignments.registry import get_assignment
from reference import optimization as ref
from reference.mistakes import catalogue, for_function

ASSIGNMENT = get_assignment("optimization")
MISTAKES = catalogue("optimization")
GRADED = ("update_parameters_with_gd", "random_mini_batches", "initialize_velocity",
          "update_parameters_with_momentum", "initialize_adam", "update_parameters_with_adam")
CASES = [(graded, case) for graded in ASSIGNMENT.functions for case in graded.cases]


def same(a, b, rtol=1e-5, atol=1e-8):
    """Structure, shapes and values agree, the way the grader compares outputs."""
    if isinstance(a, dict) or isinstance(b, dict):
        return (isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys()
                and all(same(a[k], b[k], rtol, atol) for k in a))
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        return (isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) and len(a) == len(b)
                and all(same(x, y, rtol, atol) for x, y in zip(a, b)))
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True))


def run(function, case):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return function(*case.build())


def case_id(param):
    graded, case = param
    return f"{graded.name}-{case.id}"


def test_the_six_course_functions_are_graded_for_ten_points():
    assert tuple(graded.name for graded in ASSIGNMENT.functions) == GRADED
    assert ASSIGNMENT.max_score == 10
    assert [path.name for path in ASSIGNMENT.helper_paths() if path.exists()] == [
        "opt_utils.py", "testCases.py", "moons_train.h5"]


@pytest.mark.parametrize("graded", ASSIGNMENT.functions, ids=lambda graded: graded.name)
def test_every_function_has_the_published_case_and_at_least_two_hidden_ones(graded):
    assert [case.id for case in graded.cases if not case.hidden] == ["published"]
    assert sum(case.hidden for case in graded.cases) >= 2
    assert len({case.id for case in graded.cases}) == len(graded.cases)


@pytest.mark.parametrize("param", CASES, ids=case_id)
def test_every_case_builds_the_same_arguments_twice(param):
    graded, case = param
    args = case.build()
    assert isinstance(args, tuple)
    assert same(args, case.build(), rtol=0, atol=0)


@pytest.mark.parametrize("param", CASES, ids=case_id)
def test_the_reference_runs_on_every_case_and_returns_the_named_outputs(param):
    graded, case = param
    result = run(getattr(ref, graded.name), case)
    outputs = result if len(graded.outputs) > 1 else (result,)
    assert isinstance(outputs, tuple) and len(outputs) == len(graded.outputs)
    assert all(np.isfinite(array).all() for array in _arrays(outputs))


@pytest.mark.parametrize("param", [p for p in CASES if p[1].hidden], ids=case_id)
def test_hidden_cases_differ_from_the_published_one(param):
    graded, case = param
    published = graded.cases[0]
    assert not same(case.build(), published.build())
    function = getattr(ref, graded.name)
    assert not same(run(function, case), run(function, published))


def test_random_mini_batches_cases_cover_a_partial_and_an_exact_last_batch():
    remainders = set()
    for case in ASSIGNMENT.function("random_mini_batches").cases:
        X, Y, mini_batch_size, *_ = case.build()
        remainders.add(X.shape[1] % mini_batch_size == 0)
    assert remainders == {True, False}


def test_the_tiny_gradient_adam_case_tells_where_epsilon_goes():
    case = next(c for c in ASSIGNMENT.function("update_parameters_with_adam").cases if c.id == "tiny_gradients")
    inside = next(m for m in MISTAKES if m.key == "adam_epsilon_inside_sqrt").compile(ref)
    assert not same(run(ref.update_parameters_with_adam, case), run(inside, case), case.rtol, case.atol)


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda mistake: mistake.key)
def test_every_mistake_is_one_def_of_a_graded_function(mistake):
    assert mistake.function in GRADED
    tree = ast.parse(mistake.source)
    assert len(tree.body) == 1 and isinstance(tree.body[0], ast.FunctionDef)
    assert tree.body[0].name == mistake.function
    assert mistake.hint.endswith((".", "?")) and "\n" not in mistake.hint


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda mistake: mistake.key)
def test_every_mistake_differs_from_the_reference_on_some_case_of_its_function(mistake):
    graded = ASSIGNMENT.function(mistake.function)
    mutant = mistake.compile(ref)
    differing = [case.id for case in graded.cases
                 if not same(run(mutant, case), run(getattr(ref, graded.name), case), case.rtol, case.atol)]
    assert differing, f"{mistake.key} cannot be told from the reference"


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda mistake: mistake.key)
def test_a_mistake_leaves_the_other_functions_as_the_reference_has_them(mistake):
    namespace = dict(vars(ref))
    exec(compile(mistake.source, mistake.key, "exec"), namespace)
    for graded in ASSIGNMENT.functions:
        if graded.name == mistake.function:
            continue
        for case in graded.cases:
            assert same(run(namespace[graded.name], case), run(getattr(ref, graded.name), case))


@pytest.mark.parametrize("name", GRADED)
def test_no_two_mistakes_of_a_function_give_the_same_outputs(name):
    graded = ASSIGNMENT.function(name)
    outputs = {m.key: [run(m.compile(ref), case) for case in graded.cases] for m in for_function("optimization", name)}
    for (key_a, a), (key_b, b) in itertools.combinations(outputs.items(), 2):
        assert not same(a, b), f"{key_a} and {key_b} give the same outputs: their hints would be ambiguous"


def test_catalogue_covers_the_agreed_mistakes():
    keys = {mistake.key for mistake in MISTAKES}
    assert {"gd_plus_sign", "mini_batches_y_not_shuffled", "mini_batches_last_batch_dropped",
            "velocity_wrong_shape", "momentum_without_one_minus_beta", "momentum_steps_with_grads",
            "adam_no_bias_correction", "adam_t_plus_one", "adam_epsilon_inside_sqrt"} <= keys
    assert len(keys) == len(MISTAKES)


@pytest.mark.parametrize("module", [opt_utils, testCases], ids=lambda module: module.__name__)
def test_helper_modules_import_only_what_the_sandbox_has(module):
    with open(module.__file__) as f:
        tree = ast.parse(f.read())
    imported = {alias.name.split(".")[0] for node in tree.body if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in tree.body if isinstance(node, ast.ImportFrom)}
    assert imported <= {"os", "numpy", "h5py"}


def test_opt_utils_trains_a_step_the_way_model_does():
    X = np.random.RandomState(0).randn(2, 50)
    Y = (X[0:1] > 0).astype(int)
    parameters = opt_utils.initialize_parameters([2, 5, 2, 1])
    a3, caches = opt_utils.forward_propagation(X, parameters)
    cost = opt_utils.compute_cost(a3, Y)
    grads = opt_utils.backward_propagation(X, Y, caches)
    assert a3.shape == (1, 50) and 0 < cost < 5
    assert all(grads["d" + name].shape == value.shape for name, value in parameters.items())
    assert opt_utils.predict_dec(parameters, X).shape == (1, 50)


def test_load_dataset_without_the_data_file_says_which_file_is_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match="moons"):
        opt_utils.load_dataset(str(tmp_path / "moons.h5"))


def _arrays(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _arrays(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _arrays(item)
    else:
        yield np.asarray(value)


def _starter_cells():
    import nbformat

    notebook = nbformat.read(ASSIGNMENT.folder / ASSIGNMENT.starter_notebook, as_version=4)
    nbformat.validate(notebook)
    return notebook.cells


def test_starter_notebook_is_what_build_starter_writes():
    from assignments.optimization.build_starter import build_notebook

    assert [(c.cell_type, c.source) for c in _starter_cells()] == \
        [(c.cell_type, c.source) for c in build_notebook().cells]


def test_starter_imports_the_course_helpers():
    imports = _starter_cells()[1].source
    for line in ("import numpy as np", "import math", "import sklearn.datasets", "from testCases import *",
                 "%matplotlib inline"):
        assert line in imports
    for name in ("load_params_and_grads", "initialize_parameters", "forward_propagation", "backward_propagation",
                 "compute_cost", "predict", "load_dataset", "plot_decision_boundary", "predict_dec"):
        assert name in imports and hasattr(opt_utils, name)


@pytest.mark.parametrize("name", GRADED)
def test_starter_has_one_blanked_graded_cell_with_the_course_signature(name):
    import inspect

    cells = [c for c in _starter_cells() if c.cell_type == "code"
             and c.source.splitlines()[0] == f"# GRADED FUNCTION: {name}"]
    assert len(cells) == 1
    source = cells[0].source
    assert "### START CODE HERE ###" in source and "### END CODE HERE ###" in source
    (definition,) = [node for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)]
    assert definition.name == name
    expected = inspect.signature(getattr(ref, name)).parameters.values()
    assert [arg.arg for arg in definition.args.args] == [p.name for p in expected]
    assert [ast.literal_eval(d) for d in definition.args.defaults] == \
        [p.default for p in expected if p.default is not inspect.Parameter.empty]

    namespace = {"np": np, "math": __import__("math")}
    exec(source, namespace)
    published = ASSIGNMENT.function(name).cases[0]
    try:
        blank = run(namespace[name], published)
    except Exception:
        return
    assert not same(blank, run(getattr(ref, name), published))


def test_starter_ends_with_the_model_and_its_training_cells():
    code = [c.source for c in _starter_cells() if c.cell_type == "code"]
    last_graded = max(i for i, s in enumerate(code) if s.startswith("# GRADED FUNCTION"))
    assert any(s.startswith("def model(") for s in code[last_graded:])
    assert sum("parameters = model(train_X, train_Y" in s for s in code[last_graded:]) == 3
