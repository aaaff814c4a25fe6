"""load_bundle's contract (assignments/bundle.py): what a valid bundle becomes, every problem at once, the digest.

Bundles are written into tmp_path by conftest.py's `draft` (a minimal valid
bundle grading relu) with one thing changed per test. No Django, no sandbox:
the loader only parses the bundle's Python files.
"""
from __future__ import annotations

import datetime
import shutil

import numpy as np
import pytest

from assignments.bundle import (
    BUILDER, HDF5, LITERAL, Args, BundleError, DataRef, Threshold, load_bundle,
)


# A valid bundle

def test_the_minimal_bundle_loads(draft):
    bundle = draft.load()
    folder = draft.folder.resolve()
    assert (bundle.slug, bundle.title, bundle.description, bundle.environment) == ("tiny", "A tiny bundle", "", "numpy")
    assert bundle.folder == folder
    assert bundle.files == {"reference": folder / "reference.py", "cases": folder / "cases.py",
                            "mistakes": folder / "mistakes.toml"}
    assert (bundle.job_files, bundle.private_files, bundle.model_checks, bundle.hdf5_args) == ((), (), (), ())
    relu = bundle.function("relu")
    assert (relu.points, relu.outputs, relu.wall_s, bundle.max_score) == (1.0, ("A",), 5.0, 1.0)
    assert [case.id for case in relu.cases] == ["published", "hidden"]
    published, hidden = relu.cases
    assert (published.hidden, published.reveal, published.rtol, published.atol) == (False, "now", 1e-5, 1e-8)
    assert (published.stand_ins, published.callees, published.description) == ((), (), "")
    assert hidden.hidden is True
    assert hidden.args == Args(BUILDER, "relu_hidden")
    assert hidden.args.describe() == "cases.py:relu_hidden"
    assert len(bundle.digest) == 64 and int(bundle.digest, 16) >= 0
    with pytest.raises(KeyError):
        bundle.function("softmax")


def test_an_edited_mistake_is_the_reference_def_without_docstring_with_the_edit_applied(draft):
    (mistake,) = draft.load().mistakes
    assert (mistake.key, mistake.function) == ("relu_min", "relu")
    assert mistake.hint.startswith("ReLU keeps the positive part")
    assert mistake.source == "def relu(Z):\n    A = np.minimum(0, Z)\n    return A\n"


def test_a_mistake_given_as_source_is_kept_as_written(draft):
    del draft.mistake()["edits"]
    draft.mistake()["source"] = "\ndef relu(Z):\n    return Z\n\n"
    assert draft.load().mistakes[0].source == "def relu(Z):\n    return Z\n"


def test_literal_arguments_follow_the_rules(draft):
    draft.case("published")["args"] = [
        {"array": [[-1, 2]]},
        {"array": [1, 2, 3], "dtype": "int32"},
        {"array": [True, False], "dtype": "bool"},
        {"W": {"array": [0.5]}, "layers": [3, 2, 1], "name": "w"},
        [3, 2, 1],
        3,
        0.5,
        "relu",
        True,
    ]
    args = draft.load().function("relu").cases[0].args
    assert args.kind == LITERAL and args.describe() == "literal arguments"
    default, ints, flags, table, listed, number, real, text, flag = args.value
    assert type(default) is np.ndarray and default.dtype == np.float64 and default.shape == (1, 2)
    assert default.tolist() == [[-1.0, 2.0]]
    assert ints.dtype == np.int32 and ints.tolist() == [1, 2, 3]
    assert flags.dtype == np.bool_ and flags.tolist() == [True, False]
    assert type(table) is dict and set(table) == {"W", "layers", "name"}
    assert type(table["W"]) is np.ndarray and table["W"].dtype == np.float64
    assert (table["layers"], table["name"]) == ([3, 2, 1], "w")
    assert type(listed) is list and listed == [3, 2, 1]
    assert type(number) is int and number == 3
    assert (type(real), type(text), type(flag)) == (float, str, bool)


def test_arguments_declared_without_effect_load_by_name(draft):
    with_print_msg(printing_only=["print_msg"], unused_arguments={"Z": "a test's claim"})(draft)
    relu = draft.load().function("relu")
    assert (relu.printing_only, relu.unused_arguments) == (("print_msg",), (("Z", "a test's claim"),))


