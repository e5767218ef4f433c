"""The records of a program together: the handbook's guidelines, each pair's records, the whole program."""

from __future__ import annotations

from dataclasses import dataclass, field

from mentorsite.model.records import Agreement, Checkin, Closing, Goal, Guideline, Pair, Session


@dataclass(frozen=True)
class Handbook:
    guidelines: tuple[Guideline, ...] = ()
    landing_markdown: str | None = None

    def guideline(self, guideline_id: str) -> Guideline | None:
        return next((g for g in self.guidelines if g.id == guideline_id), None)


@dataclass(frozen=True)
class PairRecords:
    pair: Pair
    agreement: Agreement | None = None
    goals: tuple[Goal, ...] = ()
    sessions: tuple[Session, ...] = ()
    checkins: tuple[Checkin, ...] = ()
    closing: Closing | None = None


@dataclass(frozen=True)
class Program:
    handbook: Handbook = field(default_factory=Handbook)
    pairs: tuple[PairRecords, ...] = ()
