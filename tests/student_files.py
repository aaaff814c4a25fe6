"""Student uploads built from the reference solution: a correct notebook, and variants with one change."""
from __future__ import annotations

import json
from functools import lru_cache

import nbformat

from assignments import bundle_folders
from assignments.bundle import Bundle, load_bundle
from assignments.source import def_source

IMPORTS = """import numpy as np
import matplotlib.pyplot as plt
import scipy.io
import math
import sklearn
import sklearn.datasets

from opt_utils import load_params_and_grads, initialize_parameters, forward_propagation, backward_propagation
from opt_utils import compute_cost, predict, predict_dec, plot_decision_boundary, load_dataset
from testCases import *

%matplotlib inline
plt.rcParams['figure.figsize'] = (7.0, 4.0)"""


@lru_cache(maxsize=None)
def get_bundle(slug: str) -> Bundle:
    return load_bundle(bundle_folders()[slug])


def reference_functions(slug: str) -> dict[str, str]:
    bundle = get_bundle(slug)
    return {f.name: def_source(bundle.text("reference"), f.name) for f in bundle.functions}


def imports_cell(slug: str) -> str:
    if slug == "optimization":
        return IMPORTS
    helpers = get_bundle(slug).job_module_names
    lines = ["import numpy as np", "import matplotlib.pyplot as plt", "import sklearn", "import sklearn.datasets"]
    return "\n".join(lines + [f"from {h} import *" for h in helpers] + ["", "%matplotlib inline"])


def notebook(slug: str = "optimization", replace: dict[str, str | None] | None = None, extra_cells: list[str] = ()) -> bytes:
    """The reference as a student's notebook: magics, prints, a training loop; `replace` swaps or drops defs."""
    replace = replace or {}
    cells = [nbformat.v4.new_markdown_cell(f"# {get_bundle(slug).title}"), nbformat.v4.new_code_cell(imports_cell(slug))]
    for name, source in reference_functions(slug).items():
        if name in replace:
            source = replace[name]
            if source is None:
                continue
        cells.append(nbformat.v4.new_code_cell(f"# GRADED FUNCTION: {name}\n\n{source}"))
        cells.append(nbformat.v4.new_code_cell(f'print("testing {name}")\nresult = None'))
    cells.extend(nbformat.v4.new_code_cell(text) for text in extra_cells)
    cells.append(nbformat.v4.new_code_cell(
        "train_X, train_Y = load_dataset()\nfor i in range(10000):\n    print(i)\nplt.show()"
    ))
    return nbformat.writes(nbformat.v4.new_notebook(cells=cells)).encode()


def python_file(slug: str = "optimization", replace: dict[str, str | None] | None = None, header: str = "import numpy as np\nimport math\n") -> bytes:
    replace = replace or {}
    parts = [header]
    for name, source in reference_functions(slug).items():
        source = replace.get(name, source)
        if source is not None:
            parts.append(f"# GRADED FUNCTION: {name}\n{source}")
    return "\n\n".join(parts).encode()


ADAM_WITHOUT_BIAS_CORRECTION = '''
def update_parameters_with_adam(parameters, grads, v, s, t, learning_rate=0.01,
                                beta1=0.9, beta2=0.999, epsilon=1e-8):
    L = len(parameters) // 2
    for l in range(L):
        for name in ("dW" + str(l + 1), "db" + str(l + 1)):
            v[name] = beta1 * v[name] + (1 - beta1) * grads[name]
            s[name] = beta2 * s[name] + (1 - beta2) * grads[name] ** 2
        parameters["W" + str(l + 1)] -= learning_rate * v["dW" + str(l + 1)] / (np.sqrt(s["dW" + str(l + 1)]) + epsilon)
        parameters["b" + str(l + 1)] -= learning_rate * v["db" + str(l + 1)] / (np.sqrt(s["db" + str(l + 1)]) + epsilon)
    return parameters, v, s
'''

GD_RAISES = '''
def update_parameters_with_gd(parameters, grads, learning_rate):
    L = len(parameters) // 2
    for l in range(L):
        parameters["W" + str(l + 1)] = parameters["W" + str(l + 1)] - learning_rate * grads["dw" + str(l + 1)]
    return parameters
'''

VELOCITY_USES_GLOBAL = '''
def initialize_velocity(parameters):
    v = {}
    for l in range(num_layers):
        v["dW" + str(l + 1)] = np.zeros(parameters["W" + str(l + 1)].shape)
        v["db" + str(l + 1)] = np.zeros(parameters["b" + str(l + 1)].shape)
    return v
'''

SYNTAX_ERROR_PY = b"import numpy as np\n\ndef update_parameters_with_gd(parameters, grads, learning_rate)\n    return parameters\n"


def not_a_notebook() -> bytes:
    return json.dumps({"name": "not a notebook", "values": [1, 2, 3]}).encode()
