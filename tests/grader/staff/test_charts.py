"""Inline SVG charts: named for screen readers, every label escaped, marks drawn to scale."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from grader.staff import charts

SVG = "{http://www.w3.org/2000/svg}"


def parsed(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))  # well-formed XML, or this raises


def test_ticks_are_round_and_reach_the_top():
    assert charts.nice_ticks(7) == [0, 2, 4, 6, 8]
    assert charts.nice_ticks(100) == [0, 50, 100]
    assert charts.nice_ticks(2, whole=True) == [0, 1, 2]  # counts: no half steps
    assert charts.nice_ticks(0) == [0.0, 1.0]


def test_a_chart_is_named_and_described_for_screen_readers():
    svg = parsed(charts.columns([("0-10%", 3), ("10-20%", 1)], chart_id="scores", title="Scores",
                                description="Per band."))
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "scores-title scores-desc"
    assert svg.find(f"{SVG}title").text == "Scores" and svg.find(f"{SVG}desc").text == "Per band."


def test_columns_are_drawn_to_scale_with_a_title_each():
    svg = parsed(charts.columns([("a", 4), ("b", 1), ("c", 0)], chart_id="c", title="t", description="d", whole=True))
    rects = svg.findall(f"{SVG}rect")
    heights = [float(r.get("height")) for r in rects]
    assert len(rects) == 3 and heights[0] == 4 * heights[1] and heights[2] == 0
    assert [r.find(f"{SVG}title").text for r in rects] == ["a: 4", "b: 1", "c: 0"]


def test_labels_are_escaped():
    svg = str(charts.bars([("<script>alert(1)</script> & co", 50.0)], chart_id='x"y', title="<b>", description="&"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and 'id="x&quot;y-title"' in svg
    parsed(svg)


def test_bars_fill_their_share_of_the_track():
    svg = parsed(charts.bars([("f1", 50.0), ("f2", 100.0), ("f3", 130.0)], chart_id="b", title="t", description="d"))
    tracks = [r for r in svg.findall(f"{SVG}rect") if r.find(f"{SVG}title") is None]
    filled = [r for r in svg.findall(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    full = float(tracks[0].get("width"))
    assert [float(r.get("width")) for r in filled] == [full / 2, full, full]  # clipped at the top of the scale
    assert [t.text for t in svg.findall(f"{SVG}text")][-1] == "130%"


def test_a_line_has_a_point_per_value_and_shows_at_most_a_dozen_labels():
    points = [(f"d{i}", i % 3) for i in range(30)]
    svg = parsed(charts.line(points, chart_id="l", title="t", description="d", whole=True))
    assert len(svg.findall(f"{SVG}circle")) == 30 and len(svg.findall(f"{SVG}polyline")) == 1
    labels = [t.text for t in svg.findall(f"{SVG}text") if re.fullmatch(r"d\d+", t.text or "")]
    assert labels == ["d0", "d3", "d6", "d9", "d12", "d15", "d18", "d21", "d24", "d27"]
