"""Assignment bundles: a folder with `assignment.toml` and the files it names, loaded and checked as data.

Plain Python (no Django). `load_bundle` reads a folder into a frozen `Bundle`
or raises `BundleError` listing every problem found (never only the first).
Bundle code (reference, cases.py, supplied.py, job files) is parsed here,
never imported or run: it runs only inside the sandbox. The format is
documented in docs/bundles.md; DESIGN.md fixes the manifest keys.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from assignments import manifest as schema
from assignments.source import NO_DEFAULT, SourceError, apply_edits, def_source, defined_names, parameters

MANIFEST = "assignment.toml"
FORMAT_VERSION = 1
FILE_ROLES = ("reference", "cases", "supplied", "mistakes", "starter")
LITERAL, BUILDER, HDF5 = "literal", "builder", "hdf5"
RESERVED_JOB_NAMES = {"submission.py", "job.json", "inputs.h5", "runner.py", "runner_child.py", "wire.py"}


class BundleError(ValueError):
    """A bundle that cannot be graded; `errors` lists every problem, each naming its key or file."""

    def __init__(self, errors: list[str], folder: Path | None = None):
        self.errors = list(errors)
        where = f"{folder}: " if folder else ""
        super().__init__(where + f"{len(self.errors)} problem(s):\n" + "\n".join(f"  - {e}" for e in self.errors))


@dataclass(frozen=True)
class Args:
    """A case's positional arguments: literal values, a cases.py builder's name, or an HDF5 file."""

    kind: str  # LITERAL | BUILDER | HDF5
    value: object  # tuple of values | builder name | Path

    def describe(self) -> str:
        return {LITERAL: "literal arguments", BUILDER: f"cases.py:{self.value}", HDF5: str(self.value)}[self.kind]


@dataclass(frozen=True)
class Case:
    """One call of a graded function. Hidden cases count, but their inputs and values are never shown."""

    id: str
    args: Args
    hidden: bool = False
    reveal: str = "now"  # "now" | "after_due" | "never" (hidden cases only)
    rtol: float = 1e-5
    atol: float = 1e-8
    description: str = ""
    stand_ins: tuple[str, ...] = ()  # graded callees answered by the reference's own def
    callees: tuple[tuple[str, str], ...] = ()  # (callee, cases.py def) answering the callee instead
    threshold: tuple[str, float] | None = None  # (op, bound): judged against a bound, not the reference's value


@dataclass(frozen=True)
class Explanation:
    """The difference kind: student - expected == factor * term for some keys of one output, on every case.

    `term` is a function of cases.py called in the sandbox with each case's
    arguments (with the expected outputs, never in a student's job); it
    returns, for a dict output, {key: array} (e.g. {"dW2": lambd / m * W2}),
    else one array or number. The hint names the keys found: "{keys}".
    """

    id: str
    term: str  # a def of cases.py
    output: str  # one of the function's outputs
    factor: float
    hint: str


@dataclass(frozen=True)
class GradedFunction:
    name: str
    points: float
    outputs: tuple[str, ...]  # names of the returned values, e.g. ("parameters", "v")
    cases: tuple[Case, ...]
    wall_s: float = 5.0
    printing_only: tuple[str, ...] = ()  # parameters that only change what is printed
    unused_arguments: tuple[tuple[str, str], ...] = ()  # (parameter, why the right answer does not depend on it)
    explanations: tuple[Explanation, ...] = ()
    # In a framework's environment (tensorflow): the function returns tensors of the graph it builds, which the
    # sandbox runs and compares by value. Without it a returned tensor is the value left unrun (no sess.run).
    graph_outputs: bool = False
    # parameter -> how it enters the graph: "placeholder" (a float32 placeholder fed the case's array when the
    # returned tensors run) or "variables" (a dict of arrays, each a float32 tf.Variable initialised to it).
    graph_inputs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Threshold:
    metric: str  # "train_accuracy" | "test_accuracy"
    op: str  # ">=", "<=", ">", "<"
    value: float
    why: str = ""

    def holds(self, measured: float) -> bool:
        """NaN never holds."""
        return {">=": measured >= self.value, "<=": measured <= self.value,
                ">": measured > self.value, "<": measured < self.value}[self.op]


@dataclass(frozen=True)
class DataRef:
    """X (n_x, m) and Y (1, m) or (m,) as two datasets of an HDF5 file of the bundle."""

    file: Path
    X: str
    Y: str


@dataclass(frozen=True)
class ModelCheck:
    """The classifier kind: a supplied driver trains in the sandbox, the platform judges the parameters."""

    id: str
    kind: str
    title: str
    driver: str
    args: Args
    depends_on: tuple[str, ...]
    layers: tuple[int, ...]  # [n_x, n_1, ..., n_L]
    activations: tuple[str, ...]  # one per layer
    train: DataRef
    test: DataRef | None
    thresholds: tuple[Threshold, ...]
    points: float = 0.0
    wall_s: float = 120.0
    plot: bool = True


@dataclass(frozen=True)
class Pattern:
    """What a mistake looks like in the student's source: a call (or its absence), looked for with `ast` by the
    parse job in the sandbox (sandbox/source_patterns.py).

    `call` is a glob over the called name with import aliases resolved
    ("numpy.random.seed", "numpy.random.*", "max" for the built-in); `args`
    the literal values its first arguments must have; `in_loop` whether it
    must (true) or must not (false) sit inside a for/while loop or a
    comprehension; `stored_in` a glob over the dict key or name its value is
    assigned to ("b*" matches parameters['b' + str(l)]); `absent` turns the
    pattern around: the mistake is that no such call exists.
    """

    call: str
    args: tuple | None = None
    in_loop: bool | None = None
    stored_in: str | None = None
    absent: bool = False


@dataclass(frozen=True)
class Mistake:
    """A known wrong answer: the reference with one def replaced; matching its output earns its hint.

    With a `pattern`, a failed function whose source shows it earns the hint
    too: for mistakes whose outputs cannot be recorded (an unseeded draw) or
    take many forms (biases drawn at random, at any scale).
    """

    key: str
    function: str
    hint: str
    source: str  # a complete def of `function`
    pattern: Pattern | None = None


@dataclass(frozen=True)
class Bundle:
    folder: Path
    manifest: dict
    slug: str
    title: str
    description: str
    environment: str
    functions: tuple[GradedFunction, ...]
    model_checks: tuple[ModelCheck, ...]
    mistakes: tuple[Mistake, ...]
    files: dict  # role -> Path
    job_files: tuple[Path, ...]
    private_files: tuple[Path, ...]
    digest: str
    hdf5_args: tuple[Path, ...] = field(default=())

    def function(self, name: str) -> GradedFunction:
        for graded in self.functions:
            if graded.name == name:
                return graded
        raise KeyError(name)

    @property
    def max_score(self) -> float:
        return float(sum(f.points for f in self.functions))

    def text(self, role: str) -> str:
        """A Python file of the bundle by role ("" when the bundle has none)."""
        path = self.files.get(role)
        return path.read_text(encoding="utf-8") if path else ""

    @property
    def job_module_names(self) -> tuple[str, ...]:
        """Modules students import from the job files, e.g. ("opt_utils", "testCases")."""
        return tuple(p.stem for p in self.job_files if p.suffix == ".py")


def load_bundle(folder: Path | str) -> Bundle:
    """Reads and checks a bundle folder (or its assignment.toml). Raises BundleError listing every problem found."""
    folder = Path(folder).resolve()
    if folder.name == MANIFEST and folder.is_file():
        folder = folder.parent
    errors: list[str] = []
    path = folder / MANIFEST
    try:
        manifest = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BundleError([f"{MANIFEST} is missing"], folder) from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise BundleError([f"{MANIFEST} cannot be read: {error}"], folder) from None
    checked = schema.check(manifest, errors)
    files = _files(folder, checked, errors)
    job_files = _file_list(folder, checked, "job_files", errors)
    private_files = _file_list(folder, checked, "private_files", errors)
    texts = _texts(files, errors)
    functions = tuple(_function(folder, entry, errors) for entry in checked.get("functions", []))
    model_checks = tuple(_model_check(folder, entry, job_files + private_files, errors)
                         for entry in checked.get("model_checks", []))
    _cross_check(checked, functions, model_checks, files, texts, errors)
    mistakes = _mistakes(files, texts, {f.name for f in functions}, errors)
    if errors:
        raise BundleError(errors, folder)
    hdf5 = tuple(sorted({c.args.value for f in functions for c in f.cases if c.args.kind == HDF5}
                        | {m.args.value for m in model_checks if m.args.kind == HDF5}))
    bundle = Bundle(folder, manifest, checked["slug"], checked["title"], checked.get("description", ""),
                    checked["environment"], functions, model_checks, mistakes, files, job_files, private_files,
                    digest="", hdf5_args=hdf5)
    return _with_digest(bundle)


def _files(folder: Path, manifest: dict, errors: list[str]) -> dict:
    files = {}
    for role in FILE_ROLES:
        if role in manifest:
            path = (folder / manifest[role]).resolve()
            if path.is_file():
                files[role] = path
            else:
                errors.append(f"{role} = {manifest[role]!r}: no such file")
    return files


def _file_list(folder: Path, manifest: dict, key: str, errors: list[str]) -> tuple[Path, ...]:
    paths = []
    for name in manifest.get(key, []):
        path = (folder / name).resolve()
        if not path.is_file():
            errors.append(f"{key}: {name!r}: no such file")
        elif path.name in RESERVED_JOB_NAMES:
            errors.append(f"{key}: {name!r}: the sandbox uses this name for its own file; rename it")
        else:
            paths.append(path)
    names = [p.name for p in paths]
    for name in sorted({n for n in names if names.count(n) > 1}):
        errors.append(f"{key}: two files are named {name!r}")
    return tuple(paths)


def _texts(files: dict, errors: list[str]) -> dict:
    texts = {}
    for role in ("reference", "cases", "supplied"):
        if role in files:
            try:
                text = files[role].read_text(encoding="utf-8")
                defined_names(text, files[role].name)
                texts[role] = text
            except (OSError, UnicodeDecodeError, SourceError) as error:
                errors.append(f"{role}: {error}")
    return texts


def _args(folder: Path, value, where: str, errors: list[str]) -> Args:
    if isinstance(value, str):
        if value.startswith("cases.py:"):
            name = value.split(":", 1)[1]
            if not name.isidentifier():
                errors.append(f"{where}.args: {value!r} does not name a function of cases.py")
            return Args(BUILDER, name)
        path = (folder / value).resolve()
        if not (value.endswith(".h5") and path.is_file()):
            errors.append(f"{where}.args: {value!r} is neither \"cases.py:NAME\" nor an HDF5 file of the bundle")
        return Args(HDF5, path)
    try:
        return Args(LITERAL, tuple(literal(item) for item in value))
    except (TypeError, ValueError) as error:
        errors.append(f"{where}.args: {error}")
        return Args(LITERAL, ())


def literal(value):
    """TOML to Python: {array = ..., dtype = ...} is a NumPy array, any other table a dict, lists stay lists."""
    if isinstance(value, dict):
        if "array" in value:
            extra = set(value) - {"array", "dtype"}
            if extra:
                raise ValueError(f"an array table takes only 'array' and 'dtype', not {', '.join(sorted(extra))}")
            dtype = np.dtype(value.get("dtype", "float64"))
            if dtype.kind not in "biufc":
                raise ValueError(f"dtype {dtype} is not numeric")
            array = np.array(value["array"], dtype=dtype)
            if array.dtype == object:
                raise ValueError("an array's rows must all have the same length")
            return array
        return {str(key): literal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [literal(item) for item in value]
    if isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"{type(value).__name__} values cannot be arguments")


def _function(folder: Path, entry: dict, errors: list[str]) -> GradedFunction:
    name = entry["name"]
    cases = []
    for case in entry.get("cases", []):
        where = f"functions.{name}.cases.{case['id']}"
        cases.append(Case(
            id=case["id"], args=_args(folder, case["args"], where, errors), hidden=case.get("hidden", False),
            reveal=case.get("reveal", "now"), rtol=float(case.get("rtol", 1e-5)), atol=float(case.get("atol", 1e-8)),
            description=case.get("description", ""), stand_ins=tuple(case.get("stand_ins", ())),
            callees=tuple(sorted((callee, target.split(":", 1)[1]) for callee, target in case.get("callees", {}).items())),
            threshold=(case["threshold"]["op"], float(case["threshold"]["value"])) if "threshold" in case else None,
        ))
        if "threshold" in case and len(entry["outputs"]) != 1:
            errors.append(f"{where}.threshold: a threshold judges one number; {name} returns {len(entry['outputs'])} values")
    explanations = tuple(
        Explanation(e["id"], e["term"].split(":", 1)[1], e.get("output", entry["outputs"][0]), float(e["factor"]), e["hint"])
        for e in entry.get("explanations", []))
    for explanation in explanations:
        if explanation.output not in entry["outputs"]:
            errors.append(f"functions.{name}.explanations.{explanation.id}.output: {explanation.output!r} is not one "
                          f"of the outputs ({', '.join(entry['outputs'])})")
    return GradedFunction(name, float(entry["points"]), tuple(entry["outputs"]), tuple(cases),
                          float(entry.get("wall_s", 5.0)), tuple(entry.get("printing_only", ())),
                          tuple(sorted(entry.get("unused_arguments", {}).items())), explanations,
                          bool(entry.get("graph_outputs", False)),
                          tuple(sorted(entry.get("graph_inputs", {}).items())))


def _data_ref(folder: Path, value: dict | None, known: tuple[Path, ...], where: str, errors: list[str]) -> DataRef | None:
    if value is None:
        return None
    path = (folder / value["file"]).resolve()
    if path not in known:
        errors.append(f"{where}.file: {value['file']!r} is not among job_files or private_files")
    return DataRef(path, value["X"], value["Y"])


def _model_check(folder: Path, entry: dict, known: tuple[Path, ...], errors: list[str]) -> ModelCheck:
    where = f"model_checks.{entry['id']}"
    return ModelCheck(
        id=entry["id"], kind=entry["kind"], title=entry["title"], driver=entry["driver"],
        args=_args(folder, entry["args"], where, errors), depends_on=tuple(entry.get("depends_on", ())),
        layers=tuple(entry["layers"]), activations=tuple(entry["activations"]),
        train=_data_ref(folder, entry["train"], known, f"{where}.train", errors),
        test=_data_ref(folder, entry.get("test"), known, f"{where}.test", errors),
        thresholds=tuple(Threshold(t["metric"], t["op"], float(t["value"]), t.get("why", "")) for t in entry["thresholds"]),
        points=float(entry.get("points", 0.0)), wall_s=float(entry.get("wall_s", 120.0)), plot=entry.get("plot", True),
    )


def _cross_check(manifest, functions, model_checks, files, texts, errors: list[str]) -> None:
    """Names the manifest uses that the bundle's files must define."""
    graded = {f.name for f in functions}
    reference = defined_names(texts["reference"]) if "reference" in texts else None
    cases = defined_names(texts["cases"]) if "cases" in texts else set()
    supplied = defined_names(texts["supplied"]) if "supplied" in texts else set()
    if reference is not None:
        for name in sorted(graded - reference):
            errors.append(f"functions.{name}: the reference ({files['reference'].name}) does not define it")
        for function in functions:
            if (function.printing_only or function.unused_arguments) and function.name in reference:
                _check_without_effect(function, texts["reference"], errors)
            if function.graph_inputs and function.name in reference:
                _check_graph_inputs(function, texts["reference"], errors)
    uses_builders = False
    for function in functions:
        for case in function.cases:
            where = f"functions.{function.name}.cases.{case.id}"
            builders = [case.args.value] if case.args.kind == BUILDER else []
            builders += [target for _, target in case.callees]
            for builder in builders:
                uses_builders = True
                if "cases" in texts and builder not in cases:
                    errors.append(f"{where}: cases.py defines no function {builder!r}")
            for callee in case.stand_ins:
                if callee not in graded:
                    errors.append(f"{where}.stand_ins: {callee!r} is not a graded function of this bundle")
            for callee, _ in case.callees:
                if callee not in graded and callee not in supplied:
                    errors.append(f"{where}.callees: {callee!r} is neither graded nor supplied")
        for explanation in function.explanations:
            uses_builders = True
            if "cases" in texts and explanation.term not in cases:
                errors.append(f"functions.{function.name}.explanations.{explanation.id}.term: cases.py defines no "
                              f"function {explanation.term!r}")
    for check in model_checks:
        where = f"model_checks.{check.id}"
        if check.args.kind == BUILDER:
            uses_builders = True
            if "cases" in texts and check.args.value not in cases:
                errors.append(f"{where}.args: cases.py defines no function {check.args.value!r}")
        if "supplied" not in files:
            errors.append(f"{where}.driver: the bundle has no supplied file to define {check.driver!r}")
        elif "supplied" in texts and check.driver not in supplied:
            errors.append(f"{where}.driver: {files['supplied'].name} defines no function {check.driver!r}")
        for name in check.depends_on:
            if name not in graded:
                errors.append(f"{where}.depends_on: {name!r} is not a graded function of this bundle")
    if uses_builders and "cases" not in manifest:
        errors.append("cases: a case or explanation names a function of cases.py, but the manifest has no `cases` file")


def _check_without_effect(function: GradedFunction, reference: str, errors: list[str]) -> None:
    """printing_only and unused_arguments name parameters of the reference's def, each at most once."""
    try:
        signature = {name: default for name, _, default in parameters(reference, function.name)}
    except SourceError:
        return  # a class, not a def: the contract varies no argument of it
    where = f"functions.{function.name}"
    unused = [name for name, _ in function.unused_arguments]
    for key, names in (("printing_only", function.printing_only), ("unused_arguments", unused)):
        for name in names:
            if name not in signature:
                errors.append(f"{where}.{key}: {name!r} is not a parameter of the reference's {function.name}")
            elif key == "printing_only" and signature[name] is NO_DEFAULT:
                errors.append(f"{where}.printing_only: {name!r} has no default in the reference, so every call must "
                              "pass it: it is more than a printing switch")
    for name in sorted(set(function.printing_only) & set(unused)):
        errors.append(f"{where}: {name!r} is both printing_only and in unused_arguments; keep one")


def _check_graph_inputs(function: GradedFunction, reference: str, errors: list[str]) -> None:
    """graph_inputs name positional parameters of the reference's def, of a function whose tensors are run."""
    where = f"functions.{function.name}.graph_inputs"
    if not function.graph_outputs:
        errors.append(f"{where}: needs graph_outputs = true (the returned tensors run with the placeholders fed)")
    try:
        positional = {name for name, is_positional, _ in parameters(reference, function.name) if is_positional}
    except SourceError:
        errors.append(f"{where}: the reference's {function.name} is not a def whose parameters can be named")
        return
    for name, _ in function.graph_inputs:
        if name not in positional:
            errors.append(f"{where}: {name!r} is not a positional parameter of the reference's {function.name}")


def graph_input_kinds(function: GradedFunction, reference: str) -> list:
    """Per positional parameter of the reference's def, [name, kind] when it enters the graph, else None: what a
    job tells the sandbox (sandbox/frameworks.py)."""
    if not function.graph_inputs:
        return []
    kinds = dict(function.graph_inputs)
    return [[name, kinds[name]] if name in kinds else None
            for name, is_positional, _ in parameters(reference, function.name) if is_positional]


def _mistakes(files: dict, texts: dict, graded: set[str], errors: list[str]) -> tuple[Mistake, ...]:
    if "mistakes" not in files:
        return ()
    try:
        entries = tomllib.loads(files["mistakes"].read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        errors.append(f"mistakes: {files['mistakes'].name} cannot be read: {error}")
        return ()
    mistakes = []
    for entry in schema.check_mistakes(entries, graded, errors):
        where = f"mistakes.{entry['key']}"
        try:
            if "source" in entry:
                source = entry["source"].strip("\n") + "\n"
                if entry["function"] not in defined_names(source, where):
                    raise SourceError(f"{where}.source defines no function {entry['function']!r}")
            elif "reference" in texts:
                original = def_source(texts["reference"], entry["function"], "the reference", keep_docstring=False)
                source = apply_edits(original, entry["edits"], where)
            else:
                continue
        except SourceError as error:
            errors.append(str(error))
            continue
        pattern = entry.get("pattern")
        mistakes.append(Mistake(entry["key"], entry["function"], entry["hint"], source, pattern and Pattern(
            pattern["call"], tuple(pattern["args"]) if "args" in pattern else None, pattern.get("in_loop"),
            pattern.get("stored_in"), pattern.get("absent", False))))
    return tuple(mistakes)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _with_digest(bundle: Bundle) -> Bundle:
    """Over contents by role, job and private file names, and the manifest with paths replaced by hashes."""
    by_path = {path: _sha256(path) for path in (*bundle.files.values(), *bundle.job_files, *bundle.private_files,
                                                *bundle.hdf5_args)}
    manifest = json.loads(json.dumps(bundle.manifest))
    for role in FILE_ROLES:
        if role in manifest:
            manifest[role] = "sha256:" + by_path[bundle.files[role]]
    for key, paths in (("job_files", bundle.job_files), ("private_files", bundle.private_files)):
        if key in manifest:
            manifest[key] = [[p.name, by_path[p]] for p in paths]
    for entry in manifest.get("functions", []) + manifest.get("model_checks", []):
        for case in entry.get("cases", []) + [entry]:
            args = case.get("args")
            if isinstance(args, str) and not args.startswith("cases.py:"):
                case["args"] = "sha256:" + by_path[(bundle.folder / args).resolve()]
        for key in ("train", "test"):
            if isinstance(entry.get(key), dict):
                entry[key] = {**entry[key], "file": (bundle.folder / entry[key]["file"]).resolve().name}
    if "mistakes" in bundle.files:
        manifest["mistakes"] = [[m.key, m.function, m.hint, m.source] + ([asdict(m.pattern)] if m.pattern else [])
                                for m in bundle.mistakes]
    canonical = json.dumps([FORMAT_VERSION, manifest], sort_keys=True, default=_not_json)
    return Bundle(**{**bundle.__dict__, "digest": hashlib.sha256(canonical.encode()).hexdigest()})


def _not_json(value):
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    return str(value)  # TOML dates and times


SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
