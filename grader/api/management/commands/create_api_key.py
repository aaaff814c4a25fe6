"""Makes an API key for a course; the key is printed once, alone on the last line, and never stored."""
from django.core.management.base import BaseCommand, CommandError

from grader.api.keys import InvalidScopes, create_key
from grader.courses.models import Course


class Command(BaseCommand):
    help = "Create an API key for a course's integration (e.g. an LMS); prints the key once."

    def add_arguments(self, parser):
        parser.add_argument("--course", required=True, help="the course's slug")
        parser.add_argument("--scopes", required=True, help="comma-separated: read, submit, manage")
        parser.add_argument("--name", required=True, help="what the key is for, e.g. 'Moodle production'")

    def handle(self, *args, course, scopes, name, **options):
        found = Course.objects.filter(slug=course).first()
        if found is None:
            known = ", ".join(Course.objects.order_by("slug").values_list("slug", flat=True)) or "none"
            raise CommandError(f"unknown course {course!r}; courses: {known}")
        if not name.strip():
            raise CommandError("--name must not be empty")
        try:
            row, key = create_key(found, name.strip()[:100], scopes)
        except InvalidScopes as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"API key {row.prefix} '{row.name}' for {found.slug}, scopes {', '.join(row.scopes)}. "
                          "Store it now: it is not shown again.")
        self.stdout.write(key)