def test_graph_inputs_load_by_name_and_reach_the_job_by_position(draft):
    from grader.grading.job import graph_keys

    draft.function().update(graph_outputs=True, graph_inputs={"Z": "placeholder"})
    bundle = draft.load()
    relu = bundle.function("relu")
    assert relu.graph_inputs == (("Z", "placeholder"),)
    assert graph_keys(bundle, relu) == {"graph_outputs": True, "graph_inputs": [["Z", "placeholder"]]}


def test_a_case_threshold_is_its_op_and_bound(draft):
    draft.case("hidden")["threshold"] = {"op": "<", "value": 2e-7}
    published, hidden = draft.load().function("relu").cases
    assert (published.threshold, hidden.threshold) == (None, ("<", 2e-7))


def test_an_hdf5_file_of_the_bundle_is_an_hdf5_argument(draft):
    draft.add_hdf5_case("inputs/x.h5")
    bundle = draft.load()
    path = draft.folder.resolve() / "inputs" / "x.h5"
    assert bundle.function("relu").cases[-1].args == Args(HDF5, path)
    assert bundle.hdf5_args == (path,)


def test_a_model_check_loads_with_its_defaults(draft):
    draft.add_model_check()
    bundle = draft.load()
    (check,) = bundle.model_checks
    train = draft.folder.resolve() / "train.h5"
    assert (check.id, check.kind, check.driver, check.depends_on) == ("tiny_model", "classifier",
                                                                      "gradebox_train_model", ("relu",))
    assert check.args == Args(BUILDER, "model_args")
    assert (check.layers, check.activations) == ((2, 3, 1), ("relu", "sigmoid"))
    assert (check.train, check.test) == (DataRef(train, "train_X", "train_Y"), None)
    assert check.thresholds == (Threshold("train_accuracy", ">=", 0.5, "a coin does as well"),)
    assert (check.points, check.wall_s, check.plot) == (0.0, 120.0, True)
    assert bundle.job_files == (train,) and bundle.job_module_names == ()
    assert bundle.files["supplied"] == draft.folder.resolve() / "supplied.py"


def test_a_model_check_may_train_on_a_private_file(draft):
    check = draft.add_model_check()
    draft.manifest["private_files"] = draft.manifest.pop("job_files")
    check["test"] = dict(check["train"])
    bundle = draft.load()
    assert bundle.private_files == (draft.folder.resolve() / "train.h5",) and bundle.job_files == ()
    assert bundle.model_checks[0].test.file == bundle.private_files[0]


@pytest.mark.parametrize("measured, op, holds", [
    (0.9, ">=", True), (0.8, ">=", True), (0.7, ">=", False), (0.8, ">", False), (0.7, "<", True),
    (0.8, "<=", True), (float("nan"), ">=", False), (float("nan"), "<", False),
])
def test_a_threshold_holds_as_its_op_says_and_nan_never_holds(measured, op, holds):
    assert Threshold("train_accuracy", op, 0.8).holds(measured) is holds


# Problems found by reading the bundle's files (each test: exactly the errors listed)

def wrong_argument(value):
    return lambda d: d.case("published").update(args=[value])


def rename_reference_def(d):
    d.files["reference.py"] = d.files["reference.py"].replace("def relu(", "def rectify(")


def model_check(**changes):
    return lambda d: d.add_model_check().update(changes)


def train_on_an_unlisted_file(d):
    d.add_model_check()["train"]["file"] = "other.h5"
    d.files["other.h5"] = d.files["train.h5"]


def threshold_on_two_outputs(d):
    d.function()["outputs"] = ["A", "mask"]
    d.case("hidden")["threshold"] = {"op": "<", "value": 1}


def without_supplied(d):
    d.add_model_check()
    del d.manifest["supplied"]


def syntax_error(name):
    """The file's line 4 does not parse."""
    return lambda d: d.files.update({name: "import numpy as np\n\n\ndef broken(:\n    pass\n"})


