"""Each practice check on crafted records (pass, warn and fail), settings, and the example's verdicts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from mentorsite.checking.program import read_program
from mentorsite.insights.scorecards import (
    PracticeSettings,
    practice_findings,
    read_practice_settings,
    run_checks,
)
from mentorsite.insights.verdicts import CheckResult, Verdict
from mentorsite.model.record_sets import PairRecords
from mentorsite.model.records import (
    CHECK_NAMES,
    Agreement,
    Checkin,
    Closing,
    Goal,
    Pair,
    Session,
)
from mentorsite.reading.positions import node_positions

AS_OF = date(2026, 4, 1)
SMART = {"specific": "s", "measurable": "m", "achievable": "a", "relevant": "r"}


def pair(status: str = "active", **fields: Any) -> Pair:
    return Pair.model_validate({"id": "p", "mentor": {"name": "M"}, "mentee": {"name": "N"},
                                "start": date(2026, 1, 5), "status": status, "path": "pairs/p/pair.yml",
                                **fields})


def agreement(**fields: Any) -> Agreement:
    return Agreement.model_validate({"cadence": {"every": 2, "unit": "weeks"}, "channels": ["video"],
                                     "confidentiality": "c", "session_minutes": 60,
                                     "path": "pairs/p/agreement.md", **fields})


def session(day: str, **fields: Any) -> Session:
    return Session.model_validate({"id": day, "date": date.fromisoformat(day),
                                   "path": f"pairs/p/sessions/{day}.md", **fields})


def goal(goal_id: str, **fields: Any) -> Goal:
    return Goal.model_validate({"id": goal_id, "title": goal_id, "status": "in-progress",
                                "path": f"pairs/p/goals/{goal_id}.md", **fields})


def fortnightly(count: int, **fields: Any) -> tuple[Session, ...]:
    """``count`` sessions two weeks apart from 6 January 2026."""
    return tuple(session(date.fromordinal(date(2026, 1, 6).toordinal() + 14 * n).isoformat(), **fields)
                 for n in range(count))


def records(*sessions: Session, **parts: Any) -> PairRecords:
    return PairRecords(parts.pop("pair", pair()), parts.pop("agreement", agreement()), sessions=sessions, **parts)


def check(name: str, pair_records: PairRecords, as_of: date = AS_OF, shared_only: bool = False,
          **thresholds: float) -> CheckResult:
    settings = PracticeSettings({name: thresholds} if thresholds else {})
    return run_checks(pair_records, as_of, settings, [name], shared_only)[name]


Case = tuple[str, Callable[[], PairRecords], date, Verdict, str]
SIGNED = {"mentor": date(2026, 1, 5), "mentee": date(2026, 1, 6)}
CASES: list[Case] = [
    ("agreement-signed", lambda: records(session("2026-01-06"), agreement=agreement(signed=SIGNED)), AS_OF,
     "pass", "Signed by both by 2026-01-06."),
    ("agreement-signed", lambda: records(session("2026-01-06"), agreement=agreement(
        signed={"mentor": date(2026, 1, 6), "mentee": date(2026, 2, 20)})), AS_OF,
     "warn", "Signed by both on 2026-02-20, after 2026-01-20."),
    ("agreement-signed", lambda: records(session("2026-03-25"), agreement=agreement(
        signed={"mentor": date(2026, 3, 25)})), AS_OF, "warn", "Not yet signed by the mentee; due by 2026-04-08."),
    ("agreement-signed", lambda: records(session("2026-01-06"), agreement=agreement(
        signed={"mentor": date(2026, 1, 6)})), AS_OF, "fail", "Not signed by the mentee, due by 2026-01-20."),
    ("agreement-signed", lambda: records(agreement=None), AS_OF, "fail", "No agreement is recorded."),
    ("cadence-defined", records, AS_OF, "pass", "Meetings are agreed every 2 weeks, 60 minutes each."),
    ("cadence-defined", lambda: records(agreement=agreement(session_minutes=None)), AS_OF,
     "warn", "Meetings are agreed every 2 weeks, with no session length."),
    ("cadence-defined", lambda: records(agreement=agreement(cadence={"every": 2, "unit": "months"})), AS_OF,
     "warn", "Meetings are agreed every 2 months, more than 31 days apart."),
    ("cadence-defined", lambda: records(agreement=None), AS_OF, "fail", "No agreement is recorded."),
    # Six sessions two weeks apart from 6 January; the last on 17 March, two weeks before AS_OF.
    ("cadence-kept", lambda: records(*fortnightly(6)), AS_OF, "pass",
     "6 of 6 expected meetings held, every 14 days with 3 days of grace (100%; 90% passes)."),
    ("cadence-kept", lambda: records(*fortnightly(6)[:3], *fortnightly(6)[4:]), AS_OF, "warn",
     "5 of 6 expected meetings held, every 14 days with 3 days of grace (83%; 90% passes)."),
    ("cadence-kept", lambda: records(*fortnightly(2)), AS_OF, "fail",
     "2 of 6 expected meetings held, every 14 days with 3 days of grace (33%; 90% passes)."),
    ("goals-smart", lambda: records(goals=(goal("a", **SMART), goal("b", **SMART))), AS_OF, "pass",
     "2 of 2 goals say what makes them specific, measurable, achievable and relevant (100%; 100% passes)."),
    ("goals-smart", lambda: records(goals=(goal("a", **SMART), goal("b", specific="s"))), AS_OF, "warn",
     "1 of 2 goals say what makes them specific, measurable, achievable and relevant (50%; 100% passes)."),
    ("goals-smart", lambda: records(goals=(goal("a", **SMART), goal("b"), goal("c"))), AS_OF, "fail",
     "1 of 3 goals say what makes them specific, measurable, achievable and relevant (33%; 100% passes)."),
    ("goals-smart", records, AS_OF, "fail", "No goal is recorded."),
    ("goals-time-bound", lambda: records(goals=(goal("a", due=date(2026, 6, 1)),)), AS_OF, "pass",
     "1 of 1 goals have a due date (100%; 100% passes)."),
    ("goals-time-bound", lambda: records(goals=(goal("a", due=date(2026, 6, 1)), goal("b"))), AS_OF, "warn",
     "1 of 2 goals have a due date (50%; 100% passes)."),
    ("goals-time-bound", lambda: records(goals=(goal("a", due=date(2026, 6, 1)), goal("b"), goal("c"))), AS_OF,
     "fail", "1 of 3 goals have a due date (33%; 100% passes)."),
    ("agenda-prepared", lambda: records(*fortnightly(5, agenda=["x"])), AS_OF, "pass",
     "5 of 5 sessions had an agenda (100%; 80% passes)."),
    ("agenda-prepared", lambda: records(*fortnightly(3, agenda=["x"]), session("2026-03-03")), AS_OF, "warn",
     "3 of 4 sessions had an agenda (75%; 80% passes)."),
    ("agenda-prepared", lambda: records(session("2026-01-06", agenda=["x"]), *fortnightly(5)[1:]), AS_OF, "fail",
     "1 of 5 sessions had an agenda (20%; 80% passes)."),
    ("two-way-feedback", lambda: records(*fortnightly(2, feedback={"mentor": "a", "mentee": "b"})), AS_OF,
     "pass", "2 of 2 sessions have feedback from both sides (100%; 75% passes)."),
    ("two-way-feedback", lambda: records(*fortnightly(2, feedback={"mentor": "a", "mentee": "b"})[:1],
                                         session("2026-01-20", feedback={"mentor": "a"})), AS_OF,
     "warn", "1 of 2 sessions have feedback from both sides (50%; 75% passes)."),
    ("two-way-feedback", lambda: records(*fortnightly(3, feedback={"mentor": "a"})), AS_OF,
     "fail", "0 of 3 sessions have feedback from both sides (0%; 75% passes)."),
    ("actions-followed-up", lambda: records(session("2026-01-06", actions=[
        {"task": "Read", "owner": "mentee", "due": date(2026, 1, 20), "done": True}])), AS_OF,
     "pass", "1 of 1 action items due are done (100%; 90% passes)."),
    ("actions-followed-up", lambda: records(session("2026-01-06", actions=[
        {"task": f"Task {n}", "owner": "mentee", "due": date(2026, 1, 20), "done": n != 0} for n in range(5)])),
     AS_OF, "warn", "4 of 5 action items due are done (80%; 90% passes)."),
    ("actions-followed-up", lambda: records(
        session("2026-01-06", actions=[{"task": "Read", "owner": "mentee", "due": date(2026, 1, 20)},
                                       {"task": "Write", "owner": "mentor", "done": True}]),
        session("2026-01-20", actions=[{"task": "read ", "owner": "mentee", "due": date(2026, 2, 3)},
                                       {"task": "Plan", "owner": "mentee", "due": date(2026, 5, 1)}])), AS_OF,
     "fail", "1 of 2 action items due are done (50%; 90% passes)."),
    ("midpoint-review-held", lambda: records(
        agreement=agreement(midpoint_review=date(2026, 3, 1)),
        checkins=(Checkin.model_validate({"id": "2026-03-10", "date": date(2026, 3, 10)}),)), AS_OF,
     "pass", "Held on 2026-03-10, mid-point 2026-03-01."),
    ("midpoint-review-held", lambda: records(
        pair=pair(planned_end=date(2026, 5, 5)),
        checkins=(Checkin.model_validate({"id": "2026-01-20", "date": date(2026, 1, 20)}),)), date(2026, 4, 20),
     "warn", "No check-in within 21 days of the mid-point (2026-03-06); the nearest is on 2026-01-20."),
    ("midpoint-review-held", lambda: records(agreement=agreement(midpoint_review=date(2026, 2, 1))), AS_OF,
     "fail", "No check-in since the mid-point (2026-02-01)."),
    ("midpoint-review-held", records, AS_OF, "warn",
     "No mid-point is set: the agreement has no midpoint_review and the pair no planned_end."),
    ("closing-held", lambda: records(pair=pair("completed", end=date(2026, 3, 1)),
                                     closing=Closing.model_validate({"date": date(2026, 3, 1)})), AS_OF,
     "pass", "Closing conversation on 2026-03-01."),
    ("closing-held", lambda: records(pair=pair(planned_end=date(2026, 2, 1))), AS_OF, "warn",
     "Still active 59 days after the planned end (2026-02-01), with no closing conversation."),
    ("closing-held", lambda: records(pair=pair("closed-early", end=date(2026, 2, 1))), AS_OF, "fail",
     "The relationship ended on 2026-02-01 with no closing reflection."),
]


@pytest.mark.parametrize(("name", "make", "as_of", "verdict", "summary"), CASES,
                         ids=[f"{c[0]}-{c[3]}-{n}" for n, c in enumerate(CASES)])
def test_each_check_on_crafted_records(name: str, make: Callable[[], PairRecords], as_of: date, verdict: Verdict,
                                       summary: str) -> None:
    result = check(name, make(), as_of)
    assert (result.verdict, result.summary) == (verdict, summary)


def test_every_check_has_a_pass_a_warn_and_a_fail_case() -> None:
    for name in CHECK_NAMES:
        assert {c[3] for c in CASES if c[0] == name} >= {"pass", "warn", "fail"}, name


def test_evidence_names_the_records_and_dates() -> None:
    late = records(*fortnightly(2), session("2026-02-17"))
    result = check("cadence-kept", late, date(2026, 3, 10))
    assert [(e.kind, e.record_id, e.date, e.note) for e in result.evidence] == [
        ("session", "2026-02-17", date(2026, 2, 17), "28 days after the session of 2026-01-20"),
        ("session", "2026-02-17", date(2026, 2, 17), "the latest session: none since, 21 days up to 2026-03-10")]
    assert result.evidence[0].path == "pairs/p/sessions/2026-02-17.md"
    actions = check("actions-followed-up", records(session("2026-01-06", actions=[
        {"task": "Done", "owner": "mentor", "due": date(2026, 1, 10), "done": True},
        {"task": "Book a room", "owner": "mentee", "due": date(2026, 1, 13)}])))
    assert [(e.record_id, e.note, e.location) for e in actions.evidence] == [
        ("2026-01-06", "open: Book a room (due 2026-01-13)", ("actions", 1, "done"))]


def test_nothing_is_judged_before_it_is_due_or_before_the_start() -> None:
    proposed = records(pair=pair("proposed"), agreement=None)
    assert {name: check(name, proposed).verdict for name in CHECK_NAMES} == dict.fromkeys(CHECK_NAMES,
                                                                                           "not-assessed")
    early = records(*fortnightly(1), agreement=agreement(midpoint_review=date(2026, 3, 25)),
                    pair=pair(planned_end=date(2026, 6, 1)))
    assert check("midpoint-review-held", early).summary == "Due around 2026-03-25."
    assert check("closing-held", early).summary == "Due by 2026-07-01."
    not_yet_due = records(session("2026-03-30", actions=[{"task": "Later", "owner": "mentee",
                                                          "due": date(2026, 4, 10)}]))
    assert check("actions-followed-up", not_yet_due).verdict == "not-assessed"


def test_the_review_edition_does_not_judge_what_may_be_unshared() -> None:
    shared = records(*fortnightly(1), agreement=None, pair=pair("completed", end=date(2026, 1, 20)))
    for name in ("cadence-kept", "agenda-prepared", "two-way-feedback", "actions-followed-up",
                 "midpoint-review-held", "agreement-signed", "closing-held"):
        assert check(name, shared, shared_only=True).verdict == "not-assessed", name
    assert check("agreement-signed", shared).verdict == "fail"  # the pair edition holds every record


def test_thresholds_change_verdicts() -> None:
    five_of_six = records(*fortnightly(6)[:3], *fortnightly(6)[4:])
    assert check("cadence-kept", five_of_six).verdict == "warn"
    assert check("cadence-kept", five_of_six, **{"pass": 0.8}).verdict == "pass"
    assert check("cadence-kept", five_of_six, warn=0.85, **{"pass": 0.9}).verdict == "fail"
    # With 14 days of grace a 28-day gap is one late meeting, not a missed one.
    gap = records(*fortnightly(2), session("2026-02-17"))
    assert check("cadence-kept", gap, date(2026, 2, 20)).verdict == "warn"  # 3 of 4
    assert check("cadence-kept", gap, date(2026, 2, 20), grace_days=14).verdict == "pass"
    assert PracticeSettings({"cadence-kept": {"pass": 0.8, "grace_days": 5}}).describe("cadence-kept") == (
        "Passes when at least 80% of the meetings the cadence calls for are held, warns from 75%, a meeting "
        "up to 5 days late still counting.")


SETTINGS_FILE = """\
site_name: Test
plugins:
  - search
  - mentorsite:
      practices:
        cadence-kep: {pass: 0.8}
        cadence-kept:
          pass: 1.5
          warn: 0.95
          grace: 3
        agenda-prepared: {warn: 0.9}
        closing-held:
          within_days: soon
        goals-smart: strict
