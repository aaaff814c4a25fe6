"""How the student's pages write scores and times, the same way on every page."""
from __future__ import annotations

from datetime import datetime, timezone as dt_timezone

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def points(score, max_score) -> str:
    """`{{ score|points:max_score }}` -> "9.50 / 10.00": two decimals on both sides, everywhere."""
    if score is None:
        return ""
    return f"{float(score):.2f} / {float(max_score or 0):.2f}"


@register.simple_tag
def when(moment: datetime | None, seconds: bool = False):
    """A <time> element reading "2026-12-01 14:00 UTC"; the page's script rewrites it in the reader's time zone.

    Without the script (or before it runs) the text is UTC and says so, so a time is never unlabelled.
    """
    if moment is None:
        return ""
    utc = moment.astimezone(dt_timezone.utc)
    text = utc.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M") + " UTC"
    return format_html('<time datetime="{}" data-local="{}">{}</time>', utc.isoformat(),
                       "seconds" if seconds else "minutes", text)
