"""What happened in a pair, computed from its records: pure functions, no I/O, no clock.

Everything that depends on "today" takes an explicit ``as_of`` date, so that two builds of
the same records give the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from typing import Literal

from mentorsite.model.editions import OutcomeNotShared
from mentorsite.model.plurals import plural
from mentorsite.model.record_sets import PairRecords
from mentorsite.model.records import Action, ActionOwner, Cadence, Checkin, Goal, Session

DAYS_PER_UNIT = {"days": 1, "weeks": 7, "months": 30}


def interval_days(cadence: Cadence) -> int:
    """The agreed time between meetings, in days (a month counts as 30 days)."""
    return cadence.every * DAYS_PER_UNIT[cadence.unit]


def default_grace_days(interval: int) -> int:
    """How late a meeting may be and still count as on time: a quarter of the interval."""
    return max(1, interval // 4)


@dataclass(frozen=True)
class Span:
    """Days with no meeting: from the start or a meeting to the next meeting, or to the end measured.

    ``kind``: "first" runs from the start to the first meeting, "between" from one meeting to
    the next, "open" from the latest meeting (or the start) up to ``as_of`` while the pair is
    active, "end" from the latest meeting (or the start) to the end of a relationship that ended.
    """

    since: date
    until: date
    kind: Literal["first", "between", "open", "end"]

    @property
    def days(self) -> int:
        return (self.until - self.since).days

    @property
    def closed(self) -> bool:
        """True when a meeting ends it."""
        return self.kind in ("first", "between")


@dataclass(frozen=True)
class CadenceReport:
    """Meetings held against the agreed rhythm: the one cadence measure of every page and check.

    The agreement asks for a meeting every ``interval_days`` from the start; a meeting up to
    ``grace_days`` late is on time. A later meeting takes the slot of the cadence nearest to
    it, and the slots it skipped are missed meetings (every two weeks with three days of
    grace: 17 or 21 days is a late meeting, 28 days is one missed). After the latest meeting,
    up to ``as_of`` (active) or the end (ended), each deadline already past is one missed.
    The meetings expected are those held and those missed, counted in this one place.
    """

    interval_days: int
    grace_days: int
    spans: tuple[Span, ...]
    next_expected: date | None = None

    @property
    def gaps(self) -> tuple[int, ...]:
        """Days between one meeting and the next."""
        return tuple(span.days for span in self.spans if span.kind == "between")

    @property
    def open_gap(self) -> int | None:
        """Days from the latest meeting (or the start) up to ``as_of``, while the pair is active."""
        return next((span.days for span in self.spans if span.kind == "open"), None)

    @property
    def longest_gap(self) -> int:
        return max([0, *(span.days for span in self.spans)])

    @property
    def late_spans(self) -> tuple[Span, ...]:
        """The spans longer than the interval and the grace: a late meeting, a missed one, or one overdue."""
        return tuple(span for span in self.spans if span.days > self.interval_days + self.grace_days)

    def missed_in(self, span: Span) -> int:
        """The meetings a span leaves out (see the class: nearest slot, or deadlines past)."""
        interval, late = self.interval_days, span.days - self.grace_days
        if span.closed:
            return max(0, (2 * late + interval) // (2 * interval) - 1)
        return max(0, (late - 1) // interval)

    @property
    def missed(self) -> int:
        """Meetings that should have happened and did not."""
        return sum(self.missed_in(span) for span in self.spans)

    @property
    def held(self) -> int:
        """The meetings held (days with a session): each ends a first or a between span."""
        return sum(1 for span in self.spans if span.closed)

    @property
    def expected(self) -> int:
        """The meetings the cadence called for: those held and those missed."""
        return self.held + self.missed

    @property
    def due_dates(self) -> tuple[date, ...]:
        """The day each meeting the cadence called for was due, one for each of ``expected``:
        a span's missed meetings, then (when a meeting ends it) the slot that meeting took, on
        the meeting's own day when it came early, so that no slot lies past the span."""
        due: list[date] = []
        for span in self.spans:
            count = self.missed_in(span) + (1 if span.closed else 0)
            due += [min(span.since + timedelta(days=self.interval_days * k), span.until)
                    for k in range(1, count + 1)]
        return tuple(due)

    @property
    def share(self) -> float | None:
        """Meetings held of those expected; None while none is expected."""
        return self.held / self.expected if self.expected else None

    def explanation(self) -> str:
        """How the figures are counted, in one sentence, for where they are shown."""
        every, grace = plural(self.interval_days, "day"), plural(self.grace_days, "day")
        return (f"The agreement asks for a meeting every {every} from the start; one up to {grace} late is "
                "on time, a later one takes the nearest slot of the cadence, and every slot left empty "
                "is a missed meeting.")


CADENCE_MEASURE = ("Meetings are counted against each pair's agreed cadence from its start: a meeting a "
                   "little late (the grace) is on time, a later one takes the nearest slot of the cadence, "
                   "and every slot left empty is a missed meeting.")
"""The cadence measure in one sentence, without one pair's figures (for the program report)."""


def started(records: PairRecords, as_of: date) -> bool:
    """Whether the relationship has started by ``as_of``: not proposed, and its start is past."""
    return records.pair.status != "proposed" and records.pair.start <= as_of


