"""The schema of assignment.toml and mistakes.toml (assignments/manifest.py): every problem named by its key.

Each test changes one thing in the minimal bundle of conftest.py's `draft` and
expects exactly the errors listed: the key's message, and nothing else.
"""
from __future__ import annotations

import pytest

from assignments import manifest as schema

UNKNOWN_CASE_KEY = "functions.relu.cases.hidden: unknown key 'hiden'"
NO_HIDDEN_CASE = "functions.relu: no hidden case (every function needs one"


@pytest.fixture
def bare(draft):
    """The draft without mistakes, so a function the schema drops leaves no mistake without its function."""
    draft.mistakes = None
    del draft.manifest["mistakes"]
    return draft


def misspell_hidden(d):
    del d.case("hidden")["hidden"]
    d.case("hidden")["hiden"] = True


def same_id(d):
    d.case("published")["id"] = "hidden"


MANIFEST_ERRORS = [
    pytest.param(lambda d: d.manifest.update(grading="strict"), ["assignment.toml: unknown key 'grading' (known: slug,"],
                 id="unknown-top-level-key"),
    pytest.param(lambda d: d.manifest.pop("title"), ["assignment.toml: 'title' is missing"], id="missing-title"),
    pytest.param(lambda d: d.manifest.pop("environment"), ["assignment.toml: 'environment' is missing"],
                 id="missing-environment"),
    pytest.param(lambda d: d.manifest.pop("reference"), ["assignment.toml: 'reference' is missing"],
                 id="missing-reference-key"),
    pytest.param(lambda d: d.manifest.pop("functions"),
                 ["assignment.toml: 'functions' is missing", "functions: the bundle grades no function"],
                 id="missing-functions"),
    pytest.param(lambda d: d.manifest.update(functions=[]), ["functions: the bundle grades no function"],
                 id="no-functions"),
    pytest.param(lambda d: d.manifest.update(functions=1), ["functions: must be a list of tables ([[functions]])"],
                 id="functions-not-a-list"),
    pytest.param(lambda d: d.manifest.update(model_checks=2),
                 ["model_checks: must be a list of tables ([[model_checks]])"], id="model-checks-not-a-list"),
    pytest.param(lambda d: d.manifest.update(job_files="helpers.py"), ["assignment.toml.job_files: must be a list"],
                 id="job-files-not-a-list"),
    pytest.param(lambda d: d.function().update(pts=1), ["functions.relu: unknown key 'pts'"], id="unknown-function-key"),
    pytest.param(lambda d: d.function().pop("points"), ["functions.relu: 'points' is missing"], id="missing-points"),
    pytest.param(lambda d: d.function().pop("outputs"), ["functions.relu: 'outputs' is missing"], id="missing-outputs"),
    pytest.param(lambda d: d.function().pop("cases"), ["functions.relu: 'cases' is missing"], id="missing-cases"),
    pytest.param(lambda d: d.function().pop("name"), ["functions[1]: 'name' is missing"], id="missing-name"),
    pytest.param(lambda d: d.function().update(name="re lu"), ["functions.re lu.name: must be a Python name"],
                 id="name-not-an-identifier"),
    pytest.param(lambda d: d.function().update(points=-1), ["functions.relu.points: must be at least 0"],
                 id="negative-points"),
    pytest.param(lambda d: d.function().update(wall_s=0), ["functions.relu.wall_s: must be greater than 0"],
                 id="zero-wall-time"),
    pytest.param(lambda d: d.function().update(cases=[]),
                 ["functions.relu.cases: a graded function needs at least one case"], id="empty-cases"),
    pytest.param(lambda d: d.manifest["functions"].append(dict(d.function())),
                 ["functions: function name: 'relu' appears more than once"], id="duplicate-function"),
    pytest.param(misspell_hidden, [UNKNOWN_CASE_KEY, NO_HIDDEN_CASE], id="misspelt-hiden"),
    pytest.param(lambda d: d.case("hidden").pop("args"), ["functions.relu.cases.hidden: 'args' is missing"],
                 id="missing-case-args"),
    pytest.param(lambda d: d.case("published").pop("id"), ["functions.relu.cases[1]: 'id' is missing"],
                 id="missing-case-id"),
    pytest.param(same_id, ["functions.relu.cases: case id: 'hidden' appears more than once"], id="duplicate-case-id"),
    pytest.param(lambda d: d.case("hidden").update(hidden=False), [NO_HIDDEN_CASE], id="no-hidden-case"),
    pytest.param(lambda d: d.case("hidden").update(hidden="yes"),
                 ["functions.relu.cases.hidden.hidden: must be true or false", NO_HIDDEN_CASE], id="hidden-not-a-bool"),
    pytest.param(lambda d: d.function().update(graph_outputs=True, graph_inputs={"Z": "constant"}),
                 ["functions.relu.graph_inputs: must be a table of parameter = 'placeholder' or 'variables'"],
                 id="graph-input-of-an-unknown-kind"),
    pytest.param(lambda d: d.case("hidden").update(rtol=-1e-5), ["functions.relu.cases.hidden.rtol: must be at least 0"],
                 id="negative-rtol"),
    pytest.param(lambda d: d.case("hidden").update(atol=-1e-8), ["functions.relu.cases.hidden.atol: must be at least 0"],
                 id="negative-atol"),
    pytest.param(lambda d: d.case("hidden").update(rtol="1e-5"), ["functions.relu.cases.hidden.rtol: must be a number"],
                 id="string-rtol"),
    pytest.param(lambda d: d.case("hidden").update(atol=float("nan")),
                 ["functions.relu.cases.hidden.atol: must be a number"], id="nan-atol"),
    pytest.param(lambda d: d.case("hidden").update(atol=True), ["functions.relu.cases.hidden.atol: must be a number"],
                 id="bool-atol"),
    pytest.param(lambda d: d.case("published").update(reveal="after_due"),
                 ["functions.relu.cases.published.reveal: only hidden cases take 'reveal'"], id="reveal-on-public-case"),
    pytest.param(lambda d: d.case("hidden").update(reveal="later"),
                 ["functions.relu.cases.hidden.reveal: must be one of 'now', 'after_due', 'never'"], id="unknown-reveal"),
    pytest.param(lambda d: d.case("hidden").update(args=3),
                 ["functions.relu.cases.hidden.args: must be a list of literal arguments"], id="args-a-number"),
    pytest.param(lambda d: d.case("hidden").update(stand_ins="relu"),
                 ["functions.relu.cases.hidden.stand_ins: must be a list of Python names"], id="stand-ins-not-a-list"),
    pytest.param(lambda d: d.case("hidden").update(callees={"relu": "relu_hidden"}),
                 ["functions.relu.cases.hidden.callees: relu = 'relu_hidden': must be callee = \"cases.py:NAME\""],
                 id="callee-not-in-cases-py"),
    pytest.param(lambda d: d.case("hidden").update(threshold={"op": "=", "value": 1e-7}),
                 ["functions.relu.cases.hidden.threshold: must be a table { op = one of >=, <=, >, <, value = a number }"],
                 id="threshold-unknown-op"),
    pytest.param(lambda d: d.case("hidden").update(threshold={"op": "<", "value": "2e-7"}),
                 ["functions.relu.cases.hidden.threshold: must be a table"], id="threshold-string-value"),
    pytest.param(lambda d: d.function().update(printing_only="print_msg"),
                 ["functions.relu.printing_only: must be a list of Python names"], id="printing-only-not-a-list"),
    pytest.param(lambda d: d.function().update(unused_arguments=["Z"]),
                 ['functions.relu.unused_arguments: must be a table of parameter = "why the right answer does not '
                  'depend on it"'], id="unused-arguments-without-reasons"),
    pytest.param(lambda d: d.function().update(unused_arguments={"Z": " "}),
                 ['functions.relu.unused_arguments: must be a table of parameter = "why'], id="unused-argument-blank-reason"),
]


