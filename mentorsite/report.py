"""The program report for owners: counts and rates across pairs, and nothing any pair wrote.

Every figure is made of numbers computed from the records (statuses, dates, counts, check
verdicts), never of their text, and each one knows over how many pairs it is computed: a
figure over fewer pairs than the program's minimum is withheld, so that no pair can be
singled out by it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from statistics import mean, median

from jinja2 import Environment

from mentorsite.charts import VERDICT_SERIES, Bar, Chart, bar_chart
from mentorsite.practices import CHECKS, CheckResult
from mentorsite.records import Handbook, PairRecords
from mentorsite.rendering import RenderedPage, render_page
from mentorsite.scorecards import PracticeSettings, named_checks, run_checks

MIN_PAIRS = 3
STATUSES = (("proposed", "Proposed"), ("active", "Active"), ("paused", "Paused"),
            ("completed", "Completed"), ("closed-early", "Closed early"))


@dataclass(frozen=True)
class Figure:
    """One number of the report, with the count of pairs it is computed over."""

    label: str
    value: str
    pairs: int
    amount: float = 0.0
    """The number itself, for charts."""


@dataclass(frozen=True)
class CheckTally:
    """How many pairs pass, warn and fail one check, among those it assessed."""

    name: str
    title: str
    passed: int
    warned: int
    failed: int

    @property
    def pairs(self) -> int:
        return self.passed + self.warned + self.failed


@dataclass(frozen=True)
class ProgramReport:
    as_of: date
    min_pairs: int
    pairs: Figure
    left_out: int
    """Pairs not counted because their records have errors."""
    statuses: tuple[Figure, ...]
    activity: tuple[Figure, ...]
    checks: tuple[CheckTally, ...]

    def shown(self, figure: Figure | CheckTally) -> bool:
        return figure.pairs >= self.min_pairs


def _share(met: int, counted: int) -> str:
    return f"{round(met / counted * 100)}%" if counted else "—"


def _pooled(label: str, results: Sequence[CheckResult]) -> Figure:
    """A rate over every pair the check assessed: all that met the practice over all counted."""
    assessed = [r for r in results if r.verdict != "not-assessed" and r.counted]
    met, counted = sum(r.met for r in assessed), sum(r.counted for r in assessed)
    return Figure(label, _share(met, counted), len(assessed), met / counted if counted else 0.0)


def program_report(pairs: Sequence[PairRecords], handbook: Handbook, as_of: date,
                   settings: PracticeSettings, *, left_out: int = 0,
                   min_pairs: int = MIN_PAIRS) -> ProgramReport:
    """The report over ``pairs`` (every record of each; pairs with errors are left out by the caller)."""
    results = [run_checks(records, as_of, settings, CHECKS) for records in pairs]
    total = len(pairs)
    statuses = tuple(Figure(label, str(n), total, n) for status, label in STATUSES
                     for n in [sum(1 for p in pairs if p.pair.status == status)])
    started = [p for p in pairs if p.pair.status != "proposed" and p.pair.start <= as_of]
    sessions = [sum(1 for s in p.sessions if s.date <= as_of) for p in started]
    goals = [g for p in pairs for g in p.goals if g.status != "dropped"]
    with_goals = sum(1 for p in pairs if any(g.status != "dropped" for g in p.goals))
    ended = [p for p in pairs if p.pair.status in ("completed", "closed-early")]
    ended_goals = [g for p in ended for g in p.goals if g.status != "dropped"]
    achieved = sum(1 for g in goals if g.status == "achieved")
    ended_achieved = sum(1 for g in ended_goals if g.status == "achieved")
    activity = (
        Figure("Sessions per pair (mean)", f"{mean(sessions):.1f}" if sessions else "—", len(started)),
        Figure("Sessions per pair (median)", f"{median(sessions):g}" if sessions else "—", len(started)),
        _pooled("Meetings held of those the cadence called for", [r["cadence-kept"] for r in results]),
        Figure("Goals achieved (dropped goals not counted)", _share(achieved, len(goals)), with_goals),
        Figure("Goals achieved by pairs that have ended", _share(ended_achieved, len(ended_goals)),
               sum(1 for p in ended if any(g.status != "dropped" for g in p.goals))),
        _pooled("Action items done of those due", [r["actions-followed-up"] for r in results]),
        _pooled("Sessions with an agenda", [r["agenda-prepared"] for r in results]),
        _pooled("Sessions with feedback from both sides", [r["two-way-feedback"] for r in results]),
    )
    checks = tuple(_tally(name, [r[name] for r in results]) for name in named_checks(handbook) or CHECKS)
    return ProgramReport(as_of, min_pairs, Figure("Pairs", str(total), total, total), left_out, statuses,
                         activity, checks)


def _tally(name: str, results: Sequence[CheckResult]) -> CheckTally:
    count = {verdict: sum(1 for r in results if r.verdict == verdict) for verdict in ("pass", "warn", "fail")}
    return CheckTally(name, CHECKS[name].title, count["pass"], count["warn"], count["fail"])


def report_charts(report: ProgramReport) -> dict[str, Chart | None]:
    """Pairs by status, and each check's verdicts: only what the report shows in numbers too."""
    statuses = [Bar(f.label, (int(f.amount),)) for f in report.statuses] if report.shown(report.pairs) else []
    checks = [Bar(t.title, (t.passed, t.warned, t.failed)) for t in report.checks if report.shown(t)]
    return {"statuses": bar_chart("statuses", "Pairs by status", statuses, [("Pairs", "#00838f")]),
            "checks": bar_chart("checks", "Practice checks across pairs", checks, VERDICT_SERIES)}


def render_report(report: ProgramReport, environment: Environment) -> list[RenderedPage]:
    """The report's one page."""
    shared = {"report": report, "charts": report_charts(report)}
    return [render_page(environment, shared, "index.md", "report/index.md.j2")]
