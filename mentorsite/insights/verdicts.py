"""What a practice check reads and what it returns: the facts, the verdict and its evidence.

A check is a pure function from ``Facts`` (one edition's records and the "as of" date) and
its thresholds to a ``CheckResult``; ``PracticeCheck`` names it, with the thresholds a
program may change in mkdocs.yml and the sentence that describes it in the handbook, and runs
it (never on a pair that has not started). The checks themselves are in
``mentorsite.insights.practices``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

from mentorsite.insights.measures import started as has_started
from mentorsite.model.record_sets import PairRecords
from mentorsite.model.records import Session
from mentorsite.reading.positions import Location

Verdict = Literal["pass", "warn", "fail", "not-assessed"]
# Worst first: a guideline shows the worst verdict among its checks.
RecordKind = Literal["pair", "agreement", "goal", "session", "checkin", "closing"]
VERDICT_RANK: dict[Verdict, int] = {"fail": 0, "warn": 1, "pass": 2, "not-assessed": 3}
Thresholds = Mapping[str, float]


@dataclass(frozen=True)
class Evidence:
    """One record behind a verdict: where it is, its date, and what about it counts."""

    kind: RecordKind
    record_id: str
    date: date | None
    note: str
    path: str
    location: Location = ()


@dataclass(frozen=True)
class CheckResult:
    """The verdict of one check on one edition of a pair's records."""

    name: str
    verdict: Verdict
    summary: str
    evidence: tuple[Evidence, ...] = ()
    counted: int = 0
    """How many things were counted (meetings expected, goals, sessions, actions)."""
    met: int = 0
    """How many of them met the practice."""
    explanation: str = ""
    """How the figure is counted, in one sentence, for the scorecard (not for one-line messages)."""


@dataclass(frozen=True)
class Facts:
    """What a check reads: one edition's records, the date of the figures, and the edition."""

    records: PairRecords
    as_of: date
    shared_only: bool = False
    """True for the review edition: a record that is missing may simply not be shared."""

    @property
    def held(self) -> tuple[Session, ...]:
        return tuple(s for s in self.records.sessions if s.date <= self.as_of)

    @property
    def started(self) -> bool:
        return has_started(self.records, self.as_of)

    def not_started(self) -> str:
        """Why a pair that has not started is not assessed."""
        pair = self.records.pair
        if pair.status == "proposed":
            return "The pair is proposed: nothing is assessed until the relationship starts."
        return f"The relationship starts on {pair.start}: nothing is assessed before."

    def evidence(self, kind: RecordKind, record_id: str, when: date | None, note: str,
                 location: Location = ()) -> Evidence:
        path = self._path(kind, record_id)
        return Evidence(kind, record_id, when, note, path, location)

    def _path(self, kind: RecordKind, record_id: str) -> str:
        records = self.records
        found = {"pair": records.pair, "agreement": records.agreement, "closing": records.closing,
                 "goal": next((g for g in records.goals if g.id == record_id), None),
                 "session": next((s for s in records.sessions if s.id == record_id), None),
                 "checkin": next((c for c in records.checkins if c.id == record_id), None)}[kind]
        return found.path if found is not None else records.pair.path


@dataclass(frozen=True)
class Parameter:
    """A threshold of a check, as written in mkdocs.yml."""

    default: float
    kind: Literal["share", "days"]


Evaluate = Callable[[Facts, Thresholds], CheckResult]


@dataclass(frozen=True)
class PracticeCheck:
    name: str
    title: str
    parameters: Mapping[str, Parameter]
    evaluate: Evaluate
    describe: Callable[[Thresholds], str]

    def run(self, facts: Facts, thresholds: Thresholds) -> CheckResult:
        """The check's result; every check leaves a pair that has not started not assessed.

        A proposed pair (what ``mentorsite new pair`` writes) may hold draft records, but
        nothing is due yet: this one rule keeps every check, the scorecard, ``mentorsite check
        --practices`` and the program report's tallies from judging it.
        """
        if not facts.started:
            return CheckResult(self.name, "not-assessed", facts.not_started())
        return self.evaluate(facts, thresholds)