def explain(**keys):
    """A tweak adding one explanation to relu; `keys` override the sound default."""
    entry = {"id": "negative_kept", "term": "cases.py:relu_hidden", "factor": -1.0,
             "hint": "{keys} keeps the negative values of Z."}
    return lambda d: d.function().setdefault("explanations", []).append({**entry, **keys})


EXPLANATION = "functions.relu.explanations.negative_kept"
EXPLANATION_ERRORS = [
    pytest.param(explain(term="relu_hidden"), [f'{EXPLANATION}.term: must be "cases.py:NAME"'], id="term-not-cases-py"),
    pytest.param(explain(term="cases.py:negative_part"),
                 [f"{EXPLANATION}.term: cases.py defines no function 'negative_part'"], id="term-not-defined"),
    pytest.param(explain(factor=0), [f"{EXPLANATION}.factor: must not be 0"], id="factor-zero"),
    pytest.param(explain(factor="-1"), [f"{EXPLANATION}.factor: must be a number"], id="factor-string"),
    pytest.param(explain(output="Z"), [f"{EXPLANATION}.output: 'Z' is not one of the outputs (A)"], id="unknown-output"),
    pytest.param(explain(hint="{key} keeps Z < 0."), [f"{EXPLANATION}.hint: may use {{keys}} and no other field"],
                 id="hint-with-another-field"),
    pytest.param(explain(hint="{keys"), [f"{EXPLANATION}.hint: may use {{keys}} and no other field"],
                 id="hint-unbalanced-brace"),
    pytest.param(explain(scale=2), [f"{EXPLANATION}: unknown key 'scale'"], id="unknown-explanation-key"),
    pytest.param(explain(id="two words"), ["functions.relu.explanations.two words.id: must be a Python name"],
                 id="id-not-a-name"),
    pytest.param(lambda d: (explain()(d), explain()(d)),
                 ["functions.relu.explanations: id: 'negative_kept' appears more than once"], id="duplicate-id"),
    pytest.param(lambda d: d.function().update(explanations={"id": "x"}),
                 ["functions.relu.explanations: must be a list of tables"], id="explanations-not-a-list"),
]


