"""Stand-ins: the reference callee's answers to exactly the calls a case makes, recorded on the trusted side.

When a graded function calls another graded function (gradient_check calls
forward_propagation), the sandbox replaces the student's callee with a lookup
in this table, so a wrong callee costs points once, on the callee.
"""
from __future__ import annotations

import contextlib
import copy
import io
import importlib
import threading

from assignments.spec import Assignment, Case

_lock = threading.Lock()


def record_stand_ins(assignment: Assignment, function: str, case: Case) -> dict[str, list]:
    """{callee: [(args, result), ...]} for the calls the reference `function` makes on this case."""
    if not case.stand_ins:
        return {}
    module = importlib.import_module(assignment.reference_module)
    tables: dict[str, list] = {name: [] for name in case.stand_ins}
    with _lock:  # the reference module's globals are patched for the duration of one call
        originals = {name: getattr(module, name) for name in case.stand_ins}

        def recorder(name):
            def record(*args):
                result = originals[name](*copy.deepcopy(args))
                tables[name].append((tuple(copy.deepcopy(args)), copy.deepcopy(result)))
                return result
            return record

        try:
            for name in case.stand_ins:
                setattr(module, name, recorder(name))
            with contextlib.redirect_stdout(io.StringIO()):  # the course's functions print their verdicts
                getattr(module, function)(*copy.deepcopy(tuple(case.build())))
        finally:
            for name, original in originals.items():
                setattr(module, name, original)
    return tables
