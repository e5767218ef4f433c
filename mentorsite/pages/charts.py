"""Charts as static inline SVG: they read without JavaScript and carry a text alternative.

The SVG has no viewBox: its user unit is the CSS pixel, so its text is drawn at the size it
is given on every screen. Positions along the width are percentages of the width the chart is
given, and whatever must fit (tick labels, session marks) is chosen for the narrowest width a
chart is shown at (NARROWEST), so a phone gets the same chart as a desktop, only closer.

Colours keep a contrast of at least 3:1 with the page in Material's light and dark schemes:
text and axes follow the theme's foreground (its CSS variables, or currentColor), the session
marks its link colour, and the fixed series colours lie between the two backgrounds. Lines
also differ by dash pattern, so no series is told apart by colour alone. Each legend's
symbol is the mark it names. Coordinates are rounded so output is stable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape
from itertools import pairwise
from typing import Literal

from mentorsite.insights.measures import CadenceReport, GoalProgress
from mentorsite.model.plurals import plural
from mentorsite.model.record_sets import PairRecords

FONT_SIZE = 13
# The narrowest SVG width, in CSS pixels, a chart must read at: a 360 px phone, less the page's margins.
NARROWEST = 328
# The widest: on a desktop, a chart keeps to a comfortable line length. A chart takes the width of
# its figure up to this; its width is "100%", never a number, or with its height it would give the
# SVG an aspect ratio, and a narrow column would shrink its height and cut off its labels.
WIDEST = 720
# The width of a character of the label font, as a share of the font size: wide enough for the
# digits, letters and capitals of common sans-serif fonts, so a label is never wider than estimated.
CHARACTER, CAPITAL = 0.6, 0.78
LABEL_GAP = 8
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
INK = "fill:var(--md-default-fg-color--light,#666)"
ACCENT = "var(--md-typeset-a-color,#1976d2)"
LATE = "#e64a19"
SERIES = (("#5c6bc0", ""), ("#e65100", "6 3"), ("#388e3c", "2 3"), ("#ab47bc", "8 3 2 3"),
          ("#00838f", "10 4"), ("#d81b60", "4 2 4 6"))
Shape = Literal["line", "circle", "rect", "tick"]


@dataclass(frozen=True)
class LegendEntry:
    """What a legend says of one kind of mark, drawn as that mark: a line, a dot, a bar or a tick."""

    label: str
    colour: str
    dash: str = ""
    shape: Shape = "line"
    opacity: float = 1.0

    def symbol(self) -> str:
        if self.shape == "circle":
            mark = f'<circle cx="14" cy="7" r="5" style="fill:{self.colour}"/>'
        elif self.shape == "rect":
            mark = f'<rect x="2" y="1" width="24" height="12" style="fill:{self.colour}"/>'
        elif self.shape == "tick":
            mark = f'<rect x="13" y="0" width="2" height="14" style="fill:{self.colour}"/>'
        else:
            mark = (f'<line x1="0" y1="7" x2="28" y2="7" stroke="{self.colour}" stroke-width="2.5" '
                    f'stroke-dasharray="{self.dash}"/>')
        if self.opacity < 1:
            mark = mark.replace("/>", f' fill-opacity="{_number(self.opacity, 2)}"/>', 1)
        return f'<svg width="28" height="14" aria-hidden="true">{mark}</svg>'


@dataclass(frozen=True)
class Chart:
    """An SVG drawing with its title and a description that says in words what it shows."""

    name: str
    title: str
    description: str
    svg: str
    legend: tuple[LegendEntry, ...] = ()

    def figure(self) -> str:
        """The chart as one HTML block (no blank lines, so Markdown keeps it as it is)."""
        legend = "".join(f"<li>{e.symbol()} {escape(e.label)}</li>" for e in self.legend)
        legend_list = f'<ul class="mentorsite-legend" style="list-style:none">{legend}</ul>' if legend else ""
        caption = (f"<figcaption><strong>{escape(self.title)}.</strong> {escape(self.description)}"
                   "</figcaption>")
        return (f'<figure class="mentorsite-chart" id="chart-{self.name}">\n{self.svg}\n{legend_list}'
                f"{caption}</figure>")


def _number(value: float, places: int = 1) -> str:
    return f"{value:.{places}f}".rstrip("0").removesuffix(".")


def _percent(share: float) -> str:
    """A position across the chart's width, ``share`` of it (0 to 1)."""
    return _number(share * 100, 2) + "%"


