"""Every text a student reads, in one catalogue: a key, a short line and an optional hint.

Written for a tired student: name the function and the variable, say what
was expected and what came back, suggest one thing to try.
"""
from __future__ import annotations

CATALOGUE: dict[str, tuple[str, str | None]] = {
    # file level
    "file_problem": ("{message}", None),
    "too_large": ("The file is {size} but the limit is {limit}.", "Clear the notebook's outputs (Cell > All Output > Clear) and upload again."),
    "unreadable_complex": ("Your file could not be read: Python {python} could not parse it (an expression nested too "
                           "deeply, or a file too large). Split very deep expressions and upload only your notebook "
                           "or .py file.", None),
    "unreadable_run": ("Your file could not be read: reading it took more time or memory than the grader allows. "
                       "Upload only your notebook or .py file.", None),
    "unreadable_slow": ("Your file could not be read: reading it took longer than {wall_s:g} s. Upload only your "
                        "notebook or .py file.", None),
    # the grading itself failed on our side (grader.submissions.tasks, after its retries): what happens next
    "platform_failed": ("The grader could not run your submission: a problem on our side, not in your code. It "
                        "does not count against you, nor against your upload limit. Course staff see it on their "
                        "list of failed submissions and can grade it again; the result then appears on this page "
                        "(reload it). You may also upload again.", None),
    # function level
    "not_in_code_cell": ("{function} is in {cell}, so it never ran as code.",
                         "In Jupyter, select that cell and switch it back to Code (Cell > Cell Type > Code, or press "
                         "Y), then save and upload again."),
    "missing": (
        "{function} was not found in your file.",
        "Keep the line `def {function}(...)` under its `# GRADED FUNCTION: {function}` marker, spelled exactly so.",
    ),
    "syntax_error": ("{function} could not be read: {message}", "Fix the syntax error; the other functions were still graded."),
    # a card's one-line summary above its checks, which quote the error: the text is shown once
    "syntax_error_summary": ("{function} could not be read because of a syntax error.", None),
    "timeout": (
        "{function} did not finish within {wall_s:g} s and was stopped.",
        "Look for a loop that never ends, or work repeated far more often than needed.",
    ),
    "crashed": (
        "{function} ended the grading process itself ({how}) before returning.",
        "Remove calls such as sys.exit(), os._exit() or anything that kills the process.",
    ),
    "memory": ("{function} used more than the {memory_mb} MB of memory allowed.", "Avoid building very large arrays."),
    "no_result": ("{function} returned nothing the grader could read.", None),
    "too_large_result": ("{function} returned more than the grader accepts from one function.",
                         "Return only the arrays the function should return, of the course's sizes."),
    "not_run": ("{function} was not called on this case: an earlier case stopped it.", None),
    # model checks: what one is and what it is worth, in plain words, on its card
    "model_about": ("A model check: the course's model is trained with your functions and the grader measures how "
                    "well it classifies.", None),
    "model_worth_none": ("It is worth 0 points: it shows whether your functions work together and does not change "
                         "your score.", None),
    "model_worth": ("It is worth {points:g} point(s) of your score.", None),
    "plot_cost_alt": ("Cost over training, {title}: your functions end at {final}; the reference ends at "
                      "{reference}.", None),
    "plot_boundary_alt": ("Decision boundary, {title}, over the training points: {accuracy}.", None),
    # case level
    "ran": ("{case}: ran without error.", None),
    "raised": ("{case}: {function} raised {error_type}: {error_message}", None),
    "hidden_raised": ("{case}: {function} raised {error_type} (its message is not shown: it may quote the hidden "
                      "inputs).", None),
    "withheld_type": ("an exception whose class name is not shown", None),
    "name_error": (
        "{case}: {function} uses `{name}`, which is not defined when your function runs.",
        "The grader runs only imports and function definitions from your file, not other top-level code. "
        "Define `{name}` inside the function, import it, or pass it in as an argument.",
    ),
    "import_failed": (
        "{case}: {function} needs `{name}`, but `{statement}` failed in the grader: {error}",
        "The grader provides NumPy, h5py, the standard library and the course's helper modules only.",
    ),
    "explained": ("{case}: {function} raised {error_type}: {why}", None),
    "setup_failed": ("`{source}` failed in the grader: {error}", None),
    # why a failure happened, when the sandbox's versions explain it (grader/grading/environment.py); the versions
    # come from the sandbox
    "why_numpy_removed": ("{name} was removed in NumPy {removed_in}; the grader runs Python {python} and NumPy "
                          "{numpy}: use {instead}.",
                          "Write {instead} where your code says {name}: it works in NumPy {numpy} and in older ones."),
    "why_numpy_added": ("{name} exists only since NumPy {added_in}; the grader runs Python {python} and NumPy {numpy}: "
                        "use {instead}.", "Write {instead} where your code says {name}."),
    "why_numpy_missing": ("{name} does not exist in NumPy {numpy}, which the grader runs with Python {python}.",
                          "Check the spelling, and whether {name} exists in NumPy {numpy}."),
    "why_module_missing": ("the grader has no module {module}: it runs Python {python} with NumPy {numpy}, h5py, the "
                           "standard library and the course's helper modules.",
                           "Write the function with NumPy and the standard library only."),
    "why_tensorflow_removed": ("{name} was removed in TensorFlow 2, which the grader runs (with Python {python} and "
                               "NumPy {numpy}, through tensorflow.compat.v1): use {instead}.",
                               "TensorFlow 2 keeps TensorFlow 1's graph API in tensorflow.compat.v1, but not {name}."),
    "why_tensorflow_numpy_on_tensor": (
        "{tensor} is a tensor of the graph your function builds (the grader passes a placeholder and variables, as "
        "create_placeholders and initialize_parameters make them): NumPy cannot compute with it, because its value "
        "exists only when a session runs the graph.",
        "Build the graph with TensorFlow's operations: tf.matmul(W1, X) + b1 instead of np.dot(W1, X) + b1, "
        "tf.nn.relu(Z1) instead of np.maximum(0, Z1), tf.transpose(Z3) instead of Z3.T."),
    "why_tensorflow_tensor_attribute": (
        "a TensorFlow tensor has no .{attribute}, which NumPy arrays have: write {instead}.",
        "Inside the graph, use TensorFlow's operations: {instead} instead of x.{attribute}."),
    "why_tensorflow_variable_exists": (
        "the graph already has a variable {variable}, and tf.get_variable creates each name once per graph.",
        "If your code builds the parameters again (initialize_parameters called a second time), call "
        "tf.reset_default_graph() first, as the notebook does before each test; if two of your variables share the "
        "name {variable}, give each its own name."),
    "session_open": ("{function} opened a tf.Session and left it open: each open session keeps its memory and "
                     "threads until the program ends.",
                     "Close it with sess.close() once you have the result, or open it with `with tf.Session() as "
                     "sess:`, which closes it for you."),
    "why_newer_syntax": ("{feature} is syntax of Python {introduced} and later; the grader runs Python {python} and "
                         "NumPy {numpy}: write {instead}.", None),
    # the starter's unfinished function: None, or the starter's dict/tuple of None placeholders, where values belong
    "still_none": ("{case}: still returns None: fill in the START/END CODE block.", None),
    "unfinished": ("{function} still returns None: fill in the START/END CODE block.", None),
    "structure_ok": ("{case}: returns the expected structure.", None),
    "shapes_ok": ("{case}: every array has the expected shape.", None),
    "values_ok": ("{case}: values match (rtol {rtol:g}, atol {atol:g}).", None),
    "threshold_ok": ("{case}: the value is {op} {bound:g}.", None),
    "wrong_type": ("{case}: {path} is {actual}; expected {expected}.", None),
    "wrong_value": ("{case}: {path} is {actual}; expected {expected}.", None),
    # The three lines read alike; the hint says only what the check found (compare._missing_keys chooses the key).
    "missing_keys": ("{case}: {path} is missing the key(s) {keys}.", None),
    "misspelt_keys": ("{case}: {path} is missing the key(s) {keys}.",
                      "Keys are compared exactly, upper and lower case included: store it under {expected}, not {actual}."),
    "missing_layers": ("{case}: {path} is missing the key(s) {keys}.",
                       "{path} has nothing for layer {layers}: check that your loop runs over every layer "
                       "(range(a, b) stops before b)."),
    "extra_keys": ("{case}: {path} has unexpected key(s) {keys}.", None),
    "wrong_length": ("{case}: {path} has {actual} item(s); expected {expected}.", None),
    "wrong_shape": ("{case}: {path} has shape {actual}; expected {expected}.", None),
    "rank1_shape": (
        "{case}: {path} has shape {actual}; expected {expected}.",
        "A shape like (n,) is a rank-1 array; use np.zeros((n, 1)) or .reshape(n, 1) so it is a column vector.",
    ),
    "wrong_values": ("{case}: {path} has the right shape {shape} but wrong values (largest error {error:.3g} at {where}).", None),
    "threshold": ("{case}: {path} is {actual:.6g}; it must be {op} {bound:g}.", None),
    # threshold_number and wrong_number: an int too large for a float is involved, so the numbers come as text
    "threshold_number": ("{case}: {path} is {actual}, an integer too large to be a float; it must be {op} {bound:g}.", None),
    "wrong_scalar": ("{case}: {path} is {actual:.6g}; expected {expected:.6g}.", None),
    "wrong_number": ("{case}: {path} is {actual}; expected {expected}.", "Python integers have no size limit but floats stop near 1.8e+308; "
                     "look for an integer that grows without bound."),
    "not_finite": ("{case}: {path} contains NaN or infinity.", "Look for a division by zero or a log of zero."),
    "unsupported": ("{case}: {path} is a {type} the grader cannot read ({why}).", "Return NumPy arrays, numbers, lists, tuples and dicts."),
    "hidden_wrong": ("{case}: wrong {what} in {paths}.", None),
}


