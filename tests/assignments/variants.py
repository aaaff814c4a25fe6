"""Wrong answers a bundle's hidden cases must catch: a constant, the published answer hard-coded, an argument ignored.

Each variant is a def of the graded function run the way a mistake is (the
reference's namespace with that def executed in it, tests/assignments/bundle_code.py),
so callees answered by a case's stand-ins or given functions reach it as they
reach a student's. `loses_points` is the platform's rule: a function scores in
proportion to its cases passed, so a variant loses points when one case raises
or returns what the reference's output does not match.
"""
from __future__ import annotations

import ast
import copy
import inspect

from assignments.source import def_source
from tests.assignments.bundle_code import BundleCode, matches


def constant_source(name: str) -> str:
    """The function returning the module's _ANSWER (a copy) whatever it is given."""
    return f"def {name}(*args, **kwargs):\n    import copy\n    return copy.deepcopy(_ANSWER)\n"


def ignoring_source(bundle_code: BundleCode, name: str, parameter: str) -> str:
    """The reference's def with `parameter` rebound to the module's _IGNORED before anything else runs."""
    text = def_source(bundle_code.bundle.text("reference"), name, keep_docstring=False)
    lines = text.splitlines()
    body = ast.parse(text).body[0].body[0]
    indent = " " * body.col_offset
    lines.insert(body.lineno - 1, f"{indent}{parameter} = __import__('copy').deepcopy(_IGNORED)")
    return "\n".join(lines) + "\n"


def published_arguments(bundle_code: BundleCode, name: str) -> dict:
    """{parameter: value} the published case passes, with the signature's defaults for those it leaves out."""
    signature = inspect.signature(getattr(bundle_code.reference, name))
    args = bundle_code.inputs(bundle_code.case(name, "published"))
    bound = signature.bind(*args)
    bound.apply_defaults()
    return dict(bound.arguments)


def namespace_with(bundle_code: BundleCode, source: str, **values) -> dict:
    namespace = bundle_code.namespace(source, "<variant>")
    namespace.update(values)
    return namespace


def loses_points(bundle_code: BundleCode, name: str, namespace: dict) -> list[str]:
    """The ids of the cases of `name` the variant in `namespace` fails (raises, or does not match the reference)."""
    failed = []
    for case in bundle_code.bundle.function(name).cases:
        try:
            value = bundle_code.run(name, case, namespace)
        except Exception:
            failed.append(case.id)
            continue
        if not matches(bundle_code.expected(name, case), value, bundle_code.bundle.function(name).outputs, case):
            failed.append(case.id)
    return failed


def published_answer_fails(bundle_code: BundleCode, name: str) -> list[str]:
    """Cases failed by a function returning the published case's expected output whatever it is given."""
    answer = copy.deepcopy(bundle_code.expected(name, bundle_code.case(name, "published")))
    return loses_points(bundle_code, name, namespace_with(bundle_code, constant_source(name), _ANSWER=answer))


def constant_answers_fail(bundle_code: BundleCode, name: str) -> dict[str, list[str]]:
    """{case id: cases failed} by a function returning that case's expected output whatever it is given."""
    return {case.id: loses_points(bundle_code, name, namespace_with(
        bundle_code, constant_source(name), _ANSWER=copy.deepcopy(bundle_code.expected(name, case))))
        for case in bundle_code.bundle.function(name).cases}


def ignoring_fails(bundle_code: BundleCode, name: str, parameter: str) -> list[str]:
    """Cases failed by the reference with `parameter` replaced by the value the published case gives it."""
    value = published_arguments(bundle_code, name)[parameter]
    return loses_points(bundle_code, name, namespace_with(
        bundle_code, ignoring_source(bundle_code, name, parameter), _IGNORED=value))


def parameters_of(bundle_code: BundleCode, name: str) -> list[str]:
    return list(inspect.signature(getattr(bundle_code.reference, name)).parameters)