def cadence_report(records: PairRecords, as_of: date, grace_days: int | None = None) -> CadenceReport | None:
    """Meetings against the agreement's cadence; None without an agreement or before the start.

    Measured from the start, to ``as_of`` while the pair is active, to its end once it has
    ended; a paused pair is measured to its latest meeting.
    """
    if records.agreement is None or not started(records, as_of):
        return None
    interval = interval_days(records.agreement.cadence)
    grace = default_grace_days(interval) if grace_days is None else grace_days
    dates = sorted({s.date for s in records.sessions if s.date <= as_of})
    start = records.pair.start
    spans = [Span(start, dates[0], "first")] if dates else []
    spans += [Span(earlier, later, "between") for earlier, later in pairwise(dates)]
    last = dates[-1] if dates else start
    status, end = records.pair.status, records.pair.end
    if status == "active":
        spans.append(Span(last, as_of, "open"))
    elif status in ("completed", "closed-early") and end is not None:
        spans.append(Span(last, max(last, min(end, as_of)), "end"))
    next_expected = last + timedelta(days=interval) if status == "active" and dates else None
    return CadenceReport(interval, grace, tuple(spans), next_expected)


@dataclass(frozen=True)
class Mention:
    """One session's entry for an action: which session, its place there, and what it said."""

    session_id: str
    session_date: date
    index: int
    """The entry's place in the session's ``actions``."""
    done: bool


@dataclass(frozen=True)
class ActionItem:
    """An action as it stands at its latest mention, with every session entry that names it.

    ``outcome_shared`` is False in the review edition for an action left open in the last
    shared session naming it when a session not shared comes after: what became of it may be
    written there, so it counts as neither open nor done.
    """

    task: str
    owner: ActionOwner
    due: date | None
    done: bool
    history: tuple[Mention, ...]
    """The entries naming it, oldest first; later ones continue it (carried over)."""
    by_text: bool = False
    """True when entries were joined because their task text is the same, not by ``id``."""
    outcome_shared: bool = True

    @property
    def first_session(self) -> date:
        return self.history[0].session_date

    @property
    def last_session(self) -> date:
        return self.history[-1].session_date

    @property
    def mentions(self) -> int:
        """How many session entries name it."""
        return len(self.history)

    @property
    def carried_over(self) -> bool:
        return self.mentions > 1

    @property
    def is_open(self) -> bool:
        return not self.done and self.outcome_shared

    @property
    def state(self) -> str:
        """'done', 'open' or 'outcome not shared'."""
        return "done" if self.done else "open" if self.outcome_shared else "outcome not shared"

    def is_overdue(self, as_of: date) -> bool:
        return self.is_open and self.due is not None and self.due < as_of


def task_key(task: str) -> str:
    """Two actions with the same task, up to case and spacing, are one action carried over."""
    return " ".join(task.lower().split())


def action_key(action: Action) -> str:
    """Which action an entry stands for: the one it ``carries``, its own ``id``, else its task text.

    An entry with an id or carries joins only the entries linked by that id; one with neither
    joins the earlier entries with the same task text that have neither.
    """
    if action.carries or action.id:
        return f"id:{action.carries or action.id}"
    return f"text:{task_key(action.task)}"


def action_items(sessions: tuple[Session, ...]) -> list[ActionItem]:
    """Actions of all sessions, joining the entries that continue one action (carried over)."""
    merged: dict[str, ActionItem] = {}
    for session in sorted(sessions, key=lambda s: (s.date, s.id)):
        for index, action in enumerate(session.actions):
            key = action_key(action)
            merged[key] = _mention(action, Mention(session.id, session.date, index, action.done),
                                   merged.get(key), key.startswith("text:"))
    return sorted(merged.values(), key=lambda a: (a.first_session, a.task))


def _mention(action: Action, mention: Mention, earlier: ActionItem | None, by_text: bool) -> ActionItem:
    history = (*(earlier.history if earlier else ()), mention)
    return ActionItem(task=action.task, owner=action.owner, due=action.due, done=action.done,
                      history=history, by_text=by_text and len(history) > 1,
                      outcome_shared=not isinstance(action, OutcomeNotShared))


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
    actions: tuple[ActionItem, ...] = ()
    """Every action item of the sessions held: open, done, or with an outcome not shared."""

    @property
    def overdue_actions(self) -> tuple[ActionItem, ...]:
        return tuple(a for a in self.open_actions if a.is_overdue(self.as_of))

    @property
    def unshared_actions(self) -> tuple[ActionItem, ...]:
        """Actions whose outcome may be in a session not shared: neither open nor done."""
        return tuple(a for a in self.actions if not a.done and not a.outcome_shared)

    @property
    def action_entries(self) -> int:
        """Entries in the sessions' ``actions`` lists: one per item, plus one per carrying over."""
        return sum(a.mentions for a in self.actions)

    def action_at(self, session_id: str, index: int) -> tuple[ActionItem, int] | None:
        """The item a session's ``index``-th action entry stands for, and that entry's place in it."""
        for item in self.actions:
            for place, mention in enumerate(item.history):
                if (mention.session_id, mention.index) == (session_id, index):
                    return item, place
        return None

    def carried_in(self, session_id: str) -> bool:
        """Whether an action entry of this session is carried over, or has an outcome not shared."""
        return any(item.carried_over or not item.outcome_shared for item in self.actions
                   if any(mention.session_id == session_id for mention in item.history))

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
        open_actions=tuple(a for a in actions if a.is_open),
        done_actions=sum(1 for a in actions if a.done),
        latest_checkin=max(checkins, key=lambda c: c.date) if checkins else None,
        agenda_share=agenda_share(held),
        feedback=feedback_count(held),
        actions=tuple(actions),
    )
