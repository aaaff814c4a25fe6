"""The numbers of an assignment's insight page, aggregated in the database from stored rows.

Pass rates, mistakes and the uploads' score distribution read each upload's
current result only (graded, not superseded: what `grades.counting_candidates`
reads), so a regraded upload counts once, with its newest result; uploads over
time and time to feedback are in `grader.staff.activity`. Every query groups
in the database and returns few rows (one per function and status, per
distinct score, per time bucket), so a course's page costs the same few
queries whatever its number of submissions.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import BooleanField, Case, Count, F, Func, Max, Min, Sum, TextField, Value, When

from grader.authoring.models import AssignmentVersion
from grader.courses.models import Assignment
from grader.staff.activity import FeedbackTimes, Timeline, feedback_times, timeline
from grader.submissions.models import FunctionResult, Grade, Submission

SCORE_BINS = 10  # of 10 percentage points each; the last one includes 100 %
MISTAKES_SHOWN = 15
KINDS = {  # the key's prefix (grader.grading.diagnosis.Diagnosis) -> what found it
    "mistake": "catalogued mistake",
    "difference": "known difference",
    "message": "check's hint",
    "": "hint text (graded before keys were stored)",
}


@dataclass
class FunctionRate:
    """One graded function (or model check) over the current results: how many passed, how the rest ended."""

    kind: str
    name: str
    total: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    score: float = 0.0
    max_score: float = 0.0
    order: int = 0

    @property
    def passed(self) -> int:
        return self.statuses.get(FunctionResult.Status.PASSED, 0)

    @property
    def pass_percent(self) -> float:
        return 100.0 * self.passed / self.total if self.total else 0.0

    @property
    def score_percent(self) -> float:
        return 100.0 * self.score / self.max_score if self.max_score else 0.0


@dataclass
class CaseRate:
    """One test case of one version: results whose function passed it, of all results of that function."""

    version: int
    function: str
    number: int  # 1-based, the manifest's order
    case_id: str
    hidden: bool
    passed: int = 0
    total: int = 0

    @property
    def pass_percent(self) -> float:
        return 100.0 * self.passed / self.total if self.total else 0.0


@dataclass(frozen=True)
class MistakeCount:
    """A diagnosed mistake: how many current results (and students) got its hint."""

    function: str
    key: str
    hint: str  # one of the hints given under this key (a message's hint may name a variable)
    results: int
    students: int
    of_results: int  # current results of that function

    @property
    def kind(self) -> str:
        return KINDS.get(self.key.partition(":")[0] if self.key else "", "other")

    @property
    def percent(self) -> float:
        return 100.0 * self.results / self.of_results if self.of_results else 0.0


@dataclass(frozen=True)
class Bin:
    low: int  # percent of the maximum score, inclusive
    high: int  # exclusive, except the last bin's 100
    count: int

    @property
    def label(self) -> str:
        return f"{self.low}-{self.high}%"


@dataclass(frozen=True)
class Distribution:
    bins: list[Bin]
    count: int
    mean_percent: float | None
    without_maximum: int  # rows whose maximum score is 0: no percentage


@dataclass(frozen=True)
class Insight:
    assignment: Assignment
    version: AssignmentVersion | None
    results: int  # current graded results of uploads
    functions: list[FunctionRate]
    cases: list[CaseRate]
    mistakes: list[MistakeCount]
    upload_scores: Distribution
    grade_scores: Distribution
    timeline: Timeline
    feedback: FeedbackTimes


def current_results(assignment: Assignment, version: AssignmentVersion | None = None):
    """Each upload's current result: graded and not superseded (one per upload, as the grade reads them)."""
    rows = Submission.objects.filter(assignment=assignment, status=Submission.Status.GRADED, superseded=False)
    return rows.filter(version=version) if version is not None else rows


