"""What is particular to the "Softmax and batch normalization" bundle (assignments/softmax_batchnorm).

The course published no outputs for these functions, so the checks are
mathematical: softmax columns sum to 1, batch norm normalizes each row, the
backward pass matches a numerical gradient. The cases must let correct
variants pass (softmax without the max-subtraction, another arrangement of
the backward formula) and must catch every catalogued mistake, each with
outputs of its own.
"""
from __future__ import annotations

import ast
import contextlib
import importlib.util
import io
import itertools
import re
import tomllib
from pathlib import Path

import nbformat
import numpy as np
import pytest

from reference import softmax_batchnorm as ref

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "assignments" / "softmax_batchnorm"
REFERENCE_PATH = ROOT / "reference" / "softmax_batchnorm.py"
GRADED = ("softmax", "batchnorm_forward", "batchnorm_backward")
RTOL, ATOL = 1e-5, 1e-8


def _load_cases():
    spec = importlib.util.spec_from_file_location("softmax_batchnorm_cases", BUNDLE / "cases.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CASES = _load_cases()
MANIFEST = tomllib.loads((BUNDLE / "assignment.toml").read_text())
ALL_MISTAKES = tomllib.loads((BUNDLE / "mistakes.toml").read_text())["mistakes"]
MISTAKES = [mistake for mistake in ALL_MISTAKES if "pattern" not in mistake]  # known by their outputs


def _cases_of(function):
    """{case id: builder} of one graded function, as the manifest lists them."""
    [graded] = [f for f in MANIFEST["functions"] if f["name"] == function]
    builders = {}
    for case in graded["cases"]:
        file, _, name = case["args"].partition(":")
        assert file == "cases.py"
        builders[case["id"]] = getattr(CASES, name)
    return builders


def _args(function, case_id):
    return _cases_of(function)[case_id]()


def _all_args(function):
    return [(case_id, build()) for case_id, build in _cases_of(function).items()]


def _same(got, expected):
    """The platform's comparison: tuple lengths, then shapes, then allclose with the default tolerances."""
    if isinstance(expected, tuple):
        return isinstance(got, tuple) and len(got) == len(expected) and all(
            _same(g, e) for g, e in zip(got, expected))
    got, expected = np.asarray(got), np.asarray(expected)
    return got.shape == expected.shape and bool(np.allclose(got, expected, rtol=RTOL, atol=ATOL))


def _rel_error(a, b):
    return np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b))


# The reference module

