"""The initialization spec's cases build, the reference runs on them, every mistake shows, the model checks hold."""
import ast
import inspect
import itertools
import sys
import warnings

import h5py
import numpy as np
import pytest

from assignments.initialization import init_utils, spec
from reference import initialization as ref
from reference.mistakes import catalogue, for_function

ASSIGNMENT = spec.ASSIGNMENT
MISTAKES = catalogue("initialization")
GRADED = ("initialize_parameters_zeros", "initialize_parameters_random", "initialize_parameters_he")
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


def supplied_namespace(functions):
    """supplied.py defined among the given graded functions, as the sandbox appends it to a submission."""
    namespace = dict(functions)
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(sys.modules, "init_utils", init_utils)
        source = (ASSIGNMENT.folder / ASSIGNMENT.supplied_module).read_text()
        exec(compile(source, "supplied.py", "exec"), namespace)
    return namespace


def test_the_three_course_functions_are_graded_for_three_points():
    assert tuple(graded.name for graded in ASSIGNMENT.functions) == GRADED
    assert ASSIGNMENT.max_score == 3
    assert ASSIGNMENT.slug == "initialization" and ASSIGNMENT.reference_module == "reference.initialization"


def test_jobs_receive_the_helpers_and_the_training_set_but_never_the_test_set():
    assert ASSIGNMENT.helper_modules == ("init_utils.py", "circles_train.h5")
    assert all(path.exists() for path in ASSIGNMENT.helper_paths())
    with h5py.File(ASSIGNMENT.folder / "circles_train.h5", "r") as f:
        assert sorted(f) == ["train_X", "train_Y"]
    assert (ASSIGNMENT.folder / "circles_test.h5").exists()


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
def test_the_reference_runs_on_every_case_and_returns_one_dict_per_layer(param):
    graded, case = param
    (layers_dims,) = case.build()
    parameters = run(getattr(ref, graded.name), case)
    L = len(layers_dims) - 1
    assert sorted(parameters) == sorted([f"W{l}" for l in range(1, L + 1)] + [f"b{l}" for l in range(1, L + 1)])
    for l in range(1, L + 1):
        assert parameters[f"W{l}"].shape == (layers_dims[l], layers_dims[l - 1])
        assert parameters[f"b{l}"].shape == (layers_dims[l], 1)
        assert np.isfinite(parameters[f"W{l}"]).all() and not parameters[f"b{l}"].any()


@pytest.mark.parametrize("param", [p for p in CASES if p[1].hidden], ids=case_id)
def test_hidden_cases_differ_from_the_published_one(param):
    graded, case = param
    published = graded.cases[0]
    assert not same(case.build(), published.build())
    function = getattr(ref, graded.name)
    assert not same(run(function, case), run(function, published))


@pytest.mark.parametrize("name", ["initialize_parameters_random", "initialize_parameters_he"])
def test_random_initializations_do_not_depend_on_the_global_generator_state(name):
    case = ASSIGNMENT.function(name).cases[1]
    np.random.seed(123)
    first = run(getattr(ref, name), case)
    np.random.rand(17)
    assert same(run(getattr(ref, name), case), first, rtol=0, atol=0)


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
def test_every_mistake_gives_the_same_outputs_on_every_run(mistake):
    graded = ASSIGNMENT.function(mistake.function)
    mutant = mistake.compile(ref)
    first = [run(mutant, case) for case in graded.cases]
    np.random.seed(99)
    assert same([run(mutant, case) for case in graded.cases], first, rtol=0, atol=0)


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
    outputs = {m.key: [run(m.compile(ref), case) for case in graded.cases]
               for m in for_function("initialization", name)}
    assert len(outputs) >= 3
    for (key_a, a), (key_b, b) in itertools.combinations(outputs.items(), 2):
        assert not same(a, b), f"{key_a} and {key_b} give the same outputs: their hints would be ambiguous"


def test_catalogue_covers_the_agreed_mistakes():
    keys = {mistake.key for mistake in MISTAKES}
    assert {"he_xavier_scaling", "he_scaled_by_current_layer", "random_without_times_10",
            "zeros_bias_shape_n", "he_bias_shape_n"} <= keys
    assert len(keys) == len(MISTAKES) >= 5


@pytest.mark.parametrize("filename", ["init_utils.py", "supplied.py"])
def test_sandbox_modules_import_only_what_the_sandbox_has(filename):
    tree = ast.parse((ASSIGNMENT.folder / filename).read_text())
    imported = {alias.name.split(".")[0] for node in tree.body if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in tree.body if isinstance(node, ast.ImportFrom)}
    assert imported <= {"os", "numpy", "h5py", "init_utils"}


def test_load_dataset_without_the_test_file_says_which_file_is_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match="circles_test.h5"):
        init_utils.load_dataset(init_utils.TRAIN_PATH, str(tmp_path / "circles_test.h5"))


