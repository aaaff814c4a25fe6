"""Failures the sandbox's environment explains: a NumPy name its version lacks, a module it lacks, newer syntax.

Each explanation names the grader's Python and NumPy versions, which come from the sandbox itself (runner.json
of the parse job, in Extraction.environment), never from this file. What this file knows is NumPy's history:
which names a release removed or added and what to write instead (NumPy's release notes: the aliases deprecated
in 1.20 and removed in 1.24, `asscalar` removed in 1.23, NEP 52's removals in 2.0, the array-API names added in
2.0). The student-facing sentences are in grader/grading/messages.py.
"""
from __future__ import annotations

import re

from grader.grading import messages

# name -> (the NumPy release that removed np.<name>, what to write instead)
REMOVED_FROM_NUMPY = {
    **{alias: ("1.24", builtin) for alias, builtin in (("float", "float"), ("int", "int"), ("complex", "complex"),
                                                      ("object", "object"), ("str", "str"), ("unicode", "str"))},
    "asscalar": ("1.23", "a.item()"),
    **{name: ("2.0", instead) for name, instead in (
        ("alltrue", "np.all"), ("sometrue", "np.any"), ("product", "np.prod"), ("cumproduct", "np.cumprod"),
        ("NaN", "np.nan"), ("NAN", "np.nan"), ("Inf", "np.inf"), ("Infinity", "np.inf"), ("infty", "np.inf"),
        ("PINF", "np.inf"), ("NINF", "-np.inf"), ("PZERO", "0.0"), ("NZERO", "-0.0"),
        ("float_", "np.float64"), ("complex_", "np.complex128"), ("cfloat", "np.complex128"),
        ("singlecomplex", "np.complex64"), ("longfloat", "np.longdouble"), ("clongfloat", "np.clongdouble"),
        ("longcomplex", "np.clongdouble"), ("string_", "np.bytes_"), ("unicode_", "np.str_"), ("int0", "np.intp"),
        ("uint0", "np.uintp"), ("bool8", "np.bool_"), ("round_", "np.round"), ("mat", "np.asmatrix"),
        ("msort", "np.sort(a, axis=0)"), ("asfarray", "np.asarray(a, dtype=float)"),
        ("cast", "np.asarray(a, dtype=...)"), ("find_common_type", "np.result_type"),
        ("issubclass_", "issubclass"), ("set_string_function", "np.set_printoptions"),
        ("safe_eval", "ast.literal_eval"))},
}
# name -> (the NumPy release that added np.<name>, what an older NumPy offers instead)
ADDED_TO_NUMPY = {
    "pow": ("2.0", "np.power"), "concat": ("2.0", "np.concatenate"), "permute_dims": ("2.0", "np.transpose"),
    "acos": ("2.0", "np.arccos"), "asin": ("2.0", "np.arcsin"), "atan": ("2.0", "np.arctan"),
    "atan2": ("2.0", "np.arctan2"), "acosh": ("2.0", "np.arccosh"), "asinh": ("2.0", "np.arcsinh"),
    "atanh": ("2.0", "np.arctanh"), "bitwise_invert": ("2.0", "np.invert"),
    "bitwise_left_shift": ("2.0", "np.left_shift"), "bitwise_right_shift": ("2.0", "np.right_shift"),
    "vecdot": ("2.0", "np.sum(a * b, axis=-1)"), "matrix_transpose": ("2.0", "np.swapaxes(a, -1, -2)"),
}
_NUMPY_ATTRIBUTE = re.compile(r"^module 'numpy((?:\.\w+)*)' has no attribute '(\w+)'")
_NUMPY_EXPIRED = re.compile(r"^`np\.(\w+)` was removed in the NumPy [\d.]+ release")
_NUMPY_IMPORT = re.compile(r"^cannot import name '(\w+)' from 'numpy((?:\.\w+)*)'")
_NO_MODULE = re.compile(r"^No module named '([\w.]+)'")
_TENSORFLOW_ATTRIBUTE = re.compile(r"^module 'tensorflow((?:\.\w+)*)' has no attribute '(\w+)'")
_CONTRIB_USE = re.compile(r"\bcontrib((?:\.\w+)+)")
# NumPy on a tensor of the graph (a placeholder, a variable): TensorFlow refuses to make it an array.
_SYMBOLIC_TENSOR = re.compile(r"^Cannot convert a symbolic (?:tf\.)?Tensor \(([^)]{1,80})\) to a numpy array")
_TENSOR_ATTRIBUTE = re.compile(r"^'?(?:SymbolicTensor|Tensor|RefVariable|ResourceVariable|Variable)'? object has "
                               r"no attribute '(\w+)'")  # TensorFlow's own message leaves out the quotes
