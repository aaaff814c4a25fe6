"""The gradient checking spec's cases build, the reference runs on them, and every catalogued mistake shows."""
import ast
import contextlib
import copy
import inspect
import io
import itertools
import math
import warnings

import numpy as np
import pytest

from assignments.gradient_checking import gc_utils, testCases
from assignments.gradient_checking.spec import ASSIGNMENT, STAND_INS, supplied_functions
from grader.grading.standins import record_stand_ins
from reference import gradient_checking as ref
from reference.mistakes import catalogue, for_function

MISTAKES = catalogue("gradient-checking")
GRADED = ("forward_propagation", "backward_propagation", "gradient_check", "gradient_check_n")
CASES = [(graded, case) for graded in ASSIGNMENT.functions for case in graded.cases]
FORBIDDEN_IMPORTS = {"matplotlib", "sklearn", "scipy"}


def same(a, b, rtol=1e-5, atol=1e-8):
    """Structure, shapes and values agree, the way the grader compares outputs."""
    if a is None or b is None:
        return a is b
    if isinstance(a, dict) or isinstance(b, dict):
        return (isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys()
                and all(same(a[k], b[k], rtol, atol) for k in a))
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        return (isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) and len(a) == len(b)
                and all(same(x, y, rtol, atol) for x, y in zip(a, b)))
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True))


def run(function, case):
    with warnings.catch_warnings(), np.errstate(all="ignore"), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        return function(*case.build())


def run_with_stand_ins(function, case):
    """As the sandbox runs it: the callees answer the reference's recorded calls, and no other call."""
    tables = record_stand_ins(ASSIGNMENT, "gradient_check", case)
    namespace = dict(function.__globals__)
    namespace.update({name: _lookup(name, table) for name, table in tables.items()})
    rebound = type(function)(function.__code__, namespace, function.__name__, function.__defaults__)
    return run(rebound, case)


def case_id(param):
    graded, case = param
    return f"{graded.name}-{case.id}"


def test_the_four_course_functions_are_graded_for_ten_points():
    assert tuple(graded.name for graded in ASSIGNMENT.functions) == GRADED
    assert ASSIGNMENT.max_score == 10
    assert [path.name for path in ASSIGNMENT.helper_paths() if path.exists()] == ["gc_utils.py", "testCases.py"]
    assert (ASSIGNMENT.folder / ASSIGNMENT.supplied_module).exists()


def test_there_is_no_model_check_because_the_course_trains_nothing_here():
    assert ASSIGNMENT.model_checks == ()


@pytest.mark.parametrize("graded", ASSIGNMENT.functions, ids=lambda graded: graded.name)
def test_every_function_has_the_published_case_and_at_least_two_hidden_ones(graded):
    assert [case.id for case in graded.cases if not case.hidden] == ["published"]
    assert sum(case.hidden for case in graded.cases) >= 2
    assert len({case.id for case in graded.cases}) == len(graded.cases)


def test_only_gradient_check_has_its_callees_answered_by_stand_ins():
    for graded, case in CASES:
        assert case.stand_ins == (STAND_INS if graded.name == "gradient_check" else ())


@pytest.mark.parametrize("param", CASES, ids=case_id)
def test_every_case_builds_the_same_arguments_twice(param):
    graded, case = param
    args = case.build()
    assert isinstance(args, tuple)
    assert same(args, case.build(), rtol=0, atol=0)


@pytest.mark.parametrize("param", CASES, ids=case_id)
def test_the_reference_runs_on_every_case_and_returns_one_finite_number(param):
    graded, case = param
    result = run(getattr(ref, graded.name), case)
    assert len(graded.outputs) == 1
    assert np.ndim(result) == 0 and np.isfinite(result)


@pytest.mark.parametrize("param", [p for p in CASES if p[1].hidden], ids=case_id)
def test_hidden_cases_differ_from_the_published_one(param):
    graded, case = param
    published = graded.cases[0]
    assert not same(case.build(), published.build())
    function = getattr(ref, graded.name)
    if graded.name == "gradient_check":
        return  # every correct 1-D difference is rounding, judged by the course's threshold
    assert not same(run(function, case), run(function, published), case.rtol, case.atol)


