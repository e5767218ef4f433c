"""The pairs' portfolios built one after another, or in worker processes forked from the build.

Workers inherit the build's task (the site factory, the checked program) when they are
forked: nothing is pickled but pair ids and results, and no worker builds more than
``PAIRS_PER_WORKER`` pairs. The largest pairs go first, so that the last to finish is a small one.
"""

from __future__ import annotations

import contextlib
import gc
import json
import multiprocessing
import pickle
import signal
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Literal, Protocol

from jinja2 import Environment

from mentorsite.checking.program import CheckedProgram
from mentorsite.files.failures import WorkerLostError
from mentorsite.files.output import PAIRS, REVIEW
from mentorsite.model.diagnostics import Diagnostic, Severity
from mentorsite.model.editions import EDITIONS
from mentorsite.model.record_sets import Handbook, PairRecords
from mentorsite.pages.portfolio import PortfolioSettings, ReviewEntry, render_portfolio, review_entry
from mentorsite.pages.rendering import BUNDLED_PREFIX, TemplateFailure
from mentorsite.reading.caching import is_held
from mentorsite.site.factory import SiteFactory
from mentorsite.site.stamps import REVIEW_EDITION_STAMP, SUMMARY_FILE, Stamps, edition_fingerprint

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
    inputs: str | None = None
    """What every portfolio is built from besides its own pages (``stamps.portfolio_inputs``); None:
    nothing is taken as unchanged."""
    reuse: bool = False
    """Whether a review edition built from the very pages it would be built from now is kept
    (otherwise every edition is built, and stamped for the next build)."""

    def __call__(self, pair_id: str) -> list[Diagnostic] | None:
        """Build both editions of a pair whose records passed; None when built, else why not."""
        records = self.checked.pair_records(pair_id)
        assert records is not None, "only pairs whose records passed are built"
        try:
            build_pair(self.factory, records, self.checked.program.handbook, self.settings,
                       self.environment, self.private_dir, self.inputs, reuse=self.reuse)
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
        worker inherits them compiled rather than compiling them again (a cold build forks a new
        worker every ``PAIRS_PER_WORKER`` pairs). The theme's were compiled by the factory's probe
        pages. A template that does not compile is left to the pair's own build, which reports it."""
        try:
            names = self.environment.list_templates(filter_func=lambda name: name.endswith(".j2") and (
                name.startswith((PORTFOLIO_TEMPLATES, f"{BUNDLED_PREFIX}/{PORTFOLIO_TEMPLATES}"))))
        except TypeError:  # a loader that cannot list its templates
            return
        for name in names:
            try:
                self.environment.get_template(name)
            except MemoryError:
                raise
            except Exception:  # reported by the build of the first pair that uses it
                continue


# The folder of the templates a pair's portfolio is rendered from (a program's, and the bundled ones
# its templates may extend).
PORTFOLIO_TEMPLATES = "portfolio/"


def build_pair(factory: SiteFactory, records: PairRecords, handbook: Handbook,
               settings: PortfolioSettings, environment: Environment, private_dir: Path,
               inputs: str | None = None, *, reuse: bool = False) -> None:
    """Both editions of a pair's portfolio, each built beside its folder and swapped in whole.

    Both editions' pages are rendered from the records first. With ``inputs`` and ``reuse``,
    the review edition is built only when those pages (and its summary) differ from the ones
    it was last built from, as its stamp says: an edit of a record the pair does not share
    leaves every page of that edition as it was, so only the pair edition is built again.
    The stamp (written with ``inputs``, ``reuse`` or not) is removed before the edition is
    built, and written once it is swapped in.
    """
    portfolios = [render_portfolio(records, edition, handbook, settings, environment) for edition in EDITIONS]
    stamps = Stamps(private_dir)
    for portfolio in portfolios:
        target = private_dir / (PAIRS if portfolio.edition == "pair" else REVIEW) / records.pair.id
        if portfolio.edition == "pair":
            factory.build_site(portfolio, target, {})
            continue
        extra = {SUMMARY_FILE: _summary(review_entry(records))}
        name = REVIEW_EDITION_STAMP + records.pair.id
        fingerprint = edition_fingerprint(inputs, portfolio, extra)
        if reuse and stamps.fresh(name, fingerprint, [target / "index.html"]) and _holds(
                target / SUMMARY_FILE, extra[SUMMARY_FILE]):
            continue
        stamps.forget([name])
        factory.build_site(portfolio, target, extra)
        stamps.record(name, fingerprint)