_VARIABLE_EXISTS = re.compile(r"^Variable (\S{1,80}) already exists, disallowed")
# TensorFlow 1 names that TensorFlow 2 removed, even from tf.compat.v1 (TensorFlow 2.0's migration guide), with
# what to write instead: tf.contrib as a whole, and its parts a course's code uses.
REMOVED_FROM_TENSORFLOW = {
    "contrib": "what TensorFlow 2's migration guide names for the part of tf.contrib you used (most of "
               "tf.contrib.layers is in tf.compat.v1.layers and tf.keras.layers)",
}
CONTRIB_REPLACEMENTS = {
    ".layers.xavier_initializer": "tf.compat.v1.initializers.glorot_uniform(seed=1) (tf.initializers.glorot_uniform "
                                  "after `import tensorflow.compat.v1 as tf`) or tf.keras.initializers.GlorotUniform"
                                  "(seed=1)",
    ".layers.xavier_initializer_conv2d": "tf.compat.v1.initializers.glorot_uniform or "
                                         "tf.keras.initializers.GlorotUniform",
    ".layers.variance_scaling_initializer": "tf.compat.v1.initializers.variance_scaling or "
                                            "tf.keras.initializers.VarianceScaling",
    ".layers.fully_connected": "tf.compat.v1.layers.dense or tf.keras.layers.Dense",
    ".layers.flatten": "tf.compat.v1.layers.flatten or tf.keras.layers.Flatten",
    ".layers.batch_norm": "tf.compat.v1.layers.batch_normalization or tf.keras.layers.BatchNormalization",
    ".layers.l2_regularizer": "tf.keras.regularizers.l2",
    ".layers.l1_regularizer": "tf.keras.regularizers.l1",
    ".rnn": "tf.compat.v1.nn.rnn_cell or tf.keras.layers",
}
# NumPy's attributes of an array, which a tensor lacks, and TensorFlow's operation to use instead.
TENSOR_INSTEAD = {"T": "tf.transpose(x)", "dot": "tf.matmul(a, b)", "reshape": "tf.reshape(x, shape)",
                  "sum": "tf.reduce_sum(x)", "mean": "tf.reduce_mean(x)", "max": "tf.reduce_max(x)",
                  "min": "tf.reduce_min(x)", "astype": "tf.cast(x, dtype)", "numpy": "sess.run(x)",
                  "flatten": "tf.reshape(x, [-1])", "transpose": "tf.transpose(x)"}