@pytest.mark.parametrize("case", ASSIGNMENT.function("gradient_check").cases, ids=lambda case: case.id)
def test_gradient_check_gives_the_same_difference_with_its_callees_standing_in(case):
    assert run_with_stand_ins(ref.gradient_check, case) == run(ref.gradient_check, case)


def test_a_wrong_forward_propagation_does_not_fail_gradient_check_too():
    wrong = next(m for m in MISTAKES if m.key == "forward_theta_plus_x").compile(ref)
    for case in ASSIGNMENT.function("gradient_check").cases:
        student = dict(vars(ref), forward_propagation=wrong)
        function = type(ref.gradient_check)(ref.gradient_check.__code__, student, None, ref.gradient_check.__defaults__)
        assert not same(run(function, case), run(ref.gradient_check, case), case.rtol, case.atol)
        assert same(run_with_stand_ins(function, case), run(ref.gradient_check, case), case.rtol, case.atol)


def test_the_fixed_backprop_case_accepts_the_published_value_and_rejects_twice_the_threshold():
    case = next(c for c in ASSIGNMENT.function("gradient_check_n").cases if c.id == "fixed_backprop")
    expected = run(ref.gradient_check_n, case)
    assert case.rtol == 0 and case.atol == 2e-7
    assert same(1.1890417878779317e-07, expected, case.rtol, case.atol)  # seed 004:740
    assert same(0.0, expected, case.rtol, case.atol)
    assert not same(4e-7, expected, case.rtol, case.atol)


@pytest.mark.parametrize("case", [c for c in ASSIGNMENT.function("gradient_check_n").cases if c.atol == 0],
                         ids=lambda case: case.id)
def test_by_value_cases_of_gradient_check_n_do_not_depend_on_the_summation_order(case, monkeypatch):
    """Exactly rounded dot products stand in for another BLAS: the difference stays within the case's rtol."""
    expected = run(ref.gradient_check_n, case)
    monkeypatch.setattr(ref, "forward_propagation_n", _forward_propagation_n_exact)
    assert same(run(ref.gradient_check_n, case), expected, case.rtol / 10, case.atol)


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


@pytest.mark.parametrize("mistake", for_function("gradient-checking", "gradient_check"), ids=lambda m: m.key)
def test_gradient_check_mistakes_make_only_the_calls_the_stand_ins_answer(mistake):
    mutant = mistake.compile(ref)
    for case in ASSIGNMENT.function("gradient_check").cases:
        assert same(run_with_stand_ins(mutant, case), run(mutant, case), rtol=0, atol=0)


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
               for m in for_function("gradient-checking", name)}
    for (key_a, a), (key_b, b) in itertools.combinations(outputs.items(), 2):
        assert not all(same(x, y, case.rtol, case.atol) for x, y, case in zip(a, b, graded.cases)), \
            f"{key_a} and {key_b} give the same outputs: their hints would be ambiguous"


def test_catalogue_covers_the_agreed_mistakes():
    assert {m.key for m in MISTAKES} == {
        "forward_theta_plus_x", "backward_returns_theta",
        "check_epsilon_not_doubled",
        "check_n_one_sided", "check_n_epsilon_not_doubled", "check_n_not_normalised", "check_n_norm_squared",
        "check_n_all_parameters_shifted", "check_n_shift_not_undone",
    }
    assert {m.function for m in MISTAKES} == set(GRADED)


def test_supplied_module_holds_the_course_given_code_with_its_two_bugs():
    source = (ASSIGNMENT.folder / ASSIGNMENT.supplied_module).read_text()
    tree = ast.parse(source)
    assert [node.name for node in tree.body if isinstance(node, ast.FunctionDef)] == \
        ["forward_propagation_n", "backward_propagation_n"]
    assert "dW2 = 1. / m * np.dot(dZ2, A1.T) * 2" in source
    assert "db1 = 4. / m * np.sum(dZ1, axis=1, keepdims=True)" in source
    # Only plain imports: the platform carries those, not try/except blocks, into the sandbox.
    assert all(isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef))
               for node in tree.body[1:])