@pytest.mark.parametrize("tweak, expected", EXPLANATION_ERRORS)
def test_each_explanation_problem_is_reported_under_its_key(bare, tweak, expected):
    tweak(bare)
    bare.rejects(*expected)


def test_a_sound_explanation_loads_with_its_output_defaulting_to_the_only_one(bare):
    explain()(bare)
    [explanation] = bare.load().function("relu").explanations
    assert (explanation.id, explanation.term, explanation.output, explanation.factor) == \
        ("negative_kept", "relu_hidden", "A", -1.0)


@pytest.mark.parametrize("tweak, expected", MANIFEST_ERRORS)
def test_each_manifest_problem_is_reported_under_its_key(bare, tweak, expected):
    tweak(bare)
    bare.rejects(*expected)


@pytest.mark.parametrize("slug", ["Tiny", "tiny_bundle", "tiny bundle", "-tiny", "tiny-", "tiny--bundle", "", 3])
def test_a_slug_outside_a_z_0_9_and_single_dashes_is_rejected(bare, slug):
    bare.manifest["slug"] = slug
    bare.rejects("assignment.toml.slug: must match [a-z0-9-]+")


@pytest.mark.parametrize("slug", ["tiny", "softmax-batchnorm", "week-2-part-3", "c1w2"])
def test_a_well_formed_slug_is_kept(bare, slug):
    bare.manifest["slug"] = slug
    assert bare.load().slug == slug


@pytest.mark.parametrize("reveal", ["now", "after_due", "never"])
def test_a_hidden_case_takes_each_reveal(bare, reveal):
    bare.case("hidden")["reveal"] = reveal
    assert bare.load().function("relu").cases[1].reveal == reveal


# Model checks

def two_model_checks(d):
    d.manifest["model_checks"].append(dict(d.manifest["model_checks"][0]))


