"""Keeps the database rows of an assignment in step with its spec in assignments/."""
from __future__ import annotations

from django.db import transaction

from assignments.spec import Assignment as Spec
from grader.courses.models import Assignment, Course, GradedFunction, TestCase


@transaction.atomic
def sync_assignment(course: Course, spec: Spec, version: str = "", order: int = 0) -> Assignment:
    assignment, _ = Assignment.objects.update_or_create(
        course=course,
        slug=spec.slug,
        defaults={"title": spec.title, "description": spec.description, "max_score": spec.max_score, "order": order},
    )
    names = []
    for position, graded in enumerate(spec.functions):
        names.append(graded.name)
        function, _ = GradedFunction.objects.update_or_create(
            assignment=assignment, name=graded.name, defaults={"points": graded.points, "order": position}
        )
        case_ids = []
        for case in graded.cases:
            case_ids.append(case.id)
            TestCase.objects.update_or_create(
                function=function,
                case_id=case.id,
                defaults={"hidden": case.hidden, "rtol": case.rtol, "atol": case.atol,
                          "description": case.description, "version": version},
            )
        function.test_cases.exclude(case_id__in=case_ids).delete()
    assignment.functions.exclude(name__in=names).delete()
    return assignment
