"""Assignment slugs (fixed by DESIGN.md) mapped to their specs."""
from __future__ import annotations

import importlib

from assignments.spec import Assignment

SLUG_TO_MODULE = {
    "gradient-checking": "assignments.gradient_checking.spec",
    "initialization": "assignments.initialization.spec",
    "optimization": "assignments.optimization.spec",
    "regularization": "assignments.regularization.spec",
}


class UnknownAssignment(LookupError):
    def __init__(self, slug: str):
        known = ", ".join(sorted(SLUG_TO_MODULE))
        super().__init__(f"unknown assignment {slug!r}; known assignments: {known}")
        self.slug = slug


def get_assignment(slug: str) -> Assignment:
    try:
        module_name = SLUG_TO_MODULE[slug]
    except KeyError:
        raise UnknownAssignment(slug) from None
    return importlib.import_module(module_name).ASSIGNMENT


def all_assignments() -> list[Assignment]:
    return [get_assignment(slug) for slug in SLUG_TO_MODULE]
