"""The program report for owners: counts and rates across pairs, and nothing any pair wrote.

Every figure is made of numbers computed from the records (statuses, dates, counts, check
verdicts), never of their text, and is published only when it follows the rules of
statistical disclosure control written in the README ("Program report"):

1. Every count of pairs published (in a status, a verdict) is 0 or at least ``min_pairs``;
   a tally with a smaller group is shown in broader groups, or withheld whole, so that no
   blank can be worked back from the total and the other groups.
2. No tally in which every pair falls in one group, or every pair a check could assess: it
   would tell each pair's own result.
3. A magnitude (the total behind a mean, each of the three totals behind a pooled rate)
   counts at least ``min_pairs`` pairs, is not zero (so no rate is 0% or 100%), has no pair
   making up more than ``DOMINANCE`` of it, and is large enough that, to every pair that
   knows its own value, the others' values could be at least two different multisets.
4. No figure over a subset of pairs beside the same figure over all of them, and no median:
   the median is one pair's own value, and beside the mean it gave the others away.

A withheld figure is told by the rules that can withhold it, never by which one did.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from math import floor
from typing import Literal

from jinja2 import Environment

from mentorsite.insights.measures import CADENCE_MEASURE
from mentorsite.insights.measures import started as has_started
from mentorsite.insights.practices import CHECKS
from mentorsite.insights.scorecards import PracticeSettings, named_checks, run_checks
from mentorsite.model.plurals import plural
from mentorsite.model.record_sets import Handbook, PairRecords
from mentorsite.pages.charts import VERDICT_SERIES, Bar, Chart, bar_chart
from mentorsite.pages.rendering import RenderedPage, render_page

MIN_PAIRS = 3
"""The smallest group of pairs a figure may count, and the least ``report.min_pairs`` may be."""
DOMINANCE = 0.5
"""The dominance rule: no pair may make up more than this share of a total."""

Why = Literal["few", "zero", "full", "dominant", "pinned", "small", "single"]
Grouping = tuple[tuple[str, tuple[str, ...]], ...]
"""A tally's groups: each a label and the categories of pair (statuses, verdicts) it holds."""

STATUS_GROUPINGS: tuple[Grouping, ...] = (
    (("Proposed", ("proposed",)), ("Active", ("active",)), ("Paused", ("paused",)),
     ("Completed", ("completed",)), ("Closed early", ("closed-early",))),
    (("Not started (proposed)", ("proposed",)), ("Under way (active or paused)", ("active", "paused")),
     ("Ended (completed or closed early)", ("completed", "closed-early"))),
    (("Not ended (proposed, active or paused)", ("proposed", "active", "paused")),
     ("Ended (completed or closed early)", ("completed", "closed-early"))),
)
VERDICT_GROUPINGS: tuple[Grouping, ...] = (
    (("pass", ("pass",)), ("warn", ("warn",)), ("fail", ("fail",)), ("not assessed", ("not-assessed",))),
    (("pass", ("pass",)), ("warn or fail", ("warn", "fail")), ("not assessed", ("not-assessed",))),
)


@dataclass(frozen=True)
class Figure:
    """One number of the report, or why it is withheld."""

    label: str
    value: str | None
    """None when withheld."""
    why: Why | None = None


@dataclass(frozen=True)
class Cell:
    label: str
    pairs: int


@dataclass(frozen=True)
class Tally:
    """How many pairs are in each group of a status or a check's verdicts, or why that is withheld."""

    name: str
    title: str
    cells: tuple[Cell, ...]
    """Empty when withheld."""
    grouping: int = 0
    """Which grouping is shown: 0 is the finest, each next one broader."""
    why: Why | None = None

    def count(self, label: str) -> int:
        return next(cell.pairs for cell in self.cells if cell.label == label)