def test_init_utils_trains_a_step_the_way_model_does():
    X, Y = init_utils.read_circles(init_utils.TRAIN_PATH, "train")
    parameters = ref.initialize_parameters_he([2, 10, 5, 1])
    a3, cache = init_utils.forward_propagation(X, parameters)
    cost = init_utils.compute_loss(a3, Y)
    grads = init_utils.backward_propagation(X, Y, cache)
    parameters = init_utils.update_parameters(parameters, grads, 0.01)
    assert a3.shape == (1, 300) and cost == pytest.approx(0.8830537463419761)
    assert all(grads["d" + name].shape == value.shape for name, value in parameters.items())
    assert init_utils.predict_dec(parameters, X).shape == (1, 300)


def test_supplied_module_gives_model_and_the_driver():
    namespace = supplied_namespace({})
    assert callable(namespace["model"])
    assert {check.driver for check in ASSIGNMENT.model_checks} == {"gradebox_train_model"}


@pytest.mark.parametrize("check", ASSIGNMENT.model_checks, ids=lambda check: check.id)
def test_model_check_trains_on_the_training_set_only_and_returns_parameters_and_costs(check):
    X, Y, learning_rate, num_iterations, initialization = check.build()
    train_X, train_Y = init_utils.read_circles(init_utils.TRAIN_PATH, "train")
    assert same((X, Y), (train_X, train_Y), rtol=0, atol=0)
    assert (learning_rate, num_iterations, initialization) == (0.01, 15000, check.id)
    assert set(check.depends_on) == {f"initialize_parameters_{check.id}"}
    namespace = supplied_namespace({name: getattr(ref, name) for name in check.depends_on})
    parameters, costs = namespace[check.driver](X, Y, learning_rate, 2001, initialization)
    assert sorted(parameters) == ["W1", "W2", "W3", "b1", "b2", "b3"]
    assert len(costs) == 3 and all(type(cost) is float for cost in costs)
    metrics = check.evaluate(parameters)
    assert set(metrics) == {threshold.metric for threshold in check.thresholds} == {"train_accuracy", "test_accuracy"}
    plot_X, plot_Y = check.plot_data()
    assert check.predict(parameters, plot_X).shape == plot_Y.shape


@pytest.mark.slow
@pytest.mark.parametrize("check", ASSIGNMENT.model_checks, ids=lambda check: check.id)
def test_the_reference_passes_every_model_check_threshold(check):
    namespace = supplied_namespace({name: getattr(ref, name) for name in check.depends_on})
    parameters, costs = namespace[check.driver](*check.build())
    assert len(costs) == 15
    metrics = check.evaluate(parameters)
    for threshold in check.thresholds:
        assert threshold.holds(metrics[threshold.metric]), (threshold, metrics)


def _starter_cells():
    import nbformat

    notebook = nbformat.read(ASSIGNMENT.folder / ASSIGNMENT.starter_notebook, as_version=4)
    nbformat.validate(notebook)
    return notebook.cells


def test_starter_notebook_is_what_build_starter_writes():
    from assignments.initialization.build_starter import build_notebook

    assert [(c.cell_type, c.source) for c in _starter_cells()] == \
        [(c.cell_type, c.source) for c in build_notebook().cells]


def test_starter_imports_the_course_helpers():
    imports = _starter_cells()[1].source
    for line in ("import numpy as np", "import sklearn.datasets", "%matplotlib inline",
                 "train_X, train_Y, test_X, test_Y = load_dataset()"):
        assert line in imports
    for name in ("sigmoid", "relu", "compute_loss", "forward_propagation", "backward_propagation",
                 "update_parameters", "predict", "load_dataset", "plot_decision_boundary", "predict_dec"):
        assert name in imports and hasattr(init_utils, name)


@pytest.mark.parametrize("name", GRADED)
def test_starter_has_one_blanked_graded_cell_with_the_course_signature(name):
    cells = [c for c in _starter_cells() if c.cell_type == "code"
             and c.source.splitlines()[0] == f"# GRADED FUNCTION: {name}"]
    assert len(cells) == 1
    source = cells[0].source
    assert "### START CODE HERE ###" in source and "### END CODE HERE ###" in source
    (definition,) = [node for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)]
    assert definition.name == name
    expected = inspect.signature(getattr(ref, name)).parameters.values()
    assert [arg.arg for arg in definition.args.args] == [p.name for p in expected]

    namespace = {"np": np}
    exec(source, namespace)
    published = ASSIGNMENT.function(name).cases[0]
    assert not same(run(namespace[name], published), run(getattr(ref, name), published))


def test_starter_has_the_model_before_the_graded_cells_and_three_training_cells():
    code = [c.source for c in _starter_cells() if c.cell_type == "code"]
    first_graded = min(i for i, s in enumerate(code) if s.startswith("# GRADED FUNCTION"))
    assert any(s.startswith("def model(") for s in code[:first_graded])
    for initialization in ("zeros", "random", "he"):
        assert sum(f'model(train_X, train_Y, initialization = "{initialization}")' in s for s in code) == 1
