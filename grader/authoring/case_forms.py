"""Graded functions and their cases in forms: each writes the manifest's own keys (docs/bundles.md).

The forms keep every key they do not show (stand_ins, callees, thresholds,
explanations, printing_only): a bundle edited here exports and loads back like
a folder, and a default value is written only where the manifest already had it.
"""
from __future__ import annotations

import re

from django import forms

from grader.authoring import drafts
from grader.authoring.case_args import BadArguments, hdf5_args_problem, hdf5_layout, parse_literal, to_toml

NAMES = re.compile(r"[\s,]+")
DEFAULT_RTOL, DEFAULT_ATOL = 1e-5, 1e-8


def names(text: str) -> list[str]:
    return [n for n in NAMES.split(text.strip()) if n]


def _number(value: float):
    """1.0 is stored as 1, so the TOML reads as a person would write it."""
    return int(value) if float(value).is_integer() else value


def _keep(entry: dict, key: str, value, default=None) -> None:
    """Sets a manifest key; a default value is written only where the key already held it (empty: remove it)."""
    if value is None or value == "" or (value == default and entry.get(key) != value):
        entry.pop(key, None)
    else:
        entry[key] = value


class FunctionForm(forms.Form):
    """A graded function's own keys: name, points, outputs, description and its time limit."""

    name = forms.CharField(max_length=100, help_text="The course's name of the function, e.g. initialize_parameters_he.")
    points = forms.FloatField(min_value=0)
    outputs = forms.CharField(max_length=300, help_text="Names of the returned values, in order, e.g. parameters, v, s.")
    description = forms.CharField(required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text="What the function computes (optional).")
    wall_s = forms.FloatField(required=False, min_value=0.1, label="Time limit (s)", help_text="Empty: 5 s.")

    def __init__(self, *args, others=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.others = set(others)

    @classmethod
    def initial_of(cls, entry: dict) -> dict:
        return {"name": entry.get("name"), "points": entry.get("points"),
                "outputs": ", ".join(entry.get("outputs", [])), "description": entry.get("description", ""),
                "wall_s": entry.get("wall_s")}

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name.isidentifier():
            raise forms.ValidationError("A function name is a Python name (letters, digits, underscores).")
        if name in self.others:
            raise forms.ValidationError("The bundle already grades a function of this name.")
        return name

    def clean_outputs(self):
        outputs = names(self.cleaned_data["outputs"])
        bad = [n for n in outputs if not n.isidentifier()]
        if not outputs or bad:
            raise forms.ValidationError("Give the returned values' names, separated by commas" +
                                        (f" ({', '.join(bad)} is not a Python name)." if bad else "."))
        if len(set(outputs)) != len(outputs):
            raise forms.ValidationError("Each output needs its own name.")
        return outputs

    def apply(self, manifest: dict, old_name: str | None) -> str:
        """Writes the function into the manifest (a new one at the end); a rename follows into stand_ins,
        callees and model checks' depends_on. Returns the function's name."""
        data = self.cleaned_data
        functions = manifest.setdefault("functions", [])
        entry = next((f for f in functions if f.get("name") == old_name), None) if old_name else None
        if entry is None:
            if old_name:
                raise drafts.EditRefused(f"the draft has no function {old_name!r} any more")
            entry = {"name": data["name"]}
            functions.append(entry)
        entry["name"] = data["name"]
        entry["points"] = _number(data["points"])
        entry["outputs"] = data["outputs"]
        _keep(entry, "description", data["description"].strip())
        _keep(entry, "wall_s", None if data["wall_s"] is None else _number(data["wall_s"]))
        entry.setdefault("cases", [])
        if old_name and old_name != data["name"]:
            _rename_callee(manifest, old_name, data["name"])
        return data["name"]


def _rename_callee(manifest: dict, old: str, new: str) -> None:
    for function in manifest.get("functions", []):
        for case in function.get("cases", []):
            if isinstance(case.get("stand_ins"), list):
                case["stand_ins"] = [new if n == old else n for n in case["stand_ins"]]
            if isinstance(case.get("callees"), dict) and old in case["callees"]:
                case["callees"] = {new if k == old else k: v for k, v in case["callees"].items()}
    for check in manifest.get("model_checks", []):
        if isinstance(check.get("depends_on"), list):
            check["depends_on"] = [new if n == old else n for n in check["depends_on"]]


class CaseForm(forms.Form):
    """One case: its id, arguments (literal, a cases.py builder, or an HDF5 file), visibility and tolerances."""

    VISIBILITY = [
        ("visible", "Visible: students see its inputs, expected values and verdict"),
        ("hidden", "Hidden: its verdict counts and shows at once; inputs and values never"),
        ("after_due", "Hidden, verdict revealed after the due date (reveal = \"after_due\")"),
        ("never", "Always hidden: its verdict never shows (reveal = \"never\")"),
    ]
    KINDS = [("literal", "Literal values"), ("builder", "A builder in cases.py"), ("hdf5", "An HDF5 file")]

    id = forms.CharField(max_length=100, label="Case id", help_text="Unique within the function, e.g. published.")
    description = forms.CharField(required=False, max_length=500)
    visibility = forms.ChoiceField(choices=VISIBILITY, widget=forms.RadioSelect, initial="hidden")
    kind = forms.ChoiceField(choices=KINDS, widget=forms.RadioSelect, label="Arguments", initial="literal")
    literal = forms.CharField(required=False, strip=False, label="Literal arguments (a TOML array)",
                              widget=forms.Textarea(attrs={"rows": 4, "cols": 100, "spellcheck": "false"}),
                              help_text="e.g. [{ array = [[-1.0, 0.0, 2.0]] }, 0.1]: a table with `array` (and "
                                        "optional `dtype`) is a NumPy array, any other table a dict.")
    builder = forms.CharField(required=False, max_length=100, label="Builder in cases.py",
                              help_text="A zero-argument function of cases.py returning the argument tuple; it runs "
                                        "only in the sandbox.")
    hdf5_file = forms.ChoiceField(required=False, label="HDF5 file of the bundle")
    hdf5_upload = forms.FileField(required=False, label="Or upload an HDF5 file",
                                  help_text="Datasets or groups arg0, arg1, ... (a group is a dict of its members).")
    rtol = forms.FloatField(required=False, min_value=0, label="rtol", help_text="Empty: 1e-5.")
    atol = forms.FloatField(required=False, min_value=0, label="atol", help_text="Empty: 1e-8.")

    def __init__(self, *args, others=(), inputs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.others = set(others)
        self.fields["hdf5_file"].choices = [("", "-")] + [(name, name) for name in inputs]

    @classmethod
    def initial_of(cls, case: dict) -> dict:
        args = case.get("args")
        initial = {"id": case.get("id"), "description": case.get("description", ""), "rtol": case.get("rtol"),
                   "atol": case.get("atol")}
        if not case.get("hidden"):
            initial["visibility"] = "visible"
        else:
            initial["visibility"] = {"after_due": "after_due", "never": "never"}.get(case.get("reveal"), "hidden")
        if isinstance(args, list):
            initial.update(kind="literal", literal=to_toml(args))
        elif isinstance(args, str) and args.startswith("cases.py:"):
            initial.update(kind="builder", builder=args.split(":", 1)[1])
        elif isinstance(args, str):
            initial.update(kind="hdf5", hdf5_file=args)
        return initial

    def clean_id(self):
        case_id = self.cleaned_data["id"].strip()
        if "/" in case_id or not case_id:
            raise forms.ValidationError("A case id has no '/' (it is part of the page's address).")
        if case_id in self.others:
            raise forms.ValidationError("The function already has a case with this id.")
        return case_id

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == "literal":
            try:
                data["args"] = parse_literal(data.get("literal") or "")
            except BadArguments as error:
                self.add_error("literal", str(error))
        elif kind == "builder":
            name = (data.get("builder") or "").strip()
            if not name.isidentifier():
                self.add_error("builder", "Name a function of cases.py (a Python name).")
            data["args"] = f"cases.py:{name}"
        elif kind == "hdf5":
            upload = data.get("hdf5_upload")
            if upload is not None:
                data["hdf5_data"] = upload.read()
                try:
                    problem = hdf5_args_problem(hdf5_layout(data["hdf5_data"]))
                except ValueError as error:
                    problem = str(error)
                if problem:
                    self.add_error("hdf5_upload", problem)
            elif not data.get("hdf5_file"):
                self.add_error("hdf5_file", "Choose an HDF5 file of the bundle or upload one.")
            data["args"] = data.get("hdf5_file")
        return data

    def apply(self, manifest: dict, function: str, old_id: str | None, hdf5_name: str | None = None) -> str:
        """Writes the case into the function's cases (a new one at the end); keys the form does not show stay."""
        data = self.cleaned_data
        entry = next((f for f in manifest.get("functions", []) if f.get("name") == function), None)
        if entry is None:
            raise drafts.EditRefused(f"the draft has no function {function!r} any more")
        cases = entry.setdefault("cases", [])
        case = next((c for c in cases if c.get("id") == old_id), None) if old_id else None
        if case is None:
            if old_id:
                raise drafts.EditRefused(f"{function} has no case {old_id!r} any more")
            case = {}
            cases.append(case)
        case["id"] = data["id"]
        case["args"] = hdf5_name if data["kind"] == "hdf5" and hdf5_name else data["args"]
        visibility = data["visibility"]
        if visibility == "visible":
            case.pop("hidden", None)
            case.pop("reveal", None)
        else:
            case["hidden"] = True
            _keep(case, "reveal", {"hidden": "now"}.get(visibility, visibility), default="now")
        _keep(case, "rtol", data["rtol"], default=DEFAULT_RTOL)
        _keep(case, "atol", data["atol"], default=DEFAULT_ATOL)
        _keep(case, "description", data["description"])
        return data["id"]


def remove_function(manifest: dict, name: str) -> None:
    functions = manifest.get("functions", [])
    if not any(f.get("name") == name for f in functions):
        raise drafts.EditRefused(f"the draft has no function {name!r}")
    manifest["functions"] = [f for f in functions if f.get("name") != name]


def remove_case(manifest: dict, function: str, case_id: str) -> None:
    entry = next((f for f in manifest.get("functions", []) if f.get("name") == function), None)
    if entry is None or not any(c.get("id") == case_id for c in entry.get("cases", [])):
        raise drafts.EditRefused(f"the draft has no case {function}/{case_id}")
    entry["cases"] = [c for c in entry["cases"] if c.get("id") != case_id]
