"""The regularization spec's cases build, the reference runs on them, every catalogued mistake shows, and the model checks hold."""
import ast
import hashlib
import inspect
import itertools
import sys
import warnings
from functools import lru_cache

import numpy as np
import pytest

from assignments.regularization import build_dataset, evaluate, reg_utils, supplied, testCases
from assignments.regularization.spec import ASSIGNMENT
from reference import regularization as ref
from reference.mistakes import catalogue, for_function

MISTAKES = catalogue("regularization")
GRADED = ("compute_cost_with_regularization", "backward_propagation_with_regularization",
          "forward_propagation_with_dropout", "backward_propagation_with_dropout")
CASES = [(graded, case) for graded in ASSIGNMENT.functions for case in graded.cases]
CHECKS = {check.id: check for check in ASSIGNMENT.model_checks}
SANDBOX_MODULES = {"os", "numpy", "h5py"}


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


def top_level_imports(path):
    tree = ast.parse(path.read_text())
    imported = {alias.name.split(".")[0] for node in tree.body if isinstance(node, ast.Import) for alias in node.names}
    return imported | {node.module.split(".")[0] for node in tree.body if isinstance(node, ast.ImportFrom)}


def test_the_four_course_functions_are_graded_for_ten_points():
    assert tuple(graded.name for graded in ASSIGNMENT.functions) == GRADED
    assert ASSIGNMENT.max_score == 10
    assert ASSIGNMENT.slug == "regularization" and ASSIGNMENT.reference_module == "reference.regularization"
    assert all(path.exists() for path in ASSIGNMENT.helper_paths())
    assert [p.name for p in ASSIGNMENT.helper_paths()] == ["reg_utils.py", "testCases.py", "football_train.h5"]


def test_the_held_out_set_never_goes_into_the_sandbox():
    assert "football_test.h5" not in ASSIGNMENT.helper_modules
    assert evaluate.TEST_PATH.exists() and evaluate.TEST_PATH.name == "football_test.h5"


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


def test_the_published_cases_are_the_notebooks_calls():
    """lambd = 0.1 and 0.7, keep_prob = 0.7 and 0.8, passed by keyword in the notebook."""
    lambdas = [case.build()[-1] for name in GRADED[:2] for case in ASSIGNMENT.function(name).cases[:1]]
    keep_probs = [case.build()[-1] for name in GRADED[2:] for case in ASSIGNMENT.function(name).cases[:1]]
    assert lambdas == [0.1, 0.7] and keep_probs == [0.7, 0.8]
    A3, Y, parameters = testCases.compute_cost_with_regularization_test_case()
    assert same(ASSIGNMENT.function(GRADED[0]).cases[0].build(), (A3, Y, parameters, 0.1), rtol=0, atol=0)


def test_the_dropout_cases_cover_keep_prob_one_half():
    keep_probs = {case.build()[-1] for case in ASSIGNMENT.function("forward_propagation_with_dropout").cases}
    assert 0.5 in keep_probs


def test_hidden_dropout_caches_are_consistent_with_their_masks():
    for case in ASSIGNMENT.function("backward_propagation_with_dropout").cases[1:]:
        X, Y, cache, keep_prob = case.build()
        Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3 = cache
        np.testing.assert_allclose(A1, np.maximum(0, Z1) * D1 / keep_prob)
        np.testing.assert_allclose(A2, np.maximum(0, Z2) * D2 / keep_prob)
        assert D1.dtype == bool and not D1.all() and D1.any()


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
def test_every_mistake_is_deterministic(mistake):
    graded = ASSIGNMENT.function(mistake.function)
    mutant = mistake.compile(ref)
    for case in graded.cases:
        np.random.seed(7)
        first = run(mutant, case)
        np.random.seed(8)
        assert same(first, run(mutant, case), rtol=0, atol=0)


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
    outputs = {m.key: [run(m.compile(ref), case) for case in graded.cases] for m in for_function("regularization", name)}
    assert len(outputs) >= 3
    for (key_a, a), (key_b, b) in itertools.combinations(outputs.items(), 2):
        assert not same(a, b), f"{key_a} and {key_b} give the same outputs: their hints would be ambiguous"


def test_catalogue_covers_the_agreed_mistakes():
    keys = {mistake.key for mistake in MISTAKES}
    assert {"l2_cost_lambd_over_m", "l2_backward_no_weight_decay", "l2_backward_twice_weight_decay",
            "dropout_forward_not_scaled", "dropout_mask_inverted", "dropout_on_output_layer",
            "dropout_backward_no_mask", "dropout_backward_not_scaled"} <= keys
    assert len(keys) == len(MISTAKES)