markdown_extensions:
  - pymdownx.emoji:
      emoji_index: !!python/name:material.extensions.emoji.twemoji
"""


def test_bad_settings_are_all_reported_at_their_lines() -> None:
    positions = node_positions(SETTINGS_FILE)  # the Python tag below is no obstacle
    settings_data = {"cadence-kep": {"pass": 0.8}, "cadence-kept": {"pass": 1.5, "warn": 0.95, "grace": 3},
                     "agenda-prepared": {"warn": 0.9}, "closing-held": {"within_days": "soon"},
                     "goals-smart": "strict"}
    settings, problems = read_practice_settings(settings_data, "mkdocs.yml", positions,
                                                ("plugins", 1, "mentorsite", "practices"))
    assert [str(p) for p in problems] == [
        "mkdocs.yml:6:9: error[unknown-check] practices.cadence-kep: no practice check 'cadence-kep'; "
        "did you mean 'cadence-kept'?",
        "mkdocs.yml:8:17: error[bad-value] practices.cadence-kept.pass: expected a share from 0 to 1 (0.9 is 90%), "
        "got the number 1.5",
        "mkdocs.yml:9:17: error[bad-value] practices.cadence-kept.warn: expected warn (0.95) to be at most "
        "pass (0.9)",
        "mkdocs.yml:10:11: error[unknown-key] practices.cadence-kept.grace: unknown threshold; did you mean "
        "'grace_days'?",
        "mkdocs.yml:11:33: error[bad-value] practices.agenda-prepared.warn: expected warn (0.9) to be at most "
        "pass (0.8)",
        "mkdocs.yml:13:24: error[bad-value] practices.closing-held.within_days: expected a whole number of days, "
        "got 'soon'",
        "mkdocs.yml:14:22: error[wrong-type] practices.goals-smart: expected a mapping of thresholds, got 'strict'",
    ]
    assert settings.thresholds("cadence-kept")["warn"] == 0.95  # what was valid is kept


def test_an_unknown_check_in_a_guideline_is_an_error(tmp_path: Path) -> None:
    from tests.programs import BASE_PROGRAM, write_files

    files = dict(BASE_PROGRAM)
    guideline = next(path for path in files if "/guidelines/" in path)
    text = files[guideline]
    files[guideline] = text.replace("\n---\n", "\nchecks: [cadence-kept, agenda-prepard]\n---\n", 1)
    write_files(tmp_path, files)
    checked = read_program(tmp_path / "content", tmp_path)
    found = [str(d) for d in checked.diagnostics if d.code == "unknown-check"]
    assert len(found) == 1
    assert found[0].endswith("error[unknown-check] checks[1]: no check 'agenda-prepard' among mentorsite's "
                             "practice checks; did you mean 'agenda-prepared'?")


EXAMPLE = Path(__file__).parent.parent / "content"


def test_the_example_pairs_verdicts_match_their_records() -> None:
    checked = read_program(EXAMPLE, EXAMPLE.parent)
    as_of = date(2026, 11, 21)
    verdicts = {records.pair.id: {n: r.verdict for n, r in run_checks(records, as_of, PracticeSettings(),
                                                                      CHECK_NAMES).items()}
                for records in checked.program.pairs}
    midway = verdicts["lena-marcus"]
    assert midway["cadence-kept"] == "fail"  # two four-week gaps, and none since 15 October
    assert midway["actions-followed-up"] == "fail"  # three actions open past their due dates
    assert midway["agenda-prepared"] == midway["two-way-feedback"] == midway["midpoint-review-held"] == "pass"
    assert verdicts["sofia-david"]["cadence-kept"] == verdicts["sofia-david"]["closing-held"] == "pass"
    assert set(verdicts["noor-james"].values()) == {"not-assessed"}  # proposed, not started
    findings = [str(d) for d in practice_findings(checked, PracticeSettings(), as_of)]
    assert ("content/pairs/lena-marcus/sessions/2026-09-17.md:2:7: warning[cadence-kept] date: fails: 6 of 10 "
            "expected meetings held, every 14 days with 3 days of grace (60%; 90% passes). First of 3: 28 days "
            "after the session of 2026-08-20. See the handbook: meeting-cadence.") in findings
    assert not [f for f in findings if "noor-james" in f]


def test_a_changed_threshold_is_a_new_verdict_on_the_example() -> None:
    checked = read_program(EXAMPLE, EXAMPLE.parent)
    midway = next(r for r in checked.program.pairs if r.pair.id == "lena-marcus")
    lenient = PracticeSettings({"cadence-kept": {"pass": 0.6, "warn": 0.5}})
    assert run_checks(midway, date(2026, 11, 21), lenient, ["cadence-kept"])["cadence-kept"].verdict == "pass"
    assert lenient.thresholds("agenda-prepared") == {"pass": 0.8, "warn": 0.5}
