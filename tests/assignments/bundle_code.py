"""A bundle's code run in the test process, the way the sandbox runs it (tests only: the worker never imports it).

`code(slug)` loads the bundle's reference, supplied.py and cases.py as fresh
modules from their files. As in a sandbox job, the job files are copied into a
job directory of their own (a job file may live outside the bundle folder, e.g.
../common/dnn_utils.py; private files such as held-out data stay out), which
is first on sys.path and the working directory while the bundle is `active()`,
and the repository's own packages (assignments, grader, sandbox) are out of
reach, so bundle code that needed them, or a file of the folder that is not a
job file, fails here as it would in the sandbox. While active, `import
supplied` and `import reference` resolve to the bundle's files and its job
modules (testCases, opt_utils, ...) to its own copies: three bundles ship a
testCases.py, and no bundle sees another's.

Arguments are built as the platform builds them (literal, a cases.py builder,
an HDF5 file); a graded function runs with the case's stand-ins and callees
answering its graded callees; a mistake is the reference's namespace with the
mistake's def executed in it; outputs are compared with the platform's own
comparison (grader.grading.compare) at the case's tolerances.
"""
from __future__ import annotations

import ast
import atexit
import contextlib
import copy
import importlib
import importlib.util
import inspect
import io
import os
import shutil
import sys
import tempfile
import types
import warnings
from functools import lru_cache

import nbformat
import numpy as np

from assignments import bundle_folders
from assignments.bundle import BUILDER, HDF5, LITERAL, Bundle, Case, Mistake, ModelCheck, load_bundle
from grader.grading.compare import outputs_match
from grader.grading.inputs import read_hdf5_args
from grader.grading.supplied import DRIVER_PREFIX, driver_code, supplied_code

FOLDERS = bundle_folders()
SLUGS = sorted(FOLDERS)
REPOSITORY_PACKAGES = ("assignments", "grader", "sandbox")  # not in a sandbox job
SANDBOX_MODULES = frozenset(sys.stdlib_module_names) | {"numpy", "h5py"}
ITERATION_PARAMETERS = ("num_iterations", "num_epochs")  # how a driver is told to train briefly


@lru_cache(maxsize=None)
def bundle(slug: str) -> Bundle:
    return load_bundle(FOLDERS[slug])


def runs_here(slug: str) -> bool:
    """Bundle code of the numpy environment runs in the test process; a bundle of another environment
    (tensorflow-intro) needs its framework, which only its sandbox has: the contract checks it there."""
    return bundle(slug).environment == "numpy"


@lru_cache(maxsize=None)
def code(slug: str) -> "BundleCode":
    return BundleCode(bundle(slug))


def rebound(function, **names):
    """`function` with some of its globals replaced (the rest shared), as the sandbox answers a graded callee."""
    return _with_globals(function, {**function.__globals__, **names})


def _with_globals(function, namespace: dict):
    clone = types.FunctionType(function.__code__, namespace, function.__name__, function.__defaults__,
                               function.__closure__)
    clone.__kwdefaults__ = function.__kwdefaults__
    return clone