@dataclass(frozen=True)
class _TimeScale:
    """Days onto a share of the chart's width, from ``left`` to ``right`` (shares of the width)."""

    start: date
    end: date
    left: float
    right: float

    def share(self, day: date) -> float:
        span = max(1, (self.end - self.start).days)
        return self.left + (day - self.start).days / span * (self.right - self.left)

    def x(self, day: date) -> str:
        return _percent(self.share(day))


def label_width(label: str) -> float:
    """The width, in CSS pixels, that ``label`` takes at most in the chart's font."""
    return sum(CAPITAL if c.isupper() else CHARACTER for c in label) * FONT_SIZE


# The tick steps, finest first: (unit, count of units). A chart takes the first whose labels all fit.
TICK_STEPS: tuple[tuple[str, int], ...] = (("week", 1), ("week", 2), ("month", 1), ("month", 3),
                                           ("year", 1), ("year", 2), ("year", 5), ("year", 10))


@dataclass(frozen=True)
class Tick:
    day: date
    label: str


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    return date(day.year + index // 12, index % 12 + 1, 1)


def _tick_days(start: date, end: date, unit: str, count: int) -> list[date]:
    if unit == "week":  # Mondays
        day = start + timedelta(days=(7 - start.weekday()) % 7)
        step = timedelta(weeks=count)
        days = []
        while day <= end:
            days.append(day)
            day += step
        return days
    months = 12 * count if unit == "year" else count
    first_month = 1 if months >= 12 else 1 + (start.month - 1) // months * months
    day = date(start.year, first_month, 1)
    days = []
    while day <= end:
        if day >= start and (unit != "year" or day.year % count == 0):
            days.append(day)
        day = _add_months(day, 12 if unit == "year" else months)
    return days


def _tick_label(day: date, unit: str) -> str:
    if unit == "year":
        return str(day.year)
    return f"{day.day} {MONTHS[day.month - 1]}" if unit == "week" else MONTHS[day.month - 1]


def _fit(ticks: list[Tick], start: date, span: int, width: float) -> list[Tick] | None:
    """``ticks`` without those whose label would leave the chart, or None if two labels would touch."""
    kept = list(ticks)
    while kept and (kept[-1].day - start).days / span * width + label_width(kept[-1].label) > width:
        kept.pop()  # a tick so near the end that its label would pass the right edge
    starts = [(t.day - start).days / span * width for t in kept]
    ends = [x + label_width(t.label) for x, t in zip(starts, kept, strict=True)]
    return kept if all(e + LABEL_GAP <= x for e, x in zip(ends, starts[1:], strict=False)) else None


def choose_ticks(start: date, end: date, width: float) -> tuple[str, int, list[Tick]]:
    """The finest ticks of TICK_STEPS, at least two, whose labels fit in ``width`` px.

    A label starts at its tick and must end ``LABEL_GAP`` before the next one starts; a tick
    whose label would pass the right edge is left out. When no step gives two ticks that fit,
    the first that gives one does; a span with none (days within one week) gets its first day.
    Weeks and months are labelled without the year: ``year_labels`` gives it on a row below.
    """
    span = max(1, (end - start).days)
    fitting: list[tuple[str, int, list[Tick]]] = []
    for unit, count in TICK_STEPS:
        ticks = _fit([Tick(day, _tick_label(day, unit)) for day in _tick_days(start, end, unit, count)],
                     start, span, width)
        if ticks and len(ticks) >= 2:
            return unit, count, ticks
        if ticks:
            fitting.append((unit, count, ticks))
    return fitting[0] if fitting else ("day", 1, [Tick(start, _tick_label(start, "week"))])


def year_labels(start: date, end: date, width: float, first: date | None = None) -> list[Tick]:
    """The years under week and month ticks: at the first tick (``first``), and at each new year that fits."""
    span = max(1, (end - start).days)
    first = first or start
    labels = [Tick(first, str(first.year))]
    for year in range(first.year + 1, end.year + 1):
        labels.append(Tick(date(year, 1, 1), str(year)))
        if _fit(labels, start, span, width) != labels:
            labels.pop(0 if len(labels) == 2 else -1)  # the start's year gives way to the first new year
    return _fit(labels, start, span, width) or labels[:1]


def _time_ticks(scale: _TimeScale, baseline: float) -> tuple[list[str], int]:
    """Ticks and their labels below ``baseline``, as many as fit at the narrowest width (then years).

    Also the height the chart needs to hold them.
    """
    width = (scale.right - scale.left) * NARROWEST
    unit, _, ticks = choose_ticks(scale.start, scale.end, width)
    years = year_labels(scale.start, scale.end, width, ticks[0].day if ticks else None)
    rows = [ticks] if unit == "year" else [ticks, years]
    shapes: list[str] = []
    for tick in ticks:
        x = scale.x(tick.day)
        shapes.append(f'<line x1="{x}" y1="{_number(baseline)}" x2="{x}" y2="{_number(baseline + 6)}" '
                      f'stroke="currentColor" stroke-opacity="0.5"/>')
    for row, labels in enumerate(rows):
        y = _number(baseline + 20 + row * 16)
        shapes += [f'<text x="{scale.x(t.day)}" y="{y}" style="{INK}">{escape(t.label)}</text>'
                   for t in labels]
    return shapes, round(baseline + 26 + (len(rows) - 1) * 16)  # room for the last row's descenders


def _svg(name: str, title: str, description: str, height: int, shapes: list[str]) -> str:
    body = "\n".join(shapes)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="100%" height="{height}" '
            f'style="max-width:{WIDEST}px" role="img" aria-labelledby="chart-{name}-title chart-{name}-desc" '
            f'font-size="{FONT_SIZE}" font-family="inherit">\n'
            f'<title id="chart-{name}-title">{escape(title)}</title>\n'
            f'<desc id="chart-{name}-desc">{escape(description)}</desc>\n{body}\n</svg>')


