"""Which records an edition of a portfolio may hold, decided once, before anything is computed.

The pair edition holds every record of the pair. The review edition holds only the records
whose ``visibility`` is ``review``, and references from them to records it leaves out are
dropped, so that the dashboard, charts, pages and search index of the review edition are all
computed from what the pair chose to share, and from nothing else.
"""

from __future__ import annotations

from typing import Literal, TypeVar

from mentorsite.model.record_sets import PairRecords
from mentorsite.model.records import Agreement, Checkin, Closing, Goal, Session

Edition = Literal["pair", "review"]
EDITIONS: tuple[Edition, ...] = ("pair", "review")
Shared = TypeVar("Shared", Agreement, Goal, Session, Checkin, Closing)


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
        sessions=tuple(_without_hidden_goals(s, kept) for s in records.sessions if _shared(s)),
        checkins=tuple(c for c in records.checkins if _shared(c)),
        closing=records.closing if records.closing and _shared(records.closing) else None,
    )


def _shared(record: Agreement | Goal | Session | Checkin | Closing) -> bool:
    return record.visibility == "review"


def _without_hidden_goals(record: Shared, kept: set[str]) -> Shared:
    if not isinstance(record, Agreement | Session):
        return record
    return record.model_copy(update={"goals": [g for g in record.goals if g in kept]})