def explain(error_type: str, message: str, versions: dict, source: str = "") -> tuple[str, dict] | None:
    """(catalogue key of the reason, its fields) when the environment's versions explain what was raised.
    `source`: the line of the student's code that raised, when known (which part of tf.contrib it used)."""
    if not (versions.get("python") and versions.get("numpy")):
        return None
    fields = {"python": versions["python"], "numpy": versions["numpy"]}
    if error_type == "AttributeError" and (match := _TENSORFLOW_ATTRIBUTE.match(message)):
        if match.group(2) == "contrib" and (used := _CONTRIB_USE.search(source or "")):
            part = next((part for part in sorted(CONTRIB_REPLACEMENTS, key=len, reverse=True)
                         if used.group(1) == part or used.group(1).startswith(part + ".")), None)
            if part is not None:
                return "why_tensorflow_removed", {**fields, "name": "tf.contrib",
                                                  "instead": f"{CONTRIB_REPLACEMENTS[part]} for tf.contrib{part}"}
        if match.group(2) in REMOVED_FROM_TENSORFLOW:
            return "why_tensorflow_removed", {**fields, "name": f"tf.{match.group(2)}",
                                              "instead": REMOVED_FROM_TENSORFLOW[match.group(2)]}
    if error_type == "NotImplementedError" and (match := _SYMBOLIC_TENSOR.match(message)):
        return "why_tensorflow_numpy_on_tensor", {**fields, "tensor": match.group(1)}
    if error_type == "AttributeError" and (match := _TENSOR_ATTRIBUTE.match(message)):
        if match.group(1) in TENSOR_INSTEAD:
            return "why_tensorflow_tensor_attribute", {**fields, "attribute": match.group(1),
                                                       "instead": TENSOR_INSTEAD[match.group(1)]}
    if error_type == "ValueError" and (match := _VARIABLE_EXISTS.match(message)):
        return "why_tensorflow_variable_exists", {**fields, "variable": match.group(1)}
    if error_type == "AttributeError":
        match = _NUMPY_ATTRIBUTE.match(message)
        if match:
            return _numpy_name(match.group(2), match.group(1), fields)
        match = _NUMPY_EXPIRED.match(message)
        if match:
            return _numpy_name(match.group(1), "", fields)
    if error_type == "ImportError" and (match := _NUMPY_IMPORT.match(message)):
        return _numpy_name(match.group(1), match.group(2), fields)
    if error_type == "ModuleNotFoundError" and (match := _NO_MODULE.match(message)):
        return "why_module_missing", {**fields, "module": match.group(1).split(".")[0]}
    return None


def explain_setup_error(error: str, versions: dict) -> tuple[str, dict] | None:
    """The same for a top-level statement that failed in the sandbox ("Type: message", as the runner reports it)."""
    error_type, _, message = str(error).partition(": ")
    return explain(error_type, message, versions)


def reason(error_type: str, message: str, versions: dict, source: str = "") -> str | None:
    """The sentence that explains it, or None."""
    explained = explain(error_type, message, versions, source)
    return messages.say(explained[0], **explained[1]) if explained else None


def newer_syntax(newer, versions: dict) -> str | None:
    """The sentence for a syntax error the sandbox's parser found to be a newer Python's syntax
    ({"feature", "python"} from sandbox/extraction.py), or None."""
    if type(newer) is not dict or newer.get("feature") not in messages.NEWER_SYNTAX:
        return None
    introduced = newer.get("python")
    if type(introduced) is not str or not re.fullmatch(r"\d+\.\d+", introduced):
        return None
    feature, instead = messages.NEWER_SYNTAX[newer["feature"]]
    return messages.say("why_newer_syntax", feature=feature, introduced=introduced, instead=instead,
                        python=versions.get("python") or "?", numpy=versions.get("numpy") or "?")


def _numpy_name(name: str, submodule: str, fields: dict) -> tuple[str, dict]:
    qualified = f"np{submodule}.{name}"
    if not submodule and name in REMOVED_FROM_NUMPY and _at_least(fields["numpy"], REMOVED_FROM_NUMPY[name][0]):
        removed_in, instead = REMOVED_FROM_NUMPY[name]
        return "why_numpy_removed", {**fields, "name": qualified, "removed_in": removed_in, "instead": instead}
    if not submodule and name in ADDED_TO_NUMPY and not _at_least(fields["numpy"], ADDED_TO_NUMPY[name][0]):
        added_in, instead = ADDED_TO_NUMPY[name]
        return "why_numpy_added", {**fields, "name": qualified, "added_in": added_in, "instead": instead}
    return "why_numpy_missing", {**fields, "name": qualified}


def _at_least(version: str, release: str) -> bool:
    """NumPy `version` (e.g. "2.2.4", "1.24.2") is `release` (e.g. "1.24") or later."""
    def numbers(text: str) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", text)[:2])

    return numbers(version) >= numbers(release)
