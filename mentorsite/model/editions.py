"""Which records an edition of a portfolio may hold, decided once, before anything is computed.

The pair edition holds every record of the pair. The review edition holds only the records
whose ``visibility`` is ``review``, and references from them to records it leaves out are
dropped, so that the dashboard, charts, pages and search index of the review edition are all
computed from what the pair chose to share, and from nothing else.

What the shared records cannot say is marked instead of guessed: an action left open in a
shared session that a session not shared comes after may have been done there, so it becomes
an ``OutcomeNotShared``, neither open nor done. The mark is one fact per action, the same for
every action of that session, and carries no date, count or text of the sessions left out.
"""

from __future__ import annotations

from typing import Literal, TypeVar

from mentorsite.model.record_sets import PairRecords
from mentorsite.model.records import Action, Agreement, Checkin, Closing, Goal, Session

Edition = Literal["pair", "review"]
EDITIONS: tuple[Edition, ...] = ("pair", "review")
Shared = TypeVar("Shared", Agreement, Goal, Session, Checkin, Closing)


class OutcomeNotShared(Action):
    """An action of a shared session, left open there, that sessions not shared come after."""


def select_edition(records: PairRecords, edition: Edition) -> PairRecords:
    """The records of one edition (``pair.yml`` is in both: who, dates and status)."""
    if edition == "pair":
        return records
    goals = tuple(g for g in records.goals if _shared(g))
    kept = {goal.id for goal in goals}
    agreement = records.agreement if records.agreement and _shared(records.agreement) else None
    return PairRecords(
        pair=records.pair,
        agreement=_without_hidden_goals(agreement, kept) if agreement else None,
        goals=goals,
        sessions=_shared_sessions(records.sessions, kept),
        checkins=tuple(c for c in records.checkins if _shared(c)),
        closing=records.closing if records.closing and _shared(records.closing) else None,
    )


def _shared_sessions(sessions: tuple[Session, ...], kept: set[str]) -> tuple[Session, ...]:
    """The shared sessions, each open action marked when a session not shared comes after it."""
    last_unshared = max(((s.date, s.id) for s in sessions if not _shared(s)), default=None)
    shared = [_without_hidden_goals(s, kept) for s in sessions if _shared(s)]
    return tuple(_mark_open_actions(s) if last_unshared and (s.date, s.id) < last_unshared else s
                 for s in shared)


def _mark_open_actions(session: Session) -> Session:
    actions = [a if a.done else OutcomeNotShared.model_construct(a.model_fields_set, **dict(a))
               for a in session.actions]
    return session.model_copy(update={"actions": actions})


def _shared(record: Agreement | Goal | Session | Checkin | Closing) -> bool:
    return record.visibility == "review"


def _without_hidden_goals(record: Shared, kept: set[str]) -> Shared:
    if not isinstance(record, Agreement | Session):
        return record
    return record.model_copy(update={"goals": [g for g in record.goals if g in kept]})
