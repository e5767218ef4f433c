"""Insights on crafted records, and on the example program's pairs."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from mentorsite.checking.program import read_program
from mentorsite.insights.measures import (
    action_items,
    agenda_share,
    cadence_report,
    feedback_count,
    goal_completion,
    goal_progress,
    interval_days,
    overview,
    weeks_together,
)
from mentorsite.model.record_sets import PairRecords
from mentorsite.model.records import Agreement, Cadence, Goal, Pair, Session

AS_OF = date(2026, 3, 1)


def pair(status: str = "active", end: date | None = None) -> Pair:
    return Pair.model_validate({"id": "p", "mentor": {"name": "M"}, "mentee": {"name": "N"},
                                "start": date(2026, 1, 5), "status": status, "end": end})


def agreement(every: int = 2, unit: str = "weeks") -> Agreement:
    return Agreement.model_validate({"cadence": {"every": every, "unit": unit}, "channels": ["video"],
                                     "confidentiality": "c"})


def session(day: str, **fields: Any) -> Session:
    return Session.model_validate({"id": day, "date": date.fromisoformat(day), **fields})


def records(*sessions: Session, status: str = "active") -> PairRecords:
    return PairRecords(pair(status), agreement(), sessions=sessions)


def test_interval_in_days_for_each_unit() -> None:
    assert [interval_days(Cadence(every=n, unit=u)) for n, u in  # type: ignore[arg-type]
            [(3, "days"), (2, "weeks"), (1, "months")]] == [3, 14, 30]


def test_a_kept_rhythm_has_no_missed_meeting() -> None:
    report = cadence_report(records(session("2026-01-06"), session("2026-01-20"), session("2026-02-05"),
                                    session("2026-02-17")), AS_OF)
    assert report is not None
    assert report.gaps == (14, 16, 12)
    assert report.open_gap == 12
    assert (report.missed, report.longest_gap, report.share) == (0, 16, 1.0)
    assert report.next_expected == date(2026, 3, 3)


def test_a_four_week_gap_is_one_missed_meeting_and_the_open_gap_counts() -> None:
    report = cadence_report(records(session("2026-01-06"), session("2026-02-03")), date(2026, 3, 10))
    assert report is not None
    assert report.gaps == (28,)
    assert report.open_gap == 35
    assert report.missed == 1 + 2
    assert (report.held, report.expected) == (2, 5)
    assert report.longest_gap == 35


def test_grace_period_decides_a_late_meeting() -> None:
    late = records(session("2026-01-06"), session("2026-01-23"), status="completed")  # 17 days
    assert cadence_report(late, AS_OF).missed == 0  # type: ignore[union-attr]  # grace 3
    assert cadence_report(late, AS_OF).late_spans == ()  # type: ignore[union-attr]
    assert [s.days for s in cadence_report(late, AS_OF, grace_days=2).late_spans] == [17]  # type: ignore[union-attr]
    six_weeks = records(session("2026-01-06"), session("2026-02-17"), status="completed")
    assert cadence_report(six_weeks, AS_OF).missed == 2  # type: ignore[union-attr]


def test_the_open_gap_counts_each_deadline_already_past() -> None:
    waiting = records(session("2026-01-06"))
    assert cadence_report(waiting, date(2026, 1, 23)).missed == 0  # type: ignore[union-attr]  # day 17
    assert cadence_report(waiting, date(2026, 1, 24)).missed == 1  # type: ignore[union-attr]  # day 18


def test_a_closed_relationship_has_no_open_gap_and_no_next_meeting() -> None:
    report = cadence_report(records(session("2026-01-06"), status="completed"), AS_OF)
    assert report is not None and report.open_gap is None and report.next_expected is None
    assert cadence_report(PairRecords(pair()), AS_OF) is None  # no agreement, no cadence


def test_actions_merge_when_carried_over_and_overdue_depends_on_the_date() -> None:
    items = action_items((
        session("2026-01-06", actions=[{"task": "Share the map", "owner": "mentee", "due": date(2026, 1, 13)},
                                       {"task": "Book a room", "owner": "mentor", "done": True}]),
        session("2026-01-20", actions=[{"task": "share the  map", "owner": "mentee", "due": date(2026, 1, 27)}]),
    ))
    assert [(i.task, i.mentions, i.done) for i in items] == [("Book a room", 1, True), ("share the  map", 2, False)]
    carried = items[1]
    assert carried.carried_over and carried.first_session == date(2026, 1, 6)
    assert not carried.is_overdue(date(2026, 1, 27)) and carried.is_overdue(date(2026, 1, 28))
    assert not items[0].is_overdue(AS_OF)


def test_goal_progress_completion_and_missing_smart_parts() -> None:
    achieved = Goal.model_validate({"id": "a", "title": "A", "status": "achieved", "specific": "s",
                                    "measurable": "m", "achievable": "a", "relevant": "r", "due": date(2026, 3, 1),
                                    "milestones": [{"title": "x", "done": True}, {"title": "y"}]})
    going = Goal.model_validate({"id": "b", "title": "B", "status": "in-progress", "progress": [
        {"date": date(2026, 2, 1), "percent": 60}, {"date": date(2026, 1, 1), "percent": 20}]})
    dropped = Goal.model_validate({"id": "c", "title": "C", "status": "dropped"})
    assert (goal_progress(achieved).percent, goal_progress(achieved).milestones_done) == (100, 1)
    assert goal_progress(achieved).missing_smart_parts == []
    assert goal_progress(going).percent == 60
    assert goal_progress(going).missing_smart_parts == ["specific", "measurable", "achievable", "relevant",
                                                        "time-bound"]
    assert goal_completion((achieved, going, dropped)) == 0.5
    assert goal_completion((dropped,)) is None


def test_agenda_share_feedback_and_weeks() -> None:
    sessions = (session("2026-01-06", agenda=["a"], feedback={"mentor": "good", "mentee": "useful"}),
                session("2026-01-20", feedback={"mentee": "ok"}))
    assert agenda_share(sessions) == 0.5
    assert agenda_share(()) is None
    counted = feedback_count(sessions)
    assert (counted.sessions, counted.from_mentor, counted.from_mentee) == (2, 1, 2)
    assert weeks_together(PairRecords(pair()), AS_OF) == 7
    assert weeks_together(PairRecords(pair("completed", end=date(2026, 2, 2))), AS_OF) == 4


def test_the_example_midway_pair_shows_its_missed_meeting_and_overdue_actions() -> None:
    repository = Path(__file__).parent.parent
    pairs = {p.pair.id: p for p in read_program(repository / "content", repository).program.pairs}
    as_of = date(2026, 11, 21)
    midway = cadence_report(pairs["lena-marcus"], as_of)
    assert midway is not None and midway.missed >= 1 and 28 in midway.gaps
    overdue = [a.task for a in action_items(pairs["lena-marcus"].sessions) if a.is_overdue(as_of)]
    assert "Share the stakeholder map with Marcus" in overdue
    assert any(a.carried_over for a in action_items(pairs["lena-marcus"].sessions))
    completed = cadence_report(pairs["sofia-david"], as_of)
    assert completed is not None and completed.open_gap is None
    assert goal_completion(pairs["sofia-david"].goals) == 1.0  # two achieved, one dropped


def test_overview_counts_only_what_happened_by_the_as_of_date() -> None:
    held = records(
        session("2026-01-06", agenda=["a"], actions=[{"task": "Read", "owner": "mentee",
                                                      "due": date(2026, 1, 10)}]),
        session("2026-01-20", feedback={"mentor": "good"}),
        session("2026-03-20", agenda=["planned"]),  # after AS_OF: planned, not held
    )
    figures = overview(held, AS_OF)
    assert figures.sessions_held == 2
    assert figures.agenda_share == 0.5
    assert [a.task for a in figures.open_actions] == ["Read"]
    assert [a.task for a in figures.overdue_actions] == ["Read"]
    assert figures.cadence is not None and figures.cadence.next_expected == date(2026, 2, 3)
    assert figures.next_session_late_by == (AS_OF - date(2026, 2, 3)).days
    assert (figures.feedback.from_mentor, figures.feedback.from_mentee) == (1, 0)
    assert figures.latest_checkin is None


def test_overview_of_a_proposed_pair_has_nothing_to_count() -> None:
    figures = overview(PairRecords(pair("proposed")), AS_OF)
    assert (figures.sessions_held, figures.cadence, figures.goal_completion) == (0, None, None)
    assert figures.next_session_late_by == 0 and figures.agenda_share is None


def test_more_grace_never_counts_more_missed_meetings() -> None:
    from datetime import timedelta

    from mentorsite.insights.measures import CadenceReport, Span

    def between(*gaps: int) -> tuple[Span, ...]:
        return tuple(Span(AS_OF, AS_OF + timedelta(days=gap), "between") for gap in gaps)

    for gap in range(1, 120):
        missed = [CadenceReport(14, grace, between(gap)).missed for grace in range(0, 15)]
        assert missed == sorted(missed, reverse=True), gap
    assert CadenceReport(14, 3, between(17, 21, 28, 42)).missed == 0 + 0 + 1 + 2