def with_print_msg(**keys):
    """relu(Z, print_msg=False), with `keys` added to the function."""
    def tweak(d):
        d.files["reference.py"] = d.files["reference.py"].replace("def relu(Z):", "def relu(Z, print_msg=False):")
        d.function().update(keys)
    return tweak


NO_DEFINE = "functions.relu.cases.hidden: cases.py defines no function 'relu_hiddn'"

FILE_ERRORS = [
    pytest.param(lambda d: d.manifest.update(reference="nope.py"), ["reference = 'nope.py': no such file"],
                 id="missing-reference"),
    pytest.param(lambda d: d.manifest.update(cases="builders.py"), ["cases = 'builders.py': no such file"],
                 id="missing-cases"),
    pytest.param(lambda d: d.manifest.update(supplied="supplied.py"), ["supplied = 'supplied.py': no such file"],
                 id="missing-supplied"),
    pytest.param(lambda d: d.manifest.update(starter="starter.ipynb"), ["starter = 'starter.ipynb': no such file"],
                 id="missing-starter"),
    pytest.param(lambda d: d.manifest.update(job_files=["helpers.py"]), ["job_files: 'helpers.py': no such file"],
                 id="missing-job-file"),
    pytest.param(lambda d: d.manifest.update(private_files=["test.h5"]), ["private_files: 'test.h5': no such file"],
                 id="missing-private-file"),
    pytest.param(lambda d: d.add_file("job_files", "runner.py", "x = 1\n"),
                 ["job_files: 'runner.py': the sandbox uses this name for its own file; rename it"], id="reserved-name"),
    pytest.param(lambda d: (d.add_file("job_files", "a/u.py", ""), d.add_file("job_files", "b/u.py", "")),
                 ["job_files: two files are named 'u.py'"], id="two-job-files-one-name"),
    pytest.param(lambda d: d.case("hidden").update(args="inputs/missing.h5"),
                 ["functions.relu.cases.hidden.args: 'inputs/missing.h5' is neither \"cases.py:NAME\" nor an HDF5 file"],
                 id="missing-hdf5-argument"),
    pytest.param(lambda d: d.case("hidden").update(args="cases.py"),
                 ["functions.relu.cases.hidden.args: 'cases.py' is neither \"cases.py:NAME\" nor an HDF5 file"],
                 id="args-a-python-file"),
    pytest.param(lambda d: d.case("hidden").update(args="cases.py:relu-hidden"),
                 ["functions.relu.cases.hidden.args: 'cases.py:relu-hidden' does not name a function of cases.py",
                  "functions.relu.cases.hidden: cases.py defines no function 'relu-hidden'"], id="builder-not-a-name"),
    pytest.param(wrong_argument({"array": [1.0], "shape": [1]}),
                 ["functions.relu.cases.published.args: an array table takes only 'array' and 'dtype', not shape"],
                 id="array-table-extra-key"),
    pytest.param(wrong_argument({"array": [1.0], "dtype": "str"}),
                 ["functions.relu.cases.published.args: dtype <U0 is not numeric"], id="array-dtype-not-numeric"),
    pytest.param(wrong_argument({"array": [[1.0, 2.0], [3.0]]}), ["functions.relu.cases.published.args: "],
                 id="array-ragged"),
    pytest.param(wrong_argument(datetime.date(2024, 1, 1)),
                 ["functions.relu.cases.published.args: date values cannot be arguments"], id="date-argument"),
    pytest.param(rename_reference_def,
                 ["functions.relu: the reference (reference.py) does not define it",
                  "the reference defines no function 'relu'"], id="reference-without-the-function"),
    pytest.param(lambda d: d.case("hidden").update(args="cases.py:relu_hiddn"), [NO_DEFINE], id="unknown-builder"),
    pytest.param(lambda d: d.case("hidden").update(callees={"relu": "cases.py:twice"}),
                 ["functions.relu.cases.hidden: cases.py defines no function 'twice'"], id="unknown-callee-builder"),
    pytest.param(lambda d: d.manifest.pop("cases"),
                 ["cases: a case or explanation names a function of cases.py, but the manifest has no `cases` file"],
                 id="builder-without-cases-file"),
    pytest.param(lambda d: d.function().update(printing_only=["print_msg"]),
                 ["functions.relu.printing_only: 'print_msg' is not a parameter of the reference's relu"],
                 id="printing-only-not-a-parameter"),
    pytest.param(lambda d: d.function().update(printing_only=["Z"]),
                 ["functions.relu.printing_only: 'Z' has no default in the reference, so every call must pass it: it "
                  "is more than a printing switch"], id="printing-only-without-default"),
    pytest.param(lambda d: d.function().update(unused_arguments={"theta": "x alone decides"}),
                 ["functions.relu.unused_arguments: 'theta' is not a parameter of the reference's relu"],
                 id="unused-argument-not-a-parameter"),
    pytest.param(with_print_msg(printing_only=["print_msg"], unused_arguments={"print_msg": "prints only"}),
                 ["functions.relu: 'print_msg' is both printing_only and in unused_arguments; keep one"],
                 id="declared-twice"),
    pytest.param(lambda d: d.function().update(graph_outputs=True, graph_inputs={"X": "placeholder"}),
                 ["functions.relu.graph_inputs: 'X' is not a positional parameter of the reference's relu"],
                 id="graph-input-not-a-parameter"),
    pytest.param(lambda d: d.function().update(graph_inputs={"Z": "placeholder"}),
                 ["functions.relu.graph_inputs: needs graph_outputs = true (the returned tensors run with the "
                  "placeholders fed)"], id="graph-inputs-without-graph-outputs"),
    pytest.param(lambda d: d.case("hidden").update(stand_ins=["softmax"]),
                 ["functions.relu.cases.hidden.stand_ins: 'softmax' is not a graded function of this bundle"],
                 id="stand-in-not-graded"),
    pytest.param(lambda d: d.case("hidden").update(callees={"softmax": "cases.py:relu_hidden"}),
                 ["functions.relu.cases.hidden.callees: 'softmax' is neither graded nor supplied"],
                 id="callee-neither-graded-nor-supplied"),
    pytest.param(threshold_on_two_outputs,
                 ["functions.relu.cases.hidden.threshold: a threshold judges one number; relu returns 2 values"],
                 id="threshold-on-two-outputs"),
    pytest.param(train_on_an_unlisted_file,
                 ["model_checks.tiny_model.train.file: 'other.h5' is not among job_files or private_files"],
                 id="train-file-not-listed"),
    pytest.param(model_check(test={"file": "test.h5", "X": "X", "Y": "Y"}),
                 ["model_checks.tiny_model.test.file: 'test.h5' is not among job_files or private_files"],
                 id="test-file-not-listed"),
    pytest.param(model_check(driver="train"),
                 ["model_checks.tiny_model.driver: supplied.py defines no function 'train'"], id="driver-not-supplied"),
    pytest.param(without_supplied,
                 ["model_checks.tiny_model.driver: the bundle has no supplied file to define 'gradebox_train_model'"],
                 id="no-supplied-file"),
    pytest.param(model_check(depends_on=["relu", "adam"]),
                 ["model_checks.tiny_model.depends_on: 'adam' is not a graded function of this bundle"],
                 id="depends-on-ungraded"),
    pytest.param(model_check(args="cases.py:train_args"),
                 ["model_checks.tiny_model.args: cases.py defines no function 'train_args'"], id="model-builder-unknown"),
    pytest.param(lambda d: d.mistake().update(edits=[["np.maximum", "np.minimum", 2]]),
                 ["mistakes.relu_min: edit 1 expects 2 of 'np.maximum' in the reference, found 1"],
                 id="edit-count-mismatch"),
    pytest.param(lambda d: d.mistake().update(edits=[["np.maximum", "np.minimum", 1], ["np.maximum", "np.fmax", 1]]),
                 ["mistakes.relu_min: edit 2 expects 1 of 'np.maximum' in the reference, found 0"],
                 id="edits-apply-in-turn"),
    pytest.param(lambda d: d.mistake().update(edits=[["rectified", "linear", 1]]),
                 ["mistakes.relu_min: edit 1 expects 1 of 'rectified' in the reference, found 0"],
                 id="edit-inside-the-removed-docstring"),
    pytest.param(lambda d: (d.mistake().pop("edits"), d.mistake().update(source="def rectify(Z):\n    return Z\n")),
                 ["mistakes.relu_min.source defines no function 'relu'"], id="source-without-the-function"),
    pytest.param(lambda d: (d.mistake().pop("edits"), d.mistake().update(source="def relu(Z:\n")),
                 ["mistakes.relu_min: syntax error on line 1"], id="source-syntax-error"),
    pytest.param(syntax_error("reference.py"), ["reference: reference.py: syntax error on line 4: "],
                 id="reference-syntax-error"),
    pytest.param(syntax_error("cases.py"), ["cases: cases.py: syntax error on line 4: "], id="cases-syntax-error"),
    pytest.param(lambda d: d.files.update({"mistakes.toml": "[[mistakes]\n"}),
                 ["mistakes: mistakes.toml cannot be read"], id="mistakes-not-toml"),
]


