"""Small bundle folders written by tests: valid by default, each test changing one thing."""
from __future__ import annotations

from pathlib import Path

import tomli_w

def manifest(slug: str = "activations", functions: list | None = None, **keys) -> str:
    """assignment.toml text: the two activation functions unless `functions` is given; `keys` override the top."""
    top = {"slug": slug, "title": "Activation functions", "environment": "numpy", "reference": "reference.py",
           "cases": "cases.py", "supplied": "supplied.py", "mistakes": "mistakes.toml", "job_files": ["act_utils.py"]}
    top = {key: value for key, value in {**top, **keys}.items() if value is not None}
    return tomli_w.dumps({**top, "functions": functions if functions is not None else activations()})


def function(name: str, points: float, public_args, hidden_args, **hidden) -> dict:
    """A graded function with one public and one hidden case; `hidden` adds keys to the hidden case."""
    return {"name": name, "points": points, "outputs": ["A"], "cases": [
        {"id": "published", "args": public_args},
        {"id": "hidden", "args": hidden_args, "hidden": True, **hidden}]}


def activations(relu: dict | None = None, leaky_relu: dict | None = None) -> list[dict]:
    """relu and leaky_relu; the dicts add keys to their hidden cases (e.g. reveal = "after_due")."""
    return [function("relu", 1, [{"array": [[-1.0, 0.0, 2.0]]}], "cases.py:wide", **(relu or {})),
            function("leaky_relu", 2, [{"array": [[-1.0, 0.5]]}, 0.1], "cases.py:slope", **(leaky_relu or {}))]


REFERENCE = '''{prefix}import numpy as np


def relu(Z):
    """max(0, Z) elementwise."""
    return np.maximum(0, Z)


def leaky_relu(Z, slope):
    """Z where positive, slope * Z elsewhere."""
    return np.where(Z > 0, Z, slope * Z)
'''
CASES = '''{prefix}import numpy as np

import act_utils


def wide():
    return (act_utils.grid(3, 7),)


def slope():
    return (act_utils.grid(2, 5), 0.3)
'''
UTILS = '''{prefix}import numpy as np


def grid(rows, columns):
    return np.linspace(-2.0, 2.0, rows * columns).reshape(rows, columns)
'''
SUPPLIED = '''{prefix}import numpy as np
'''
MISTAKES = '''[[mistakes]]
key = "relu_minimum"
function = "relu"
hint = "relu keeps the positive part: np.maximum(0, Z), not np.minimum."
edits = [["np.maximum", "np.minimum", 1]]

[[mistakes]]
key = "leaky_slope_ignored"
function = "leaky_relu"
hint = "Multiply the negative part by slope."
source = \'\'\'
def leaky_relu(Z, slope):
{prefix}    return np.where(Z > 0, Z, 0.01 * Z)
\'\'\'
'''


def canary_code(path: Path, label: str, indent: str = "") -> str:
    """Python that leaves a file at `path` (a host path) whenever it runs; inside the sandbox it cannot reach it."""
    return (f"{indent}try:\n{indent}    open({str(path)!r}, 'a').write({label!r} + '\\n')\n"
            f"{indent}except OSError:\n{indent}    pass\n")


def write_bundle(folder: Path, slug: str = "activations", canary: Path | None = None, **replace: str) -> Path:
    """A two-function bundle; with `canary`, every Python file (and the full-source mistake) writes to it when run."""
    folder.mkdir(parents=True, exist_ok=True)

    def prefix(label, indent=""):
        return canary_code(canary, label, indent) if canary else ""

    files = {
        "assignment.toml": manifest(slug),
        "reference.py": REFERENCE.format(prefix=prefix("reference")),
        "cases.py": CASES.format(prefix=prefix("cases")),
        "act_utils.py": UTILS.format(prefix=prefix("job file")),
        "supplied.py": SUPPLIED.format(prefix=prefix("supplied")),
        "mistakes.toml": MISTAKES.format(prefix=prefix("mistake", "    ")),
    }
    files.update(replace)
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


CORRECT = b"import numpy as np\n\ndef relu(Z):\n    return np.maximum(Z, 0)\n\ndef leaky_relu(Z, slope):\n    return np.maximum(Z, slope * Z)\n"
