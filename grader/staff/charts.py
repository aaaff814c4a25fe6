"""Small charts drawn on the server as inline SVG: no script, no library, no outside asset.

Each chart is an `<svg role="img">` named by its `<title>` and described by
its `<desc>`; each mark has a `<title>` of its own (label and value, shown on
hover). Pages put the same numbers in a table beside the chart, which is what
a screen reader reads.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 480, 240  # column and line charts: drawn beside a table, in about half a page
BARS_WIDTH = 720  # horizontal bar charts take a page's width
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 44  # room for the value axis and the labels below
LABELS_SHOWN = 12  # at most this many category labels under a column or line chart
BAR_HEIGHT = 22  # per row of a horizontal bar chart
BAR_LABEL_WIDTH = 220
COLOR, MUTED, GRID = "#2da44e", "#57606a", "#d0d7de"


def nice_ticks(top: float, count: int = 4, whole: bool = False) -> list[float]:
    """0 and a few round values (1, 2 or 5 times a power of ten apart) reaching at least `top`; `whole`: steps of
    at least 1 (for counts)."""
    if top <= 0:
        return [0.0, 1.0]
    rough = top / count
    power = 10 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= rough)
    if whole:
        step = max(1, round(step))
    return [i * step for i in range(math.ceil(top / step - 1e-9) + 1)]


def number(value: float) -> str:
    """A value as the charts and tables print it: whole numbers without decimals, others with one."""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def columns(points: Sequence[tuple[str, float]], *, chart_id: str, title: str, description: str,
            unit: str = "", top: float | None = None, whole: bool = False) -> SafeString:
    """Vertical bars, one per (label, value), on a value axis from 0 (e.g. a histogram; `whole`: counts)."""
    ticks = nice_ticks(max([top or 0.0] + [v for _, v in points]), whole=whole)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, len(points))
    marks = []
    for i, (label, value) in enumerate(points):
        h = plot_h * value / ticks[-1]
        x = LEFT + i * slot + slot * 0.1
        marks.append(f'<rect x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{slot * 0.8:.1f}" height="{h:.1f}" '
                     f'fill="{COLOR}"><title>{escape(label)}: {number(value)}{escape(unit)}</title></rect>')
    return _svg(chart_id, title, description, WIDTH, HEIGHT,
                _value_axis(ticks, plot_h, unit) + marks + _category_labels([l for l, _ in points], slot))


def line(points: Sequence[tuple[str, float]], *, chart_id: str, title: str, description: str,
         unit: str = "", whole: bool = False) -> SafeString:
    """A line through (label, value) points in order (e.g. a count per hour or day), with a dot per point."""
    ticks = nice_ticks(max([0.0] + [v for _, v in points]), whole=whole)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, len(points))
    xy = [(LEFT + slot * (i + 0.5), TOP + plot_h - plot_h * value / ticks[-1]) for i, (_, value) in enumerate(points)]
    marks = []
    if len(xy) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
        marks.append(f'<polyline points="{path}" fill="none" stroke="{COLOR}" stroke-width="2"/>')
    radius = 3 if len(points) <= 60 else 1.5
    for (x, y), (label, value) in zip(xy, points):
        marks.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius}" fill="{COLOR}">'
                     f'<title>{escape(label)}: {number(value)}{escape(unit)}</title></circle>')
    return _svg(chart_id, title, description, WIDTH, HEIGHT,
                _value_axis(ticks, plot_h, unit) + marks + _category_labels([l for l, _ in points], slot))


def bars(rows: Sequence[tuple[str, float]], *, chart_id: str, title: str, description: str,
         unit: str = "%", top: float = 100.0) -> SafeString:
    """Horizontal bars, one row per (label, value), on a scale from 0 to `top` (e.g. a pass rate)."""
    plot_w = BARS_WIDTH - BAR_LABEL_WIDTH - RIGHT - 40
    height = TOP + BAR_HEIGHT * max(1, len(rows)) + 8
    marks = []
    for i, (label, value) in enumerate(rows):
        y = TOP + i * BAR_HEIGHT
        w = plot_w * min(max(value, 0.0), top) / top if top else 0.0
        shown = label if len(label) <= 32 else label[:31] + "…"
        marks.append(f'<text x="{BAR_LABEL_WIDTH - 6}" y="{y + BAR_HEIGHT * 0.65:.1f}" text-anchor="end" '
                     f'font-size="12" fill="currentColor">{escape(shown)}</text>')
        marks.append(f'<rect x="{BAR_LABEL_WIDTH}" y="{y + 3}" width="{plot_w}" height="{BAR_HEIGHT - 6}" '
                     f'fill="{GRID}" opacity="0.4"/>')
        marks.append(f'<rect x="{BAR_LABEL_WIDTH}" y="{y + 3}" width="{w:.1f}" height="{BAR_HEIGHT - 6}" '
                     f'fill="{COLOR}"><title>{escape(label)}: {number(value)}{escape(unit)}</title></rect>')
        marks.append(f'<text x="{BAR_LABEL_WIDTH + plot_w + 4}" y="{y + BAR_HEIGHT * 0.65:.1f}" font-size="12" '
                     f'fill="{MUTED}">{number(value)}{escape(unit)}</text>')
    return _svg(chart_id, title, description, BARS_WIDTH, height, marks)


def _value_axis(ticks: list[float], plot_h: float, unit: str) -> list[str]:
    parts = []
    for tick in ticks:
        y = TOP + plot_h - plot_h * tick / ticks[-1]
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
                     f'fill="{MUTED}">{number(tick)}{escape(unit)}</text>')
    return parts


def _category_labels(labels: list[str], slot: float) -> list[str]:
    """Every label that fits (under 6 units a character at font size 11), at most LABELS_SHOWN of them."""
    label_w = 5.8 * max([len(label) for label in labels] or [1]) + 4
    fits = max(1, min(LABELS_SHOWN, int((WIDTH - LEFT - RIGHT) / label_w)))
    every = max(1, math.ceil(len(labels) / fits))
    y = HEIGHT - BOTTOM + 16
    return [f'<text x="{LEFT + slot * (i + 0.5):.1f}" y="{y}" text-anchor="middle" font-size="11" '
            f'fill="{MUTED}">{escape(label)}</text>' for i, label in enumerate(labels) if i % every == 0]


def _svg(chart_id: str, title: str, description: str, width: float, height: float, marks: list[str]) -> SafeString:
    ids = f"{escape(chart_id)}-title {escape(chart_id)}-desc"
    return mark_safe(  # every text inside went through escape()
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="{ids}" '
        f'viewBox="0 0 {width} {height:.0f}" width="100%" preserveAspectRatio="xMinYMin meet">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>'
        + "".join(marks) + "</svg>")