@pytest.mark.parametrize("tweak, expected", FILE_ERRORS)
def test_each_file_problem_is_reported_under_its_key(draft, tweak, expected):
    tweak(draft)
    if "mistakes.toml" in draft.files:
        draft.mistakes = None
    draft.rejects(*expected)


def test_a_missing_manifest_is_the_one_problem(tmp_path):
    with pytest.raises(BundleError) as raised:
        load_bundle(tmp_path)
    assert raised.value.errors == ["assignment.toml is missing"]


def test_a_manifest_that_is_not_toml_is_the_one_problem(tmp_path):
    (tmp_path / "assignment.toml").write_text('slug = "tiny\n')
    with pytest.raises(BundleError) as raised:
        load_bundle(tmp_path)
    (error,) = raised.value.errors
    assert error.startswith("assignment.toml cannot be read: ")


def test_every_problem_is_listed_at_once(draft):
    draft.manifest["grading"] = "strict"
    draft.manifest["job_files"] = ["helpers.py"]
    draft.case("published")["atol"] = -1.0
    draft.case("hidden")["stand_ins"] = ["softmax"]
    draft.mistake()["edits"] = [["np.maximum", "np.minimum", 3]]
    draft.files["cases.py"] = draft.files["cases.py"].replace("def relu_hidden", "def hidden_relu")
    errors = draft.rejects(
        "assignment.toml: unknown key 'grading'",
        "job_files: 'helpers.py': no such file",
        "functions.relu.cases.published.atol: must be at least 0",
        "functions.relu.cases.hidden.stand_ins: 'softmax' is not a graded function of this bundle",
        "mistakes.relu_min: edit 1 expects 3 of 'np.maximum' in the reference, found 1",
        "functions.relu.cases.hidden: cases.py defines no function 'relu_hidden'",
    )
    with pytest.raises(BundleError) as raised:
        load_bundle(draft.folder)
    assert str(raised.value).startswith(f"{draft.folder.resolve()}: 6 problem(s):\n  - ")
    assert all(f"  - {error}" in str(raised.value) for error in errors)


