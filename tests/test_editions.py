"""Which records each edition holds: the review edition keeps only what the pair shared."""

from __future__ import annotations

from datetime import date

from mentorsite.model.editions import select_edition
from mentorsite.model.record_sets import PairRecords
from mentorsite.model.records import Agreement, Checkin, Closing, Goal, Pair, Session


def full_records(agreement_visibility: str = "review") -> PairRecords:
    pair = Pair.model_validate({"id": "p", "mentor": {"name": "M"}, "mentee": {"name": "N"},
                                "start": date(2026, 1, 5), "status": "active"})
    agreement = Agreement.model_validate({
        "cadence": {"every": 2, "unit": "weeks"}, "channels": ["video"], "confidentiality": "c",
        "goals": ["open", "hidden"], "visibility": agreement_visibility})
    goals = (Goal.model_validate({"id": "open", "title": "Open", "status": "planned"}),
             Goal.model_validate({"id": "hidden", "title": "Hidden", "status": "planned", "visibility": "pair"}))
    sessions = (Session.model_validate({"id": "2026-01-06", "date": date(2026, 1, 6), "goals": ["open", "hidden"]}),
                Session.model_validate({"id": "2026-01-20", "date": date(2026, 1, 20),
                                        "goals": ["open", "hidden"], "visibility": "review"}))
    checkins = (Checkin.model_validate({"id": "2026-02-01", "date": date(2026, 2, 1)}),
                Checkin.model_validate({"id": "2026-03-01", "date": date(2026, 3, 1), "visibility": "review"}))
    closing = Closing.model_validate({"date": date(2026, 6, 1), "visibility": "pair"})
    return PairRecords(pair, agreement, goals, sessions, checkins, closing)


def test_the_pair_edition_holds_every_record() -> None:
    records = full_records()
    assert select_edition(records, "pair") is records


def test_the_review_edition_holds_only_shared_records_and_drops_links_to_the_rest() -> None:
    review = select_edition(full_records(), "review")
    assert [g.id for g in review.goals] == ["open"]
    assert [s.id for s in review.sessions] == ["2026-01-20"]
    assert review.sessions[0].goals == ["open"]
    assert review.agreement is not None and review.agreement.goals == ["open"]
    assert [c.id for c in review.checkins] == ["2026-03-01"]
    assert review.closing is None
    assert review.pair == full_records().pair


def test_a_private_agreement_is_left_out_of_the_review_edition() -> None:
    assert select_edition(full_records("pair"), "review").agreement is None
