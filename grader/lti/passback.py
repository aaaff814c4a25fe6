"""Assignment and Grade Services: the counting grade (`Grade`) of a launched student goes to the LMS line
item of the link they launched; deep linking returns an assignment with its line item."""
from __future__ import annotations

import json
from urllib.parse import urlsplit, urlunsplit

from django.db import transaction
from django.utils import timezone
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem

from grader.lti.models import Passback, ResourceLink
from grader.lti.services import Connector
from grader.lti.setup_values import tool_values
from grader.submissions.models import Grade

LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEMS_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"


def grade_changed(grade: Grade) -> None:
    """Called by `update_grade` when the stored grade changed: queues a passback per LMS link it counts on."""
    ids = list(Passback.objects.filter(user_id=grade.user_id, link__assignment_id=grade.assignment_id)
               .values_list("pk", flat=True))
    if ids:
        from grader.lti.tasks import send_score

        transaction.on_commit(lambda: [send_score.delay(pk) for pk in ids])


def resend(rows: list[Passback]) -> None:
    """Staff's resend: the rows go back to pending with a fresh attempt count and are queued again."""
    from grader.lti.tasks import send_score

    ids = [row.pk for row in rows]
    Passback.objects.filter(pk__in=ids).update(status=Passback.Status.PENDING, attempts=0, error="")
    transaction.on_commit(lambda: [send_score.delay(pk) for pk in ids])


def _scores_url(lineitem_url: str) -> str:
    """The line item's scores endpoint: `/scores` after its path, query kept (AGS 2.0 section 3.4)."""
    parts = urlsplit(lineitem_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


def ensure_lineitem(link: ResourceLink, connector: Connector) -> str:
    """The link's line item URL: the stored one, else the platform's existing one for the link, else a new one.

    Runs under the link's row lock, so two passbacks of one link never create two line items.
    """
    if link.lineitem_url:
        return link.lineitem_url
    with transaction.atomic():
        link = ResourceLink.objects.select_for_update(of=("self",)).select_related("context", "assignment").get(pk=link.pk)
        if link.lineitem_url:
            return link.lineitem_url
        container = link.context.lineitems_url
        if not container:
            raise ValueError("the LMS offered no line items service for this course")
        scopes = scopes_of(link.context)
        parts = urlsplit(container)
        query = "&".join(filter(None, [parts.query, f"resource_link_id={link.resource_link_id}"]))
        found = connector.request(scopes, urlunsplit(parts._replace(query=query)), accept=LINEITEMS_TYPE)["body"]
        existing = [item for item in found or [] if item.get("resourceLinkId") == link.resource_link_id]
        if existing:
            url = existing[0]["id"]
        else:
            item = {"scoreMaximum": link.assignment.max_score, "label": link.assignment.title,
                    "resourceLinkId": link.resource_link_id, "tag": "gradebox", "resourceId": link.assignment.slug}
            url = connector.request(scopes, container, is_post=True, data=json.dumps(item),
                                    content_type=LINEITEM_TYPE, accept=LINEITEM_TYPE)["body"]["id"]
        link.lineitem_url = url
        link.save(update_fields=["lineitem_url"])
        return url


def scopes_of(context) -> list[str]:
    """Every AGS scope the launch offered: one token serves line items and scores alike."""
    return sorted(set(context.ags_scopes) & {LINEITEM_SCOPE, SCORE_SCOPE}) or [LINEITEM_SCOPE, SCORE_SCOPE]


def score_of(row: Passback) -> dict:
    """The AGS score for the student's stored counting grade (AGS 2.0 section 3.4.6)."""
    assignment = row.link.assignment
    grade = Grade.objects.filter(user_id=row.user_id, assignment=assignment).first()
    score = {"userId": row.lti_user_id, "scoreMaximum": float(assignment.max_score),
             "timestamp": timezone.now().isoformat(timespec="milliseconds")}
    if grade is not None and grade.score is not None:
        score.update(scoreGiven=float(grade.score), activityProgress="Completed", gradingProgress="FullyGraded")
    else:
        score.update(activityProgress="Initialized", gradingProgress="NotReady")
    return score


def send(row_id: int) -> str:
    """Sends the row's score when it differs from what was last sent; returns "sent" or "unchanged".

    Raises LtiServiceException or requests' errors when the platform cannot be reached or refuses.
    """
    row = Passback.objects.select_related("link__assignment", "link__context__deployment__platform").get(pk=row_id)
    if row.link.assignment is None:
        return "unchanged"
    score = score_of(row)
    given, maximum = score.get("scoreGiven"), score["scoreMaximum"]
    if row.status == Passback.Status.SENT and row.sent_score == given and row.sent_max == maximum:
        return "unchanged"
    connector = Connector(row.link.context.deployment.platform)
    lineitem = ensure_lineitem(row.link, connector)
    connector.request(scopes_of(row.link.context), _scores_url(lineitem), is_post=True, data=json.dumps(score),
                      content_type=SCORE_TYPE)
    Passback.objects.filter(pk=row.pk).update(status=Passback.Status.SENT, sent_score=given, sent_max=maximum,
                                              sent_at=timezone.now(), error="")
    return "sent"


def deep_link_form(launch, assignment, request) -> str:
    """The auto-submitting form that returns the assignment to the LMS as an LtiResourceLink with a line item
    (Deep Linking 2.0 section 3.3; scoreMaximum: the assignment's points)."""
    lineitem = (LineItem().set_score_maximum(assignment.max_score).set_label(assignment.title)
                .set_resource_id(assignment.slug).set_tag("gradebox"))
    resource = (DeepLinkResource().set_url(tool_values(request)["Target link URI"]).set_title(assignment.title)
                .set_custom_params({"assignment": assignment.slug}).set_lineitem(lineitem))
    return launch.get_deep_link().output_response_form([resource])