# The digest

def with_job_file_and_hdf5_case(draft):
    draft.add_file("job_files", "helpers.py", "SCALE = 2\n")
    draft.add_file("private_files", "held_out.h5", b"held out")
    draft.add_hdf5_case("inputs/x.h5")
    return draft


def replace_in(name, old, new):
    def tweak(d):
        assert old in d.files[name]
        d.files[name] = d.files[name].replace(old, new)
    return tweak


def move_to(where):
    def tweak(d):
        d.folder = d.folder.parent / where
    return tweak


def rename(old, new):
    return lambda d: d.rename(old, new)


SAME_DIGEST = [
    pytest.param(rename("reference.py", "ref_solution.py"), id="reference-renamed"),
    pytest.param(rename("reference.py", "../shared/relu.py"), id="reference-outside-the-folder"),
    pytest.param(rename("cases.py", "builders.py"), id="cases-renamed"),
    pytest.param(rename("inputs/x.h5", "data/relu_input.h5"), id="hdf5-input-renamed"),
    pytest.param(lambda d: d.manifest.update(mistakes="known_mistakes.toml"), id="mistakes-file-renamed"),
    pytest.param(move_to("elsewhere/deeper/tiny"), id="folder-moved"),
    pytest.param(lambda d: None, id="written-again"),
]