def _session_marks(scale: _TimeScale, dates: Sequence[date], axis: int) -> tuple[list[str], Shape]:
    """A dot per session, or a thin tick where dots would touch at the narrowest width."""
    gaps = [(b - a).days for a, b in pairwise(dates)]
    span = max(1, (scale.end - scale.start).days)
    closest = min(gaps, default=span) / span * (scale.right - scale.left) * NARROWEST
    shape: Shape = "circle" if closest >= 12 else "tick"
    marks = []
    for day in dates:
        tip = f"<title>Session on {day.isoformat()}</title>"
        if shape == "circle":
            marks.append(f'<circle cx="{scale.x(day)}" cy="{axis}" r="5" style="fill:{ACCENT}">'
                         f"{tip}</circle>")
        else:
            marks.append(f'<rect x="{scale.x(day)}" y="{axis - 8}" width="1.5" height="16" '
                         f'style="fill:{ACCENT}">{tip}</rect>')
    return marks, shape


def sessions_chart(records: PairRecords, report: CadenceReport | None, as_of: date,
                   without_cadence: str = "No agreed cadence to compare with.") -> Chart | None:
    """Sessions on a time line, with the meetings the agreed cadence expects and the late gaps.

    ``without_cadence`` is what the description says when there is no cadence report.
    """
    dates = sorted({s.date for s in records.sessions if s.date <= as_of})
    if not dates:
        return None
    end = max(records.pair.end or as_of, dates[-1])
    scale = _TimeScale(min(records.pair.start, dates[0]), end, 0.02, 0.98)
    axis = 26
    shapes = [f'<line x1="{_percent(scale.left)}" y1="{axis}" x2="{_percent(scale.right)}" y2="{axis}" '
              f'stroke="currentColor" stroke-opacity="0.5"/>']
    late = [(span.since, span.until) for span in report.late_spans] if report else []
    for first, last in late:
        width = max(0.003, scale.share(last) - scale.share(first))
        shapes.append(f'<rect x="{scale.x(first)}" y="{axis - 10}" width="{_percent(width)}" '
                      f'height="20" fill="{LATE}" fill-opacity="0.3"/>')
    if report is not None:
        shapes += _expected_ticks(scale, report.due_dates, axis)
    marks, shape = _session_marks(scale, dates, axis)
    shapes += marks
    ticks, height = _time_ticks(scale, axis + 14)
    shapes += ticks
    title = "Sessions over time"
    description = _describe_sessions(dates, report, late, without_cadence)
    legend = [LegendEntry("session", ACCENT, shape=shape)]
    if report is not None:
        legend += [LegendEntry("expected by the agreed cadence", "currentColor", shape="tick", opacity=0.6),
                   LegendEntry("longer gap than agreed", LATE, shape="rect", opacity=0.3)]
    svg = _svg("sessions", title, description, height, shapes)
    return Chart("sessions", title, description, svg, tuple(legend))


