"""The framework an environment's runner loads before it forks, and how that framework's values leave a case.

An environment's root filesystem names its framework in /etc/gradebox-framework (sandbox/rootfs.py writes it);
the numpy environment has none. The runner imports the framework once, before it forks the zygote, so every
case's process starts with it loaded (TensorFlow's import takes seconds); no session ever runs before the fork,
because TensorFlow's thread pools do not survive one.

What a graded function returns is made plain inside the case's process, where the student's graph lives, so the
trusted side compares only NumPy values, numbers and strings (docs/bundles.md, "TensorFlow values"):

- a tensor is run in a session of its own graph (variables initialised first), so its value is compared;
- a placeholder is described by name, dtype and shape, e.g. {"name": "X:0", "dtype": "float32",
  "shape": "(12288, None)"}: its value does not exist;
- a variable is described the same way plus "init", the distribution its initial values were drawn from
  (`classify_initial_values`), since NumPy cannot reproduce TensorFlow's seeded initialisers.

Before the call, the arguments a function's `graph_inputs` names become what the course's own code passes
(`graph_arguments`: float32 placeholders fed the case's arrays, float32 variables holding them), and every
session opened during the call is remembered, so one left open can be reported (`sessions_left_open`).

Imports only the standard library and NumPy here; the framework itself only in `load`.
"""
import math
import os

import numpy as np

FRAMEWORK_FILE = "/etc/gradebox-framework"
GLOROT_STD_RTOL = 0.15  # a uniform sample of >= 72 values has its standard deviation within 3 sigma of this
STANDARD_NORMAL_STD_RTOL = 0.15
MEAN_SIGMAS = 5.0  # how far the sample mean may sit from 0, in standard errors


def configured(path: str = FRAMEWORK_FILE) -> str:
    """The framework this root filesystem was built for, or "" (the numpy environment)."""
    try:
        with open(path, encoding="ascii") as handle:
            return handle.read().strip()
    except OSError:
        return ""


def load(name: str):
    """Imports the framework before the fork; returns the converter of its values, or None for no framework."""
    if name == "":
        return None
    if name == "tensorflow":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # no banner of CPU features in every student's output
        import tensorflow.compat.v1 as tf  # noqa: F401  (the case processes inherit it)

        tf.get_logger().setLevel("ERROR")  # disable_v2_behavior's deprecation warnings are not the student's
        tf.disable_v2_behavior()  # the course's notebook calls it at top level, which extraction leaves out
        return TensorFlowValues(tf)
    raise ValueError(f"unknown framework {name!r} in {FRAMEWORK_FILE}")


class ReturnedTensor(Exception):
    """A function that should return a value returned a tensor it never ran: the course's "forgot sess.run"."""


class GraphInputError(ValueError):
    """A case's argument cannot enter the graph as the manifest says (a bundle's problem, never the student's)."""


