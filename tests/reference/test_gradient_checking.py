"""The reference reproduces the numbers the course notebook printed (seeds 000 and 004)."""
import ast
import inspect
import os
import subprocess
import sys
import textwrap

import numpy as np

from assignments.gradient_checking import testCases
from assignments.gradient_checking.spec import ASSIGNMENT, backward_propagation_n_fixed, supplied_functions
from reference import gradient_checking as ref

RTOL = 1e-5


def buggy_gradients(X, Y, parameters):
    course = supplied_functions()
    _, cache = course["forward_propagation_n"](X, Y, parameters)
    return course["backward_propagation_n"](X, Y, cache)


def test_forward_propagation_reproduces_published_J_8():
    assert ref.forward_propagation(2, 4) == 8


def test_backward_propagation_reproduces_published_dtheta_2():
    assert ref.backward_propagation(2, 4) == 2


def test_gradient_check_reproduces_published_difference_and_verdict(capsys):
    difference = ref.gradient_check(2, 4)
    assert capsys.readouterr().out == "The gradient is correct!\n"
    np.testing.assert_allclose(difference, 2.919335883291695e-10, rtol=RTOL)  # 004:477, the student's run
    np.testing.assert_allclose(difference, 2.9193358103083e-10, rtol=RTOL)  # 004:487, the course's expected output


def test_gradient_check_n_test_case_draws_the_course_inputs():
    X, Y, parameters = testCases.gradient_check_n_test_case()
    np.testing.assert_allclose(X[0], [1.62434536, -0.61175641, -0.52817175], rtol=RTOL)  # randn after seed(1)
    assert Y.tolist() == [1, 1, 0] and Y.shape == (3,)
    assert {name: value.shape for name, value in parameters.items()} == {
        "W1": (5, 4), "b1": (5, 1), "W2": (3, 5), "b2": (3, 1), "W3": (1, 3), "b3": (1, 1)}


def test_gradient_check_n_reproduces_published_difference_of_the_buggy_backprop(capsys):
    X, Y, parameters = testCases.gradient_check_n_test_case()
    difference = ref.gradient_check_n(parameters, buggy_gradients(X, Y, parameters), X, Y)
    assert "There is a mistake in the backward propagation!" in capsys.readouterr().out
    np.testing.assert_allclose(difference, 0.2850931567761624, rtol=RTOL)  # 000:1625
    np.testing.assert_allclose(difference, 0.285093156780699, rtol=RTOL)  # 004:505
    np.testing.assert_allclose(difference, 0.285093156781, rtol=RTOL)  # 004:510, the course's expected output


def test_gradient_check_n_with_the_bugs_fixed_is_below_the_course_threshold(capsys):
    """Published 1.1890417878779317e-07 (004:740); its last digits depend on the BLAS, so: below 2e-7."""
    X, Y, parameters = testCases.gradient_check_n_test_case()
    _, cache = ref.forward_propagation_n(X, Y, parameters)
    difference = ref.gradient_check_n(parameters, backward_propagation_n_fixed(X, Y, cache), X, Y)
    assert "works perfectly fine" in capsys.readouterr().out
    assert 1e-8 < difference < 2e-7
    fixed_case = next(c for c in ASSIGNMENT.function("gradient_check_n").cases if c.id == "fixed_backprop")
    assert abs(1.1890417878779317e-07 - difference) <= fixed_case.atol


def test_reference_forward_propagation_n_is_the_code_supplied_to_students():
    assert _code(inspect.getsource(ref.forward_propagation_n)) == \
        _code(inspect.getsource(supplied_functions()["forward_propagation_n"]))


def test_reference_imports_numpy_and_the_course_gc_utils_only():
    tree = ast.parse(inspect.getsource(ref))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported == {"numpy", "gc_utils", "assignments.gradient_checking.gc_utils"}


def test_reference_runs_next_to_gc_utils_as_in_the_sandbox(tmp_path):
    """No repository on sys.path: gc_utils comes from the job directory, the course's code goes first."""
    from grader.grading.supplied import defined_names, supplied_code

    for name in ASSIGNMENT.helper_modules:
        (tmp_path / name).write_text((ASSIGNMENT.folder / name).read_text())
    source = inspect.getsource(ref)
    (tmp_path / "submission.py").write_text(supplied_code(ASSIGNMENT, defined_names(source))[0] + source)
    (tmp_path / "driver.py").write_text(textwrap.dedent("""
        import importlib.util, sys
        sys.path.append(sys.argv[1])  # NumPy's site-packages, without the editable install of this repository
        assert importlib.util.find_spec("assignments") is None
        import submission
        from testCases import gradient_check_n_test_case
        X, Y, parameters = gradient_check_n_test_case()
        cost, cache = submission.forward_propagation_n(X, Y, parameters)
        gradients = submission.backward_propagation_n(X, Y, cache)
        difference = submission.gradient_check_n(parameters, gradients, X, Y)
        print(repr(float(difference)), repr(float(submission.gradient_check(2, 4))))
    """))
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    site_packages = os.path.dirname(os.path.dirname(np.__file__))
    done = subprocess.run([sys.executable, "-S", "driver.py", site_packages], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    difference_n, difference = (float(word) for word in done.stdout.split()[-2:])
    np.testing.assert_allclose([difference_n, difference], [0.2850931567761624, 2.919335883291695e-10], rtol=RTOL)


def _code(source):
    """The AST of a def without its docstring: the same code whatever the spacing."""
    definition = ast.parse(textwrap.dedent(source)).body[0]
    body = definition.body
    if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        definition.body = body[1:]
    return ast.dump(definition)
