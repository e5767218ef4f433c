"""Charts are static SVG with a text alternative; what they draw follows the records."""

from __future__ import annotations

from datetime import date
from xml.etree import ElementTree

from mentorsite.insights.measures import cadence_report, goal_progress
from mentorsite.model.records import Goal
from mentorsite.pages.charts import goals_chart, sessions_chart
from tests.test_insights import records, session

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
    late = [r for r in root.iter(f"{SVG}rect") if float(r.get("y", 0)) > 40]
    assert len(late) == 1  # 20 January to 24 February: 35 days against 14 (+3)
    assert "Longer than agreed: 2026-01-20 to 2026-02-24 (35 days)." in chart.description
    assert root.find(f"{SVG}desc").text == chart.description  # type: ignore[union-attr]
    assert "<script" not in chart.figure() and "<figcaption>" in chart.figure()


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
    assert len(list(root.iter(f"{SVG}polyline"))) == 1
    assert chart.description == ("Talk & demo (in progress): 10% on 2026-01-15, 20% on 2026-02-01. "
                                 "Read (planned): no progress recorded.")
    assert [entry.label for entry in chart.legend] == ["Talk & demo"]
    assert goals_chart([goal_progress(untracked)], date(2026, 1, 5), date(2026, 3, 1)) is None


def test_charts_are_the_same_for_the_same_records() -> None:
    held = records(session("2026-01-06"), session("2026-01-20"))
    first = sessions_chart(held, cadence_report(held, date(2026, 3, 1)), date(2026, 3, 1))
    second = sessions_chart(held, cadence_report(held, date(2026, 3, 1)), date(2026, 3, 1))
    assert first == second
