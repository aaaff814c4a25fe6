"""An assignment's starter kit: a zip a student unpacks on a laptop or on Colab to work and check locally.

`<slug>-starter-kit/` holds the starter notebook, the course's helper
modules and training data it loads (the bundle's job files; never its
private files), `gradebox_check.py` (grader/grading/kit_check.py) and a
`gradebox/` folder with the grader's own modules it runs on (copied from
this code base when the kit is built, never kept by hand) and the published
cases: their arguments and the reference's outputs, as the wire format's
JSON tree plus an .npz. Hidden cases, the reference, the mistake catalogue
and held-out data never enter the kit.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from pathlib import Path

import h5py
import numpy as np

from assignments.bundle import Bundle
from assignments.source import callee_module
from grader.grading.inputs import FUNCTIONS, prepare_inputs
from grader.grading import kit_check
from grader.grading.kit_check import CASES_JSON, CASES_NPZ
from grader.grading.supplied import given_chunks
from sandbox.wire import decode, encode

ROOT = Path(__file__).resolve().parents[2]
# The grader's modules the local check runs on: code base path -> path inside the kit's gradebox/ folder.
PLATFORM_MODULES = (
    "sandbox/__init__.py", "sandbox/channel.py", "sandbox/wire.py", "sandbox/reading.py",
    "sandbox/extraction.py", "sandbox/source_patterns.py",
    "grader/grading/__init__.py", "grader/grading/compare.py", "grader/grading/messages.py",
    "grader/grading/checks.py",
)
# grader/__init__.py starts the Celery app; the kit needs only the package.
GRADER_PACKAGE = '"""The grader\'s modules the local check uses (copied from Gradebox)."""\n'
CHECK_NAME = "gradebox_check.py"


def kit_name(bundle: Bundle) -> str:
    return f"{bundle.slug}-starter-kit.zip"


def published_cases(bundle: Bundle, grader) -> tuple[dict, dict[str, np.ndarray]]:
    """The document and arrays of `gradebox/published.json` / `.npz`: every published case of every graded
    function with its arguments and the reference's output (or its threshold). Inputs and expected outputs
    come from the version's caches (sandbox runs of cases.py and of the reference)."""
    prepared = prepare_inputs(bundle, grader, FUNCTIONS)
    expected = grader.expected_for(bundle)
    arrays: dict[str, np.ndarray] = {}
    functions, callees = [], set()
    with h5py.File(prepared.inputs_path, "r") as inputs:
        for f_index, graded in enumerate(bundle.functions):
            entry = next(e for e in prepared.functions if e["name"] == graded.name)
            job_cases = {case["id"]: case for case in entry["cases"]}
            cases = []
            for c_index, case in enumerate(c for c in graded.cases if not c.hidden):
                prefix = f"f{f_index}/c{c_index}"
                args = decode(job_cases[case.id]["args"], inputs)
                document = {"id": case.id, "args": encode(args, arrays, prefix=f"{prefix}/args"),
                            "rtol": case.rtol, "atol": case.atol, "description": case.description}
                if case.threshold is not None:
                    document["threshold"] = list(case.threshold)
                else:
                    document["expected"] = encode(expected.outputs[graded.name][case.id], arrays,
                                                  prefix=f"{prefix}/expected")
                if case.callees:  # the notebook's own given callees (a deliberately wrong backward pass)
                    document["callees"] = dict(case.callees)
                    callees.update(target for _, target in case.callees)
                cases.append(document)
            functions.append({"name": graded.name, "outputs": list(graded.outputs), "cases": cases})
    callee_source = ""
    if callees:
        callee_source = callee_module(bundle.text("cases"), sorted(callees), "cases")
    document = {
        "assignment": bundle.slug, "title": bundle.title, "notebook": f"{bundle.slug}.ipynb",
        "helper_modules": list(bundle.job_module_names), "functions": functions,
        "given": [list(chunk) for chunk in given_chunks(bundle.text("supplied"))],
        "callee_source": callee_source,
    }
    return document, arrays


def starter_kit(bundle: Bundle, grader) -> bytes:
    """The kit as zip bytes (see the module's docstring). Raises KeyError when the bundle has no starter."""
    starter = bundle.files["starter"]
    document, arrays = published_cases(bundle, grader)
    npz = io.BytesIO()
    np.savez_compressed(npz, **arrays)
    top = f"{bundle.slug}-starter-kit/"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as kit:
        kit.writestr(top + document["notebook"], starter.read_bytes())
        kit.writestr(top + "README.txt", f"{bundle.title}: starter kit\n\n{kit_check.__doc__}")
        for path in bundle.job_files:
            kit.write(path, top + path.name)
        kit.write(ROOT / "grader/grading/kit_check.py", top + CHECK_NAME)
        for module in PLATFORM_MODULES:
            kit.write(ROOT / module, top + "gradebox/" + module)
        kit.writestr(top + "gradebox/grader/__init__.py", GRADER_PACKAGE)
        kit.writestr(top + "gradebox/" + CASES_JSON, json.dumps(document, indent=1))
        kit.writestr(top + "gradebox/" + CASES_NPZ, npz.getvalue())
    return buffer.getvalue()


def cached_starter_kit(bundle: Bundle, grader) -> Path:
    """The kit's zip file under the grader's cache, built once per bundle version, sandbox image and version of the
    grader's shipped modules (a new comparison or message wording makes a new kit)."""
    backend = grader.backend_for(bundle.environment)
    code = hashlib.sha256()
    for module in (*PLATFORM_MODULES, "grader/grading/kit_check.py", "grader/grading/kit.py"):
        code.update((ROOT / module).read_bytes())
    key = hashlib.sha256(json.dumps([bundle.digest, getattr(backend, "image_id", ""), code.hexdigest()]).encode())
    path = Path(grader.cache_dir) / "kits" / f"{bundle.slug}-{key.hexdigest()[:20]}.zip"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.partial")
        partial.write_bytes(starter_kit(bundle, grader))
        os.replace(partial, path)
    return path
