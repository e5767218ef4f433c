"""Charts are static SVG with a text alternative; what they draw follows the records."""

from __future__ import annotations

from datetime import date, timedelta
from xml.etree import ElementTree

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentorsite.insights.measures import cadence_report, goal_progress
from mentorsite.model.record_sets import PairRecords
from mentorsite.model.records import Goal
from mentorsite.pages.charts import (
    ACCENT,
    FONT_SIZE,
    INK,
    LABEL_GAP,
    LATE,
    NARROWEST,
    SERIES,
    VERDICT_SERIES,
    WIDEST,
    Bar,
    bar_chart,
    choose_ticks,
    goals_chart,
    label_width,
    sessions_chart,
    year_labels,
)
from tests.test_insights import agreement, pair, records, session

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)


def test_the_sessions_chart_marks_each_session_and_the_gaps_longer_than_agreed() -> None:
    held = records(session("2026-01-06"), session("2026-01-20"), session("2026-02-24"))
    report = cadence_report(held, date(2026, 3, 1))
    chart = sessions_chart(held, report, date(2026, 3, 1))
    assert chart is not None
    root = parse(chart.svg)
    assert root.get("role") == "img" and root.get("aria-labelledby") == "chart-sessions-title chart-sessions-desc"
    assert len([c for c in root.iter(f"{SVG}circle") if c.find(f"{SVG}title") is not None]) == 3
    late = [r for r in root.iter(f"{SVG}rect") if r.get("fill") == LATE]
    assert len(late) == 1  # 20 January to 24 February: 35 days against 14 (+3)
    assert "Longer than agreed: 2026-01-20 to 2026-02-24 (35 days)." in chart.description
    assert root.find(f"{SVG}desc").text == chart.description  # type: ignore[union-attr]
    assert "<script" not in chart.figure() and "<figcaption>" in chart.figure()


def test_the_expected_ticks_are_the_meetings_the_figures_count_from_the_start() -> None:
    # Start 5 January, every 14 days with 3 of grace; 8 and 22 January, then 28 days to 19
    # February (one missed), then 19 days to 10 March (one deadline past: one missed).
    held = records(session("2026-01-08"), session("2026-01-22"), session("2026-02-19"))
    as_of = date(2026, 3, 10)
    report = cadence_report(held, as_of)
    assert report is not None and (report.held, report.missed, report.expected) == (3, 2, 5)
    # The first meeting came before its slot (19 January): its tick is on its own day.
    assert report.due_dates == tuple(date.fromisoformat(day) for day in (
        "2026-01-08", "2026-01-22", "2026-02-05", "2026-02-19", "2026-03-05"))
    chart = sessions_chart(held, report, as_of)
    assert chart is not None
    ticks = [r for r in parse(chart.svg).iter(f"{SVG}rect") if r.get("height") == "8"]
    assert len(ticks) == report.expected
    assert "Meetings held: 3 of the 5 it called for, 2 missed." in chart.description
    xs = [float(str(tick.get("x")).rstrip("%")) for tick in ticks]
    assert xs == sorted(xs) and xs[0] < xs[1]


@settings(max_examples=300, deadline=None)
@given(unit=st.sampled_from(["days", "weeks", "months"]), every=st.integers(1, 4),
       offsets=st.lists(st.integers(0, 200), max_size=8), status=st.sampled_from(["active", "paused"]),
       measured=st.integers(1, 260))
def test_every_meeting_the_figures_count_is_one_tick_inside_the_chart(unit: str, every: int, offsets: list[int],
                                                                      status: str, measured: int) -> None:
    start = date(2026, 1, 5)
    as_of = start + timedelta(days=measured)
    held = PairRecords(pair(status), agreement(every, unit),
                       sessions=tuple(session(str(start + timedelta(days=o))) for o in sorted(set(offsets))))
    report = cadence_report(held, as_of)
    assert report is not None
    assert len(report.due_dates) == report.expected
    assert all(start <= day <= as_of for day in report.due_dates)
    chart = sessions_chart(held, report, as_of)
    if chart is not None:
        ticks = [float(str(r.get("x")).rstrip("%")) for r in parse(chart.svg).iter(f"{SVG}rect")
                 if r.get("height") == "8"]
        assert len(ticks) == report.expected and all(2 <= x <= 98 for x in ticks)