# Syntax that needs a newer Python than an environment's (sandbox/extraction.py finds it): what it is, what to
# write instead.
NEWER_SYNTAX: dict[str, tuple[str, str]] = {
    "except_without_parentheses": ("`except A, B:` without parentheses", "`except (A, B):`"),
    "template_string": ('a template string (t"...")', 'an f-string (f"...")'),
    "type_parameters": ("a type parameter list (`def f[T](...)`, `class C[T]:`)",
                        "the definition without `[T]` (typing.TypeVar where you need one)"),
    "type_alias": ("a `type` alias statement", "a plain assignment (`Alias = ...`)"),
    "fstring_nested_quotes": ("an f-string that reuses its own quotes inside `{...}`",
                              "the other kind of quote inside the braces (f\"{x['a']}\")"),
    "except_star": ("`except*`", "a plain `except`"),
}


def say(key: str, **fields) -> str:
    return CATALOGUE[key][0].format(**fields)


def hint(key: str, **fields) -> str | None:
    template = CATALOGUE[key][1]
    return template.format(**fields) if template else None


def fixed_hint(key: str) -> str | None:
    """The hint when it names nothing of the case (a hidden case's hint may not name its keys or values)."""
    template = CATALOGUE[key][1]
    return template if template and "{" not in template else None


def human_bytes(size: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:g} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} bytes"
