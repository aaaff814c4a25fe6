"""Loads bundle folders as assignment versions: idempotent, published unless --draft, every problem listed."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assignments.bundle import BundleError
from grader.authoring.services import NotPublishable, load_folder
from grader.courses.models import Course
from grader.grading.contract import table

DEFAULT_COURSE = ("improving-dnn", "Improving Deep Neural Networks")


class Command(BaseCommand):
    help = ("Load bundle folders (assignment.toml and its files) as versions of the course's assignments. "
            "Loading an unchanged folder again makes no new version; a changed one makes a new version, "
            "published (after the contract holds) unless --draft.")

    def add_arguments(self, parser):
        parser.add_argument("folders", nargs="+", type=Path)
        parser.add_argument("--course", default=DEFAULT_COURSE[0], help="course slug (created if missing)")
        parser.add_argument("--draft", action="store_true", help="store as a draft; do not publish")
        parser.add_argument("--skip-contract", action="store_true",
                            help="publish without grading the reference and mistakes (only for folders validated already)")

    def handle(self, *args, folders, course, draft, skip_contract, **options):
        title = DEFAULT_COURSE[1] if course == DEFAULT_COURSE[0] else course
        course_row, _ = Course.objects.get_or_create(slug=course, defaults={"title": title})
        problems = 0
        for folder in folders:
            try:
                loaded = load_folder(course_row, folder, draft=draft, contract=not skip_contract)
            except BundleError as error:
                self.stderr.write(str(error))
                problems += 1
                continue
            except NotPublishable as error:
                self.stderr.write(f"{folder}: not published: {error}")
                for line in table_rows(error.rows):
                    self.stderr.write(line)
                problems += 1
                continue
            version = loaded.version
            what = "new version" if loaded.created else "unchanged"
            self.stdout.write(f"{version.slug}: {what} v{version.number} ({version.state}, digest {version.digest[:12]})")
        if problems:
            raise CommandError(f"{problems} folder(s) not loaded")


def table_rows(rows):
    from grader.grading.contract import ContractResult

    return table(ContractResult([tuple(row) for row in rows]))