class CasePassed(Func):
    """Whether the stored verdict list's case `index` passed: one JSON read per row and case (Django's key
    lookup reads SQLite's JSON twice), false where the list is shorter."""

    output_field = BooleanField()

    def __init__(self, verdicts: str, index: int):
        super().__init__(F(verdicts))
        self.index = int(index)  # an int, so the SQL below holds no outside text

    def as_sql(self, compiler, connection, **extra):
        # Chosen here rather than in as_sqlite: an aggregate's filter is compiled by as_sql directly.
        if connection.vendor == "sqlite":
            template = f"COALESCE(json_extract(%(expressions)s, '$[{self.index}].passed'), 0)"
        else:  # PostgreSQL's jsonb
            template = f"COALESCE((%(expressions)s -> {self.index} ->> 'passed') = 'true', false)"
        return super().as_sql(compiler, connection, template=template, **extra)


@dataclass(frozen=True)
class Groups:
    """The current results' cards counted per version, kind, function and status (few rows), with the number
    of each case's passes (`passed_0`, `passed_1`, ...) and the versions' manifests that name the cases."""

    rows: list[dict]
    versions: dict[int, AssignmentVersion]  # pk -> version (number, manifest)


def result_groups(assignment: Assignment, version: AssignmentVersion | None = None) -> Groups:
    """One grouped query for both pass rates. Each case's passes are counted in the database from the stored
    verdict lists (`cases`: one {"passed": ...} per case, in the manifest's order), up to the most cases a
    function has in the versions counted."""
    versions = {v.pk: v for v in (assignment.versions.filter(pk=version.pk) if version else assignment.versions.all())
                .only("pk", "assignment", "number", "manifest").order_by()}
    width = max([len(f.get("cases", [])) for v in versions.values() for f in v.manifest.get("functions", [])] or [0])
    passes = {f"passed_{i}": Count("id", filter=CasePassed("cases", i)) for i in range(width)}
    rows = (FunctionResult.objects.filter(submission__in=current_results(assignment, version)).order_by()
            .values("submission__version", "kind", "name", "status")
            .annotate(n=Count("id"), score=Sum("score"), max_score=Sum("max_score"), order=Min("order"), **passes))
    return Groups(list(rows), versions)


def function_rates(assignment: Assignment, version: AssignmentVersion | None = None,
                   groups: Groups | None = None) -> list[FunctionRate]:
    """Per function and model check, in the card order: results by status and the points they earned."""
    rates: dict[tuple[str, str], FunctionRate] = {}
    for row in (groups or result_groups(assignment, version)).rows:
        rate = rates.setdefault((row["kind"], row["name"]), FunctionRate(row["kind"], row["name"], order=row["order"]))
        rate.total += row["n"]
        rate.statuses[row["status"]] = rate.statuses.get(row["status"], 0) + row["n"]
        rate.score += row["score"] or 0.0
        rate.max_score += row["max_score"] or 0.0
        rate.order = min(rate.order, row["order"])
    kind_rank = {FunctionResult.Kind.FUNCTION: 0, FunctionResult.Kind.MODEL: 1}
    return sorted(rates.values(), key=lambda r: (kind_rank.get(r.kind, 2), r.order, r.name))


def case_rates(assignment: Assignment, version: AssignmentVersion | None = None,
               groups: Groups | None = None) -> list[CaseRate]:
    """Per version, function and case, named and ordered as the version's manifest lists them. A result without
    per-case verdicts (the function was missing or could not be read) fails every case of its function; results
    graded before versions existed have no manifest to name their cases and are left out."""
    groups = groups or result_groups(assignment, version)
    totals: dict[tuple[int, str], list] = {}  # (version pk, function) -> [results, passes per case]
    for row in groups.rows:
        if row["kind"] != FunctionResult.Kind.FUNCTION or row["submission__version"] not in groups.versions:
            continue
        entry = totals.setdefault((row["submission__version"], row["name"]), [0, {}])
        entry[0] += row["n"]
        for key, value in row.items():
            if key.startswith("passed_"):
                entry[1][int(key[7:])] = entry[1].get(int(key[7:]), 0) + value
    rates = []
    for (version_id, name), (total, passes) in totals.items():
        stored = groups.versions[version_id]
        for index, (case_id, hidden) in enumerate(_manifest_cases(stored.manifest, name)):
            rates.append(CaseRate(stored.number, name, index + 1, case_id, hidden, passes.get(index, 0), total))
    names = {v.number: [f.get("name") for f in v.manifest.get("functions", [])] for v in groups.versions.values()}

    def order(rate: CaseRate) -> tuple:  # newest version first, then the manifest's order
        listed = names.get(rate.version, [])
        return (-rate.version, listed.index(rate.function) if rate.function in listed else len(listed),
                rate.function, rate.number)

    return sorted(rates, key=order)


