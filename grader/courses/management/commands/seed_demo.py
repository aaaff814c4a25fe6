"""Creates the demo course with every assignment, a student and a staff account; prints the log-ins."""
import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from assignments.registry import all_assignments
from grader.courses.models import Course, Enrollment
from grader.courses.sync import sync_assignment

DEMO_ACCOUNTS = [
    ("student", "student", Enrollment.Role.STUDENT, False),
    ("teacher", "teacher", Enrollment.Role.STAFF, True),
]


class Command(BaseCommand):
    help = "Create (or refresh) the demo course and demo accounts."

    def handle(self, *args, **options):
        course, _ = Course.objects.get_or_create(
            slug="improving-dnn", defaults={"title": "Improving Deep Neural Networks"}
        )
        for order, spec in enumerate(all_assignments()):
            sync_assignment(course, spec, order=order)
        User = get_user_model()
        lines = []
        for username, default_password, role, is_staff in DEMO_ACCOUNTS:
            password = os.environ.get(f"GRADER_DEMO_{username.upper()}_PASSWORD", default_password)
            user, created = User.objects.get_or_create(username=username)
            if created:
                user.set_password(password)
            user.is_staff = is_staff
            user.is_superuser = is_staff
            user.save()
            Enrollment.objects.update_or_create(user=user, course=course, defaults={"role": role})
            lines.append(f"  {role:8} {username} / {password if created else '(unchanged)'}")
        self.stdout.write("Demo course '%s' ready. Accounts:\n%s" % (course.title, "\n".join(lines)))