def test_no_sessions_no_chart_and_no_cadence_is_said_in_words() -> None:
    assert sessions_chart(records(), None, date(2026, 3, 1)) is None
    chart = sessions_chart(records(session("2026-01-06")), None, date(2026, 3, 1), "Shared sessions only.")
    assert chart is not None and chart.description == "1 session, on 2026-01-06. Shared sessions only."


def test_the_goals_chart_draws_a_line_per_tracked_goal_and_describes_every_goal() -> None:
    tracked = Goal.model_validate({"id": "a", "title": "Talk & demo", "status": "in-progress", "progress": [
        {"date": date(2026, 2, 1), "percent": 20}, {"date": date(2026, 1, 15), "percent": 10}]})
    untracked = Goal.model_validate({"id": "b", "title": "Read", "status": "planned"})
    chart = goals_chart([goal_progress(tracked), goal_progress(untracked)], date(2026, 1, 5), date(2026, 3, 1))
    assert chart is not None
    root = parse(chart.svg)  # the title's "&" is escaped, or this would not parse
    assert len([line for line in root.iter(f"{SVG}line") if line.get("stroke-width") == "2.5"]) == 1
    assert chart.description == ("Talk & demo (in progress): 10% on 2026-01-15, 20% on 2026-02-01. "
                                 "Read (planned): no progress recorded.")
    assert [entry.label for entry in chart.legend] == ["Talk & demo"]
    assert goals_chart([goal_progress(untracked)], date(2026, 1, 5), date(2026, 3, 1)) is None


def test_charts_are_the_same_for_the_same_records() -> None:
    held = records(session("2026-01-06"), session("2026-01-20"))
    first = sessions_chart(held, cadence_report(held, date(2026, 3, 1)), date(2026, 3, 1))
    second = sessions_chart(held, cadence_report(held, date(2026, 3, 1)), date(2026, 3, 1))
    assert first == second


@pytest.mark.parametrize(("start", "end", "step", "labels", "years"), [
    (date(2026, 3, 1), date(2026, 3, 20), ("week", 1), ["2 Mar", "9 Mar", "16 Mar"], ["2026"]),
    (date(2026, 1, 5), date(2026, 3, 6), ("week", 2), ["5 Jan", "19 Jan", "2 Feb", "16 Feb"], ["2026"]),
    (date(2026, 1, 5), date(2026, 6, 30), ("month", 1), ["Feb", "Mar", "Apr", "May", "Jun"], ["2026"]),
    (date(2026, 7, 6), date(2027, 1, 29), ("month", 1), ["Aug", "Sep", "Oct", "Nov", "Dec", "Jan"],
     ["2026", "2027"]),
    (date(2025, 1, 5), date(2026, 6, 30), ("month", 3), ["Apr", "Jul", "Oct", "Jan", "Apr"], ["2025", "2026"]),
    (date(2019, 6, 3), date(2026, 11, 21), ("year", 1), [str(year) for year in range(2020, 2027)], None),
    (date(1990, 6, 3), date(2026, 11, 21), ("year", 5), [str(year) for year in range(1995, 2021, 5)], None),
])
def test_ticks_are_the_finest_step_whose_labels_fit_at_the_narrowest_width(
        start: date, end: date, step: tuple[str, int], labels: list[str], years: list[str] | None) -> None:
    width = NARROWEST * 0.96  # the time axis takes 96% of a chart's width
    unit, count, ticks = choose_ticks(start, end, width)
    assert ((unit, count), [t.label for t in ticks]) == (step, labels)
    rows = [ticks] if years is None else [ticks, year_labels(start, end, width)]
    if years is not None:
        assert [t.label for t in rows[1]] == years
    for row in rows:
        positions = [(t.day - start).days / (end - start).days * width for t in row]
        for here, there, tick in zip(positions, [*positions[1:], width + LABEL_GAP], row, strict=True):
            assert here + label_width(tick.label) + LABEL_GAP <= there  # never more labels than fit
        assert all(start <= t.day <= end for t in row)