class TensorFlowValues:
    """Turns what a graded function returned into values the wire can carry, running tensors in their graph."""

    def __init__(self, tf):
        self.tf = tf
        self.sessions: dict = {}
        self.feeds: dict = {}  # placeholder -> the case's array, fed whenever a returned tensor runs
        self.created_sessions: list = []  # sessions the graded function opened (watch_sessions)

    def graph_arguments(self, args: tuple, kinds: list) -> tuple:
        """The case's arguments as the course's own code hands them to forward_propagation and compute_cost:
        kinds[i] is [name, "placeholder"] for a float32 placeholder named `name` with the last axis (the
        examples) left open, as create_placeholders makes them, fed args[i] when the returned tensors run;
        [name, "variables"] for a dict whose arrays become float32 tf.Variables named by their keys, initialised
        to them (initialize_parameters' variables); None leaves args[i] as it is."""
        tf = self.tf
        converted = list(args)
        for index, entry in enumerate(kinds[:len(converted)]):
            if entry is None:
                continue
            name, kind = entry
            value = converted[index]
            if kind == "placeholder":
                array = np.asarray(value, dtype=np.float32)
                shape = list(array.shape[:-1]) + [None] if array.ndim else []
                placeholder = tf.placeholder(tf.float32, shape=shape, name=name)
                self.feeds[placeholder] = array
                converted[index] = placeholder
            elif kind == "variables":
                if not isinstance(value, dict):
                    raise GraphInputError(f"{name}: a dict of arrays becomes variables, not {type(value).__name__}")
                converted[index] = {key: tf.Variable(np.asarray(item, dtype=np.float32), name=str(key))
                                    for key, item in value.items()}
            else:
                raise GraphInputError(f"{name}: unknown graph input kind {kind!r}")
        return tuple(converted)

    def watch_sessions(self) -> None:
        """From here on, every session opened is remembered (and so kept alive): sessions_left_open() then tells
        which the graded function never closed, with sess.close() or a `with` block."""
        from tensorflow.python.client import session as session_module

        base = session_module.BaseSession
        original = base.__init__
        created = self.created_sessions

        def remembered(session, *args, **kwargs):
            created.append(session)
            original(session, *args, **kwargs)

        base.__init__ = remembered
        self._unwatch = lambda: setattr(base, "__init__", original)

    def sessions_left_open(self) -> int:
        """How many sessions opened since watch_sessions are still open; stops watching."""
        unwatch = getattr(self, "_unwatch", None)
        if unwatch is not None:
            unwatch()
            self._unwatch = None
        return sum(1 for session in self.created_sessions if getattr(session, "_closed", True) is False)

    def plain(self, value, evaluate: bool = False, depth: int = 0):
        """evaluate: the function returns tensors of its graph (the manifest's `graph_outputs`), so run them;
        otherwise a returned tensor raises ReturnedTensor, since the function should have run it itself."""
        tf = self.tf
        if depth > 16:
            return value
        if isinstance(value, tf.Variable):
            return self.describe_variable(value)
        if isinstance(value, tf.Tensor):
            if value.op.type.startswith("Placeholder"):
                return describe(value)
            if not evaluate:
                shape = describe(value)["shape"]
                raise ReturnedTensor(f"returned the tensor {value.name} (shape {shape}, {value.dtype.name}) instead "
                                     f"of its value: run it in a session, result = sess.run(...), and return the "
                                     f"result")
            return self.evaluate(value)
        if isinstance(value, dict):
            return {key: self.plain(item, evaluate, depth + 1) for key, item in value.items()}
        if isinstance(value, (tuple, list)):
            return type(value)(self.plain(item, evaluate, depth + 1) for item in value)
        return value

    def session(self, graph):
        """One session per graph, with its variables initialised once (what the course's notebook does)."""
        key = id(graph)
        if key not in self.sessions:
            tf = self.tf
            config = tf.ConfigProto(intra_op_parallelism_threads=1, inter_op_parallelism_threads=1)
            session = tf.Session(graph=graph, config=config)
            with graph.as_default():
                variables = tf.global_variables()
                if variables:
                    session.run(tf.variables_initializer(variables))
            self.sessions[key] = session
        return self.sessions[key]

    def evaluate(self, tensor):
        feeds = {placeholder: array for placeholder, array in self.feeds.items() if placeholder.graph is tensor.graph}
        return self.session(tensor.graph).run(tensor, feed_dict=feeds or None)

    def describe_variable(self, variable) -> dict:
        description = describe(variable)
        values = self.session(variable.graph).run(variable)
        description["init"] = classify_initial_values(np.asarray(values, dtype=np.float64))
        return description

    def close(self) -> None:
        for session in self.sessions.values():
            session.close()
        self.sessions.clear()


def describe(tensor) -> dict:
    """Name, dtype and shape as the course prints them (`Tensor("X:0", shape=(12288, None), dtype=float32)`)."""
    dims = tensor.shape.as_list() if tensor.shape.dims is not None else None
    return {"name": tensor.name, "dtype": tensor.dtype.base_dtype.name,
            "shape": "unknown" if dims is None else str(tuple(dims))}


def classify_initial_values(values: np.ndarray) -> str:
    """Names the distribution of a variable's initial values: "zeros", "glorot_uniform" (Xavier: uniform on
    [-limit, limit], limit = sqrt(6 / (fan_in + fan_out)), so standard deviation limit / sqrt(3); Glorot &
    Bengio 2010, the course's `tf.initializers.GlorotUniform`), "standard_normal" (`np.random.randn`,
    `tf.random_normal`), or "other". fan_in, fan_out: a 2-D variable's columns and rows, as Keras reads a
    (units, inputs) kernel transposed; the test is symmetric in them, so the orientation does not matter."""
    flat = values.ravel()
    if flat.size == 0:
        return "other"
    if not np.all(np.isfinite(flat)):
        return "other"
    if np.all(flat == 0):
        return "zeros"
    mean, std = float(flat.mean()), float(flat.std())
    centred = abs(mean) <= MEAN_SIGMAS * max(std, 1e-12) / math.sqrt(flat.size)
    if values.ndim == 2:
        limit = math.sqrt(6.0 / (values.shape[0] + values.shape[1]))
        if (centred and float(np.abs(flat).max()) <= limit * (1 + 1e-6)
                and abs(std - limit / math.sqrt(3)) <= GLOROT_STD_RTOL * limit / math.sqrt(3)):
            return "glorot_uniform"
    if centred and abs(std - 1.0) <= STANDARD_NORMAL_STD_RTOL:
        return "standard_normal"
    return "other"
