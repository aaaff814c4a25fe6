"""What a valid launch does here: who the user is, their enrolment, the LMS course and link, where they land."""
from __future__ import annotations

import hashlib

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from grader.api.models import ExternalIdentity
from grader.courses.models import Assignment, Enrollment
from grader.lti.models import Context, Deployment, Passback, ResourceLink
from grader.lti.tool import Refused

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
# Context (membership) roles, LTI 1.3 Core section 5.3.7 / A.2.3: these make course staff here; Learner a student.
STAFF_ROLES = {"Instructor", "TeachingAssistant", "ContentDeveloper"}
STUDENT_ROLES = {"Learner"}


def role_of(roles: list[str]) -> str | None:
    """The course role the launch's context roles give: staff over student; None when neither.

    Full URIs (…/membership#Instructor, …/membership/Instructor#TeachingAssistant) and the short forms count;
    institution and system roles (…/institution/person#…) do not: they say nothing about this course.
    """
    names = set()
    for role in roles or []:
        if "/institution/" in role or "/system/" in role:
            continue
        names.add(role.rsplit("#", 1)[-1].rsplit("/", 1)[-1])
    if names & STAFF_ROLES:
        return Enrollment.Role.STAFF
    if names & STUDENT_ROLES:
        return Enrollment.Role.STUDENT
    return None


def username_for(issuer: str, subject: str) -> str:
    """A stable, unique username for an LMS user: `lti-` and a digest of issuer and subject."""
    return "lti-" + hashlib.sha256(f"{issuer}\n{subject}".encode()).hexdigest()[:20]


def user_for(issuer: str, subject: str, claims: dict):
    """The user of ExternalIdentity(lti, issuer, subject), made on the first launch; name and e-mail kept fresh."""
    identity = ExternalIdentity.objects.select_related("user").filter(
        kind=ExternalIdentity.Kind.LTI, namespace=issuer, subject=subject).first()
    if identity is None:
        try:
            with transaction.atomic():
                user, _ = get_user_model().objects.get_or_create(username=username_for(issuer, subject))
                identity = ExternalIdentity.objects.create(kind=ExternalIdentity.Kind.LTI, namespace=issuer,
                                                           subject=subject, user=user)
        except IntegrityError:  # a simultaneous first launch made it
            identity = ExternalIdentity.objects.select_related("user").get(
                kind=ExternalIdentity.Kind.LTI, namespace=issuer, subject=subject)
    user = identity.user
    fields = {"first_name": claims.get("given_name", "")[:150], "last_name": claims.get("family_name", "")[:150],
              "email": claims.get("email", "")[:254]}
    changed = {k: v for k, v in fields.items() if v and getattr(user, k) != v}
    if changed:
        for key, value in changed.items():
            setattr(user, key, value)
        user.save(update_fields=list(changed))
    return user


def enrol(user, course, role: str) -> Enrollment:
    """Enrols the user with the launch's role; the LMS promotes to staff but never demotes staff made here."""
    enrolment, created = Enrollment.objects.get_or_create(user=user, course=course, defaults={"role": role})
    if not created and role == Enrollment.Role.STAFF and enrolment.role != role:
        enrolment.role = role
        enrolment.save(update_fields=["role"])
    return enrolment


def context_for(deployment: Deployment, claims: dict) -> Context:
    """The LMS course of the launch with its AGS and NRPS endpoints as the launch names them."""
    context_claim = claims.get(CLAIM + "context") or {}
    context_id = str(context_claim.get("id") or f"deployment-{deployment.deployment_id}")
    context, _ = Context.objects.get_or_create(deployment=deployment, context_id=context_id)
    ags = claims.get(AGS_CLAIM) or {}
    nrps = claims.get(NRPS_CLAIM) or {}
    values = {"title": (context_claim.get("title") or context_claim.get("label") or "")[:255],
              "lineitems_url": ags.get("lineitems", context.lineitems_url),
              "ags_scopes": ags.get("scope", context.ags_scopes),
              "memberships_url": nrps.get("context_memberships_url", context.memberships_url)}
    changed = {k: v for k, v in values.items() if v and getattr(context, k) != v}
    if changed:
        for key, value in changed.items():
            setattr(context, key, value)
        context.save(update_fields=list(changed))
    return context


def link_for(context: Context, claims: dict) -> ResourceLink | None:
    """The resource link launched, its assignment from the custom parameter `assignment` when not set yet."""
    resource = claims.get(CLAIM + "resource_link") or {}
    if not resource.get("id"):
        return None
    link, _ = ResourceLink.objects.get_or_create(context=context, resource_link_id=str(resource["id"]))
    course = context.deployment.course
    changed = []
    slug = (claims.get(CLAIM + "custom") or {}).get("assignment")
    if link.assignment_id is None and slug:
        link.assignment = Assignment.objects.filter(course=course, slug=slug).first()
        changed.append("assignment")
    lineitem = (claims.get(AGS_CLAIM) or {}).get("lineitem")
    if lineitem and link.lineitem_url != lineitem:
        link.lineitem_url, changed = lineitem, changed + ["lineitem_url"]
    title = (resource.get("title") or "")[:255]
    if title and link.title != title:
        link.title, changed = title, changed + ["title"]
    if changed:
        link.save(update_fields=changed)
    return link


def accept(claims: dict):
    """Applies a validated launch; returns (user, course, role, link). Raises Refused when it cannot be served."""
    issuer, subject = claims["iss"], claims.get("sub")
    if not subject:
        raise Refused("claim", "the launch has no user (sub)")
    client_id = claims["aud"][0] if isinstance(claims["aud"], list) else claims["aud"]
    deployment = Deployment.objects.select_related("course").filter(
        platform__issuer=issuer, platform__client_id=client_id,
        deployment_id=claims.get(CLAIM + "deployment_id")).first()
    if deployment is None or deployment.course is None:
        raise Refused("deployment", "no Gradebox course is linked to this deployment yet")
    role = role_of(claims.get(CLAIM + "roles") or [])
    if role is None:
        raise Refused("claim", "the roles claim names neither a learner nor an instructor of the course")
    user = user_for(issuer, subject, claims)
    enrol(user, deployment.course, role)
    context = context_for(deployment, claims)
    link = link_for(context, claims)
    # Recorded whether or not the link opens an assignment yet: once staff choose one, these students' grades go.
    if link and role == Enrollment.Role.STUDENT and SCORE_SCOPE in context.ags_scopes:
        Passback.objects.get_or_create(link=link, user=user, defaults={"lti_user_id": subject})
    return user, deployment.course, role, link