class BundleCode:
    def __init__(self, bundle: Bundle):
        self.bundle = bundle
        self.job_dir = tempfile.mkdtemp(prefix=f"gradebox-{bundle.slug}-job-")
        atexit.register(shutil.rmtree, self.job_dir, True)
        for path in bundle.job_files:
            shutil.copyfile(path, os.path.join(self.job_dir, path.name))
        self._modules: dict[str, types.ModuleType] = {}  # job modules, "reference" and "supplied" of this bundle
        self._depth = 0
        self._built: dict[int, tuple] = {}  # by id() of the case or check: the bundle is cached, so they live on
        self._expected: dict[tuple[str, str], object] = {}
        self.reference = self._load("reference")
        self.supplied = self._load("supplied") if "supplied" in bundle.files else None
        self.cases = self._load("cases") if "cases" in bundle.files else None

    def _load(self, role: str) -> types.ModuleType:
        spec = importlib.util.spec_from_file_location(role, self.bundle.files[role])
        module = importlib.util.module_from_spec(spec)
        if role != "cases":
            self._modules[role] = module
        with self.active():
            if role == "reference" and "supplied" in self.bundle.files:  # the course's given code first, as in the sandbox
                text = self.bundle.text("reference")
                source = supplied_code(self.bundle.text("supplied"), text)[0] + text
                exec(compile(source, str(self.bundle.files[role]), "exec"), vars(module))
            else:
                spec.loader.exec_module(module)
        return module

    @contextlib.contextmanager
    def active(self):
        """The job directory and the bundle's modules in place; warnings silenced and stdout captured (yielded)."""
        if self._depth:
            yield self._out
            return
        folder = self.job_dir
        names = (*self.bundle.job_module_names, "reference", "supplied", *REPOSITORY_PACKAGES)
        saved = {name: sys.modules.pop(name) for name in names if name in sys.modules}
        sys.modules.update(self._modules)
        sys.modules.update(dict.fromkeys(REPOSITORY_PACKAGES))  # None: `import assignments` raises ImportError
        sys.path.insert(0, folder)
        cwd, bytecode = os.getcwd(), sys.dont_write_bytecode
        os.chdir(folder)
        sys.dont_write_bytecode = True
        self._depth, self._out = 1, io.StringIO()
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"), contextlib.redirect_stdout(self._out):
                warnings.simplefilter("ignore")
                yield self._out
        finally:
            self._depth = 0
            os.chdir(cwd)
            sys.dont_write_bytecode = bytecode
            sys.path.remove(folder)
            for name in names:
                module = sys.modules.pop(name, None)
                if module is not None and name in self.bundle.job_module_names:
                    self._modules[name] = module
            sys.modules.update(saved)

    def module(self, name: str) -> types.ModuleType:
        """A job module (e.g. "testCases") as the bundle's code imports it."""
        with self.active():
            return importlib.import_module(name)

    def call(self, function, *args, **kwargs):
        with self.active():
            return function(*args, **kwargs)

    # Arguments

    def args(self, item: Case | ModelCheck) -> tuple:
        """A case's or model check's arguments, built afresh."""
        kind, value = item.args.kind, item.args.value
        if kind == LITERAL:
            return copy.deepcopy(tuple(value))
        if kind == BUILDER:
            return self.call(getattr(self.cases, value))
        assert kind == HDF5, kind
        return read_hdf5_args(value)

    def inputs(self, item: Case | ModelCheck) -> tuple:
        """The arguments built once, then copied for every call (a function may change its arguments)."""
        if id(item) not in self._built:
            self._built[id(item)] = self.args(item)
        return copy.deepcopy(self._built[id(item)])

    def case(self, function: str, case_id: str) -> Case:
        (found,) = [case for case in self.bundle.function(function).cases if case.id == case_id]
        return found

    # Running graded functions

    def function(self, name: str, case: Case | None = None, namespace: dict | None = None):
        """`name` of `namespace` (the reference's by default), its graded callees answered as `case` says."""
        function = (namespace if namespace is not None else vars(self.reference))[name]
        if case is None or not (case.stand_ins or case.callees):
            return function
        answers = {callee: getattr(self.reference, callee) for callee in case.stand_ins}
        answers.update({callee: getattr(self.cases, target) for callee, target in case.callees})
        return rebound(function, **answers)

    def run(self, name: str, case: Case, namespace: dict | None = None):
        return self.call(self.function(name, case, namespace), *self.inputs(case))

    def expected(self, name: str, case: Case):
        """The reference's output on a case, computed once (do not change it)."""
        if (name, case.id) not in self._expected:
            self._expected[name, case.id] = self.run(name, case)
        return self._expected[name, case.id]

    def namespace(self, source: str = "", label: str = "<variant>") -> dict:
        """The reference's module with `source` (e.g. one def replacing the reference's) run after it, as the sandbox
        runs reference + mistake: a copy of its namespace, where its own functions look up each other in the copy."""
        original = vars(self.reference)
        namespace = dict(original)
        namespace.update({name: _with_globals(value, namespace) for name, value in original.items()
                          if isinstance(value, types.FunctionType) and value.__globals__ is original})
        with self.active():
            exec(compile(source, label, "exec"), namespace)
        return namespace

    def mistake(self, mistake: Mistake) -> dict:
        return self.namespace(mistake.source, f"<mistake {mistake.key}>")

    def mistake_outputs(self, mistake: Mistake) -> dict:
        """{case id: output} of a mistake on its function's cases; a case it raises on is left out, as the platform does."""
        namespace, outputs = self.mistake(mistake), {}
        for case in self.bundle.function(mistake.function).cases:
            with contextlib.suppress(Exception):
                outputs[case.id] = self.run(mistake.function, case, namespace)
        return outputs

    # Model checks

    def drivers(self, **functions) -> dict:
        """The namespace the sandbox trains in: supplied.py's code, then the graded functions (the reference's
        unless given)."""
        namespace = {"__name__": "submission"}
        with self.active():
            supplied = self.bundle.text("supplied")
            exec(compile(supplied_code(supplied, "")[0] + driver_code(supplied), "supplied.py", "exec"), namespace)
        namespace.update({graded.name: getattr(self.reference, graded.name) for graded in self.bundle.functions})
        namespace.update(functions)
        return namespace

    def brief_args(self, check: ModelCheck, iterations: int) -> tuple:
        """The check's driver arguments with its iteration (or epoch) count replaced."""
        parameters = list(inspect.signature(self.drivers()[check.driver]).parameters)
        (index,) = [parameters.index(name) for name in ITERATION_PARAMETERS if name in parameters]
        args = list(self.inputs(check))
        args[index] = iterations
        return tuple(args)