MODEL_CHECK_ERRORS = [
    pytest.param(lambda check: check.update(epochs=3), ["model_checks.tiny_model: unknown key 'epochs'"],
                 id="unknown-key"),
    pytest.param(lambda check: check.pop("driver"), ["model_checks.tiny_model: 'driver' is missing"], id="missing-driver"),
    pytest.param(lambda check: check.pop("train"), ["model_checks.tiny_model: 'train' is missing"], id="missing-train"),
    pytest.param(lambda check: check.update(activations=["relu"]),
                 ["model_checks.tiny_model.activations: 2 layers need 2 activations, not 1"], id="too-few-activations"),
    pytest.param(lambda check: check.update(activations=["relu", "relu", "sigmoid"]),
                 ["model_checks.tiny_model.activations: 2 layers need 2 activations, not 3"], id="too-many-activations"),
    pytest.param(lambda check: check.update(activations=["gelu", "sigmoid"]),
                 ["model_checks.tiny_model.activations: must be a list of relu, tanh, sigmoid, softmax, linear"],
                 id="unknown-activation"),
    pytest.param(lambda check: check.update(layers=[2]),
                 ["model_checks.tiny_model.layers: must list at least two positive layer sizes"], id="one-layer-size"),
    pytest.param(lambda check: check.update(layers=[2, 0, 1]),
                 ["model_checks.tiny_model.layers: must list at least two positive layer sizes"], id="zero-layer-size"),
    pytest.param(lambda check: check.update(kind="regressor"),
                 ["model_checks.tiny_model.kind: must be one of 'classifier'"], id="unknown-kind"),
    pytest.param(lambda check: check.update(train={"file": "train.h5", "X": "train_X"}),
                 ["model_checks.tiny_model.train: must be a table { file = \"...h5\", X = \"dataset\", Y = \"dataset\" }"],
                 id="train-without-Y"),
    pytest.param(lambda check: check["thresholds"][0].update(op="=>"),
                 ["model_checks.tiny_model.thresholds[1].op: must be one of '>=', '<=', '>', '<'"], id="unknown-op"),
    pytest.param(lambda check: check["thresholds"][0].update(metric="accuracy"),
                 ["model_checks.tiny_model.thresholds[1].metric: must be one of 'train_accuracy', 'test_accuracy'"],
                 id="unknown-metric"),
    pytest.param(lambda check: check["thresholds"][0].pop("value"),
                 ["model_checks.tiny_model.thresholds[1]: 'value' is missing"], id="threshold-without-value"),
    pytest.param(lambda check: check.update(thresholds="train_accuracy >= 0.5"),
                 ["model_checks.tiny_model.thresholds: must be a list of tables"], id="thresholds-not-a-list"),
    pytest.param(lambda check: check.update(thresholds={"metric": "train_accuracy", "op": ">=", "value": 0.5}),
                 ["model_checks.tiny_model.thresholds: must be a list of tables"], id="thresholds-a-single-table"),
]


@pytest.mark.parametrize("tweak, expected", MODEL_CHECK_ERRORS)
def test_each_model_check_problem_is_reported_under_its_key(bare, tweak, expected):
    tweak(bare.add_model_check())
    bare.rejects(*expected)


def test_two_model_checks_with_one_id_are_rejected(bare):
    bare.add_model_check()
    two_model_checks(bare)
    bare.rejects("model_checks: id: 'tiny_model' appears more than once")


# mistakes.toml

def both_edits_and_source(d):
    d.mistake()["source"] = "def relu(Z):\n    return Z\n"


def duplicate_mistake(d):
    d.mistakes["mistakes"].append(dict(d.mistake()))


