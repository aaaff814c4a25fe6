"""An assignment's insight page: pass rates, diagnosed mistakes, scores, uploads over time, time to feedback."""
from __future__ import annotations

from django import forms
from django.shortcuts import render

from grader.staff import charts
from grader.staff.access import staff_assignment, staff_view
from grader.staff.insight import Insight, assignment_insight


class VersionForm(forms.Form):
    """Narrows the page to one version of the assignment (empty: every version)."""

    version = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Version")

    def __init__(self, *args, versions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.versions = {v.number: v for v in versions}
        self.fields["version"].choices = [("", "All versions")] + [
            (v.number, f"v{v.number} ({v.get_state_display().lower()})") for v in versions]


@staff_view
def insight(request, course, slug):
    assignment = staff_assignment(course, slug)
    form = VersionForm(request.GET or None, versions=assignment.versions.order_by("-number"))
    context = {"course": course, "assignment": assignment, "form": form}
    if form.is_bound and not form.is_valid():
        form.fields["version"].widget.attrs.update({"aria-invalid": "true", "aria-describedby": "id_version-errors"})
        return render(request, "staff/insight.html", context, status=400)
    version = form.versions.get(form.cleaned_data["version"]) if form.is_bound else None
    numbers = assignment_insight(assignment, version)
    return render(request, "staff/insight.html", {
        **context, "insight": numbers, "charts": _charts(numbers),
        "median": duration(numbers.feedback.median_s), "p90": duration(numbers.feedback.p90_s)})


def duration(seconds: float | None) -> str:
    """A wait as people read it: "0.84 s", "12.3 s", "4 min 05 s", "2 h 03 min"."""
    if seconds is None:
        return "-"
    if seconds < 10:
        return f"{seconds:.2f} s"
    if seconds < 60:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    if whole < 3600:
        return f"{whole // 60} min {whole % 60:02d} s"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"


def _charts(numbers: Insight) -> dict:
    functions = numbers.functions
    case_rows = [(f"v{c.version} " if c.version and numbers.version is None else "") + f"{c.function} · {c.case_id}"
                 for c in numbers.cases]
    top_mistake = max([m.results for m in numbers.mistakes], default=1)
    timeline_label = {"hour": "%d %b %H:00", "day": "%d %b", "week": "week of %d %b"}[numbers.timeline.unit]
    return {
        "functions": charts.bars([(r.name, r.pass_percent) for r in functions], chart_id="chart-functions",
                                 title="Pass rate per graded function",
                                 description="Percent of current results in which the function passed."),
        "cases": charts.bars(list(zip(case_rows, [c.pass_percent for c in numbers.cases])), chart_id="chart-cases",
                             title="Pass rate per test case",
                             description="Percent of current results of the function that passed the case."),
        "mistakes": charts.bars([(f"{m.function}: {m.key or m.hint}", m.results) for m in numbers.mistakes],
                                chart_id="chart-mistakes", title="Most frequent diagnosed mistakes", unit="",
                                top=top_mistake, description="Current results whose hint diagnosed the mistake."),
        "upload_scores": charts.columns([(f"{b.low}–{b.high}", b.count) for b in numbers.upload_scores.bins],
                                        chart_id="chart-upload-scores", title="Scores of all uploads",
                                        description="Uploads per score band, in percent of the maximum score.",
                                        whole=True),
        "grade_scores": charts.columns([(f"{b.low}–{b.high}", b.count) for b in numbers.grade_scores.bins],
                                       chart_id="chart-grade-scores", title="Counting grades",
                                       description="Students per band of their counting grade (late penalty "
                                                   "applied), in percent of the maximum score.", whole=True),
        "timeline": charts.line([(start.strftime(timeline_label), n) for start, n in numbers.timeline.buckets],
                                chart_id="chart-timeline", title=f"Uploads per {numbers.timeline.unit}",
                                description=f"Uploads made in each {numbers.timeline.unit}.", whole=True),
    }