@dataclass(frozen=True)
class ProgramReport:
    as_of: date
    min_pairs: int
    pairs: int
    statuses: Tally
    activity: tuple[Figure, ...]
    checks: tuple[Tally, ...]

    @property
    def shown(self) -> bool:
        """Whether the program has enough pairs for any figure."""
        return self.pairs >= self.min_pairs

    # Why a figure is not shown is told by the rules that can withhold it, never by which one
    # did: "every pair it counts is at zero" would itself be a figure about every pair.
    def _small(self) -> str:
        return f"a group would hold fewer than {self.min_pairs} pairs, or every pair (rules 1 and 2)"

    def withheld_tally(self) -> str:
        return f"not shown: {self._small()}"

    def withheld_checks(self) -> str:
        return f"Not shown, as {self._small()}:"

    def withheld_figures(self) -> str:
        return (f"Not shown, as it would count fewer than {self.min_pairs} pairs, or one pair would stand "
                "out (rule 3):")

    def too_few(self) -> str:
        """What the page says in place of every figure while the program has too few pairs."""
        lower = (f" Lowering it to {self.pairs} would show the figures the rules allow."
                 if MIN_PAIRS <= self.pairs < self.min_pairs else "")
        return (f"The program has {plural(self.pairs, 'pair')}, and the report needs at least "
                f"{self.min_pairs} to show any figure. That number is `report.min_pairs` in `mkdocs.yml`, "
                f"now {self.min_pairs}; it cannot be lower than {MIN_PAIRS}, because in a group of two each "
                f"pair would know the other's result.{lower}")

    @staticmethod
    def cadence_note() -> str:
        """How the meetings figure is counted: the measure of every dashboard and scorecard."""
        return CADENCE_MEASURE

    def shown_activity(self) -> list[Figure]:
        return [figure for figure in self.activity if figure.value is not None]

    def withheld_activity(self) -> list[Figure]:
        return [figure for figure in self.activity if figure.value is None]

    def summary(self) -> str:
        """A word on how much is shown, when it is nothing but the number of pairs."""
        if self.statuses.cells or self.shown_activity() or any(t.cells for t in self.checks):
            return ""
        return (f"With {self.pairs} pairs, every figure but their number would tell something about one "
                "pair, so none is shown yet; they appear as the program grows.")

    def chart_note(self) -> str:
        merged = [t.title for t in self.checks if t.cells and t.grouping]
        return ("The chart leaves out the checks whose warn and fail are shown together: "
                f"{', '.join(merged)}." if merged else "")

    def see_more(self) -> str:
        """How an owner could see more of the report."""
        lower = (f" Lowering it towards {MIN_PAIRS} would show more, at the cost of smaller groups."
                 if self.min_pairs > MIN_PAIRS else "")
        return ("More figures are shown as the program grows: every rule is about how few pairs share a "
                "figure. The smallest group shown is `report.min_pairs` in `mkdocs.yml`, now "
                f"{self.min_pairs}; it cannot be lower than {MIN_PAIRS}, because in a group of two each "
                f"pair would know the other's result.{lower}")

    def merged_note(self, tally: Tally) -> str:
        return (f"Shown in broader groups: in the finer ones, a group would hold fewer than {self.min_pairs} "
                "pairs." if tally.grouping else "")

    def check_cells(self, tally: Tally) -> tuple[str, str, str]:
        """Pass, did not pass (split into warn and fail when it is shown so), not assessed."""
        if tally.grouping == 0:
            warned, failed = tally.count("warn"), tally.count("fail")
            short = f"{warned + failed} ({warned} warn, {failed} fail)" if warned + failed else "0"
        else:
            short = f"{tally.count('warn or fail')} (warn and fail together)"
        return str(tally.count("pass")), short, str(tally.count("not assessed"))


def program_report(pairs: Sequence[PairRecords], handbook: Handbook, as_of: date,
                   settings: PracticeSettings, *, min_pairs: int = MIN_PAIRS) -> ProgramReport:
    """The report over ``pairs``: every pair of the program (a caller never leaves one out)."""
    results = [run_checks(records, as_of, settings, CHECKS) for records in pairs]
    started = [p for p in pairs if has_started(p, as_of)]
    ended = [p.pair.status in ("completed", "closed-early") for p in pairs]
    goals = [(sum(1 for g in p.goals if g.status == "achieved"),
              sum(1 for g in p.goals if g.status != "dropped")) for p in pairs]

    def pooled(label: str, name: str) -> Figure:
        return rate(label, [(r[name].met, r[name].counted) for r in results
                            if r[name].verdict != "not-assessed"], min_pairs)

    activity = (
        mean("Sessions per pair that has started (mean)",
             [sum(1 for s in p.sessions if s.date <= as_of) for p in started], min_pairs),
        pooled("Meetings held of those the cadence called for", "cadence-kept"),
        rate("Goals achieved by pairs that have ended", [g for g, e in zip(goals, ended, strict=True) if e],
             min_pairs),
        rate("Goals achieved by pairs not yet ended", [g for g, e in zip(goals, ended, strict=True) if not e],
             min_pairs),
        pooled("Action items done of those due", "actions-followed-up"),
        pooled("Sessions with an agenda", "agenda-prepared"),
        pooled("Sessions with feedback from both sides", "two-way-feedback"),
    )
    statuses = tally("statuses", "Pairs by status", [p.pair.status for p in pairs], STATUS_GROUPINGS,
                     min_pairs)
    checks = tuple(tally(name, CHECKS[name].title, [r[name].verdict for r in results], VERDICT_GROUPINGS,
                         min_pairs, aside="not assessed") for name in named_checks(handbook) or CHECKS)
    return ProgramReport(as_of, min_pairs, len(pairs), statuses, activity, checks)


