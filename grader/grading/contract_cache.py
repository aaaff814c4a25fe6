"""The contract's verdict on a bundle version, kept per (digest, sandbox image, grading code): a version is
checked once however many commands ask (publishing, `validate_assignment` on the loaded version and on its
folder), and again whenever the bundle, the image or the code that grades it changes.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
from pathlib import Path

from assignments.bundle import Bundle
from grader.grading.contract import ContractResult, check_contract

ROOT = Path(__file__).resolve().parents[2]
CODE_DIRS = ("assignments", "grader/grading", "sandbox", "sandbox/backends")


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """sha256 over the code that loads, runs and judges bundles: any change to it checks every bundle again."""
    digest = hashlib.sha256()
    for directory in CODE_DIRS:
        for path in sorted((ROOT / directory).glob("*.py")):
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def cached_contract(bundle: Bundle, grader, fresh: bool = False) -> tuple[ContractResult, bool]:
    """(check_contract(bundle, grader), False), or (its stored result for the same bundle, image and code, True);
    fresh=True always checks (and stores the new result).

    Only a verdict that holds is kept: a failing one is checked again next time, since a check can fail for
    a reason of the moment (a case timing out on a machine under load) as well as for the bundle's own.
    """
    backend = grader.backend_for(bundle.environment)
    key = "-".join([bundle.slug, bundle.digest[:16], str(getattr(backend, "image_id", "")).replace(":", "_")[-40:],
                    "models" if grader.model_checks else "functions", code_digest()])
    path = Path(grader.cache_dir) / "contract" / f"{key}.json"
    if not fresh:
        try:
            return ContractResult([tuple(row) for row in json.loads(path.read_text())["rows"]]), True
        except (OSError, ValueError, KeyError, TypeError):
            pass
    result = check_contract(bundle, grader)
    if not result.ok:
        path.unlink(missing_ok=True)
        return result, False
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.partial")
    partial.write_text(json.dumps({"rows": result.rows}))
    os.replace(partial, path)
    return result, False
