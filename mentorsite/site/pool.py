"""The pairs' portfolios built one after another, or in worker processes forked from the build.

Workers inherit the build's task (the site factory, the checked program) when they are
forked: nothing is pickled but pair ids and results, and no worker builds more than
``PAIRS_PER_WORKER`` pairs. The largest pairs go first, so that the last to finish is a small one.
"""

from __future__ import annotations

import gc
import json
import multiprocessing
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Literal, Protocol

from jinja2 import Environment

from mentorsite.checking.program import CheckedProgram
from mentorsite.files.output import PAIRS, REVIEW
from mentorsite.model.diagnostics import Diagnostic, Severity
from mentorsite.model.editions import EDITIONS
from mentorsite.model.record_sets import Handbook, PairRecords
from mentorsite.pages.portfolio import PortfolioSettings, ReviewEntry, render_portfolio, review_entry
from mentorsite.pages.rendering import BUNDLED_PREFIX, TemplateFailure
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

    def size(self, pair_id: str) -> int:
        """How many records the pair has: about how long its portfolios take to build."""
        records = self.checked.pair_records(pair_id)
        if records is None:
            return 0
        return (len(records.sessions) + len(records.goals) + len(records.checkins)
                + (records.agreement is not None) + (records.closing is not None))

    def warm(self) -> None:
        """Compile, before workers are forked, the templates every pair's build loads, so that each
        worker inherits them compiled rather than compiling them again (a cold build forks a few
        workers per batch). The theme's were compiled by the factory's probe pages. A template that
        does not compile is left to the pair's own build, which reports it as a pair's failure."""
        try:
            names = self.environment.list_templates(filter_func=lambda name: name.startswith(
                (PORTFOLIO_TEMPLATES, f"{BUNDLED_PREFIX}/{PORTFOLIO_TEMPLATES}")))
        except TypeError:  # a loader that cannot list its templates
            return
        for name in names:
            try:
                self.environment.get_template(name)
            except Exception:  # reported by the build of the first pair that uses it
                continue


# The folder of the templates a pair's portfolio is rendered from (a program's, and the bundled ones
# its templates may extend).
PORTFOLIO_TEMPLATES = "portfolio/"


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

    ``jobs`` workers each build one pair at a time; a worker that has built ``PAIRS_PER_WORKER``
    pairs is replaced by a freshly forked one, so that no worker grows with the size of the
    program, and the others go on meanwhile (no worker waits for another). A worker that dies
    stops the build with an error.
    """
    if jobs <= 1 or len(pair_ids) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for pair_id in pair_ids:
            yield pair_id, task(pair_id)
        return
    global _TASK  # noqa: PLW0603 - forked workers read it; nothing is pickled but pair ids and results
    _TASK = task
    task.warm()
    pair_ids = sorted(pair_ids, key=task.size, reverse=True)  # stable: ties keep their order
    # The records read before the fork are left out of the workers' garbage collection: walking
    # them would cost time in every worker and copy their memory pages into each.
    gc.freeze()
    try:
        yield from _Workers(multiprocessing.get_context("fork"), min(jobs, len(pair_ids))).run(pair_ids)
    finally:
        gc.unfreeze()
        _TASK = None


class _Workers:
    """``count`` worker processes, each given the next pair as soon as it is free, and each replaced
    after ``PAIRS_PER_WORKER`` pairs."""

    def __init__(self, context: BaseContext, count: int):
        self.context = context
        self.count = count
        self.executors: list[ProcessPoolExecutor | None] = [None] * count
        self.given = [0] * count  # pairs given to each worker so far

    def run(self, pair_ids: list[str]) -> Iterator[tuple[str, list[Diagnostic] | None]]:
        waiting = list(reversed(pair_ids))
        running: dict[Future[tuple[str, list[Diagnostic] | None]], int] = {}
        try:
            for slot in range(self.count):
                running[self._give(slot, waiting.pop())] = slot
            while running:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    slot = running.pop(future)
                    yield future.result()
                    if waiting:
                        running[self._give(slot, waiting.pop())] = slot
        finally:
            for executor in self.executors:
                if executor is not None:
                    executor.shutdown(wait=True, cancel_futures=True)

    def _give(self, slot: int, pair_id: str) -> Future[tuple[str, list[Diagnostic] | None]]:
        executor = self.executors[slot]
        if executor is not None and self.given[slot] >= PAIRS_PER_WORKER:
            executor.shutdown(wait=True)  # its pairs are all done: it is idle
            executor = None
        if executor is None:
            executor = self.executors[slot] = ProcessPoolExecutor(max_workers=1, mp_context=self.context)
            self.given[slot] = 0
        self.given[slot] += 1
        return executor.submit(_run_in_worker, pair_id)