def _expected_ticks(scale: _TimeScale, due_dates: tuple[date, ...], axis: int) -> list[str]:
    """One tick where each meeting the cadence called for was due: as many as the figures count."""
    return [f'<rect x="{scale.x(day)}" y="{axis - 16}" width="1" height="8" '
            'style="fill:currentColor" fill-opacity="0.6"/>' for day in due_dates]


def _describe_sessions(dates: Sequence[date], report: CadenceReport | None,
                       late: Sequence[tuple[date, date]], without_cadence: str) -> str:
    count = plural(len(dates), "session")
    text = f"{count} from {dates[0]} to {dates[-1]}." if len(dates) > 1 else f"{count}, on {dates[0]}."
    if report is None:
        return f"{text} {without_cadence}"
    # The figures of the one cadence measure (CadenceReport), as the dashboard and scorecard give them.
    text += (f" The agreement asks for a meeting every {plural(report.interval_days, 'day')}"
             f" ({plural(report.grace_days, 'day')} of grace)."
             f" Meetings held: {report.held} of the {report.expected} it called for, {report.missed} missed."
             f" Longest gap: {plural(report.longest_gap, 'day')}.")
    if not late:
        return f"{text} No gap was longer than agreed."
    spans = "; ".join(f"{a} to {b} ({(b - a).days} days)" for a, b in late)
    return f"{text} Longer than agreed: {spans}."