def test_a_mask_with_less_or_equal_cannot_be_told_apart_so_it_is_not_catalogued():
    namespace = dict(vars(ref))
    source = inspect.getsource(ref.forward_propagation_with_dropout).replace(" < keep_prob", " <= keep_prob")
    exec(source, namespace)
    for case in ASSIGNMENT.function("forward_propagation_with_dropout").cases:
        assert same(run(namespace["forward_propagation_with_dropout"], case),
                    run(ref.forward_propagation_with_dropout, case), rtol=0, atol=0)


@pytest.mark.parametrize("name", ["reg_utils.py", "testCases.py", "supplied.py"])
def test_sandbox_modules_import_only_what_the_sandbox_has(name):
    assert top_level_imports(ASSIGNMENT.folder / name) <= SANDBOX_MODULES


def test_supplied_functions_import_only_the_sandbox_modules_and_reg_utils():
    tree = ast.parse((ASSIGNMENT.folder / "supplied.py").read_text())
    modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    modules |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert modules <= SANDBOX_MODULES | {"reg_utils"}


def test_supplied_defines_the_notebook_model_and_one_driver_per_check():
    defined = [node.name for node in ast.parse((ASSIGNMENT.folder / "supplied.py").read_text()).body
               if isinstance(node, ast.FunctionDef)]
    assert set(defined) == {"model"} | {check.driver for check in ASSIGNMENT.model_checks}
    assert not set(defined) & set(GRADED)


def test_load_2D_dataset_reads_both_files_and_says_which_one_is_missing(tmp_path):
    train_X, train_Y, test_X, test_Y = reg_utils.load_2D_dataset()
    assert train_X.shape == (2, 211) and test_Y.shape == (1, 200)
    with pytest.raises(FileNotFoundError, match="test set"):
        reg_utils.load_2D_dataset(test_path=str(tmp_path / "football_test.h5"))


def test_build_dataset_rebuilds_both_files_byte_for_byte(tmp_path):
    train_X, train_Y, test_X, test_Y = build_dataset.build()
    for path, X, Y in ((evaluate.TRAIN_PATH, train_X, train_Y), (evaluate.TEST_PATH, test_X, test_Y)):
        rebuilt = tmp_path / path.name
        build_dataset.write(rebuilt, X, Y)
        assert hashlib.sha256(rebuilt.read_bytes()).digest() == hashlib.sha256(path.read_bytes()).digest()


def test_evaluate_refuses_parameters_of_the_wrong_shape():
    parameters = reg_utils.initialize_parameters([2, 20, 3, 1])
    assert set(evaluate.evaluate(parameters)) == {"train_accuracy", "test_accuracy"}
    parameters["W2"] = parameters["W2"].T
    with pytest.raises(ValueError, match='parameters\\["W2"\\] should be numbers of shape \\(3, 20\\)'):
        evaluate.evaluate(parameters)
    with pytest.raises(ValueError, match='no "b1"'):
        evaluate.predict_labels({"W1": parameters["W1"]}, np.zeros((2, 3)))


def test_host_predictions_match_the_course_predict():
    parameters = reg_utils.initialize_parameters([2, 20, 3, 1])
    parameters["b3"] = np.array([[0.01]])
    X, Y = evaluate.training_set()
    np.testing.assert_array_equal(evaluate.predict_labels(parameters, X), reg_utils.predict_dec(parameters, X))


# Model checks: the drivers of supplied.py with the reference's graded functions.

def supplied_namespace(functions, monkeypatch):
    """supplied.py defined among the given graded functions, as the sandbox puts it before a submission."""
    monkeypatch.setitem(sys.modules, "reg_utils", reg_utils)
    namespace = dict(functions)
    exec(compile((ASSIGNMENT.folder / "supplied.py").read_text(), "supplied.py", "exec"), namespace)
    return namespace


def reference_functions():
    return {name: getattr(ref, name) for name in GRADED}


@pytest.mark.parametrize("check_id", sorted(CHECKS))
def test_drivers_return_parameters_and_a_cost_every_1000_iterations(check_id, monkeypatch):
    check = CHECKS[check_id]
    X, Y, learning_rate, num_iterations, hyperparameter = check.build()
    assert X.shape == (2, 211) and (learning_rate, num_iterations) == (0.3, 30000)
    namespace = supplied_namespace(reference_functions(), monkeypatch)
    parameters, costs = namespace[check.driver](X, Y, learning_rate, 2001, hyperparameter)
    assert {k: v.shape for k, v in parameters.items()} == evaluate.PARAMETER_SHAPES
    assert len(costs) == 3 and all(type(cost) is float for cost in costs)


def test_l2_driver_trains_as_the_notebook_model_does(monkeypatch):
    namespace = supplied_namespace(reference_functions(), monkeypatch)
    X, Y, *_ = CHECKS["l2"].build()
    parameters, costs = namespace["gradebox_train_l2"](X, Y, 0.3, 300, 0.7)
    expected = namespace["model"](X, Y, num_iterations=300, print_cost=False, lambd=0.7)
    assert same(parameters, expected, rtol=1e-12, atol=0)


