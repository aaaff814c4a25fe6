"""Names and Role Provisioning Services: the LMS course's members enrolled here with their roles."""
from __future__ import annotations

from django.utils import timezone

from grader.lti.launch import enrol, role_of, user_for
from grader.lti.models import Context
from grader.lti.services import Connector

MEMBERSHIP_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
MEMBERSHIP_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"


def sync(context: Context) -> dict:
    """Reads every page of the membership container; enrols Active members (staff or student by role).

    Members who left the LMS course are not removed here (their grades stay): staff remove them on the
    People page. Returns counts {"staff", "students", "skipped"}.
    """
    platform = context.deployment.platform
    course = context.deployment.course
    counts = {"staff": 0, "students": 0, "skipped": 0}
    connector = Connector(platform)
    for page in connector.get_paginated_data([MEMBERSHIP_SCOPE], context.memberships_url, accept=MEMBERSHIP_TYPE):
        for member in (page["body"] or {}).get("members", []):
            role = role_of(member.get("roles", []))
            if member.get("status", "Active") != "Active" or role is None or not member.get("user_id"):
                counts["skipped"] += 1
                continue
            user = user_for(platform.issuer, str(member["user_id"]), member)
            enrol(user, course, role)
            counts["staff" if role == "staff" else "students"] += 1
    context.roster_synced_at = timezone.now()
    context.roster_status = f"{counts['students']} students, {counts['staff']} staff, {counts['skipped']} skipped"
    context.save(update_fields=["roster_synced_at", "roster_status"])
    return counts
