"""The portfolio pages of the example program, as Markdown, against golden files.

Every dashboard (both editions of every example pair) and every page of one midway pair
are pinned. Regenerate with ``pytest tests/test_portfolio.py --update-goldens`` and review
the diff.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from mentorsite.checking.program import read_program
from mentorsite.model.editions import EDITIONS, Edition
from mentorsite.model.record_sets import Program
from mentorsite.pages.portfolio import PortfolioSettings, render_portfolio, render_review_index, review_entry
from mentorsite.pages.rendering import RenderedPage, create_environment
from tests.goldens import check_golden

ROOT = Path(__file__).parent.parent
GOLDEN = Path(__file__).parent / "golden" / "portfolio"
AS_OF = date(2026, 11, 21)
SETTINGS = PortfolioSettings(as_of=AS_OF)
FULLY_PINNED = "lena-marcus"


@pytest.fixture(scope="module")
def example() -> Program:
    checked = read_program(ROOT / "content", ROOT)
    assert not checked.diagnostics
    return checked.program


def pinned_pages(program: Program, pair_id: str, edition: Edition) -> list[RenderedPage]:
    records = next(p for p in program.pairs if p.pair.id == pair_id)
    portfolio = render_portfolio(records, edition, program.handbook, SETTINGS, create_environment())
    pages = list(portfolio.pages)
    return pages if pair_id == FULLY_PINNED else [p for p in pages if p.uri == "index.md"]


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("pair_id", ["lena-marcus", "noor-james", "priya-tomas", "sofia-david"])
def test_example_portfolio_pages_match_golden_files(example: Program, pair_id: str, edition: Edition,
                                                    update_goldens: bool) -> None:
    check_golden(GOLDEN / pair_id / edition, pinned_pages(example, pair_id, edition), update_goldens)


def test_review_index_matches_golden_file(example: Program, update_goldens: bool) -> None:
    entries = [review_entry(p) for p in example.pairs]
    check_golden(GOLDEN / "review-index", render_review_index(entries, create_environment()), update_goldens)