def test_dropout_driver_trains_as_the_notebook_model_does(monkeypatch):
    namespace = supplied_namespace(reference_functions(), monkeypatch)
    X, Y, *_ = CHECKS["dropout"].build()
    with np.errstate(all="ignore"):
        parameters, costs = namespace["gradebox_train_dropout"](X, Y, 0.3, 300, 0.86)
        expected = namespace["model"](X, Y, num_iterations=300, print_cost=False, keep_prob=0.86)
    assert same(parameters, expected, rtol=1e-12, atol=0)


def test_drivers_call_the_students_functions_by_their_global_names(monkeypatch):
    calls = []

    def counting(name):
        def wrapper(*args, **kwargs):
            calls.append(name)
            return getattr(ref, name)(*args, **kwargs)
        return wrapper

    namespace = supplied_namespace({name: counting(name) for name in GRADED}, monkeypatch)
    for check in ASSIGNMENT.model_checks:
        X, Y, learning_rate, _, hyperparameter = check.build()
        namespace[check.driver](X, Y, learning_rate, 2, hyperparameter)
        assert set(calls) == set(check.depends_on)
        calls.clear()


@lru_cache(maxsize=None)
def _trained_by_the_reference(check_id):
    check = CHECKS[check_id]
    with pytest.MonkeyPatch.context() as monkeypatch:
        return supplied_namespace(reference_functions(), monkeypatch)[check.driver](*check.build())


@pytest.mark.slow
@pytest.mark.parametrize("check_id", sorted(CHECKS))
def test_the_reference_passes_every_threshold_of_the_model_checks(check_id):
    check = CHECKS[check_id]
    parameters, costs = _trained_by_the_reference(check_id)
    metrics = check.evaluate(parameters)
    for threshold in check.thresholds:
        assert threshold.holds(metrics[threshold.metric]), (threshold, metrics)
    assert len(costs) == 30


@pytest.mark.slow
@pytest.mark.parametrize("check_id", sorted(CHECKS))
def test_the_unregularized_model_fails_the_model_checks(check_id, monkeypatch):
    """Without the weight-decay term (or with keep_prob 1) the thresholds catch the overfit model."""
    check = CHECKS[check_id]
    functions = reference_functions()
    if check_id == "l2":
        functions["backward_propagation_with_regularization"] = lambda X, Y, cache, lambd: \
            reg_utils.backward_propagation(X, Y, cache)
    namespace = supplied_namespace(functions, monkeypatch)
    X, Y, learning_rate, num_iterations, hyperparameter = check.build()
    if check_id == "dropout":
        hyperparameter = 1.0
    parameters, _ = namespace[check.driver](X, Y, learning_rate, num_iterations, hyperparameter)
    metrics = check.evaluate(parameters)
    assert not all(threshold.holds(metrics[threshold.metric]) for threshold in check.thresholds)


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
    from assignments.regularization.build_starter import build_notebook

    assert [(c.cell_type, c.source) for c in _starter_cells()] == \
        [(c.cell_type, c.source) for c in build_notebook().cells]


def test_starter_imports_the_course_helpers():
    imports = _starter_cells()[1].source
    for line in ("import numpy as np", "import scipy.io", "from testCases import *", "%matplotlib inline"):
        assert line in imports
    for name in ("sigmoid", "relu", "plot_decision_boundary", "initialize_parameters", "load_2D_dataset",
                 "predict_dec", "compute_cost", "predict", "forward_propagation", "backward_propagation",
                 "update_parameters"):
        assert name in imports and hasattr(reg_utils, name)


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
    assert [ast.literal_eval(d) for d in definition.args.defaults] == \
        [p.default for p in expected if p.default is not inspect.Parameter.empty]

    namespace = {"np": np, **{n: getattr(reg_utils, n) for n in ("compute_cost", "relu", "sigmoid")}}
    exec(source, namespace)
    published = ASSIGNMENT.function(name).cases[0]
    try:
        blank = run(namespace[name], published)
    except Exception:
        return
    assert not same(blank, run(getattr(ref, name), published))


def test_starter_model_cell_is_the_supplied_model_with_its_plot():
    code = [c.source for c in _starter_cells() if c.cell_type == "code"]
    (model_cell,) = [s for s in code if s.startswith("def model(")]
    supplied_args = inspect.signature(supplied.model).parameters
    assert list(inspect.signature(_define(model_cell)).parameters) == list(supplied_args)
    assert sum("parameters = model(train_X, train_Y" in s for s in code) == 3


def _define(source):
    namespace = {}
    exec(source, namespace)
    return namespace["model"]
