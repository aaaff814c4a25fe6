"""Creates the demo course with every course bundle loaded, a student and a staff account; prints the log-ins."""
import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from assignments import bundle_folders
from assignments.bundle import BundleError
from grader.authoring.services import NotPublishable, load_folder
from grader.courses.models import Course, Enrollment

# The teacher is staff of the demo course by its course role only (not a Django admin): the staff
# pages under /courses/improving-dnn/staff/ are theirs; the admin is for operators.
DEMO_ACCOUNTS = [
    ("student", "student", Enrollment.Role.STUDENT),
    ("teacher", "teacher", Enrollment.Role.STAFF),
]


class Command(BaseCommand):
    help = "Create (or refresh) the demo course, load the course's bundle folders, and the demo accounts."

    def add_arguments(self, parser):
        parser.add_argument("--skip-contract", action="store_true",
                            help="publish without running the contract (the bundles are validated elsewhere)")

    def handle(self, *args, skip_contract=False, **options):
        course, _ = Course.objects.get_or_create(
            slug="improving-dnn", defaults={"title": "Improving Deep Neural Networks"}
        )
        for slug, folder in bundle_folders().items():
            try:
                load_folder(course, folder, contract=not skip_contract)
            except (BundleError, NotPublishable) as error:
                raise CommandError(f"{slug}: {error}") from None
        User = get_user_model()
        lines = []
        for username, default_password, role in DEMO_ACCOUNTS:
            password = os.environ.get(f"GRADER_DEMO_{username.upper()}_PASSWORD", default_password)
            user, created = User.objects.get_or_create(username=username)
            if created:
                user.set_password(password)
            user.is_staff = user.is_superuser = False
            user.save()
            Enrollment.objects.update_or_create(user=user, course=course, defaults={"role": role})
            lines.append(f"  {role:8} {username} / {password if created else '(unchanged)'}")
        self.stdout.write("Demo course '%s' ready. Accounts:\n%s" % (course.title, "\n".join(lines)))
