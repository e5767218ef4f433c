"""Practice checks: what a pair's records say about the practices the handbook recommends.

Each check has a stable name that guidelines cite in ``checks:``, thresholds a program may
change in mkdocs.yml, and a pure function from one edition's records and the "as of" date to
a verdict (pass, warn, fail, or not assessed) with its evidence: which records, which dates.
The summaries are made of counts and dates; only evidence notes may quote a record (an
action's task), and they are shown to the pair alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta

from mentorsite.insights.measures import CadenceReport, Span, action_items, cadence_report, interval_days
from mentorsite.insights.verdicts import (
    CheckResult,
    Evidence,
    Facts,
    Parameter,
    PracticeCheck,
    Thresholds,
    Verdict,
)
from mentorsite.model.plurals import plural
from mentorsite.model.record_sets import PairRecords
from mentorsite.model.records import CHECK_NAMES, Goal, Session

SELECTED_SESSIONS = "Only shared sessions are in this edition, so this is not measured."


def _rate_parameters(passing: float, warning: float) -> dict[str, Parameter]:
    """``pass``: the share needed to pass; below ``warn`` the check fails."""
    return {"pass": Parameter(passing, "share"), "warn": Parameter(warning, "share")}


def _percent(share: float) -> str:
    return f"{round(share * 100)}%"


def _days(count: float) -> str:
    """A number of days (a threshold from mkdocs.yml is a float): '1 day', '14 days'."""
    return plural(int(count), "day")


def _by_rate(name: str, met: int, counted: int, limits: Thresholds, summary: str,
             evidence: list[Evidence]) -> CheckResult:
    """pass at or above ``pass``, warn at or above ``warn``, else fail; the rate goes in the summary."""
    share = met / counted
    verdict: Verdict = "pass" if share >= limits["pass"] else "warn" if share >= limits["warn"] else "fail"
    return CheckResult(name, verdict, f"{summary} ({_percent(share)}; {_percent(limits['pass'])} passes).",
                       tuple(evidence), counted, met)


def _not_assessed(name: str, why: str) -> CheckResult:
    return CheckResult(name, "not-assessed", why)


def _missing(facts: Facts, name: str, what: str) -> CheckResult:
    """A record the check needs is absent: not shared (review edition) or missing.

    (A pair that has not started never gets here: ``PracticeCheck.run`` leaves it not assessed.)
    """
    if facts.shared_only:
        return _not_assessed(name, f"The {what} is not shared in this edition.")
    return CheckResult(name, "fail", f"No {what} is recorded.",
                       (facts.evidence("pair", facts.records.pair.id, facts.records.pair.start,
                                       f"no {what}"),))


# The checks ------------------------------------------------------------------------------


def agreement_signed(facts: Facts, limits: Thresholds) -> CheckResult:
    name, agreement = "agreement-signed", facts.records.agreement
    if agreement is None:
        return _missing(facts, name, "agreement")
    sessions = facts.held
    first = sessions[0].date if sessions else facts.records.pair.start
    deadline = first + timedelta(days=int(limits["within_days"]))
    signed = {"mentor": agreement.signed.mentor, "mentee": agreement.signed.mentee}
    unsigned = [side for side, day in signed.items() if day is None]
    evidence = [facts.evidence("agreement", "", day, f"signed by the {side} on {day}", ("signed", side))
                for side, day in signed.items() if day is not None]
    evidence += [facts.evidence("agreement", "", None, f"not signed by the {side}", ("signed",))
                 for side in unsigned]
    if unsigned:
        sides = " and the ".join(unsigned)
        if facts.as_of <= deadline:
            return CheckResult(name, "warn", f"Not yet signed by the {sides}; due by {deadline}.",
                               tuple(evidence))
        return CheckResult(name, "fail", f"Not signed by the {sides}, due by {deadline}.", tuple(evidence))
    last = max(day for day in signed.values() if day is not None)
    if last > deadline:
        return CheckResult(name, "warn", f"Signed by both on {last}, after {deadline}.", tuple(evidence))
    return CheckResult(name, "pass", f"Signed by both by {last}.", tuple(evidence))


def cadence_defined(facts: Facts, limits: Thresholds) -> CheckResult:
    name, agreement = "cadence-defined", facts.records.agreement
    if agreement is None:
        return _missing(facts, name, "agreement")
    interval = interval_days(agreement.cadence)
    every = agreement.cadence.describe()
    evidence = (facts.evidence("agreement", "", None, f"meet {every}", ("cadence",)),)
    if interval > limits["max_interval_days"]:
        return CheckResult(name, "warn", f"Meetings are agreed {every}, more than "
                           f"{_days(limits['max_interval_days'])} apart.", evidence)
    if agreement.session_minutes is None:
        return CheckResult(name, "warn", f"Meetings are agreed {every}, with no session length.", evidence)
    length = f"{plural(agreement.session_minutes, 'minute')} each"
    return CheckResult(name, "pass", f"Meetings are agreed {every}, {length}.", evidence)


def cadence_grace(limits: Thresholds) -> int | None:
    """The grace ``cadence-kept`` is given (None: a quarter of the interval); the dashboard uses it too."""
    return int(limits["grace_days"]) if limits["grace_days"] >= 0 else None


def cadence_kept(facts: Facts, limits: Thresholds) -> CheckResult:
    """The cadence measure of ``cadence_report``, the one the dashboard, charts and report show."""
    name = "cadence-kept"
    if facts.shared_only:
        return _not_assessed(name, SELECTED_SESSIONS)
    report = cadence_report(facts.records, facts.as_of, cadence_grace(limits))
    if report is None:
        return _missing(facts, name, "agreement")
    if not report.expected:
        return _not_assessed(name, "No meeting is due yet.")
    evidence = [_late_span(facts, report, span) for span in report.late_spans]
    summary = (f"{report.held} of {report.expected} expected meetings held, every "
               f"{_days(report.interval_days)} with {_days(report.grace_days)} of grace")
    result = _by_rate(name, report.held, report.expected, limits, summary, evidence)
    return replace(result, explanation=report.explanation())


def _late_span(facts: Facts, report: CadenceReport, span: Span) -> Evidence:
    """A span longer than agreed, at the session that ends it (or the latest one, or the pair)."""
    if span.closed:
        session = _session_on(facts, span.until)
        after = "the start on" if span.kind == "first" else "the session of"
        return facts.evidence("session", session.id, session.date,
                              f"{span.days} days after {after} {span.since}", ("date",))
    up_to = f"{facts.as_of}" if span.kind == "open" else f"the end on {span.until}"
    if report.held:
        session = _session_on(facts, span.since)
        return facts.evidence("session", session.id, session.date,
                              f"the latest session: none since, {span.days} days up to {up_to}",
                              ("date",))
    pair = facts.records.pair
    return facts.evidence("pair", pair.id, pair.start, f"no session since the start, {span.days} days up to "
                          f"{up_to}", ("start",))


def _session_on(facts: Facts, day: date) -> Session:
    return min((s for s in facts.held if s.date == day), key=lambda s: s.id)


def _counted_goals(facts: Facts) -> list[Goal]:
    return [g for g in facts.records.goals if g.status != "dropped"]


SMART_PARTS = ("specific", "measurable", "achievable", "relevant")


def goals_smart(facts: Facts, limits: Thresholds) -> CheckResult:
    name, goals = "goals-smart", _counted_goals(facts)
    if not goals:
        return _missing(facts, name, "goal")
    evidence = []
    for goal in goals:
        missing = [part for part in SMART_PARTS if not getattr(goal, part)]
        if missing:
            evidence.append(facts.evidence("goal", goal.id, None, f"leaves out: {', '.join(missing)}"))
    complete = len(goals) - len(evidence)
    return _by_rate(name, complete, len(goals), limits,
                    f"{complete} of {len(goals)} goals say what makes them specific, measurable, achievable "
                    "and relevant",
                    evidence)


def goals_time_bound(facts: Facts, limits: Thresholds) -> CheckResult:
    name, goals = "goals-time-bound", _counted_goals(facts)
    if not goals:
        return _missing(facts, name, "goal")
    evidence = [facts.evidence("goal", g.id, None, "has no due date") for g in goals if g.due is None]
    late = [g for g in goals if g.due is not None and g.due < facts.as_of and g.status != "achieved"]
    evidence += [facts.evidence("goal", g.id, g.due, f"due {g.due}, not achieved", ("due",)) for g in late]
    dated = sum(1 for g in goals if g.due is not None)
    summary = f"{dated} of {len(goals)} goals have a due date"
    return _by_rate(name, dated, len(goals), limits, summary, evidence)


def _session_rate(facts: Facts, limits: Thresholds, name: str, meets: Callable[[Session], str | None],
                  what: str) -> CheckResult:
    """A share of the held sessions; ``meets`` returns None for a session that meets it, else why not."""
    if facts.shared_only:
        return _not_assessed(name, SELECTED_SESSIONS)
    held = facts.held
    if not held:
        return _not_assessed(name, "No session is held yet.")
    evidence = []
    for session in held:
        why_not = meets(session)
        if why_not is not None:
            evidence.append(facts.evidence("session", session.id, session.date, why_not))
    met = len(held) - len(evidence)
    return _by_rate(name, met, len(held), limits, f"{met} of {len(held)} sessions {what}", evidence)


def agenda_prepared(facts: Facts, limits: Thresholds) -> CheckResult:
    return _session_rate(facts, limits, "agenda-prepared",
                         lambda s: None if s.agenda else "no agenda", "had an agenda")


def two_way_feedback(facts: Facts, limits: Thresholds) -> CheckResult:
    def missing(session: Session) -> str | None:
        sides = [side for side in ("mentor", "mentee") if not getattr(session.feedback, side)]
        return f"no feedback from the {' or the '.join(sides)}" if sides else None

    return _session_rate(facts, limits, "two-way-feedback", missing, "have feedback from both sides")


def actions_followed_up(facts: Facts, limits: Thresholds) -> CheckResult:
    """Actions past their due date (or, without one, older than the latest session) must be done."""
    name = "actions-followed-up"
    if facts.shared_only:
        return _not_assessed(name, SELECTED_SESSIONS)
    held = facts.held
    items = action_items(held)
    latest = held[-1].date if held else None
    grace = timedelta(days=int(limits["grace_days"]))
    due = [a for a in items
           if a.done or (a.due + grace < facts.as_of if a.due else a.first_session != latest)]
    if not due:
        return _not_assessed(name, "No action item is due yet.")
    evidence = []
    for item in (a for a in due if not a.done):
        where = next(s for s in held if s.id == item.history[-1].session_id)
        since = f"due {item.due}" if item.due else f"from {item.first_session}"
        carried = f", named in {item.mentions} sessions" if item.carried_over else ""
        index = item.history[-1].index
        evidence.append(facts.evidence("session", where.id, where.date,
                                       f"open: {item.task} ({since}{carried})", ("actions", index, "done")))
    done = len(due) - len(evidence)
    return _by_rate(name, done, len(due), limits, f"{done} of {len(due)} action items due are done", evidence)


def midpoint(records: PairRecords) -> date | None:
    """The agreed mid-point review, else half way between the start and the planned end."""
    if records.agreement and records.agreement.midpoint_review:
        return records.agreement.midpoint_review
    end = records.pair.planned_end
    return records.pair.start + (end - records.pair.start) / 2 if end else None


def midpoint_review_held(facts: Facts, limits: Thresholds) -> CheckResult:
    name = "midpoint-review-held"
    if facts.shared_only:
        return _not_assessed(name, "Check-ins are shared selectively, so this is not assessed here.")
    middle = midpoint(facts.records)
    if middle is None:
        return CheckResult(name, "warn", "No mid-point is set: the agreement has no midpoint_review and "
                           "the pair no planned_end.",
                           (facts.evidence("pair", facts.records.pair.id, None, "no planned end"),))
    window = int(limits["within_days"])
    checkins = [c for c in facts.records.checkins if c.date <= facts.as_of]
    near = [c for c in checkins if abs((c.date - middle).days) <= window]
    if near:
        held = near[0]
        return CheckResult(name, "pass", f"Held on {held.date}, mid-point {middle}.",
                           (facts.evidence("checkin", held.id, held.date, "the mid-point review"),))
    end = facts.records.pair.end
    if facts.as_of <= middle + timedelta(days=window) or (end is not None and end < middle):
        return _not_assessed(name, f"Due around {middle}.")
    if checkins:
        other = min(checkins, key=lambda c: abs((c.date - middle).days))
        return CheckResult(name, "warn", f"No check-in within {_days(window)} of the mid-point ({middle}); "
                           f"the nearest is on {other.date}.",
                           (facts.evidence("checkin", other.id, other.date, "the nearest check-in"),))
    return CheckResult(name, "fail", f"No check-in since the mid-point ({middle}).")


def closing_held(facts: Facts, limits: Thresholds) -> CheckResult:
    name, records = "closing-held", facts.records
    window = timedelta(days=int(limits["within_days"]))
    if records.closing is not None:
        return CheckResult(name, "pass", f"Closing conversation on {records.closing.date}.",
                           (facts.evidence("closing", "", records.closing.date, "the closing reflection"),))
    pair = records.pair
    ended = pair.status in ("completed", "closed-early")
    end = pair.end if ended else pair.planned_end
    if facts.shared_only and ended:
        return _not_assessed(name, "The closing reflection is not shared in this edition.")
    if end is None or facts.as_of <= end + window:
        why = f"Due by {end + window}." if end else "The relationship has not ended."
        return _not_assessed(name, why)
    evidence = (facts.evidence("pair", pair.id, end, "ended" if ended else "planned end",
                               ("end" if ended else "planned_end",)),)
    if ended:
        return CheckResult(name, "fail", f"The relationship ended on {end} with no closing reflection.",
                           evidence)
    return CheckResult(name, "warn", f"Still {pair.status} {_days((facts.as_of - end).days)} after the "
                       f"planned end ({end}), with no closing conversation.", evidence)


# The library -------------------------------------------------------------------------------


def _rate_text(what: str) -> Callable[[Thresholds], str]:
    return lambda t: f"passes when at least {_percent(t['pass'])} of {what}, warns from {_percent(t['warn'])}"


CHECKS: dict[str, PracticeCheck] = {check.name: check for check in (
    PracticeCheck(
        "agreement-signed", "Agreement signed",
        {"within_days": Parameter(14, "days")},
        agreement_signed,
        lambda t: "passes when mentor and mentee both sign the agreement within "
                  f"{_days(t['within_days'])} of the first meeting"),
    PracticeCheck(
        "cadence-defined", "Cadence agreed",
        {"max_interval_days": Parameter(31, "days")},
        cadence_defined,
        lambda t: "passes when the agreement sets how often to meet (at most every "
                  f"{_days(t['max_interval_days'])}) and for how long"),
    PracticeCheck(
        "cadence-kept", "Cadence kept",
        {**_rate_parameters(0.9, 0.75), "grace_days": Parameter(-1, "days")},  # -1: a quarter of the interval
        cadence_kept,
        lambda t: _rate_text("the meetings the cadence calls for are held")(t) + (
            f", a meeting up to {_days(t['grace_days'])} late still counting" if t["grace_days"] >= 0
            else ", a meeting up to a quarter of the interval late still counting")),
    PracticeCheck(
        "goals-smart", "Goals are SMART", _rate_parameters(1.0, 0.5),
        goals_smart,
        _rate_text("the goals say what makes them specific, measurable, achievable and relevant")),
    PracticeCheck(
        "goals-time-bound", "Goals have a date", _rate_parameters(1.0, 0.5),
        goals_time_bound, _rate_text("the goals have a due date")),
    PracticeCheck(
        "agenda-prepared", "Agenda prepared", _rate_parameters(0.8, 0.5),
        agenda_prepared, _rate_text("the sessions have an agenda")),
    PracticeCheck(
        "actions-followed-up", "Actions followed up",
        {**_rate_parameters(0.9, 0.75), "grace_days": Parameter(0, "days")},
        actions_followed_up,
        lambda t: _rate_text("the action items past their due date are done")(t)
                  + (f" ({_days(t['grace_days'])} of grace)" if t["grace_days"] else "")),
    PracticeCheck(
        "two-way-feedback", "Feedback both ways", _rate_parameters(0.75, 0.5),
        two_way_feedback, _rate_text("the sessions carry feedback from both mentor and mentee")),
    PracticeCheck(
        "midpoint-review-held", "Mid-point review held",
        {"within_days": Parameter(21, "days")},
        midpoint_review_held,
        lambda t: f"passes when a check-in is recorded within {_days(t['within_days'])} of the mid-point "
                  "(the agreed midpoint_review, else half way to the planned end)"),
    PracticeCheck(
        "closing-held", "Closing held",
        {"within_days": Parameter(30, "days")},
        closing_held,
        lambda t: f"passes when a closing reflection is written, at the latest "
                  f"{_days(t['within_days'])} after the relationship ends"),
)}
assert tuple(CHECKS) == CHECK_NAMES, "the record contract names exactly the checks defined here"
