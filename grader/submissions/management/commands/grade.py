"""Grades one file through the same pipeline and sandbox as the web and prints the result document."""
import json as jsonlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assignments.bundle import BundleError, load_bundle
from grader.authoring.services import bundle_of
from grader.courses.lookup import UnknownAssignment, find_version
from grader.grading.expected import ReferenceFailed
from grader.grading.inputs import BundleProblem
from grader.grading.pipeline import SandboxFailure
from grader.grading.setup import get_grader
from sandbox.environments import UnknownEnvironment


class Command(BaseCommand):
    help = ("Grade FILE (.py or .ipynb) against a loaded assignment (--assignment SLUG) or a bundle folder "
            "(--bundle DIR, not loaded). Exits 0 when grading completed, whatever the score.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--assignment", help="slug of a loaded assignment, e.g. optimization")
        which.add_argument("--bundle", type=Path, help="a bundle folder (assignment.toml and its files)")
        parser.add_argument("--course", help="course slug, when several courses have the assignment")
        parser.add_argument("--json", action="store_true", help="print the result document as JSON")

    def handle(self, *args, file: Path, assignment: str | None, bundle: Path | None, course: str | None,
               json: bool, **options):
        try:
            found = load_bundle(bundle) if bundle is not None else bundle_of(find_version(assignment, course))
        except (BundleError, UnknownAssignment) as error:
            raise CommandError(str(error)) from None
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error.strerror}") from None
        try:
            report = get_grader().grade(found, file.name, data)
        except SandboxFailure as failure:
            raise CommandError(f"the sandbox failed (not a problem with the file): {failure}") from None
        except (BundleProblem, ReferenceFailed, UnknownEnvironment) as problem:
            raise CommandError(f"the assignment cannot be graded (not a problem with the file): {problem}") from None
        document = report.document()
        if json:
            self.stdout.write(_json_dumps(document))
            return
        self.stdout.write(f"{report.assignment}: {report.score:g} / {report.max_score:g}")
        for function in report.functions:
            self.stdout.write(f"  {function.status:8} {function.score:g}/{function.max_score:g}  {function.name}  {function.summary}")
            for check in function.checks:
                if not check["passed"]:
                    self.stdout.write("           " + check["message"].replace("\n", "\n           "))
            if function.hint:
                self.stdout.write(f"           hint: {function.hint}")
        for model in report.models:
            metrics = ", ".join(f"{k} {v:.4f}" for k, v in model.metrics.items())
            self.stdout.write(f"  model    {model.status:8} {model.name}  {metrics}")
            for check in model.checks:
                if not check["passed"]:
                    self.stdout.write("           " + check["message"])
        for note in report.notes:
            self.stdout.write(f"  note: {note}")


def _json_dumps(document) -> str:
    return jsonlib.dumps(document, indent=2, default=str)
