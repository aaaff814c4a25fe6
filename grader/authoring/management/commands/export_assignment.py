"""Writes an assignment's current (or a given) version as a self-contained bundle folder."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from grader.authoring.services import export
from grader.courses.lookup import UnknownAssignment, find_version


class Command(BaseCommand):
    help = "Export SLUG's current published version (or --version N) to DIR; it loads back to the same digest."

    def create_parser(self, prog_name, subcommand, **kwargs):
        """This command's --version (a version number) replaces Django's own --version (the Django release)."""
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("directory", type=Path)
        parser.add_argument("--course", help="course slug, when several courses have SLUG")
        parser.add_argument("--version", type=int, help="version number (default: the current one)")

    def handle(self, *args, slug, directory, course, version, **options):
        try:
            found = find_version(slug, course, version)
        except UnknownAssignment as error:
            raise CommandError(str(error)) from None
        try:
            export(found, directory)
        except FileExistsError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"{found.slug} v{found.number} (digest {found.digest[:12]}) written to {directory}")
