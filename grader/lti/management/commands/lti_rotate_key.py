"""`manage.py lti_rotate_key`: a new signing key; the old one stays in /lti/jwks/ for the overlap."""
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand

from grader.lti import keys


class Command(BaseCommand):
    help = "Make a new LTI signing key; replaced keys stay published until they expire."

    def add_arguments(self, parser):
        parser.add_argument("--overlap-s", type=int, default=settings.GRADER_LTI_KEY_OVERLAP_S,
                            help="seconds the replaced key stays published (default GRADER_LTI_KEY_OVERLAP_S)")

    def handle(self, *args, **options):
        key = keys.rotate(timedelta(seconds=options["overlap_s"]))
        self.stdout.write(f"New signing key {key.kid}; published keys: {keys.published_keys().count()}")