CHANGED_DIGEST = [
    pytest.param(replace_in("reference.py", "elementwise.", "elementwise!"), id="one-byte-of-the-reference"),
    pytest.param(replace_in("cases.py", "-1.0, 1.0, 6", "-1.0, 2.0, 6"), id="one-byte-of-cases"),
    pytest.param(lambda d: d.case("hidden").update(rtol=1e-6), id="a-case-rtol"),
    pytest.param(lambda d: d.case("published").update(args=[{"array": [[-1.0, 3.0]]}]), id="a-literal-argument"),
    pytest.param(lambda d: d.function().update(points=2), id="points"),
    pytest.param(lambda d: d.manifest.update(title="Another title"), id="title"),
    pytest.param(replace_in("helpers.py", "2", "3"), id="a-job-file-content"),
    pytest.param(lambda d: d.files.update({"held_out.h5": b"held out!"}), id="a-private-file-content"),
    pytest.param(lambda d: d.files.update({"inputs/x.h5": b"another file"}), id="an-hdf5-input-content"),
    pytest.param(rename("helpers.py", "utils.py"), id="a-job-file-name"),
    pytest.param(rename("held_out.h5", "test.h5"), id="a-private-file-name"),
    pytest.param(lambda d: d.mistake().update(hint="Use np.maximum."), id="a-mistake-hint"),
    pytest.param(lambda d: d.mistake().update(edits=[["0, Z", "Z, 0", 1]]), id="a-mistake-edit"),
    pytest.param(lambda d: d.mistake().update(key="relu_minimum"), id="a-mistake-key"),
]


@pytest.fixture
def base_digest(new_draft):
    return with_job_file_and_hdf5_case(new_draft("base/tiny")).load().digest


@pytest.mark.parametrize("tweak", SAME_DIGEST)
def test_the_digest_does_not_depend_on_file_names_or_the_folder(new_draft, base_digest, tweak):
    draft = with_job_file_and_hdf5_case(new_draft("other/tiny"))
    tweak(draft)
    assert draft.load().digest == base_digest


@pytest.mark.parametrize("tweak", CHANGED_DIGEST)
def test_the_digest_changes_with_any_content_and_with_job_file_names(new_draft, base_digest, tweak):
    draft = with_job_file_and_hdf5_case(new_draft("other/tiny"))
    tweak(draft)
    assert draft.load().digest != base_digest


def test_moving_a_written_folder_keeps_its_digest(draft, tmp_path):
    before = with_job_file_and_hdf5_case(draft).load()
    (tmp_path / "moved").mkdir()
    moved = shutil.move(draft.folder, tmp_path / "moved" / "bundle")
    after = load_bundle(moved)
    assert after.folder != before.folder
    assert after.digest == before.digest


def test_a_comment_in_mistakes_toml_leaves_the_digest_alone(draft):
    """Mistakes enter the digest as derived (key, function, hint, source), not as the file's bytes."""
    before = draft.load().digest
    draft.write()
    path = draft.folder / "mistakes.toml"
    path.write_text("# catalogued in week 3\n" + path.read_text())
    assert load_bundle(draft.folder).digest == before


def test_a_mistake_s_pattern_is_part_of_the_digest(draft):
    """A changed pattern gives other hints to the same uploads: a new version."""
    before = draft.load().digest
    draft.mistake()["pattern"] = {"call": "numpy.minimum"}
    with_pattern = draft.load().digest
    draft.mistake()["pattern"] = {"call": "numpy.minimum", "in_loop": True}
    assert len({before, with_pattern, draft.load().digest}) == 3


def test_an_explanation_is_part_of_the_digest(draft):
    before = draft.load().digest
    draft.function().setdefault("explanations", []).append(
        {"id": "kept", "term": "cases.py:relu_hidden", "factor": -1.0, "hint": "{keys} keeps the negative part."})
    explained = draft.load().digest
    draft.function()["explanations"][0]["factor"] = 1.0
    assert len({before, explained, draft.load().digest}) == 3
