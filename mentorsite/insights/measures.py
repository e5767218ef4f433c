"""What happened in a pair, computed from its records: pure functions, no I/O, no clock.

Everything that depends on "today" takes an explicit ``as_of`` date, so that two builds of
the same records give the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

from mentorsite.model.record_sets import PairRecords
from mentorsite.model.records import Action, Cadence, Checkin, Goal, Session

DAYS_PER_UNIT = {"days": 1, "weeks": 7, "months": 30}


def interval_days(cadence: Cadence) -> int:
    """The agreed time between meetings, in days (a month counts as 30 days)."""
    return cadence.every * DAYS_PER_UNIT[cadence.unit]


def default_grace_days(interval: int) -> int:
    """How late a meeting may be and still count as on time: a quarter of the interval."""
    return max(1, interval // 4)


@dataclass(frozen=True)
class CadenceReport:
    """Meetings held against the agreed rhythm."""

    interval_days: int
    grace_days: int
    gaps: tuple[int, ...]
    open_gap: int | None
    next_expected: date | None

    @property
    def longest_gap(self) -> int:
        return max([*self.gaps, self.open_gap or 0], default=0)

    @property
    def missed(self) -> int:
        """Meetings that should have happened and did not.

        A meeting held late, less ``grace_days``, takes the slot of the cadence it is nearest
        to; the slots it skipped are missed meetings (with two weeks and three days of grace:
        17 or 21 days is a late meeting, 28 days is one missed). In the open gap since the
        last meeting, each deadline (interval plus grace) already past counts.
        """
        interval = self.interval_days
        nearest_slot = [(2 * (gap - self.grace_days) + interval) // (2 * interval) for gap in self.gaps]
        closed = sum(max(0, slot - 1) for slot in nearest_slot)
        still_open = max(0, ((self.open_gap or 0) - self.grace_days - 1) // self.interval_days)
        return closed + still_open

    @property
    def kept_share(self) -> float | None:
        """Share of gaps between meetings that stayed within interval plus grace."""
        if not self.gaps:
            return None
        return sum(1 for gap in self.gaps if gap <= self.interval_days + self.grace_days) / len(self.gaps)


def cadence_report(records: PairRecords, as_of: date, grace_days: int | None = None) -> CadenceReport | None:
    """Gaps between sessions against the agreement's cadence; None without an agreement.

    The open gap (last session to ``as_of``) counts only while the pair is active.
    """
    if records.agreement is None:
        return None
    interval = interval_days(records.agreement.cadence)
    grace = default_grace_days(interval) if grace_days is None else grace_days
    dates = sorted({s.date for s in records.sessions if s.date <= as_of})
    gaps = tuple((later - earlier).days for earlier, later in pairwise(dates))
    active = records.pair.status == "active"
    last = dates[-1] if dates else None
    open_gap = (as_of - last).days if active and last else None
    next_expected = last + timedelta(days=interval) if active and last else None
    return CadenceReport(interval, grace, gaps, open_gap, next_expected)


@dataclass(frozen=True)
class ActionItem:
    """An action as it stands at its latest mention; ``mentions`` counts the sessions naming it."""

    task: str
    owner: str
    due: date | None
    done: bool
    first_session: date
    last_session: date
    mentions: int

    @property
    def carried_over(self) -> bool:
        return self.mentions > 1

    def is_overdue(self, as_of: date) -> bool:
        return not self.done and self.due is not None and self.due < as_of


def task_key(task: str) -> str:
    """Two actions with the same task, up to case and spacing, are one action carried over."""
    return " ".join(task.lower().split())


def action_items(sessions: tuple[Session, ...]) -> list[ActionItem]:
    """Actions of all sessions, merging those with the same task text (carried over)."""
    merged: dict[str, ActionItem] = {}
    for session in sorted(sessions, key=lambda s: (s.date, s.id)):
        for action in session.actions:
            key = task_key(action.task)
            earlier = merged.get(key)
            merged[key] = _mention(action, session.date, earlier)
    return sorted(merged.values(), key=lambda a: (a.first_session, a.task))


def _mention(action: Action, when: date, earlier: ActionItem | None) -> ActionItem:
    return ActionItem(task=action.task, owner=action.owner, due=action.due, done=action.done,
                      first_session=earlier.first_session if earlier else when, last_session=when,
                      mentions=(earlier.mentions if earlier else 0) + 1)


@dataclass(frozen=True)
class GoalProgress:
    goal: Goal
    percent: int
    milestones_done: int
    milestones_total: int

    @property
    def missing_smart_parts(self) -> list[str]:
        """The SMART parts this goal leaves out ('time-bound' means it has no due date)."""
        parts = {"specific": self.goal.specific, "measurable": self.goal.measurable,
                 "achievable": self.goal.achievable, "relevant": self.goal.relevant,
                 "time-bound": self.goal.due}
        return [name for name, value in parts.items() if not value]


def goal_progress(goal: Goal) -> GoalProgress:
    """Latest progress percent (100 once achieved) and milestones done."""
    latest = max(goal.progress, key=lambda p: p.date).percent if goal.progress else 0
    percent = 100 if goal.status == "achieved" else latest
    done = sum(1 for m in goal.milestones if m.done)
    return GoalProgress(goal, percent, done, len(goal.milestones))


def goal_completion(goals: tuple[Goal, ...]) -> float | None:
    """Share of goals achieved, leaving out dropped ones; None when there are none to count."""
    counted = [g for g in goals if g.status != "dropped"]
    return sum(1 for g in counted if g.status == "achieved") / len(counted) if counted else None


def agenda_share(sessions: tuple[Session, ...]) -> float | None:
    """Share of sessions that had an agenda."""
    return sum(1 for s in sessions if s.agenda) / len(sessions) if sessions else None


@dataclass(frozen=True)
class FeedbackCount:
    sessions: int
    from_mentor: int
    from_mentee: int


def feedback_count(sessions: tuple[Session, ...]) -> FeedbackCount:
    """How many sessions carry feedback from each side."""
    return FeedbackCount(len(sessions), sum(1 for s in sessions if s.feedback.mentor),
                         sum(1 for s in sessions if s.feedback.mentee))


def weeks_together(records: PairRecords, as_of: date) -> int:
    """Whole weeks from the start to the end (or to ``as_of`` while the relationship lasts)."""
    until = records.pair.end or as_of
    return max(0, (until - records.pair.start).days // 7)


@dataclass(frozen=True)
class Overview:
    """The figures of a pair's dashboard, as of one date."""

    as_of: date
    weeks_together: int
    sessions_held: int
    cadence: CadenceReport | None
    goals: tuple[GoalProgress, ...]
    goal_completion: float | None
    open_actions: tuple[ActionItem, ...]
    done_actions: int
    latest_checkin: Checkin | None
    agenda_share: float | None
    feedback: FeedbackCount

    @property
    def overdue_actions(self) -> tuple[ActionItem, ...]:
        return tuple(a for a in self.open_actions if a.is_overdue(self.as_of))

    @property
    def next_session_late_by(self) -> int:
        """Days since the next session was expected by the cadence (0 when not yet due)."""
        expected = self.cadence.next_expected if self.cadence else None
        return max(0, (self.as_of - expected).days) if expected else 0


def overview(records: PairRecords, as_of: date) -> Overview:
    """Everything the dashboard shows, from the records given (one edition's) and ``as_of``."""
    held = tuple(s for s in records.sessions if s.date <= as_of)
    actions = action_items(held)
    checkins = [c for c in records.checkins if c.date <= as_of]
    return Overview(
        as_of=as_of,
        weeks_together=weeks_together(records, as_of),
        sessions_held=len(held),
        cadence=cadence_report(records, as_of),
        goals=tuple(goal_progress(g) for g in records.goals),
        goal_completion=goal_completion(records.goals),
        open_actions=tuple(a for a in actions if not a.done),
        done_actions=sum(1 for a in actions if a.done),
        latest_checkin=max(checkins, key=lambda c: c.date) if checkins else None,
        agenda_share=agenda_share(held),
        feedback=feedback_count(held),
    )