MISTAKE_ERRORS = [
    pytest.param(both_edits_and_source, ["mistakes.relu_min: give either 'edits' or 'source'"], id="edits-and-source"),
    pytest.param(lambda d: d.mistake().pop("edits"), ["mistakes.relu_min: give either 'edits' or 'source'"],
                 id="neither-edits-nor-source"),
    pytest.param(lambda d: d.mistake().update(function="softmax"),
                 ["mistakes.relu_min.function: 'softmax' is not a graded function of this bundle"], id="unknown-function"),
    pytest.param(lambda d: d.mistake().update(edits=[["np.maximum", "np.minimum", 0]]),
                 ["mistakes.relu_min.edits: must be a non-empty list of [old, new, count] with count a positive integer"],
                 id="zero-count"),
    pytest.param(lambda d: d.mistake().update(edits=[["np.maximum", "np.minimum"]]),
                 ["mistakes.relu_min.edits: must be a non-empty list of [old, new, count]"], id="edit-without-count"),
    pytest.param(lambda d: d.mistake().update(edits=[]),
                 ["mistakes.relu_min.edits: must be a non-empty list of [old, new, count]"], id="no-edits"),
    pytest.param(lambda d: d.mistake().update(edits=[["", "x", 1]]),
                 ["mistakes.relu_min.edits: must be a non-empty list of [old, new, count]"], id="empty-old-text"),
    pytest.param(lambda d: d.mistake().pop("hint"), ["mistakes.relu_min: 'hint' is missing"], id="missing-hint"),
    pytest.param(lambda d: d.mistake().update(hnt="x"), ["mistakes.relu_min: unknown key 'hnt'"], id="unknown-key"),
    pytest.param(duplicate_mistake, ["mistakes: key: 'relu_min' appears more than once"], id="duplicate-key"),
    pytest.param(lambda d: d.mistakes.update(key="loose"),
                 ["mistakes.toml: unknown key(s) key; entries go under [[mistakes]]"], id="entry-outside-mistakes"),
    pytest.param(lambda d: d.mistake().update(pattern={"args": [3]}), ["mistakes.relu_min.pattern: 'call' is missing"],
                 id="pattern-without-call"),
    pytest.param(lambda d: d.mistake().update(pattern={"call": "numpy.random.seed", "args": 3}),
                 ["mistakes.relu_min.pattern.args: must be a list of numbers, strings or booleans"], id="pattern-args-not-a-list"),
    pytest.param(lambda d: d.mistake().update(pattern={"call": "numpy.random.seed", "absent": True, "in_loop": True}),
                 ["mistakes.relu_min.pattern: an absent call has no place"], id="pattern-absent-in-loop"),
    pytest.param(lambda d: d.mistake().update(pattern={"call": "max", "inside": "loop"}),
                 ["mistakes.relu_min.pattern: unknown key 'inside'"], id="pattern-unknown-key"),
    pytest.param(lambda d: d.mistake().update(pattern={"call": "np.random seed"}),
                 ["mistakes.relu_min.pattern.call: must be a name or glob"], id="pattern-call-with-a-space"),
    pytest.param(lambda d: d.mistake().update(pattern="max"), ["mistakes.relu_min.pattern: must be a table"],
                 id="pattern-not-a-table"),
]


@pytest.mark.parametrize("tweak, expected", MISTAKE_ERRORS)
def test_each_mistake_problem_is_reported_under_its_key(draft, tweak, expected):
    tweak(draft)
    draft.rejects(*expected)


def test_a_mistake_with_a_pattern_loads_it(draft):
    draft.mistake()["pattern"] = {"call": "numpy.random.*", "stored_in": "b*"}
    [mistake] = draft.load().mistakes
    assert (mistake.pattern.call, mistake.pattern.stored_in, mistake.pattern.args, mistake.pattern.absent) == \
        ("numpy.random.*", "b*", None, False)


# check() on its own

def test_check_keeps_only_the_sound_entries_and_reports_the_rest():
    cases = [{"id": "a", "args": [], "hidden": True}, {"id": "b", "args": [], "rtol": -1}]
    manifest = {"slug": "s", "title": "T", "environment": "numpy", "reference": "r.py", "stray": 1,
                "functions": [{"name": "f", "points": 1, "outputs": ["y"], "cases": cases},
                              {"name": "g", "points": "one", "outputs": ["y"], "cases": cases}]}
    errors: list[str] = []
    checked = schema.check(manifest, errors)
    assert [f["name"] for f in checked["functions"]] == ["f"]
    assert [c["id"] for c in checked["functions"][0]["cases"]] == ["a"]
    assert "stray" not in checked
    assert checked["model_checks"] == []
    assert errors == [
        "assignment.toml: unknown key 'stray' (known: " + ", ".join(schema.TOP) + ")",
        "functions.f.cases.b.rtol: must be at least 0",
        "functions.g.points: must be a number",
        "functions.g.cases.b.rtol: must be at least 0",
    ]
