"""Finding an assignment's version by slug, for the command line (the web finds it by course and slug)."""
from __future__ import annotations

from grader.courses.models import Assignment


class UnknownAssignment(LookupError):
    """No loaded assignment answers to the slug; the message lists those that do."""


def find_version(slug: str, course: str | None = None, number: int | None = None):
    """The current published version of SLUG (or its version `number`); raises UnknownAssignment."""
    assignments = Assignment.objects.filter(slug=slug).select_related("course", "current_version")
    if course:
        assignments = assignments.filter(course__slug=course)
    found = list(assignments)
    if not found:
        known = sorted({a.slug for a in Assignment.objects.filter(current_version__isnull=False)})
        raise UnknownAssignment(f"unknown assignment {slug!r}; loaded assignments: {', '.join(known) or 'none'} "
                                "(load a bundle folder with `manage.py load_assignments DIR`, or grade against a "
                                "folder with --bundle DIR)")
    if len(found) > 1:
        raise UnknownAssignment(f"{slug!r} is in several courses ({', '.join(a.course.slug for a in found)}); "
                                "name one with --course")
    assignment = found[0]
    if number is not None:
        version = assignment.versions.filter(number=number).first()
        if version is None:
            raise UnknownAssignment(f"{slug} has no version {number}")
        return version
    if assignment.current_version is None:
        raise UnknownAssignment(f"{slug} has no published version yet")
    return assignment.current_version
