"""Builds every assignment's inputs and computes its expected outputs in the sandbox, ahead of the first upload."""
import time

from django.core.management.base import BaseCommand

from assignments.registry import all_assignments
from grader.grading.job import prepare_inputs
from grader.grading.setup import get_grader


class Command(BaseCommand):
    help = "Prepare inputs and expected outputs (reference and catalogued mistakes) for every assignment."

    def handle(self, *args, **options):
        grader = get_grader()
        self.stdout.write(f"sandbox backend: {grader.backend.name}")
        for assignment in all_assignments():
            started = time.monotonic()
            prepared = prepare_inputs(assignment, grader.cache_dir)
            expected = grader.expected_for(assignment)
            self.stdout.write(
                f"{assignment.slug}: inputs {prepared.version}, expected outputs ready "
                f"({len(expected.mistakes)} catalogued mistakes) in {time.monotonic() - started:.1f} s"
            )