def test_supplied_backprop_is_the_course_code_of_the_starter_notebook():
    cells = {c.source.split("(")[0]: c.source for c in _starter_cells() if c.cell_type == "code"}
    for name in ("forward_propagation_n", "backward_propagation_n"):
        assert _code(cells[f"def {name}"]) == _code(inspect.getsource(supplied_functions()[name]))


@pytest.mark.parametrize("name", ["gc_utils.py", "testCases.py", "supplied.py"])
def test_sandbox_modules_import_only_numpy_and_the_course_helpers(name):
    tree = ast.parse((ASSIGNMENT.folder / name).read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert {module.split(".")[0] for module in imported} <= {"numpy", "gc_utils"}
    assert not {module.split(".")[0] for module in imported} & FORBIDDEN_IMPORTS


def test_gc_utils_rolls_and_unrolls_the_course_network():
    X, Y, parameters = testCases.gradient_check_n_test_case()
    theta, keys = gc_utils.dictionary_to_vector(parameters)
    assert theta.shape == (47, 1) and keys[:20] == ["W1"] * 20 and keys[-1] == "b3"
    assert same(gc_utils.vector_to_dictionary(theta), parameters, rtol=0, atol=0)
    gradients = {"d" + name: value for name, value in parameters.items()}
    assert same(gc_utils.gradients_to_vector(gradients), theta, rtol=0, atol=0)


def _lookup(name, table):
    """The sandbox's stand-in rule (sandbox/runner_child.py): equal arguments to 1e-12, else an error."""
    def answer(*args):
        for recorded_args, result in table:
            if len(args) == len(recorded_args) and all(
                    np.isclose(float(a), float(b), rtol=1e-12, atol=0) for a, b in zip(args, recorded_args)):
                return copy.deepcopy(result)
        raise RuntimeError(f"{name} was called with arguments this test does not expect: {args}")
    return answer


def _forward_propagation_n_exact(X, Y, parameters):
    def dot(A, B):
        return np.array([[math.fsum(A[i] * B[:, j]) for j in range(B.shape[1])] for i in range(A.shape[0])])

    m = X.shape[1]
    A1 = gc_utils.relu(dot(parameters["W1"], X) + parameters["b1"])
    A2 = gc_utils.relu(dot(parameters["W2"], A1) + parameters["b2"])
    A3 = gc_utils.sigmoid(dot(parameters["W3"], A2) + parameters["b3"])
    logprobs = np.multiply(-np.log(A3), Y) + np.multiply(-np.log(1 - A3), 1 - Y)
    return 1. / m * np.sum(logprobs), None


def _code(source):
    """The AST of a def without its docstring: the same code whatever the spacing."""
    import textwrap

    definition = ast.parse(textwrap.dedent(source)).body[0]
    if isinstance(definition.body[0], ast.Expr) and isinstance(definition.body[0].value, ast.Constant):
        definition.body = definition.body[1:]
    return ast.dump(definition)


def _starter_cells():
    import nbformat

    notebook = nbformat.read(ASSIGNMENT.folder / ASSIGNMENT.starter_notebook, as_version=4)
    nbformat.validate(notebook)
    return notebook.cells


def test_starter_notebook_is_what_build_starter_writes():
    from assignments.gradient_checking.build_starter import build_notebook

    assert [(c.cell_type, c.source) for c in _starter_cells()] == \
        [(c.cell_type, c.source) for c in build_notebook().cells]


def test_starter_imports_the_course_helpers():
    imports = _starter_cells()[1].source
    assert "import numpy as np" in imports and "from testCases import *" in imports
    for name in ("sigmoid", "relu", "dictionary_to_vector", "vector_to_dictionary", "gradients_to_vector"):
        assert name in imports and hasattr(gc_utils, name)


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

    namespace = dict(vars(ref))
    exec(source, namespace)
    published = ASSIGNMENT.function(name).cases[0]
    try:
        blank = run(namespace[name], published)
    except Exception:
        return
    assert not same(blank, run(getattr(ref, name), published), published.rtol, published.atol)