def _holds(path: Path, content: bytes) -> bool:
    """Whether the file holds these bytes (a summary cut short or edited by hand does not)."""
    try:
        return path.read_bytes() == content
    except OSError:
        return False


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
    try:
        _TASK = task
        task.warm()
        pair_ids = sorted(pair_ids, key=task.size, reverse=True)  # stable: ties keep their order
        # The records read before the fork are left out of the workers' garbage collection: walking
        # them would cost time in every worker and copy their memory pages into each.
        gc.freeze()
        yield from _in_workers(multiprocessing.get_context("fork"), min(jobs, len(pair_ids)), pair_ids)
    finally:
        if not is_held():  # a build that keeps what it read frozen to its end (``held_for_the_process``)
            gc.unfreeze()
        _TASK = None


def _in_workers(context: BaseContext, count: int,
                pair_ids: list[str]) -> Iterator[tuple[str, list[Diagnostic] | None]]:
    """Each pair's outcome from ``count`` worker processes, each given the next pair as soon as it is
    free, and each replaced after ``PAIRS_PER_WORKER`` pairs.

    The build's process starts no thread for them: each worker has a pipe of its own, and the build
    waits on the pipes and on the processes' ends. So a worker is always forked from a process with
    one thread, and no lock another thread might hold is copied into it locked."""
    waiting = list(reversed(pair_ids))
    workers: list[_Worker] = []
    finished = False
    try:
        for _ in range(count):
            workers.append(_Worker(context))
            workers[-1].give(waiting.pop())
        while any(worker.pair is not None for worker in workers):
            busy = [worker for worker in workers if worker.pair is not None]
            ready = set(wait([worker.connection for worker in busy]
                             + [worker.process.sentinel for worker in busy]))
            for index, done in enumerate(workers):
                if done.pair is None or not ready & {done.connection, done.process.sentinel}:
                    continue
                yield done.outcome()
                if waiting:
                    if done.given >= PAIRS_PER_WORKER:
                        done.stop()
                        workers[index] = _Worker(context)
                    workers[index].give(waiting.pop())
        finished = True
    finally:
        for worker in workers:
            worker.stop() if finished else worker.kill()


class _Worker:
    """One forked worker process and the build's end of its pipe; ``pair``: the pair it builds now."""

    def __init__(self, context: BaseContext):
        self.connection, theirs = context.Pipe()
        self.process = context.Process(target=_serve, args=(theirs,), daemon=True)  # type: ignore[attr-defined]
        self.process.start()
        theirs.close()
        self.pair: str | None = None
        self.given = 0

    def give(self, pair_id: str) -> None:
        try:
            self.connection.send(pair_id)
        except OSError:  # it died since its last pair
            self.process.join(5)
            raise WorkerLostError(pair_id, self.process.exitcode) from None
        self.pair = pair_id
        self.given += 1

    def outcome(self) -> tuple[str, list[Diagnostic] | None]:
        """The outcome of the pair it built; raises what the pair's build raised, or ``WorkerLostError``."""
        pair_id, self.pair = self.pair, None
        assert pair_id is not None
        try:
            kind, value = self.connection.recv() if self.connection.poll() else (None, None)
        except (EOFError, OSError):
            kind, value = None, None
        if kind == "built":
            return pair_id, value
        if kind == "raised":
            assert isinstance(value, Exception)
            raise value
        self.process.join(5)
        raise WorkerLostError(pair_id, self.process.exitcode)

    def stop(self) -> None:
        """Ends an idle worker: it is told to, and waited for."""
        with contextlib.suppress(OSError):
            self.connection.send(None)
        self.process.join(10)
        if self.process.is_alive():
            self.kill()
        self.connection.close()

    def kill(self) -> None:
        """Ends a worker at once, busy or not (the build stopped)."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.connection.close()


def _serve(connection: Connection) -> None:
    """A worker: builds each pair it is given until it is told to end (None) or the build goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the build, which then ends its workers
    try:
        while (pair_id := connection.recv()) is not None:
            try:
                outcome: tuple[str, object] = ("built", _run_in_worker(pair_id)[1])
            except Exception as error:  # a bug: raised again by the build, which reports it
                outcome = ("raised", _portable(error))
            connection.send(outcome)
    except (EOFError, OSError):
        pass  # the build went away
    finally:
        connection.close()


def _portable(error: Exception) -> Exception:
    """``error``, or an error of the same kind's name when it cannot be sent to the build."""
    try:
        pickle.dumps(error)
    except Exception:
        return RuntimeError(f"{type(error).__name__} in a worker process")
    return error
