"""Charts as static inline SVG: they read without JavaScript and carry a text alternative.

Colours come from the theme's CSS variables where the page provides them (light and dark
schemes), with fixed fallbacks; lines also differ by dash pattern, so no series is told
apart by colour alone. Coordinates are rounded to one decimal so output is stable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

from mentorsite.insights.measures import CadenceReport, GoalProgress
from mentorsite.model.plurals import plural
from mentorsite.model.record_sets import PairRecords

WIDTH = 640
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
INK = "fill:var(--md-default-fg-color--light,#555)"
ACCENT = "var(--md-primary-fg-color,#4051b5)"
LATE = "#d84315"
SERIES = (("#3949ab", ""), ("#e65100", "6 3"), ("#2e7d32", "2 3"), ("#6a1b9a", "8 3 2 3"),
          ("#00838f", "10 4"), ("#ad1457", "4 2 4 6"))


@dataclass(frozen=True)
class LegendEntry:
    label: str
    colour: str
    dash: str


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
        legend = "".join(
            f'<li><svg width="28" height="10" aria-hidden="true"><line x1="0" y1="5" x2="28" y2="5" '
            f'stroke="{e.colour}" stroke-width="2.5" stroke-dasharray="{e.dash}"/></svg> '
            f"{escape(e.label)}</li>" for e in self.legend)
        legend_list = f'<ul class="mentorsite-legend" style="list-style:none">{legend}</ul>' if legend else ""
        caption = (f"<figcaption><strong>{escape(self.title)}.</strong> {escape(self.description)}"
                   "</figcaption>")
        return (f'<figure class="mentorsite-chart" id="chart-{self.name}">\n{self.svg}\n{legend_list}'
                f"{caption}</figure>")


@dataclass(frozen=True)
class _TimeScale:
    start: date
    end: date
    left: float
    right: float

    def x(self, day: date) -> float:
        span = max(1, (self.end - self.start).days)
        return self.left + (day - self.start).days / span * (self.right - self.left)


def _number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _svg(name: str, title: str, description: str, height: int, shapes: list[str]) -> str:
    body = "\n".join(shapes)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" '
            f'style="max-width:{WIDTH}px" role="img" aria-labelledby="chart-{name}-title chart-{name}-desc" '
            f'font-size="12" font-family="inherit">\n'
            f'<title id="chart-{name}-title">{escape(title)}</title>\n'
            f'<desc id="chart-{name}-desc">{escape(description)}</desc>\n{body}\n</svg>')


def _month_ticks(scale: _TimeScale, baseline: float) -> list[str]:
    """A tick and a label at the first day of each month (every third month on long spans)."""
    months = (scale.end.year - scale.start.year) * 12 + scale.end.month - scale.start.month
    step = 1 if months <= 14 else 3
    shapes: list[str] = []
    day = date(scale.start.year, scale.start.month, 1)
    index = 0
    while day <= scale.end:
        if day >= scale.start and index % step == 0:
            x = _number(scale.x(day))
            label = MONTHS[day.month - 1] + (f" {day.year}" if day.month == 1 or not shapes else "")
            shapes.append(f'<line x1="{x}" y1="{_number(baseline)}" x2="{x}" y2="{_number(baseline + 5)}" '
                          f'stroke="currentColor" stroke-opacity="0.4"/>')
            shapes.append(f'<text x="{x}" y="{_number(baseline + 17)}" text-anchor="middle" '
                          f'style="{INK}">{label}</text>')
        index += 1
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return shapes


def sessions_chart(records: PairRecords, report: CadenceReport | None, as_of: date,
                   without_cadence: str = "No agreed cadence to compare with.") -> Chart | None:
    """Sessions on a time line, with the meetings the agreed cadence expects and the late gaps.

    ``without_cadence`` is what the description says when there is no cadence report.
    """
    dates = sorted({s.date for s in records.sessions if s.date <= as_of})
    if not dates:
        return None
    end = max(records.pair.end or as_of, dates[-1])
    scale = _TimeScale(min(records.pair.start, dates[0]), end, 16, WIDTH - 16)
    axis = 62
    shapes = _legend_for_sessions(report is not None)
    shapes.append(f'<line x1="{_number(scale.left)}" y1="{axis}" x2="{_number(scale.right)}" y2="{axis}" '
                  f'stroke="currentColor" stroke-opacity="0.4"/>')
    late = [(span.since, span.until) for span in report.late_spans] if report else []
    for first, last in late:
        x1, x2 = scale.x(first), scale.x(last)
        shapes.append(f'<rect x="{_number(x1)}" y="{axis - 8}" width="{_number(max(1.0, x2 - x1))}" '
                      f'height="16" fill="{LATE}" fill-opacity="0.22"/>')
    if report is not None:
        shapes += _expected_ticks(scale, dates[0], end, report.interval_days, axis)
    for day in dates:
        shapes.append(f'<circle cx="{_number(scale.x(day))}" cy="{axis}" r="5" style="fill:{ACCENT}">'
                      f"<title>Session on {day.isoformat()}</title></circle>")
    shapes += _month_ticks(scale, axis + 12)
    title = "Sessions over time"
    description = _describe_sessions(dates, report, late, without_cadence)
    return Chart("sessions", title, description, _svg("sessions", title, description, 100, shapes))


def _legend_for_sessions(with_cadence: bool) -> list[str]:
    shapes = [f'<circle cx="22" cy="14" r="5" style="fill:{ACCENT}"/>',
              f'<text x="32" y="18" style="{INK}">session</text>']
    if with_cadence:
        shapes += ['<line x1="112" y1="8" x2="112" y2="20" stroke="currentColor" stroke-opacity="0.6"/>',
                   f'<text x="120" y="18" style="{INK}">expected by the agreed cadence</text>',
                   f'<rect x="322" y="8" width="22" height="12" fill="{LATE}" fill-opacity="0.22"/>',
                   f'<text x="350" y="18" style="{INK}">longer gap than agreed</text>']
    return shapes


def _expected_ticks(scale: _TimeScale, first: date, end: date, interval: int, axis: int) -> list[str]:
    ticks = []
    day = first + timedelta(days=interval)
    while day <= end:
        x = _number(scale.x(day))
        ticks.append(f'<line x1="{x}" y1="{axis - 14}" x2="{x}" y2="{axis - 6}" stroke="currentColor" '
                     'stroke-opacity="0.6"/>')
        day += timedelta(days=interval)
    return ticks


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
    scale = _TimeScale(min(start, *days), max(as_of, *days), 44, WIDTH - 16)
    top, bottom = 12.0, 142.0

    def y(percent: int) -> str:
        return _number(bottom - percent / 100 * (bottom - top))

    shapes: list[str] = []
    for percent in (0, 50, 100):
        shapes.append(f'<line x1="{_number(scale.left)}" y1="{y(percent)}" x2="{_number(scale.right)}" '
                      f'y2="{y(percent)}" stroke="currentColor" stroke-opacity="0.15"/>')
        shapes.append(f'<text x="38" y="{_number(float(y(percent)) + 4)}" text-anchor="end" '
                      f'style="{INK}">{percent}%</text>')
    legend = []
    for index, progress in enumerate(tracked):
        colour, dash = SERIES[index % len(SERIES)]
        points = sorted(progress.goal.progress, key=lambda p: p.date)
        path = " ".join(f"{_number(scale.x(p.date))},{y(p.percent)}" for p in points)
        shapes.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5" '
                      f'stroke-dasharray="{dash}"/>')
        for point in points:
            shapes.append(f'<circle cx="{_number(scale.x(point.date))}" cy="{y(point.percent)}" r="3.5" '
                          f'fill="{colour}"><title>{escape(progress.goal.title)}: {point.percent}% on '
                          f"{point.date}</title></circle>")
        legend.append(LegendEntry(progress.goal.title, colour, dash))
    shapes += _month_ticks(scale, bottom + 4)
    title = "Goal progress over time"
    description = _describe_goals(goals)
    svg = _svg("goals", title, description, 170, shapes)
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
VERDICT_SERIES = (("Pass", "#2e7d32"), ("Warn", "#f9a825"), ("Fail", "#c62828"))


def bar_chart(name: str, title: str, bars: Sequence[Bar], series: Sequence[tuple[str, str]]) -> Chart | None:
    """Horizontal bars, one per row, each split into its series; the description lists every count."""
    if not bars:
        return None
    largest = max(1, *(sum(bar.counts) for bar in bars))
    label_width, row, top = 230, 24, 8
    scale = (WIDTH - label_width - 40) / largest
    shapes = []
    for index, bar in enumerate(bars):
        y = top + index * row
        shapes.append(f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end" style="{INK}">'
                      f"{escape(bar.label)}</text>")
        x = float(label_width)
        for (series_name, colour), count in zip(series, bar.counts, strict=True):
            if count:
                shapes.append(f'<rect x="{_number(x)}" y="{y + 3}" width="{_number(count * scale)}" '
                              f'height="16" fill="{colour}"><title>{escape(bar.label)}: {count} '
                              f"{escape(series_name.lower())}</title></rect>")
                x += count * scale
        shapes.append(f'<text x="{_number(x + 6)}" y="{y + 15}" style="{INK}">{sum(bar.counts)}</text>')
    height = top * 2 + row * len(bars)
    parts = []
    for bar in bars:
        counted = zip(series, bar.counts, strict=True)
        detail = ", ".join(f"{count} {label.lower()}" for (label, _), count in counted)
        parts.append(f"{bar.label}: {detail if len(series) > 1 else sum(bar.counts)}.")
    description = " ".join(parts)
    legend = tuple(LegendEntry(label, colour, "") for label, colour in series) if len(series) > 1 else ()
    return Chart(name, title, description, _svg(name, title, description, height, shapes), legend)
