"""Proves an assignment is gradable: the reference scores full marks, every catalogued mistake is caught."""
import importlib
import inspect
import time

from django.core.management.base import BaseCommand, CommandError

from assignments.registry import UnknownAssignment, all_assignments, get_assignment
from grader.grading.setup import get_grader
from reference.mistakes import catalogue


class Command(BaseCommand):
    help = ("Grade the reference solution through the full pipeline (must score 100%) and each catalogued "
            "mistake (must lose points on its own function only and carry its own hint).")

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="assignment slugs (default: all)")

    def handle(self, *args, slugs, **options):
        try:
            assignments = [get_assignment(slug) for slug in slugs] if slugs else all_assignments()
        except UnknownAssignment as error:
            raise CommandError(str(error)) from None
        failures = 0
        for assignment in assignments:
            failures += self.validate(assignment)
        if failures:
            raise CommandError(f"{failures} validation problem(s)")

    def validate(self, assignment) -> int:
        grader = get_grader()
        source = inspect.getsource(importlib.import_module(assignment.reference_module))
        started = time.monotonic()
        report = grader.grade(assignment.slug, "reference.py", source.encode())
        rows = [("reference", "(all)", f"{report.score:g}/{report.max_score:g}", report.score == report.max_score,
                 _not_passed(report) or "-")]
        for mistake in catalogue(assignment.slug):
            graded = grader.grade_functions(assignment.slug, f"{mistake.key}.py", (source + "\n\n" + mistake.source).encode())
            functions = {f.name: f for f in graded.report.functions}
            target = functions[mistake.function]
            others = [name for name, f in functions.items() if name != mistake.function and f.status != "passed"]
            ok = target.status != "passed" and target.score < target.max_score and not others and target.hint == mistake.hint
            problem = "; ".join(filter(None, [
                "not caught" if target.status == "passed" else "",
                f"also fails {', '.join(others)}" if others else "",
                f"hint shown: {target.hint!r}" if target.hint != mistake.hint else "",
            ])) or "-"
            rows.append((mistake.key, mistake.function, f"{target.score:g}/{target.max_score:g}", ok, problem))
        self.stdout.write(f"\n{assignment.slug} ({time.monotonic() - started:.1f} s)")
        widths = [max(len(str(row[i])) for row in rows + [("variant", "function", "score", "", "")]) for i in range(3)]
        self.stdout.write(f"  {'variant':{widths[0]}}  {'function':{widths[1]}}  {'score':{widths[2]}}  ok    problem")
        for key, function, score, ok, problem in rows:
            self.stdout.write(f"  {key:{widths[0]}}  {function:{widths[1]}}  {score:{widths[2]}}  {'yes' if ok else 'NO ':3}   {problem}")
        return sum(1 for row in rows if not row[3])


def _not_passed(report) -> str:
    return ", ".join(f"{f.name}: {f.status}" for f in report.functions + report.models if f.status != "passed")
