"""Small bundle folders written by tests: valid by default, each test changing one thing."""
from __future__ import annotations

from pathlib import Path

MANIFEST = '''slug = "{slug}"
title = "Activation functions"
environment = "numpy"
reference = "reference.py"
cases = "cases.py"
supplied = "supplied.py"
mistakes = "mistakes.toml"
job_files = ["act_utils.py"]

[[functions]]
name = "relu"
points = 1
outputs = ["A"]

  [[functions.cases]]
  id = "published"
  args = [{{ array = [[-1.0, 0.0, 2.0]] }}]

  [[functions.cases]]
  id = "hidden_wide"
  args = "cases.py:wide"
  hidden = true

[[functions]]
name = "leaky_relu"
points = 2
outputs = ["A"]

  [[functions.cases]]
  id = "published"
  args = [{{ array = [[-1.0, 0.5]] }}, 0.1]

  [[functions.cases]]
  id = "hidden_slope"
  args = "cases.py:slope"
  hidden = true
'''
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
        "assignment.toml": MANIFEST.format(slug=slug),
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
