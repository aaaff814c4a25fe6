"""Proves an assignment is gradable: the contract of DESIGN.md, for a loaded slug or any bundle folder on disk."""
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assignments.bundle import BundleError, load_bundle
from grader.authoring.services import bundle_of
from grader.courses.lookup import UnknownAssignment, find_version
from grader.grading.contract import table
from grader.grading.contract_cache import cached_contract
from grader.grading.setup import get_grader


class Command(BaseCommand):
    help = ("Grade the reference through the full pipeline (must score 100%), each catalogued mistake (must lose "
            "points on its own function only and carry its own hint) and the model checks' thresholds on the "
            "reference's training. Arguments: slugs of loaded assignments or bundle folders (default: every "
            "current version). Exit 1 on any failure.")

    def add_arguments(self, parser):
        parser.add_argument("targets", nargs="*", help="SLUG or path/to/bundle")
        parser.add_argument("--course", help="course slug, when several courses have SLUG")
        parser.add_argument("--no-cache", action="store_true",
                            help="check again even if this version was checked with the same image and code")

    def handle(self, *args, targets, course, **options):
        bundles = []
        if not targets:
            from grader.courses.models import Assignment

            targets = sorted({a.slug for a in Assignment.objects.filter(current_version__isnull=False)})
            if not targets:
                raise CommandError("no assignment is loaded; give bundle folders, or load them with load_assignments")
        for target in targets:
            if Path(target).is_dir() or Path(target).name == "assignment.toml":
                try:
                    bundles.append(load_bundle(target))
                except BundleError as error:
                    raise CommandError(str(error)) from None
            else:
                try:
                    bundles.append(bundle_of(find_version(target, course)))
                except UnknownAssignment as error:
                    raise CommandError(str(error)) from None
        failures = 0
        grader = get_grader()
        for bundle in bundles:
            started = time.monotonic()
            result, kept = cached_contract(bundle, grader, fresh=options["no_cache"])
            how = "the verdict of an identical check, kept" if kept else f"{time.monotonic() - started:.1f} s"
            self.stdout.write(f"\n{bundle.slug} ({how}, digest {bundle.digest[:12]})")
            for line in table(result):
                self.stdout.write(line)
            failures += result.failures if result.rows else 1
        if failures:
            raise CommandError(f"{failures} validation problem(s)")