def _manifest_cases(manifest: dict, function: str) -> list[tuple[str, bool]]:
    for entry in manifest.get("functions", []):
        if entry.get("name") == function:
            return [(str(c.get("id", f"case {i}")), bool(c.get("hidden", False)))
                    for i, c in enumerate(entry.get("cases", []), start=1)]
    return []


def mistake_counts(assignment: Assignment, version: AssignmentVersion | None = None, limit: int = MISTAKES_SHOWN,
                   totals: dict[str, int] | None = None) -> list[MistakeCount]:
    """The most frequent hints given on graded functions, counted by their stable key (by their text where a
    result was stored before keys were), most frequent first. `totals`: current results per function, when
    `function_rates` already counted them."""
    rows = FunctionResult.objects.filter(submission__in=current_results(assignment, version),
                                         kind=FunctionResult.Kind.FUNCTION).order_by()
    if totals is None:
        totals = dict(rows.values_list("name").annotate(n=Count("id")))
    found = (rows.filter(hint__isnull=False).exclude(hint="")
             # a result stored without a key is counted by its hint's text
             .annotate(text=Case(When(mistake="", then=F("hint")), default=Value(""), output_field=TextField()))
             .values("name", "mistake", "text")
             .annotate(n=Count("id"), students=Count("submission__user", distinct=True), hint=Max("hint")))
    counts = [MistakeCount(r["name"], r["mistake"], r["hint"], r["n"], r["students"], totals.get(r["name"], 0))
              for r in found]
    counts.sort(key=lambda m: (-m.results, -m.students, m.function, m.key, m.hint))
    return counts[:limit]


def distribution(pairs, bins: int = SCORE_BINS) -> Distribution:
    """Histogram of score / max_score in percent; `pairs`: (score, max_score, count) rows."""
    counts = [0] * bins
    total, percent_sum, without_maximum = 0, 0.0, 0
    for score, max_score, n in pairs:
        if not max_score:
            without_maximum += n
            continue
        percent = min(100.0, max(0.0, 100.0 * (score or 0.0) / max_score))
        counts[min(bins - 1, int(percent * bins / 100.0 + 1e-9))] += n
        total += n
        percent_sum += percent * n
    width = 100 // bins
    return Distribution([Bin(i * width, (i + 1) * width, c) for i, c in enumerate(counts)], total,
                        percent_sum / total if total else None, without_maximum)


def upload_scores(assignment: Assignment, version: AssignmentVersion | None = None) -> Distribution:
    """Every upload's current result, late penalties not applied (as graded)."""
    rows = (current_results(assignment, version).values_list("score", "max_score")
            .annotate(n=Count("id")).order_by())
    return distribution(rows)


def grade_scores(assignment: Assignment, version: AssignmentVersion | None = None) -> Distribution:
    """The stored counting grades (one per student, late penalties applied); by version: of the counted row."""
    rows = Grade.objects.filter(assignment=assignment, score__isnull=False)
    if version is not None:
        rows = rows.filter(submission__version=version)
    return distribution(rows.values_list("score", "max_score").annotate(n=Count("id")).order_by())


def assignment_insight(assignment: Assignment, version: AssignmentVersion | None = None) -> Insight:
    """Everything the insight page shows, for one version or (None) all of them."""
    groups = result_groups(assignment, version)
    functions = function_rates(assignment, version, groups)
    totals = {r.name: r.total for r in functions if r.kind == FunctionResult.Kind.FUNCTION}
    scores = upload_scores(assignment, version)
    return Insight(
        assignment=assignment,
        version=version,
        results=scores.count + scores.without_maximum,
        functions=functions,
        cases=case_rates(assignment, version, groups),
        mistakes=mistake_counts(assignment, version, totals=totals),
        upload_scores=scores,
        grade_scores=grade_scores(assignment, version),
        timeline=timeline(assignment, version),
        feedback=feedback_times(assignment, version),
    )
