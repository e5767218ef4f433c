"""The pairs' portfolios built one after another, or in worker processes forked for each batch.

Workers inherit the build's task (the site factory, the checked program) when they are
forked: nothing is pickled but pair ids and results, and no worker outlives its batch.
"""

from __future__ import annotations

import gc
import json
import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal, Protocol

from jinja2 import Environment

from mentorsite.checking.program import CheckedProgram
from mentorsite.files.output import PAIRS, REVIEW
from mentorsite.model.diagnostics import Diagnostic, Severity
from mentorsite.model.editions import EDITIONS
from mentorsite.model.record_sets import Handbook, PairRecords
from mentorsite.pages.portfolio import PortfolioSettings, ReviewEntry, render_portfolio, review_entry
from mentorsite.pages.rendering import TemplateFailure
from mentorsite.site.factory import SiteFactory
from mentorsite.site.stamps import SUMMARY_FILE

Outcome = Literal["built", "up to date", "kept"]
"""What became of a pair's portfolio: built now, unchanged since its last build, or kept
as it was because its records have problems."""


class Progress(Protocol):
    """Told about each pair as the portfolio build goes (a progress bar, or plain lines)."""

    def start(self, total: int) -> None: ...
    def advance(self, pair_id: str, outcome: Outcome) -> None: ...
    def finish(self) -> None: ...


@dataclass(frozen=True)
class PairTask:
    """Everything needed to build one pair's portfolios, shared with worker processes by fork."""

    factory: SiteFactory
    checked: CheckedProgram
    settings: PortfolioSettings
    environment: Environment
    private_dir: Path

    def __call__(self, pair_id: str) -> list[Diagnostic] | None:
        """Build both editions of a pair whose records passed; None when built, else why not."""
        records = self.checked.pair_records(pair_id)
        assert records is not None, "only pairs whose records passed are built"
        try:
            build_pair(self.factory, records, self.checked.program.handbook, self.settings,
                       self.environment, self.private_dir)
        except TemplateFailure as failure:
            return [failure.diagnostic]
        except RecursionError:  # text that `check` let through but nests too deeply to render
            message = ("expected records whose text can be rendered, got text that nests too deeply "
                       "(lists, quotes or HTML blocks inside each other)")
            where = f"{self.checked.pair_folders.get(pair_id, pair_id)}/pair.yml"
            return [Diagnostic(where, 1, 1, Severity.ERROR, "too-deep", message)]
        return None


def build_pair(factory: SiteFactory, records: PairRecords, handbook: Handbook,
               settings: PortfolioSettings, environment: Environment, private_dir: Path) -> None:
    portfolios = [render_portfolio(records, edition, handbook, settings, environment) for edition in EDITIONS]
    for portfolio in portfolios:
        folder = PAIRS if portfolio.edition == "pair" else REVIEW
        extra = {SUMMARY_FILE: _summary(review_entry(records))} if portfolio.edition == "review" else {}
        factory.build_site(portfolio, private_dir / folder / records.pair.id, extra)


def _summary(entry: ReviewEntry) -> bytes:
    return json.dumps(asdict(entry), indent=2, sort_keys=True).encode("utf-8") + b"\n"


# A worker builds about this many pairs, then a fresh one takes its place: memory stays bounded.
PAIRS_PER_WORKER = 25
_TASK: PairTask | None = None  # the task worker processes inherit when they are forked


def _run_in_worker(pair_id: str) -> tuple[str, list[Diagnostic] | None]:
    assert _TASK is not None, "set before the workers are forked"
    return pair_id, _TASK(pair_id)


def run_pairs(task: PairTask, pair_ids: list[str],
              jobs: int) -> Iterator[tuple[str, list[Diagnostic] | None]]:
    """Each pair's outcome, as it completes; in worker processes when ``jobs`` > 1 and fork exists.

    Workers are forked afresh for each batch of ``PAIRS_PER_WORKER`` pairs each, so that no
    worker grows with the size of the program; a worker that dies stops the build with an error.
    """
    if jobs <= 1 or len(pair_ids) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for pair_id in pair_ids:
            yield pair_id, task(pair_id)
        return
    global _TASK  # noqa: PLW0603 - forked workers read it; nothing is pickled but pair ids and results
    _TASK = task
    context = multiprocessing.get_context("fork")
    batch = jobs * PAIRS_PER_WORKER
    # The records read before the fork are left out of the workers' garbage collection: walking
    # them would cost time in every worker and copy their memory pages into each.
    gc.freeze()
    try:
        for first in range(0, len(pair_ids), batch):
            chunk = pair_ids[first:first + batch]
            with ProcessPoolExecutor(max_workers=min(jobs, len(chunk)), mp_context=context) as pool:
                futures = [pool.submit(_run_in_worker, pair_id) for pair_id in chunk]
                for future in as_completed(futures):
                    yield future.result()
    finally:
        gc.unfreeze()
        _TASK = None
