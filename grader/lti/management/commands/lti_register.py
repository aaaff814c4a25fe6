"""`manage.py lti_register`: registers (or updates) an LMS platform, optionally a deployment for a course."""
from django.core.management.base import BaseCommand, CommandError

from grader.courses.models import Course
from grader.lti.models import Deployment, Platform


class Command(BaseCommand):
    help = "Register Gradebox's LTI 1.3 tool with a platform (issuer + client id); see docs/lti.md."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="e.g. 'University Canvas'")
        parser.add_argument("--issuer", required=True)
        parser.add_argument("--client-id", required=True)
        parser.add_argument("--auth-login-url", required=True, help="the platform's OIDC authorization endpoint")
        parser.add_argument("--token-url", required=True, help="the platform's OAuth2 token endpoint")
        parser.add_argument("--keyset-url", required=True, help="the platform's JWKS URL")
        parser.add_argument("--audience", default="", help="client assertion audience when not the token URL")
        parser.add_argument("--deployment-id", default="", help="also record this deployment")
        parser.add_argument("--course", default="", help="course slug the deployment serves")

    def handle(self, *args, **options):
        platform, created = Platform.objects.update_or_create(
            issuer=options["issuer"], client_id=options["client_id"],
            defaults={"name": options["name"], "auth_login_url": options["auth_login_url"],
                      "auth_token_url": options["token_url"], "keyset_url": options["keyset_url"],
                      "auth_audience": options["audience"]})
        self.stdout.write(f"{'Registered' if created else 'Updated'} {platform}")
        if options["deployment_id"]:
            course = None
            if options["course"]:
                course = Course.objects.filter(slug=options["course"]).first()
                if course is None:
                    raise CommandError(f"No course {options['course']!r}.")
            deployment, _ = Deployment.objects.get_or_create(platform=platform, deployment_id=options["deployment_id"])
            if course is not None:
                deployment.course = course
                deployment.save(update_fields=["course"])
            self.stdout.write(f"Deployment {deployment.deployment_id} -> {deployment.course or 'no course yet'}")
