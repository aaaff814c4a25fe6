"""Builds the inputs and computes the expected outputs of every current version in the sandbox, ahead of the first upload."""
import time

from django.core.management.base import BaseCommand

from grader.authoring.services import bundle_of
from grader.courses.models import Assignment
from grader.grading.inputs import FUNCTIONS, prepare_inputs
from grader.grading.setup import get_grader


class Command(BaseCommand):
    help = "Prepare inputs and expected outputs (reference and catalogued mistakes) of every current assignment version."

    def handle(self, *args, **options):
        grader = get_grader()
        done = set()
        for assignment in Assignment.objects.filter(current_version__isnull=False).select_related("current_version"):
            bundle = bundle_of(assignment.current_version)
            if bundle.digest in done:
                continue
            done.add(bundle.digest)
            started = time.monotonic()
            backend = grader.backend_for(bundle.environment)
            prepared = prepare_inputs(bundle, grader, FUNCTIONS)
            expected = grader.expected_for(bundle)
            self.stdout.write(
                f"{bundle.slug} ({bundle.environment}, {backend.name}): inputs {prepared.version}, expected outputs "
                f"ready ({len(expected.mistakes)} catalogued mistakes) in {time.monotonic() - started:.1f} s"
            )