@lru_cache(maxsize=None)
def trained_by_the_reference(slug: str, check_id: str):
    """(parameters, costs) of a model check's full training with the reference (seconds: for slow tests)."""
    bundle_code = code(slug)
    (check,) = [c for c in bundle_code.bundle.model_checks if c.id == check_id]
    return bundle_code.call(bundle_code.drivers()[check.driver], *bundle_code.inputs(check))


# Comparing values

def matches(expected, actual, outputs: tuple[str, ...], case: Case) -> bool:
    """The platform's verdict at the case's tolerances: would `actual` pass where `expected` is the reference's output?"""
    return outputs_match(expected, actual, outputs, case.rtol, case.atol)


def identical(a, b) -> bool:
    """Same types, keys, lengths, shapes, dtypes and values to the bit (NaN equal to NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(identical(a[key], b[key]) for key in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(map(identical, a, b))
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
    return bool(a == b) or (a != a and b != b)


def leaves(value):
    """The arrays and numbers inside dicts, lists and tuples."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        for item in value:
            yield from leaves(item)
    else:
        yield value


def assert_published(actual: dict, published: dict, rtol: float = 1e-5, atol: float = 0.0, only: bool = True) -> None:
    """Each published array at the course's printed precision; `only=False` lets `actual` hold more keys."""
    assert set(published) <= set(actual) and (not only or set(actual) == set(published)), sorted(actual)
    for name, values in published.items():
        assert np.shape(actual[name]) == np.shape(values), name
        np.testing.assert_allclose(actual[name], values, rtol=rtol, atol=atol, err_msg=name)


# The course bundles' shape

def assert_course_functions(bundle: Bundle, names: tuple[str, ...], max_score: float) -> None:
    """The course's graded functions in its order, each with its notebook test as the one public case."""
    assert tuple(graded.name for graded in bundle.functions) == names
    assert bundle.max_score == max_score
    for graded in bundle.functions:
        assert [case.id for case in graded.cases if not case.hidden] == ["published"], graded.name
        assert sum(case.hidden for case in graded.cases) >= 2, graded.name


def file_names(paths) -> list[str]:
    return [path.name for path in paths]


def assert_job_files(bundle: Bundle, given: set[str], private: list[str]) -> None:
    """Every job receives the course's helpers and training data (`given`, among others); the held-out data stays
    on the trusted side."""
    jobs = file_names(bundle.job_files)
    assert given <= set(jobs) and file_names(bundle.private_files) == private and not set(private) & set(jobs)


def imported_modules(text: str, inside: tuple[str, ...] = ()) -> set[str]:
    """Top-level names of the modules a file imports at its top level and inside the defs named in `inside`."""
    tree = ast.parse(text)
    nodes = list(tree.body)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in inside:
            nodes.extend(ast.walk(node))
    names = {alias.name for node in nodes if isinstance(node, ast.Import) for alias in node.names}
    names |= {node.module for node in nodes if isinstance(node, ast.ImportFrom) and node.level == 0}
    return {name.split(".")[0] for name in names}


def driver_names(text: str) -> tuple[str, ...]:
    return tuple(node.name for node in ast.parse(text).body
                 if isinstance(node, ast.FunctionDef) and node.name.startswith(DRIVER_PREFIX))


# The starter notebook

def starter_cells(bundle: Bundle) -> list:
    notebook = nbformat.read(bundle.files["starter"], as_version=4)
    nbformat.validate(notebook)
    return notebook.cells


def code_cells(bundle: Bundle) -> list[str]:
    return [cell.source for cell in starter_cells(bundle) if cell.cell_type == "code"]


def assert_starter_imports(bundle: Bundle, lines: tuple[str, ...], helpers: tuple[str, ...], module: str) -> None:
    """The starter's import cell (its first code cell) has the course's lines and takes the helpers from `module`."""
    imports = code_cells(bundle)[0]
    for line in lines:
        assert line in imports, line
    job_module = code(bundle.slug).module(module)
    for name in helpers:
        assert name in imports and callable(getattr(job_module, name)), name