def tally(name: str, title: str, categories: Sequence[str], groupings: Sequence[Grouping],
          min_pairs: int, aside: str | None = None) -> Tally:
    """The finest grouping in which every group holds 0 or at least ``min_pairs`` pairs, and not all.

    Groups are merged rather than one left blank: a blank could be worked back from the
    total and the other groups. Nor may every pair outside the ``aside`` group (those not
    assessed, who are known by their status and dates) fall in one group. When no grouping
    will do, the whole tally is withheld.
    """
    reasons: list[Why] = []
    for level, grouping in enumerate(groupings):
        cells = tuple(Cell(label, sum(1 for c in categories if c in members)) for label, members in grouping)
        counted = [cell.pairs for cell in cells if cell.label != aside]
        if any(0 < cell.pairs < min_pairs for cell in cells):
            reasons.append("small")
        elif any(counts and max(counts) == sum(counts) for counts in ([c.pairs for c in cells], counted)):
            reasons.append("single")
        else:
            return Tally(name, title, cells, level)
    return Tally(name, title, (), why="small" if "small" in reasons else "single")


def magnitude_problem(values: Sequence[int], min_pairs: int) -> Why | None:
    """Why a total of these per-pair values (whole numbers, at least 0) may not be published, if it may not.

    To a pair that knows its own value, the total and these rules, the others' values are
    any whole numbers from 0 to the largest share the rule allows (``DOMINANCE`` of the
    total) that add up to the rest. The last test asks that there be at least two such
    multisets for every pair, whatever its own value: it depends on the total and the count
    of pairs alone, so that the decision itself tells nothing more.
    """
    total = sum(values)
    if len(values) < min_pairs:
        return "few"
    if not total:
        return "zero"
    if max(values) > DOMINANCE * total:
        return "dominant"
    largest = floor(DOMINANCE * total)  # the most any pair may hold
    if largest < 2 or total - largest < 2 or (len(values) - 1) * largest < total + 2:
        return "pinned"
    return None


def mean(label: str, values: Sequence[int], min_pairs: int) -> Figure:
    """The mean of per-pair values, if their total may be published."""
    why = magnitude_problem(values, min_pairs)
    return Figure(label, None if why else f"{sum(values) / len(values):.1f}", why)


def rate(label: str, parts: Sequence[tuple[int, int]], min_pairs: int) -> Figure:
    """A pooled rate (all that met over all counted) over the pairs that counted something.

    The numerators, what fell short, and the denominators must each be publishable as a
    total: a reader who knows the denominators learns the other two from the rate.
    """
    parts = [(met, counted) for met, counted in parts if counted]
    totals: tuple[tuple[list[int], Why], ...] = (
        ([c for _, c in parts], "few"), ([m for m, _ in parts], "zero"), ([c - m for m, c in parts], "full"))
    for values, on_zero in totals:
        why = magnitude_problem(values, min_pairs)
        if why is not None:
            return Figure(label, None, on_zero if why == "zero" else why)
    met, counted = sum(m for m, _ in parts), sum(c for _, c in parts)
    # Never 0% or 100% unless it is so (then it is withheld above).
    return Figure(label, f"{min(99, max(1, round(met / counted * 100)))}%")


def report_charts(report: ProgramReport) -> dict[str, Chart | None]:
    """Pairs by status, and each check's verdicts: only what the report shows in numbers too."""
    statuses = [Bar(cell.label, (cell.pairs,)) for cell in report.statuses.cells]
    checks = [Bar(t.title, (t.count("pass"), t.count("warn"), t.count("fail")))
              for t in report.checks if t.cells and t.grouping == 0]
    return {"statuses": bar_chart("statuses", "Pairs by status", statuses, [("Pairs", "#00838f")]),
            "checks": bar_chart("checks", "Practice checks across pairs", checks, VERDICT_SERIES)}


def render_report(report: ProgramReport, environment: Environment) -> list[RenderedPage]:
    """The report's one page."""
    shared = {"report": report, "charts": report_charts(report)}
    return [render_page(environment, shared, "index.md", "report/index.md.j2")]


def render_withheld_report(environment: Environment) -> list[RenderedPage]:
    """The page in place of a report while a pair's records have errors and no earlier report is kept."""
    return [render_page(environment, {}, "index.md", "report/withheld.md.j2")]