def goals_chart(goals: Sequence[GoalProgress], start: date, as_of: date) -> Chart | None:
    """Each goal's recorded progress (percent) over time, one line per goal."""
    tracked = [g for g in goals if g.goal.progress]
    if not tracked:
        return None
    days = [p.date for g in tracked for p in g.goal.progress]
    # The lines start a tenth of the width in, so that no line runs over the percent labels.
    scale = _TimeScale(min(start, *days), max(as_of, *days), 0.1, 0.98)
    top, bottom = 24.0, 144.0

    def y(percent: int) -> str:
        return _number(bottom - percent / 100 * (bottom - top))

    shapes: list[str] = []
    labels: list[str] = []  # above their grid lines, drawn last
    for percent in (0, 50, 100):
        shapes.append(f'<line x1="0" y1="{y(percent)}" x2="{_percent(scale.right)}" '
                      f'y2="{y(percent)}" stroke="currentColor" stroke-opacity="0.2"/>')
        labels.append(f'<text x="0" y="{_number(float(y(percent)) - 5)}" style="{INK}">{percent}%</text>')
    legend = []
    for index, progress in enumerate(tracked):
        colour, dash = SERIES[index % len(SERIES)]
        points = sorted(progress.goal.progress, key=lambda p: p.date)
        # Segments, not one polyline: a polyline's points cannot be shares of the width.
        for a, b in pairwise(points):
            shapes.append(f'<line x1="{scale.x(a.date)}" y1="{y(a.percent)}" x2="{scale.x(b.date)}" '
                          f'y2="{y(b.percent)}" stroke="{colour}" stroke-width="2.5" '
                          f'stroke-dasharray="{dash}"/>')
        for point in points:
            shapes.append(f'<circle cx="{scale.x(point.date)}" cy="{y(point.percent)}" r="3.5" '
                          f'fill="{colour}"><title>{escape(progress.goal.title)}: {point.percent}% on '
                          f"{point.date}</title></circle>")
        legend.append(LegendEntry(progress.goal.title, colour, dash))
    ticks, height = _time_ticks(scale, bottom + 4)
    shapes += labels + ticks
    title = "Goal progress over time"
    description = _describe_goals(goals)
    svg = _svg("goals", title, description, height, shapes)
    return Chart("goals", title, description, svg, tuple(legend))


def _describe_goals(goals: Sequence[GoalProgress]) -> str:
    parts = []
    for progress in goals:
        points = sorted(progress.goal.progress, key=lambda p: p.date)
        history = ", ".join(f"{p.percent}% on {p.date}" for p in points) or "no progress recorded"
        parts.append(f"{progress.goal.title} ({progress.goal.status.replace('-', ' ')}): {history}.")
    return " ".join(parts)


@dataclass(frozen=True)
class Bar:
    """One row of a bar chart: a label and one count per series (stacked left to right)."""

    label: str
    counts: tuple[int, ...]


# Pass, warn, fail: always in this order along a bar, named in the legend and in each bar's title.
VERDICT_SERIES = (("Pass", "#388e3c"), ("Warn", "#b8860b"), ("Fail", "#e53935"))
# The share of the width the longest bar takes: the rest holds its count at the narrowest width.
BAR_SHARE = 0.86


def bar_chart(name: str, title: str, bars: Sequence[Bar], series: Sequence[tuple[str, str]]) -> Chart | None:
    """Horizontal bars, each under its label and split into its series; the description lists every count."""
    if not bars:
        return None
    largest = max(1, *(sum(bar.counts) for bar in bars))
    row, top = 40, 4
    shapes = []
    for index, bar in enumerate(bars):
        y = top + index * row
        shapes.append(f'<text x="0" y="{y + 13}" style="{INK}">{escape(bar.label)}</text>')
        share = 0.0
        for (series_name, colour), count in zip(series, bar.counts, strict=True):
            if count:
                width = count / largest * BAR_SHARE
                shapes.append(f'<rect x="{_percent(share)}" y="{y + 18}" width="{_percent(width)}" '
                              f'height="16" fill="{colour}"><title>{escape(bar.label)}: {count} '
                              f"{escape(series_name.lower())}</title></rect>")
                share += width
        shapes.append(f'<text x="{_percent(share + 0.015)}" y="{y + 31}" style="{INK}">'
                      f"{sum(bar.counts)}</text>")
    height = top * 2 + row * len(bars)
    parts = []
    for bar in bars:
        counted = zip(series, bar.counts, strict=True)
        detail = ", ".join(f"{count} {label.lower()}" for (label, _), count in counted)
        parts.append(f"{bar.label}: {detail if len(series) > 1 else sum(bar.counts)}.")
    description = " ".join(parts)
    legend = tuple(LegendEntry(label, colour, shape="rect") for label, colour in series if len(series) > 1)
    return Chart(name, title, description, _svg(name, title, description, height, shapes), legend)