def test_reference_imports_only_numpy_and_defines_the_graded_functions():
    tree = ast.parse(REFERENCE_PATH.read_text())
    imports = [alias.name for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))
               for alias in node.names]
    assert imports == ["numpy"]
    public = [node.name for node in tree.body if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")]
    assert public == list(GRADED)
    assert not [node for node in tree.body if isinstance(node, (ast.ClassDef, ast.Assign))]


# The manifest

def test_manifest_names_the_bundle_files_and_every_function_has_public_and_hidden_cases():
    assert MANIFEST["slug"] == "softmax-batchnorm"
    assert (BUNDLE / MANIFEST["reference"]).resolve() == REFERENCE_PATH
    for key in ("cases", "mistakes", "starter"):
        assert (BUNDLE / MANIFEST[key]).is_file()
    assert [f["name"] for f in MANIFEST["functions"]] == list(GRADED)
    outputs = {f["name"]: f["outputs"] for f in MANIFEST["functions"]}
    assert outputs == {"softmax": ["A"], "batchnorm_forward": ["Z_tilde", "cache"],
                       "batchnorm_backward": ["dZ", "dgamma", "dbeta"]}
    for graded in MANIFEST["functions"]:
        ids = [case["id"] for case in graded["cases"]]
        assert len(ids) == len(set(ids))
        public = [case["id"] for case in graded["cases"] if not case.get("hidden", False)]
        assert public == ["notebook"]
        assert len(ids) - len(public) >= 2


def test_cases_are_deterministic_and_never_square():
    for function in GRADED:
        for (case_id, first), (_, second) in zip(_all_args(function), _all_args(function)):
            Z = first[0] if function != "batchnorm_backward" else first[1][0]
            assert Z.shape[0] != Z.shape[1], (function, case_id)
            for a, b in zip(first, second):
                for x, y in zip(a if isinstance(a, tuple) else (a,), b if isinstance(b, tuple) else (b,)):
                    assert np.array_equal(x, y)


def test_backward_cases_carry_the_reference_forward_cache():
    """cases.py builds the cache itself (it cannot rely on `import reference`); it must be the reference's."""
    for case_id, (dZ_tilde, cache) in _all_args("batchnorm_backward"):
        Z, _, _, _, gamma, beta, epsilon = cache
        _, expected = ref.batchnorm_forward(Z, gamma, beta, epsilon)
        assert len(cache) == len(expected) == 7
        for got, want in zip(cache, expected):
            assert np.array_equal(got, want), case_id
        assert dZ_tilde.shape == Z.shape


# softmax

def _softmax_without_max(Z):
    t = np.exp(Z)
    return t / np.sum(t, axis=0, keepdims=True)


@pytest.mark.parametrize("case_id", list(_cases_of("softmax")))
def test_softmax_columns_sum_to_one_and_need_no_max_subtraction(case_id):
    (Z,) = _args("softmax", case_id)
    assert np.max(np.abs(Z)) < 5
    A = ref.softmax(Z)
    assert A.shape == Z.shape
    assert np.all(A > 0)
    np.testing.assert_allclose(np.sum(A, axis=0), 1.0, rtol=1e-12)
    np.testing.assert_allclose(_softmax_without_max(Z), A, rtol=1e-12, atol=0)


def test_softmax_max_subtraction_keeps_large_logits_finite():
    Z = np.array([[1000.0, -1000.0], [999.0, -1001.0], [0.0, -1002.0]])
    A = ref.softmax(Z)
    assert np.all(np.isfinite(A))
    np.testing.assert_allclose(A, ref.softmax(Z - np.max(Z, axis=0)), rtol=1e-12)


# batchnorm_forward

@pytest.mark.parametrize("case_id", ["notebook", "hidden_wide"])
def test_batchnorm_forward_normalizes_each_row_before_gamma_and_beta(case_id):
    Z, gamma, beta, epsilon = _args("batchnorm_forward", case_id)
    Z_tilde, cache = ref.batchnorm_forward(Z, gamma, beta, epsilon)
    cached_Z, Z_norm, mu, var, cached_gamma, cached_beta, cached_epsilon = cache
    n, m = Z.shape
    assert Z_tilde.shape == Z_norm.shape == (n, m)
    assert mu.shape == var.shape == gamma.shape == beta.shape == (n, 1)
    assert cached_Z is Z and cached_gamma is gamma and cached_beta is beta and cached_epsilon == epsilon
    np.testing.assert_allclose(np.mean(Z_norm, axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose(np.var(Z_norm, axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose((Z_tilde - beta) / gamma, Z_norm, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(mu[:, 0], np.mean(Z, axis=1), rtol=1e-12)
    np.testing.assert_allclose(var[:, 0], np.var(Z, axis=1), rtol=1e-12)


def test_batchnorm_forward_with_gamma_sigma_and_beta_mu_is_the_identity():
    """The notes: with gamma = sqrt(sigma^2 + epsilon) and beta = mu, z_tilde = z."""
    Z, _, _, epsilon = _args("batchnorm_forward", "hidden_wide")
    mu, var = np.mean(Z, axis=1, keepdims=True), np.var(Z, axis=1, keepdims=True)
    Z_tilde, _ = ref.batchnorm_forward(Z, np.sqrt(var + epsilon), mu, epsilon)
    np.testing.assert_allclose(Z_tilde, Z, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("function", ["batchnorm_forward", "batchnorm_backward"])
def test_small_variance_case_makes_forgetting_epsilon_show(function):
    args = _args(function, "hidden_small_variance")
    Z, gamma, beta, epsilon = args if function == "batchnorm_forward" else args[1][:1] + args[1][4:]
    _, (_, Z_norm, mu, var, *_rest) = ref.batchnorm_forward(Z, gamma, beta, epsilon)
    assert var.min() < epsilon
    without_epsilon = (Z - mu) / np.sqrt(var)
    assert np.max(np.abs(without_epsilon - Z_norm) / np.abs(Z_norm)) > 1e-3
    epsilon_outside = (Z - mu) / (np.sqrt(var) + epsilon)
    assert np.max(np.abs(epsilon_outside - without_epsilon) / np.abs(without_epsilon)) > 1e-4


def test_batchnorm_forward_with_np_var_and_division_order_changed_still_passes():
    for case_id, (Z, gamma, beta, epsilon) in _all_args("batchnorm_forward"):
        mu = Z.mean(axis=1).reshape(-1, 1)
        var = np.var(Z, axis=1).reshape(-1, 1)
        Z_norm = (Z - mu) * (1 / np.sqrt(var + epsilon))
        expected = ref.batchnorm_forward(Z, gamma, beta, epsilon)
        assert _same((gamma * Z_norm + beta, (Z, Z_norm, mu, var, gamma, beta, epsilon)), expected), case_id


# batchnorm_backward

def _numerical_gradients(Z, gamma, beta, epsilon, dZ_tilde):
    """Central differences of J = sum(dZ_tilde * Z_tilde) with respect to Z, gamma and beta."""
    def cost(Z_, gamma_, beta_):
        return np.sum(dZ_tilde * ref.batchnorm_forward(Z_, gamma_, beta_, epsilon)[0])

    # A step small next to each row's spread: the small-variance row varies by ~1e-5 only.
    row_step = 1e-4 * np.sqrt(np.var(Z, axis=1) + epsilon)
    grads = []
    for which, value in enumerate((Z, gamma, beta)):
        grad = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            h = row_step[index[0]] if which == 0 else 1e-5
            plus, minus = [Z.copy(), gamma.copy(), beta.copy()], [Z.copy(), gamma.copy(), beta.copy()]
            plus[which][index] += h
            minus[which][index] -= h
            grad[index] = (cost(*plus) - cost(*minus)) / (2 * h)
        grads.append(grad)
    return grads


@pytest.mark.parametrize("case_id", list(_cases_of("batchnorm_backward")))
def test_batchnorm_backward_matches_numerical_gradient(case_id):
    dZ_tilde, cache = _args("batchnorm_backward", case_id)
    Z, _, _, _, gamma, beta, epsilon = cache
    dZ, dgamma, dbeta = ref.batchnorm_backward(dZ_tilde, cache)
    assert dZ.shape == Z.shape and dgamma.shape == dbeta.shape == gamma.shape
    num_dZ, num_dgamma, num_dbeta = _numerical_gradients(Z, gamma, beta, epsilon, dZ_tilde)
    for analytic, numeric in ((dZ, num_dZ), (dgamma, num_dgamma), (dbeta, num_dbeta)):
        assert _rel_error(analytic, numeric) < 1e-7


def _backward_step_by_step(dZ_tilde, cache):
    """The same gradients through the computation graph (dvar, dmu), as a student might derive them."""
    Z, Z_norm, mu, var, gamma, beta, epsilon = cache
    m = Z.shape[1]
    inv_std = 1 / np.sqrt(var + epsilon)
    dZ_norm = dZ_tilde * gamma
    dvar = np.sum(dZ_norm * (Z - mu), axis=1, keepdims=True) * -0.5 * inv_std ** 3
    dmu = -np.sum(dZ_norm, axis=1, keepdims=True) * inv_std + dvar * np.mean(-2 * (Z - mu), axis=1, keepdims=True)
    dZ = dZ_norm * inv_std + dvar * 2 * (Z - mu) / m + dmu / m
    return dZ, np.sum(dZ_tilde * Z_norm, axis=1, keepdims=True), np.sum(dZ_tilde, axis=1, keepdims=True)


def test_batchnorm_backward_derived_step_by_step_still_passes():
    for case_id, args in _all_args("batchnorm_backward"):
        assert _same(_backward_step_by_step(*args), ref.batchnorm_backward(*args)), case_id


# mistakes.toml

def _def_without_docstring(name):
    """The reference's def of `name` as text, its docstring lines removed (what the platform edits)."""
    source = REFERENCE_PATH.read_text()
    lines = source.splitlines(keepends=True)
    [node] = [n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.name == name]
    docstring = node.body[0]
    assert isinstance(docstring, ast.Expr) and isinstance(docstring.value.value, str)
    return "".join(lines[node.lineno - 1:docstring.lineno - 1] + lines[docstring.end_lineno:node.end_lineno])


def _mistake_function(mistake):
    source = _def_without_docstring(mistake["function"])
    for old, new, count in mistake["edits"]:
        assert source.count(old) == count, (mistake["key"], old)
        source = source.replace(old, new)
    namespace = {"np": np}
    exec(compile(source, f"<mistake {mistake['key']}>", "exec"), namespace)
    return namespace[mistake["function"]]


def _mistake_outputs(mistake):
    function = _mistake_function(mistake)
    with np.errstate(all="ignore"):
        return {case_id: function(*args) for case_id, args in _all_args(mistake["function"])}


def test_mistakes_are_well_formed_and_cover_the_required_ones():
    keys = [mistake["key"] for mistake in ALL_MISTAKES]
    assert len(keys) == len(set(keys)) and len(keys) >= 4
    for mistake in ALL_MISTAKES:
        assert set(mistake) - {"pattern"} == {"key", "function", "hint", "edits"}
        assert mistake["function"] in GRADED
        assert re.fullmatch(r"[a-z0-9_]+", mistake["key"])
        assert 1 <= len(re.findall(r"[.!?](\s|$)", mistake["hint"])) <= 2, mistake["key"]
    assert {"softmax_wrong_axis", "batchnorm_variance_ddof1", "batchnorm_no_epsilon",
            "batchnorm_mean_wrong_axis"} <= set(keys)


@pytest.mark.parametrize("mistake", MISTAKES, ids=[mistake["key"] for mistake in MISTAKES])
def test_each_mistake_loses_points_on_some_case(mistake):
    outputs = _mistake_outputs(mistake)
    reference = getattr(ref, mistake["function"])
    wrong = [case_id for case_id, args in _all_args(mistake["function"])
             if not _same(outputs[case_id], reference(*args))]
    assert wrong, mistake["key"]


@pytest.mark.parametrize("key, caught_by", [
    ("batchnorm_no_epsilon", ["hidden_small_variance", "hidden_large_epsilon"]),
    ("batchnorm_epsilon_outside_sqrt", ["hidden_small_variance", "hidden_large_epsilon"]),
    ("batchnorm_backward_no_epsilon", ["hidden_small_variance"]),
])
def test_epsilon_mistakes_are_caught_only_where_epsilon_matters(key, caught_by):
    """A row whose variance is below epsilon, or an epsilon of 0.1; elsewhere epsilon = 1e-8 is lost in rounding."""
    [mistake] = [m for m in MISTAKES if m["key"] == key]
    outputs = _mistake_outputs(mistake)
    reference = getattr(ref, mistake["function"])
    wrong = [case_id for case_id, args in _all_args(mistake["function"])
             if not _same(outputs[case_id], reference(*args))]
    assert wrong == caught_by, key


def test_mistakes_of_a_function_differ_from_each_other_on_some_case():
    outputs = {mistake["key"]: _mistake_outputs(mistake) for mistake in MISTAKES}
    for first, second in itertools.combinations(MISTAKES, 2):
        if first["function"] != second["function"]:
            continue  # a student's output is matched only against the mistakes of its own function
        a, b = outputs[first["key"]], outputs[second["key"]]
        assert any(not _same(a[case_id], b[case_id]) for case_id in a), (first["key"], second["key"])


# starter.ipynb

def _starter():
    return nbformat.read(BUNDLE / "starter.ipynb", as_version=4)


def test_starter_is_a_clean_notebook_with_one_graded_cell_per_function():
    notebook = _starter()
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)
    assert code[0].source.strip() == "import numpy as np"
    graded = [cell for cell in code if cell.source.startswith("# GRADED FUNCTION: ")]
    assert [cell.source.splitlines()[0] for cell in graded] == [f"# GRADED FUNCTION: {name}" for name in GRADED]
    reference_defs = {n.name: n for n in ast.parse(REFERENCE_PATH.read_text()).body if isinstance(n, ast.FunctionDef)}
    for cell, name in zip(graded, GRADED):
        [node] = ast.parse(cell.source).body
        assert node.name == name
        assert ast.dump(node.args) == ast.dump(reference_defs[name].args)
        assert "### START CODE HERE ###" in cell.source and "### END CODE HERE ###" in cell.source
        blank = cell.source.split("### START CODE HERE ###")[1].split("### END CODE HERE ###")[0]
        assert all(line.strip() == "" or line.rstrip().endswith("= None") for line in blank.splitlines()[1:])
    forward = graded[1].source
    assert "cache = (Z, Z_norm, mu, var, gamma, beta, epsilon)" in forward


def _test_cells():
    """(function, source of its test cell, the Expected Output block that follows) for each graded function."""
    cells = _starter().cells
    found = []
    for index, cell in enumerate(cells):
        if cell.cell_type == "code" and cell.source.startswith("# GRADED FUNCTION: "):
            name = cell.source.splitlines()[0].removeprefix("# GRADED FUNCTION: ")
            test, after = cells[index + 1], cells[index + 2]
            assert test.cell_type == "code" and after.cell_type == "markdown"
            expected = re.search(r"\*\*Expected Output\*\*:\n\n```\n(.*?)\n```", after.source, re.S).group(1)
            found.append((name, test.source, expected))
    return found


def test_starter_test_cells_build_the_notebook_cases_and_print_the_expected_output():
    for name, source, expected in _test_cells():
        calls = []

        def recording(function):
            def wrapper(*args):
                calls.append((function.__name__, args))
                return function(*args)
            return wrapper

        namespace = {"np": np, **{graded: recording(getattr(ref, graded)) for graded in GRADED}}
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(source, namespace)
        assert out.getvalue().rstrip("\n") == expected, name
        [args] = [args for called, args in calls if called == name]
        notebook_args = _args(name, "notebook")
        assert len(args) == len(notebook_args)
        for got, want in zip(args, notebook_args):
            for x, y in zip(got if isinstance(got, tuple) else (got,), want if isinstance(want, tuple) else (want,)):
                assert np.array_equal(x, y), name