def test_a_wider_chart_gets_finer_ticks_and_a_span_of_days_its_first_day() -> None:
    assert choose_ticks(date(2025, 1, 5), date(2026, 6, 30), 1200)[:2] == ("month", 1)
    assert choose_ticks(date(2019, 6, 3), date(2026, 11, 21), 200)[:2] == ("year", 2)
    assert [t.label for t in choose_ticks(date(2026, 3, 3), date(2026, 3, 6), NARROWEST)[2]] == ["3 Mar"]
    # The start's year gives way to the new year's when the two would touch.
    assert [t.label for t in year_labels(date(2026, 12, 20), date(2027, 6, 1), NARROWEST)] == ["2027"]


def test_text_is_drawn_at_its_own_size_and_positions_are_shares_of_the_width() -> None:
    held = records(session("2026-01-06"), session("2026-01-20"))
    chart = sessions_chart(held, cadence_report(held, date(2026, 3, 1)), date(2026, 3, 1))
    assert chart is not None
    root = parse(chart.svg)
    # No viewBox: one user unit is one CSS pixel, so the font size is the size on screen.
    assert root.get("viewBox") is None and root.get("font-size") == str(FONT_SIZE) and FONT_SIZE >= 12
    assert root.get("width") == "100%" and root.get("style") == f"max-width:{WIDEST}px"
    assert all(text.get("x", "").endswith("%") for text in root.iter(f"{SVG}text"))


def test_each_legend_symbol_is_the_mark_it_names() -> None:
    held = records(session("2026-01-06"), session("2026-01-20"), session("2026-02-24"))
    chart = sessions_chart(held, cadence_report(held, date(2026, 3, 1)), date(2026, 3, 1))
    assert chart is not None
    assert [(e.label, e.shape) for e in chart.legend] == [
        ("session", "circle"), ("expected by the agreed cadence", "tick"), ("longer gap than agreed", "rect")]
    figure = chart.figure()
    assert '<li><svg width="28" height="14" aria-hidden="true"><circle ' in figure
    bars = bar_chart("checks", "Checks", [Bar("Cadence kept", (3, 1, 0))],
                     [("Pass", "#388e3c"), ("Warn", "#b8860b"), ("Fail", "#e53935")])
    assert bars is not None and {e.shape for e in bars.legend} == {"rect"}
    assert bars.figure().count('aria-hidden="true"><rect ') == 3 and "<line" not in bars.figure()


def test_sessions_too_close_for_dots_are_drawn_as_thin_ticks_and_the_legend_says_so() -> None:
    days = [date(2019, 6, 3) + timedelta(days=14 * n) for n in range(190)]
    held = records(*(session(day.isoformat()) for day in days))
    chart = sessions_chart(held, None, days[-1])
    assert chart is not None
    root = parse(chart.svg)
    assert not list(root.iter(f"{SVG}circle"))
    assert len([r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]) == 190
    assert [(e.label, e.shape) for e in chart.legend] == [("session", "tick")]
    labels = [text.text for text in root.iter(f"{SVG}text")]
    assert labels == ["2020", "2021", "2022", "2023", "2024", "2025"]  # 2026 would pass the right edge


def contrast(colour: str, background: str) -> float:
    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(colour), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_fixed_colours_stand_out_on_the_light_and_the_dark_scheme() -> None:
    """3:1 against white and against Material's dark background (hsl(225, 15%, 14%)); the rest follows the theme."""
    fixed = [colour for colour, _ in SERIES] + [colour for _, colour in VERDICT_SERIES] + [LATE]
    for colour in fixed:
        assert contrast(colour, "#ffffff") >= 3 and contrast(colour, "#1e2129") >= 3, colour
    assert INK.startswith("fill:var(--md-default-fg-color") and ACCENT.startswith("var(--md-typeset-a-color")
