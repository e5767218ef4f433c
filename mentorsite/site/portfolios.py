"""The portfolio builder: every pair's editions and the reviewer site, in one process.

An adapter over MkDocs: one MkDocs configuration and one theme environment (compiled
templates) serve every portfolio, theme assets are copied once and linked into each site,
and each page goes through MkDocs' own page pipeline, so a portfolio looks and searches
like the handbook. Each site is built in a scratch folder beside its target and swapped in
whole, so a pair whose records have errors keeps the portfolio it had.
"""

from __future__ import annotations

import base64
import gc
import hashlib
import json
import logging
import multiprocessing
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal, Protocol

from jinja2 import Environment
from mkdocs.commands.build import _build_page, _populate_page
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import get_navigation
from mkdocs.structure.pages import Page

from mentorsite.checking.extensions import PrivateExtensions, is_acknowledged, private_extensions
from mentorsite.checking.origins import ThemeScripts, scan_site, setting_findings
from mentorsite.checking.program import CheckedProgram
from mentorsite.files.output import (
    EXPORTS,
    PAIRS,
    REPORT,
    REVIEW,
    SCRATCH_MARK,
    ignored_by_git,
    link_files,
    private_files,
    private_folder,
    remove_scratch,
    replace_directory,
    scratch_beside,
    withdraw,
)
from mentorsite.model.diagnostics import Diagnostic, Severity
from mentorsite.model.editions import EDITIONS, Edition
from mentorsite.model.records import EARLIEST_DATE, LATEST_DATE, Handbook, PairRecords
from mentorsite.pages.fetches import Fetch, css_fetches_elsewhere, remove_fetches
from mentorsite.pages.portfolio import (
    Portfolio,
    PortfolioSettings,
    ReviewEntry,
    render_portfolio,
    render_review_index,
    review_entry,
)
from mentorsite.pages.program_report import MIN_PAIRS, program_report, render_report, render_withheld_report
from mentorsite.pages.rendering import NavItem, RenderedPage, TemplateFailure
from mentorsite.pages.sanitising import prefix_anchors, sanitise
from mentorsite.reading.caching import UnstableError, code_digest, digest, stable_form, tree_digest
from mentorsite.reading.sources import Positions, node_positions
from mentorsite.vault.crypto import Encryption, KeysError, SealPlan, SealReport, seal_portfolios

log = logging.getLogger("mkdocs.plugins.mentorsite")

SUMMARY_FILE = "summary.json"
# Markdown extensions the portfolio templates rely on, added to those of the handbook's that private
# sites may use (see mentorsite.checking.extensions).
NEEDED_EXTENSIONS = ("admonition", "attr_list", "md_in_html", "tables", "toc")


# Every portfolio page carries this policy: the browser itself then refuses any request to
# another host, and runs no script but the theme's files and the theme's own inline scripts
# (allowed by hash, page by page). Inline styles stay allowed: the charts use them.
POLICY = ("default-src 'none'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
          "img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self'; "
          "manifest-src 'self'; base-uri 'none'; form-action 'none'")
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>(.*?)</script>", re.DOTALL)


class OutputError(PluginError):
    """The private output folder is somewhere it must not be."""


@dataclass
class BuildReport:
    """What a portfolio build did: built pairs, pairs kept as they were (with why), removed ones."""

    built: list[str] = field(default_factory=list)
    fresh: list[str] = field(default_factory=list)
    """Pairs whose portfolios were up to date: built before from the same inputs."""
    failed: dict[str, list[Diagnostic]] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    seconds: float = 0.0
    sealing: SealReport | None = None
    report: Path | None = None
    """Where the program report is, when the build keeps one."""
    report_written: bool = False
    """Whether the program report was built now (else it was up to date, or held)."""
    report_held: Literal["earlier", "withheld"] | None = None
    """Why the report was not built from these records, as a pair's have errors: an earlier report is
    kept as it was, or (there being none) a page says it is withheld."""


def resolve_as_of(option: str | date | None) -> date:
    """The date of every figure that depends on today: the option, else SOURCE_DATE_EPOCH, else today.

    Raises ValueError, saying why, for a date that is not one or lies outside the dates a
    record may hold (see ``records.EARLIEST_DATE``).
    """
    if isinstance(option, date):
        chosen = option
    elif option:
        chosen = date.fromisoformat(option)
    elif epoch := os.environ.get("SOURCE_DATE_EPOCH"):
        try:
            chosen = datetime.fromtimestamp(int(epoch), tz=UTC).date()
        except (ValueError, OverflowError, OSError):
            raise ValueError(f"expected SOURCE_DATE_EPOCH as seconds since 1970, got '{epoch}'") from None
    else:
        chosen = date.today()
    if not EARLIEST_DATE <= chosen <= LATEST_DATE:
        raise ValueError(f"expected a date from {EARLIEST_DATE} to {LATEST_DATE}, got {chosen}")
    return chosen


def public_folders(config: MkDocsConfig, content_dir: Path) -> list[tuple[str, Path]]:
    """The folders private output must keep out of, by option name: the public site and the sources."""
    return [("site_dir", Path(config.site_dir).resolve()), ("docs_dir", Path(config.docs_dir).resolve()),
            ("content_dir", content_dir.resolve())]


def check_output_location(private_dir: Path, config: MkDocsConfig, content_dir: Path) -> None:
    """Private output must not land in, or contain, the public site or the sources."""
    check_apart("private_dir", private_dir, public_folders(config, content_dir),
                "so that private pages never reach the public site or the sources")


def check_apart(option: str, folder: Path, others: list[tuple[str, Path]], why: str) -> None:
    """``folder`` must not be, be inside, or hold any of ``others``; raise OutputError if it does."""
    folder = folder.resolve()
    for name, other in others:
        if folder == other or folder.is_relative_to(other) or other.is_relative_to(folder):
            raise OutputError(f"mentorsite: {option} ({folder}) must be apart from {name} ({other}), {why}")


Outcome = Literal["built", "up to date", "kept"]
"""What became of a pair's portfolio: built now, unchanged since its last build, or kept
as it was because its records have problems."""


class Progress(Protocol):
    """Told about each pair as the portfolio build goes (a progress bar, or plain lines)."""

    def start(self, total: int) -> None: ...
    def advance(self, pair_id: str, outcome: Outcome) -> None: ...
    def finish(self) -> None: ...


@dataclass(frozen=True)
class Shard:
    """Part ``index`` of ``count`` (1-based): a stable share of the pairs, for one machine of many."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        """'2/4' -> Shard(2, 4); raises ValueError with the reason."""
        index, slash, count = text.partition("/")
        if not slash or not index.isdigit() or not count.isdigit():
            raise ValueError(f"expected K/N such as 2/4, got '{text}'")
        shard = cls(int(index), int(count))
        if not 1 <= shard.index <= shard.count:
            raise ValueError(f"expected K/N with 1 <= K <= N, got '{text}'")
        return shard

    def holds(self, pair_id: str) -> bool:
        """Whether the pair is in this shard; it depends on nothing but the pair id."""
        number = int.from_bytes(hashlib.sha256(pair_id.encode("utf-8")).digest()[:8], "big")
        return number % self.count == self.index - 1


class Stamps:
    """What each site in the private folder was last built from: one small file per site.

    A stamp is written after its site is swapped in, and removed before the site is built
    again or withdrawn, so an interrupted build never leaves a stamp that vouches for other
    output. One file per site lets the outputs of several machines (``--shard``) be merged.
    Besides the stamp of what a pair's portfolios were built from, a pair has one of the
    records (and code) its review edition was built from: a build that does not build the
    pair (``--pair``, ``--shard``) keeps its review edition only when that stamp holds.
    """

    FOLDER = ".stamps"

    def __init__(self, private_dir: Path):
        self.folder = private_dir / self.FOLDER

    def fresh(self, name: str, fingerprint: str | None, outputs: list[Path]) -> bool:
        """True when ``name`` was last built from ``fingerprint`` and its output is all there."""
        if fingerprint is None:
            return False
        try:
            stamp = (self.folder / name).read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError):
            return False
        return stamp == fingerprint and all(path.is_file() for path in outputs)

    def forget(self, names: list[str]) -> None:
        for name in names:
            (self.folder / name).unlink(missing_ok=True)

    def record(self, name: str, fingerprint: str | None) -> None:
        if fingerprint is None:
            return
        private_folder(self.folder)
        handle, temporary = tempfile.mkstemp(prefix=".stamp-", dir=self.folder)
        with os.fdopen(handle, "w", encoding="ascii") as file:
            file.write(fingerprint)
        Path(temporary).replace(self.folder / name)

    def prune(self, prefix: str, keep: set[str]) -> None:
        """Remove the stamps of sites that are gone."""
        if self.folder.is_dir():
            for stamp in self.folder.glob(f"{prefix}*"):
                if stamp.name[len(prefix):] not in keep:
                    stamp.unlink(missing_ok=True)


def portfolio_inputs(handbook_config: MkDocsConfig, settings: PortfolioSettings,
                     environment: Environment) -> str | None:
    """One digest of everything a portfolio is built from besides its records and the handbook.

    The code and library versions, every template folder, the theme and Markdown settings,
    local stylesheets and the portfolio settings. None when a setting has no stable form
    (a Python object in mkdocs.yml), and then nothing is taken as unchanged.
    """
    loaders = getattr(environment.loader, "loaders", [environment.loader])
    template_dirs = [Path(folder) for loader in loaders for folder in getattr(loader, "searchpath", [])]
    theme = handbook_config.theme
    docs_dir = Path(handbook_config.docs_dir)
    stylesheets = [docs_dir / css for css in handbook_config.extra_css if not _elsewhere(css)]
    try:
        configuration = stable_form({
            "theme": _theme_settings(handbook_config, quiet=True),
            "extensions": handbook_config.markdown_extensions, "mdx_configs": handbook_config.mdx_configs,
            "search": _search_settings(handbook_config), "extra_css": handbook_config.extra_css,
            "settings": settings,
        })
    except UnstableError as why:
        log.info(f"mentorsite: every portfolio is built: a setting has no stable form to compare ({why})")
        return None
    custom = [Path(theme.custom_dir)] if theme.custom_dir else []
    styles = [hashlib.sha256(css.read_bytes()).hexdigest() if css.is_file() else "-" for css in stylesheets]
    return digest(code_digest(), configuration, tree_digest(template_dirs), tree_digest(custom), *styles)


def build_portfolios(handbook_config: MkDocsConfig, checked: CheckedProgram, *, private_dir: Path,
                     settings: PortfolioSettings, environment: Environment,
                     only: str | None = None, shard: Shard | None = None, strict: bool = False,
                     jobs: int = 1, progress: Progress | None = None, encryption: Encryption | None = None,
                     report_min_pairs: int | None = MIN_PAIRS, inputs: str | None = None,
                     reuse: bool = True, shared_origin: SharedOrigin = "refuse") -> BuildReport:
    """Both editions of every pair (or of ``only``, or of a ``shard``), the reviewer index, the report.

    With ``inputs`` (see ``portfolio_inputs``), each site built is stamped with what it was
    built from, and (unless ``reuse`` is False) a site whose inputs are those of its last
    build is not built again. The program report is built with every pair, unless
    ``report_min_pairs`` is None; it withholds figures over fewer pairs than that. With
    ``only`` the report is left to a whole build, and with a ``shard`` the reviewer index too.

    With ``jobs`` above 1, pairs are built by that many worker processes. With
    ``encryption``, each pair's edition (the one built now, or the one kept) and the
    reviewer site are then sealed into its target folder; when that folder is inside the
    handbook's site, the handbook must run no script but the theme's (see
    ``check_shared_origin``; ``shared_origin="warn"`` only warns).

    Fails closed: a review edition that could hold a record its pair no longer shares is
    withdrawn (see ``withdraw_review_editions``) before the reviewer index and the sealed
    reviewer site are made from what is left. Everything in ``private_dir`` is created for
    its owner only (0700 and 0600).
    """
    started = time.monotonic()
    whole = only is None and shard is None
    chosen = [only] if only else sorted(checked.pair_folders)
    if shard is not None:
        chosen = [pair_id for pair_id in chosen if shard.holds(pair_id)]
    if encryption is not None:
        check_shared_origin(handbook_config, encryption.target_dir, shared_origin)
    with ExitStack() as stack:
        with private_files():
            ignored_by_git(private_folder(private_dir))
            remove_scratch([private_dir, private_dir / PAIRS, private_dir / REVIEW])
            build = _Build(stack, handbook_config, checked, private_dir, settings, environment, inputs, reuse)
            report = build.pairs(chosen, strict=strict, jobs=jobs, progress=progress)
            # Every build knows every pair folder (--pair and --shard too): gone pairs go at once.
            report.removed = _remove_stale(private_dir, set(checked.pair_folders), build.stamps, encryption)
            withdrawn = withdraw_review_editions(private_dir, checked, build.stamps, report, strict=strict)
            if shard is None or (withdrawn and (private_dir / REVIEW / "index.html").is_file()):
                build.review_index()  # a shard's index would list only its own pairs: only mended
            if whole and report_min_pairs is not None:
                build.program_report(report, report_min_pairs)
            assets = build.factory().asset_files if encryption is not None else []
        if encryption is not None:  # sealed for upload: the modes of the folders it goes into
            plan = seal_plan(encryption, private_dir, environment, assets)
            report.sealing = seal_portfolios(plan, chosen, jobs=jobs, prune=whole)
            _drop_stale_sealed_review(encryption, report.sealing)
            for pair_id, folder in report.sealing.sealed.items():
                build.stamps.record(SEALED_STAMP + pair_id, folder)  # so that it goes with its pair
    report.seconds = time.monotonic() - started
    return report


class _Build:
    """One portfolio build: the site factory, opened only when a site is to be built, and the stamps."""

    def __init__(self, stack: ExitStack, handbook_config: MkDocsConfig, checked: CheckedProgram,
                 private_dir: Path, settings: PortfolioSettings, environment: Environment,
                 inputs: str | None, reuse: bool):
        self.stack = stack
        self.handbook_config = handbook_config
        self.checked = checked
        self.private_dir = private_dir
        self.settings = settings
        self.environment = environment
        self.inputs = inputs
        self.reuse = reuse
        self.stamps = Stamps(private_dir)
        self._factory: SiteFactory | None = None

    def factory(self) -> SiteFactory:
        if self._factory is None:
            self._factory = self.stack.enter_context(SiteFactory.open(self.handbook_config, self.private_dir))
        return self._factory

    def fresh(self, name: str, fingerprint: str | None, outputs: list[Path]) -> bool:
        return self.reuse and self.stamps.fresh(name, fingerprint, outputs)

    def pairs(self, chosen: list[str], *, strict: bool, jobs: int, progress: Progress | None) -> BuildReport:
        """Build the chosen pairs whose records passed and whose portfolios are not up to date.

        A pair that is not built (errors, or warnings with ``strict``) loses its stamps, so
        that nothing of it is taken as up to date later; its review edition is withdrawn
        afterwards (``withdraw_review_editions``).
        """
        report = BuildReport()
        checked, stamps = self.checked, self.stamps
        if progress:
            progress.start(len(chosen))
        to_build = []
        for pair_id in chosen:
            problems = [d for d in checked.pair_problems(pair_id) if d.is_error or strict]
            outcome: Outcome = "kept"
            if problems or checked.pair_records(pair_id) is None:
                report.failed[pair_id] = problems
                stamps.forget([PAIR_STAMP + pair_id, SHARED_STAMP + pair_id])
            elif self.fresh(PAIR_STAMP + pair_id, pair_fingerprint(self.inputs, checked, pair_id),
                            _pair_outputs(self.private_dir, pair_id)):
                report.fresh.append(pair_id)
                outcome = "up to date"
                _stamp_shared(stamps, checked, pair_id)  # builds before this stamp existed lack it
            else:
                to_build.append(pair_id)
                continue
            if progress:
                progress.advance(pair_id, outcome)
        stamps.forget([name + pair_id for pair_id in to_build for name in (PAIR_STAMP, SHARED_STAMP)])
        if to_build:
            task = PairTask(self.factory(), checked, self.settings, self.environment, self.private_dir)
            for pair_id, failure in _run(task, to_build, jobs):
                if failure is None:
                    report.built.append(pair_id)
                    stamps.record(PAIR_STAMP + pair_id, pair_fingerprint(self.inputs, checked, pair_id))
                    stamps.record(SHARED_STAMP + pair_id, shared_fingerprint(checked, pair_id))
                else:
                    report.failed[pair_id] = failure
                if progress:
                    progress.advance(pair_id, "built" if failure is None else "kept")
        if progress:
            progress.finish()
        report.built.sort()
        return report

    def review_index(self) -> None:
        """The reviewer site's index of every review edition on disk, unless it lists them already."""
        entries = _review_entries(self.private_dir / REVIEW, self.stamps)
        fingerprint = digest(self.inputs, stable_form(entries)) if self.inputs else None
        if self.fresh(REVIEW_STAMP, fingerprint, [self.private_dir / REVIEW / "index.html"]):
            return
        self.stamps.forget([REVIEW_STAMP])
        self.factory().build_root(render_review_index(entries, self.environment), [{"Pairs": "index.md"}],
                                  "Portfolios for review", self.private_dir / REVIEW)
        self.stamps.record(REVIEW_STAMP, fingerprint)

    def program_report(self, report: BuildReport, min_pairs: int) -> None:
        """The program report, unless it was built from these very records; never without a pair.

        While any pair's records have errors the report is not built again, since a report
        without that pair, set beside one with it, would give its figures away: the earlier
        report stays as it was or, when there is none, a page says that it is withheld.
        """
        target = report.report = self.private_dir / REPORT
        if not _report_ready(self.checked):
            report.report_held = "earlier" if (target / "index.html").is_file() else "withheld"
            if report.report_held == "withheld":
                self.stamps.forget([REPORT_STAMP])
                self.factory().build_pages(tuple(render_withheld_report(self.environment)),
                                           ({"Report": "index.md"},), "Program report", target)
            return
        fingerprint = report_fingerprint(self.inputs, self.checked, min_pairs)
        if self.fresh(REPORT_STAMP, fingerprint, [target / "index.html"]):
            return
        self.stamps.forget([REPORT_STAMP])
        _build_report(self.factory(), self.checked, self.settings, self.environment, min_pairs, target)
        self.stamps.record(REPORT_STAMP, fingerprint)
        report.report_written = True


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
            _build_pair(self.factory, records, self.checked.program.handbook, self.settings,
                        self.environment, self.private_dir)
        except TemplateFailure as failure:
            return [failure.diagnostic]
        except RecursionError:  # text that `check` let through but nests too deeply to render
            message = ("expected records whose text can be rendered, got text that nests too deeply "
                       "(lists, quotes or HTML blocks inside each other)")
            where = f"{self.checked.pair_folders.get(pair_id, pair_id)}/pair.yml"
            return [Diagnostic(where, 1, 1, Severity.ERROR, "too-deep", message)]
        return None


PAIR_STAMP = "pair-"
SHARED_STAMP = "shared-"  # + pair id: the records (and code) its review edition was built from
SEALED_STAMP = "sealed-"  # + pair id: the name of the folder its edition was last sealed into
REVIEW_STAMP = "review-index"
REPORT_STAMP = "report"


def pair_fingerprint(inputs: str | None, checked: CheckedProgram, pair_id: str) -> str | None:
    """What a pair's portfolios are built from: the shared inputs, the handbook, the pair's records."""
    records = checked.pair_digests.get(pair_id)
    if inputs is None or records is None:
        return None
    return digest(inputs, checked.handbook_digest, pair_id, records)


def _stamp_shared(stamps: Stamps, checked: CheckedProgram, pair_id: str) -> None:
    shared = shared_fingerprint(checked, pair_id)
    if not stamps.fresh(SHARED_STAMP + pair_id, shared, []):
        stamps.record(SHARED_STAMP + pair_id, shared)


def shared_fingerprint(checked: CheckedProgram, pair_id: str) -> str | None:
    """What decides which records a pair's review edition holds: the pair's record files and the code."""
    records = checked.pair_digests.get(pair_id)
    return None if records is None else digest("review edition", code_digest(), pair_id, records)


def report_fingerprint(inputs: str | None, checked: CheckedProgram, min_pairs: int) -> str | None:
    """What the program report is built from: every pair's records (it is built only when all pass)."""
    if inputs is None:
        return None
    parts = [inputs, checked.handbook_digest, str(min_pairs)]
    for pair_id in sorted(checked.pair_folders):
        parts += [pair_id, checked.pair_digests.get(pair_id, "-")]
    return digest(*parts)


def _report_ready(checked: CheckedProgram) -> bool:
    """Whether every pair folder holds records without errors, so that the report can count them all."""
    return all(checked.pair_records(pair_id) is not None
               and not any(d.is_error for d in checked.pair_problems(pair_id))
               for pair_id in checked.pair_folders)


def _pair_outputs(private_dir: Path, pair_id: str) -> list[Path]:
    return [private_dir / PAIRS / pair_id / "index.html", private_dir / REVIEW / pair_id / "index.html",
            private_dir / REVIEW / pair_id / SUMMARY_FILE]


def _build_report(factory: SiteFactory, checked: CheckedProgram, settings: PortfolioSettings,
                  environment: Environment, min_pairs: int, target: Path) -> Path:
    """The program report, from every pair (the caller builds it only when none has errors)."""
    figures = program_report(checked.program.pairs, checked.program.handbook, settings.as_of,
                             settings.practices, min_pairs=min_pairs)
    pages = render_report(figures, environment)
    factory.build_pages(tuple(pages), ({"Report": "index.md"},), "Program report", target)
    return target


def seal_plan(encryption: Encryption, private_dir: Path, environment: Environment,
              assets: list[Path]) -> SealPlan:
    """What sealing needs: the unlock pages (overridable templates) and the theme's assets."""
    template = environment.get_template("vault/unlock.html.j2")
    plain = frozenset(asset.as_posix() for asset in assets)
    icon = "assets/images/favicon.png" if "assets/images/favicon.png" in plain else "data:,"
    lead = ("Enter the passphrase you were given to open it. It stays open in this browser while one of its "
            "pages is open in a tab, and locks when you close or leave the last one.")
    return SealPlan(
        encryption, private_dir,
        pair_shell=template.render(title="Private portfolio", lead=f"This portfolio is encrypted. {lead}",
                                   icon=icon),
        review_shell=template.render(title="Portfolios for review", icon=icon,
                                     lead=f"The reviewer site is encrypted. {lead}"),
        plain=plain)


# A worker builds about this many pairs, then a fresh one takes its place: memory stays bounded.
PAIRS_PER_WORKER = 25
_TASK: PairTask | None = None  # the task worker processes inherit when they are forked


def _run_in_worker(pair_id: str) -> tuple[str, list[Diagnostic] | None]:
    assert _TASK is not None, "set before the workers are forked"
    return pair_id, _TASK(pair_id)


def _run(task: PairTask, pair_ids: list[str], jobs: int) -> Iterator[tuple[str, list[Diagnostic] | None]]:
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


def build_edition(handbook_config: MkDocsConfig, checked: CheckedProgram, pair_id: str, edition: Edition,
                  target: Path, *, settings: PortfolioSettings, environment: Environment,
                  policy: bool = True) -> list[Diagnostic]:
    """One edition of one pair's portfolio into ``target`` (for preview and export).

    Returns the errors that kept it from being built. ``policy=False`` leaves out the
    Content-Security-Policy (tests use it to show that the cleaning holds without one).
    """
    problems = [d for d in checked.pair_problems(pair_id) if d.is_error]
    records = checked.pair_records(pair_id)
    if problems or records is None:
        return problems
    try:
        portfolio = render_portfolio(records, edition, checked.program.handbook,
                                     replace(settings, standalone=True), environment)
    except TemplateFailure as failure:
        return [failure.diagnostic]
    with SiteFactory.open(handbook_config, target.parent, policy=policy) as factory:
        factory.build_site(portfolio, target, {})
    return []


def _build_pair(factory: SiteFactory, records: PairRecords, handbook: Handbook,
                settings: PortfolioSettings, environment: Environment, private_dir: Path) -> None:
    portfolios = [render_portfolio(records, edition, handbook, settings, environment) for edition in EDITIONS]
    for portfolio in portfolios:
        folder = PAIRS if portfolio.edition == "pair" else REVIEW
        extra = {SUMMARY_FILE: _summary(review_entry(records))} if portfolio.edition == "review" else {}
        factory.build_site(portfolio, private_dir / folder / records.pair.id, extra)


def _summary(entry: ReviewEntry) -> bytes:
    return json.dumps(asdict(entry), indent=2, sort_keys=True).encode("utf-8") + b"\n"


def _review_entries(review_dir: Path, stamps: Stamps) -> list[ReviewEntry]:
    """Every review edition on disk: built now, or kept from an earlier build and still vouched for.

    Review editions that could hold a record their pair no longer shares are withdrawn
    before this is read (``withdraw_review_editions``). One whose summary is damaged (cut
    short, edited by hand) is withdrawn too, and its pair's stamps forgotten, so the next
    build builds it again; it is left out of the index meanwhile.
    """
    entries = []
    for summary in sorted(review_dir.glob(f"[!.]*/{SUMMARY_FILE}")):
        try:
            entries.append(ReviewEntry(**json.loads(summary.read_text(encoding="utf-8"))))
        except (OSError, ValueError, TypeError):
            pair_id = summary.parent.name
            stamps.forget([PAIR_STAMP + pair_id, SHARED_STAMP + pair_id])
            withdraw(summary.parent)
            log.warning(f"mentorsite: the review edition of {pair_id} was damaged ({REVIEW}/{pair_id}/"
                        f"{SUMMARY_FILE} cannot be read): it is withdrawn, and built again by the next build")
    return entries


def _review_editions(review_dir: Path) -> list[Path]:
    """The folders of review editions in the reviewer site (not its own assets and search index)."""
    if not review_dir.is_dir():
        return []
    return [site for site in sorted(review_dir.iterdir()) if site.is_dir() and not site.name.startswith(".")
            and ((site / SUMMARY_FILE).is_file() or (site / "index.html").is_file())]


def _remove_stale(private_dir: Path, pair_ids: set[str], stamps: Stamps,
                  encryption: Encryption | None) -> list[str]:
    """Portfolios of pairs no longer in the content folder are deleted, not left behind; their ids.

    So are their exports in the private folder, their stamps and, with ``encryption``, their
    sealed folders, whose names say nothing of their pair: the stamp written when each was
    sealed names it, else (a folder sealed before such stamps) the pair's passphrase, while
    the keyring still has it.
    """
    removed = set()
    pair_sites = sorted(private_dir.joinpath(PAIRS).iterdir()) if private_dir.joinpath(PAIRS).is_dir() else []
    for site in [*(s for s in pair_sites if s.is_dir()), *_review_editions(private_dir / REVIEW)]:
        if site.name not in pair_ids and not site.name.startswith(".") and withdraw(site):
            removed.add(site.name)
    for export in sorted(private_dir.joinpath(EXPORTS).glob("*.zip")):  # `export` names them PAIR-EDITION.zip
        pair_id = re.sub(r"-(?:pair|review)\.zip$", "", export.name)
        if pair_id != export.name and pair_id not in pair_ids:
            export.unlink(missing_ok=True)
            removed.add(pair_id)
    prefixes = [PAIR_STAMP, SHARED_STAMP]
    if encryption is not None:
        removed |= _remove_stale_sealed(encryption, stamps, pair_ids, removed)
        prefixes.append(SEALED_STAMP)  # kept while not sealing: only they name the sealed folders
    for prefix in prefixes:
        stamps.prune(prefix, pair_ids)
    return sorted(removed)


SEALED_FOLDER = re.compile(r"[0-9a-f]{32}")


def _remove_stale_sealed(encryption: Encryption, stamps: Stamps, pair_ids: set[str],
                         gone: set[str]) -> set[str]:
    """The sealed folders of pairs no longer in the content, withdrawn; the ids of those pairs."""
    stamped = {stamp.name.removeprefix(SEALED_STAMP): stamp
               for stamp in stamps.folder.glob(f"{SEALED_STAMP}*")}
    removed = set()
    for pair_id in sorted((gone | set(stamped)) - pair_ids):
        stamp = stamped.get(pair_id)
        folder = stamp.read_text(encoding="ascii", errors="replace") if stamp is not None else None
        if folder is None or not SEALED_FOLDER.fullmatch(folder):
            passphrase, _ = encryption.keyring.usable(pair_id)
            try:
                folder = encryption.folder(pair_id, passphrase).name if passphrase else None
            except KeysError:
                folder = None
        if folder is not None and withdraw(encryption.target_dir / PAIRS / folder):
            removed.add(pair_id)
    return removed


def withdraw_review_editions(private_dir: Path, checked: CheckedProgram, stamps: Stamps, report: BuildReport,
                             *, strict: bool) -> dict[str, str]:
    """Take out of the reviewer site every review edition that could hold a record no longer shared.

    A review edition stays only when its pair is in the content, its records pass (no
    errors; no warnings either with ``strict``) and it was built from those very records:
    now, or (for a pair this build leaves alone) by a build whose stamp says so. Returns
    why each was withdrawn, by pair id, and says so in the log; its pair edition stays.
    """
    withdrawn = {}
    for site in _review_editions(private_dir / REVIEW):
        why = _review_doubt(site, checked, stamps, report, strict=strict)
        if why is not None and withdraw(site):
            stamps.forget([PAIR_STAMP + site.name, SHARED_STAMP + site.name])
            withdrawn[site.name] = why
            log.warning(f"mentorsite: pair {site.name}: review edition withdrawn from the reviewer site: "
                        f"{why}")
    return withdrawn


def _review_doubt(site: Path, checked: CheckedProgram, stamps: Stamps, report: BuildReport, *,
                  strict: bool) -> str | None:
    """Why a review edition on disk could hold a record its pair no longer shares, or None."""
    pair_id = site.name
    if pair_id not in checked.pair_folders:
        return "the pair is no longer in the content"
    problems = checked.pair_problems(pair_id)
    if pair_id in report.failed or checked.pair_records(pair_id) is None or any(d.is_error for d in problems):
        return "its records have errors; it comes back when they pass"
    if strict and problems:
        return "its records have warnings (errors with --strict); it comes back when they pass"
    if pair_id in report.built or pair_id in report.fresh:
        return None
    if not stamps.fresh(SHARED_STAMP + pair_id, shared_fingerprint(checked, pair_id), [site / "index.html"]):
        return f"its records changed since it was built; a whole build (or --pair {pair_id}) builds it again"
    return None


SharedOrigin = Literal["refuse", "warn"]
"""What a build does when the encrypted portfolios would share the handbook's host with its scripts."""


def check_shared_origin(handbook_config: MkDocsConfig, target_dir: Path,
                        policy: SharedOrigin) -> list[Diagnostic]:
    """Refuse (with ``policy="warn"``, warn) to seal portfolios beside scripts that are not the theme's.

    Only when the encrypted portfolios are inside the handbook's ``site_dir``, and so on
    its host name: then ``extra_javascript``, ``extra.analytics`` and every script in the
    built handbook's pages (a theme override, a plugin, raw HTML) must be the theme's own.
    Returns what was found (as warnings when they do not stop the build).
    """
    site_dir = Path(handbook_config.site_dir).resolve()
    if not target_dir.resolve().is_relative_to(site_dir):
        return []
    theme = handbook_config.theme
    scripts = ThemeScripts.learn([Path(folder) for folder in theme.dirs],
                                 Path(theme.custom_dir) if theme.custom_dir else None)
    config_file = Path(handbook_config.config_file_path or "mkdocs.yml").resolve()
    try:
        positions = node_positions(config_file.read_text(encoding="utf-8"))
    except OSError:
        positions = Positions()
    severity = Severity.ERROR if policy == "refuse" else Severity.WARNING
    listed = [str(script) for script in handbook_config.extra_javascript]
    root = config_file.parent
    found = setting_findings(_shown(config_file, root), positions, listed, scripts,
                             handbook_config.extra.get("analytics"), severity)
    # Only the folders written here are left out: a handbook page that lands beside them is scanned.
    found += scan_site(site_dir, scripts, shown=_shown(site_dir, root),
                       skip=[target_dir / PAIRS, target_dir / REVIEW], known=listed, severity=severity)
    for problem in found:
        (log.error if problem.is_error else log.warning)(str(problem))
    scripts_found = f"{len(found)} script{'s' if len(found) != 1 else ''}"
    if found and policy == "refuse":
        raise PluginError(
            f"mentorsite: the encrypted portfolios ({_shown(target_dir, root)}) are inside site_dir, on the "
            f"handbook's host name, beside {scripts_found} not the theme's own (see above): any script there "
            "can use a portfolio a reader has unlocked. Serve them from a host name of their own (set "
            "encryption.output_dir to a folder outside site_dir, and publish that folder on its own host "
            "name), or set encryption.shared_origin: warn to publish them beside the handbook anyway. "
            "Nothing was built or encrypted")
    if found:
        log.warning(f"mentorsite: the encrypted portfolios share the handbook's host name with "
                    f"{scripts_found} not the theme's own (encryption.shared_origin: warn)")
    return found


def _shown(path: Path, root: Path) -> str:
    """A path relative to the program's folder when it is inside it."""
    resolved = path.resolve()
    return resolved.relative_to(root).as_posix() if resolved.is_relative_to(root) else str(resolved)


def _drop_stale_sealed_review(encryption: Encryption, sealing: SealReport) -> None:
    """An encrypted reviewer site not sealed again now could hold review editions since withdrawn."""
    if not sealing.review and withdraw(encryption.target_dir / REVIEW):
        log.warning("mentorsite: the encrypted reviewer site is withdrawn: it could not be encrypted again, "
                    "and the copy there could hold review editions taken out since")


class SiteFactory:
    """Builds many small MkDocs sites from generated pages with one configuration and theme."""

    def __init__(self, config: MkDocsConfig, assets: Path):
        self.config = config
        self.environment = config.theme.get_env()
        self.assets = assets
        self.asset_files: list[Path] = []
        self.search = config.plugins.get("material/search") or config.plugins.get("search")
        self.private_pages = config.plugins["mentorsite/private-pages"]

    @classmethod
    @contextmanager
    def open(cls, handbook_config: MkDocsConfig, private_dir: Path,
             policy: bool = True) -> Iterator[SiteFactory]:
        private_dir.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=SCRATCH_MARK, dir=private_dir))
        try:
            config = portfolio_config(handbook_config, scratch / "docs", policy=policy)
            factory = cls(config, scratch / "assets")
            factory._stage_assets(handbook_config)
            factory._learn_theme_scripts(scratch / "probe")
            yield factory
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def build_site(self, portfolio: Portfolio, target: Path, extra_files: dict[str, bytes]) -> None:
        """One edition, built beside ``target`` and swapped in whole."""
        self.build_pages(portfolio.pages, portfolio.nav, portfolio.site_name, target, extra_files)

    def build_pages(self, pages: tuple[RenderedPage, ...], nav: tuple[NavItem, ...], site_name: str,
                    target: Path, extra_files: dict[str, bytes] | None = None) -> None:
        """A site of these pages, built beside ``target`` and swapped in whole."""
        with scratch_beside(target) as building:
            self._render(pages, nav, site_name, building)
            for name, content in (extra_files or {}).items():
                (building / name).write_bytes(content)
            replace_directory(building, target)

    def build_root(self, pages: list[RenderedPage], nav: list[NavItem], site_name: str, target: Path) -> None:
        """A site whose folder also holds other sites (the reviewer index): replace its own entries."""
        target.mkdir(parents=True, exist_ok=True)
        with scratch_beside(target / "index") as building:
            self._render(tuple(pages), tuple(nav), site_name, building)
            for entry in sorted(building.iterdir()):
                if entry.is_dir():
                    replace_directory(entry, target / entry.name)
                else:
                    entry.replace(target / entry.name)

    def _render(self, pages: tuple[RenderedPage, ...], nav: tuple[NavItem, ...], site_name: str,
                site_dir: Path) -> None:
        config = self.config
        config["site_name"] = site_name
        config["site_dir"] = str(site_dir)
        config["nav"] = list(nav)
        files = Files([File.generated(config, page.uri, content=page.markdown) for page in pages])
        navigation = get_navigation(files, config)
        self._reset_search()
        for file in files.documentation_pages():
            assert file.page is not None
            _populate_page(file.page, config, files)
        documents = files.documentation_pages()
        for file in documents:
            assert file.page is not None
            _build_page(file.page, config, documents, navigation, self.environment)
        config.plugins.on_post_build(config=config)
        link_files(self.assets, self.asset_files, site_dir)

    def _learn_theme_scripts(self, probe_dir: Path) -> None:
        """The inline scripts the theme writes on any page, learnt from pages that hold no record.

        Only these are allowed by the pages' security policy: a script that reaches a page
        from a record, wherever it lands, has no hash there and does not run. The theme's
        scripts depend on how deep a page is, so pages of several depths are rendered.
        """
        assert isinstance(self.private_pages, PrivatePages)
        self.private_pages.theme_scripts = None
        pages = tuple(RenderedPage(f"{'d/' * depth}probe.md", "# Probe\n\nProbe.\n") for depth in range(4))
        nav = tuple({f"Probe {n}": page.uri} for n, page in enumerate(pages))
        self._render(pages, nav, "Probe", probe_dir)
        scripts: set[str] = set()
        for page in probe_dir.rglob("*.html"):
            scripts.update(INLINE_SCRIPT.findall(page.read_text(encoding="utf-8")))
        self.private_pages.theme_scripts = frozenset(scripts)

    def _reset_search(self) -> None:
        """A fresh search index for each site: no entry of one site may reach another."""
        if self.search is not None and hasattr(self.search, "search_index"):
            self.search.search_index = type(self.search.search_index)(**self.search.config)

    def _stage_assets(self, handbook_config: MkDocsConfig) -> None:
        """The theme's static files (and local extra CSS), copied once for every site to link."""
        config = self.config
        config["site_dir"] = str(self.assets)
        files = Files([])
        files.add_files_from_theme(self.environment, config)
        for file in files:
            if not file.src_uri.endswith(".map"):
                file.copy_file()
        for stylesheet in config.extra_css:
            source = Path(handbook_config.docs_dir) / stylesheet
            if source.is_file():
                destination = self.assets / stylesheet
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, destination)
        sources = {Path(file.dest_path).as_posix(): Path(file.abs_src_path or "") for file in files}
        sources |= {css: Path(handbook_config.docs_dir) / css for css in config.extra_css}
        left_out = self._leave_out_fetching_styles(sources)
        config["extra_css"] = [css for css in config.extra_css if css not in left_out]
        self.asset_files = sorted(p.relative_to(self.assets) for p in self.assets.rglob("*") if p.is_file())

    def _leave_out_fetching_styles(self, sources: dict[str, Path]) -> set[str]:
        """Staged stylesheets that fetch from another host, deleted with one warning each; their paths."""
        root = Path(self.config.config_file_path or "mkdocs.yml").resolve().parent
        left_out = set()
        for staged in sorted(self.assets.rglob("*.css")):
            relative = staged.relative_to(self.assets).as_posix()
            text = staged.read_text(encoding="utf-8", errors="replace")
            url = css_fetches_elsewhere(text)
            if url is None:
                continue
            staged.unlink()
            left_out.add(relative)
            line, column = _position(text, url)
            shown = _shown(sources.get(relative, staged), root)
            log.warning(str(Diagnostic(
                shown, line, column, Severity.WARNING, "offsite-stylesheet",
                f"expected a stylesheet that loads nothing from another host, got '{url}'; "
                "private sites leave it out")))
        return left_out


class PrivatePages(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
    """Marks every portfolio page as private: clean content, its security policy, no indexing, no referrer."""

    def __init__(self, policy: bool = True):
        self.policy = policy
        self.theme_scripts: frozenset[str] | None = None  # learnt by the site factory
        self.warned: set[str] = set()  # what the theme's templates fetch from another host, said once
        self.seen: set[tuple[Fetch, str]] = set()

    def on_page_content(self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        prefix_anchors(page.toc)  # the table of contents points at the ids as the cleaning writes them
        return sanitise(html, page.url)  # before search indexes the page, so the index is clean too

    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str:
        output, fetches = remove_fetches(output, page.content or "")  # the whole page: the templates too
        for fetch in fetches:
            self._warn(fetch, str(page.meta.get("template") or "main.html"), config)
        if self.theme_scripts is None:
            return output  # a probe page, to learn the theme's scripts
        return mark_private(output, page.content or "", policy=self.policy, theme_scripts=self.theme_scripts)

    def _warn(self, fetch: Fetch, template: str, config: MkDocsConfig) -> None:
        """One warning per build for each tag the templates write: where it is, when a template holds it."""
        if (fetch, template) in self.seen:
            return  # the same tag on another page
        self.seen.add((fetch, template))
        root = Path(config.config_file_path or "mkdocs.yml").resolve().parent
        custom = Path(config.theme.custom_dir) if config.theme.custom_dir else None
        holders = sorted(custom.rglob("*")) if custom is not None and custom.is_dir() else []
        for holder in holders:
            text = holder.read_text(encoding="utf-8", errors="replace") if holder.is_file() else ""
            if fetch.url in text:  # the template's own text, not a record's: quoted
                line, column = _position(text, fetch.url)
                where = f"{_shown(holder, root)}:{line}:{column}"
                message = (f"{where}: warning[offsite-template] expected no request to another host from a "
                           f"private page, got {fetch} to '{fetch.url}'; private pages leave it out")
                break
        else:  # made by the template from values: the URL is not quoted
            where = f"{template}: {fetch}"
            message = (f"mentorsite: the theme's template {template} writes {fetch} naming another host; "
                       "private pages leave it out")
        if where not in self.warned:
            self.warned.add(where)
            log.warning(message)


def _position(text: str, found: str) -> tuple[int, int]:
    """Line and column (1-based) where ``found`` first is in ``text``; 1:1 when it is not there as such."""
    at = text.find(found)
    if at < 0:
        return 1, 1
    return text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1


def mark_private(html: str, content: str, *, policy: bool = True,
                 theme_scripts: frozenset[str] | None = None) -> str:
    """Put the policy first in ``<head>``, allowing the theme's inline scripts outside ``content``.

    Scripts inside the page's own content (from the records) are not allowed: only those
    the theme wrote around it and, when ``theme_scripts`` is given, only those among them
    that the theme writes on every page. Search engines are asked not to index the page,
    and links out send no referrer, which would name the pair and the page.
    """
    allowed = set(INLINE_SCRIPT.findall(html)) - set(INLINE_SCRIPT.findall(content))
    if theme_scripts is not None:
        allowed &= theme_scripts
    hashes = " ".join(sorted(f"'sha256-{_digest(script)}'" for script in allowed))
    tags = [f'<meta http-equiv="Content-Security-Policy" content="{POLICY.format(hashes=hashes)}">']
    if not policy:
        tags = []
    tags += ['<meta name="referrer" content="no-referrer">',
             '<meta name="robots" content="noindex, nofollow">']
    return html.replace("<head>", "<head>" + "".join(f"\n    {tag}" for tag in tags), 1)


def _digest(script: str) -> str:
    return base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")


def _logged(record: logging.LogRecord) -> bool:
    """False for the link checks of private sites, which run at level 0 (see ``portfolio_config``)."""
    return record.levelno > logging.NOTSET


def portfolio_config(handbook_config: MkDocsConfig, docs_dir: Path, policy: bool = True) -> MkDocsConfig:
    """A MkDocs configuration for portfolios: the handbook's look, nothing that leaves the host.

    Kept: theme, palette, features, local stylesheets, and the Markdown extensions known to
    read no file and no network (one warning names the others; an info line those the
    plugin's ``private_extensions_left_out`` names). Left out: site_url, repo and edit
    links, ``extra`` (analytics, social links, version selector), web fonts, and any logo or
    favicon on another host. MkDocs checks no link or anchor: its messages would quote record
    text into the build's log (mentorsite's own checks say where, not what).
    """
    docs_dir.mkdir(parents=True, exist_ok=True)
    theme = _theme_settings(handbook_config)
    extensions = private_markdown_extensions(handbook_config)
    plugin = handbook_config.plugins.get("mentorsite")
    known = getattr(getattr(plugin, "config", None), "private_extensions_left_out", None) or []
    for acknowledged, report in ((True, log.info), (False, log.warning)):
        left_out = [left for left in extensions.left_out if is_acknowledged(left, known) == acknowledged]
        if left_out:
            report("mentorsite: private sites (portfolios, the reviewer site, the report) are rendered "
                   f"without {'; '.join(map(str, left_out))}"
                   f"{' (private_extensions_left_out)' if acknowledged else ''}")
    config = MkDocsConfig(config_file_path=handbook_config.config_file_path)
    config.load_dict({
        "site_name": "Portfolio", "docs_dir": str(docs_dir), "site_dir": str(docs_dir.parent / "site"),
        "use_directory_urls": False, "theme": theme, "markdown_extensions": extensions.as_config(),
        "plugins": [{"search": _search_settings(handbook_config)}], "extra": {"generator": False},
        # Silent: MkDocs' messages about links and anchors quote the records (links into the
        # handbook are absolute on purpose, see handbook_url).
        "validation": {part: dict.fromkeys(checks, "ignore") for part, checks in (
            ("nav", ("omitted_files", "not_found", "absolute_links")),
            ("links", ("not_found", "anchors", "absolute_links", "unrecognized_links")))},
        "extra_css": [css for css in handbook_config.extra_css if not _elsewhere(css)],
    })
    errors, warnings = config.validate()
    problems = [f"{key}: {error}" for key, error in [*errors, *warnings]]
    if problems:
        raise PluginError(f"mentorsite: cannot set up the portfolio sites: {'; '.join(map(str, problems))}")
    # 'ignore' still logs each link, at DEBUG (shown by --verbose): level 0, dropped by _logged, logs none.
    for checks in (config.validation.nav, config.validation.links):
        for check in list(checks):
            checks[check] = logging.NOTSET
    for name in ("mkdocs.structure.pages", "mkdocs.structure.nav"):
        logging.getLogger(name).addFilter(_logged)
    config.plugins["mentorsite/private-pages"] = PrivatePages(policy)
    config.plugins.on_startup(command="build", dirty=False)
    return config.plugins.on_config(config)


def private_markdown_extensions(handbook_config: MkDocsConfig) -> PrivateExtensions:
    """The handbook's Markdown extensions that private sites may use (see ``mentorsite.checking.extensions``).

    Folders of custom icons are checked against the program's places, which the mentorsite
    plugin keeps (the pairs, the private output, the record cache).
    """
    places = getattr(handbook_config.plugins.get("mentorsite"), "places", None)
    forbidden = [places.pairs_dir, *(path for _, path in places.private)] if places is not None else []
    return private_extensions(handbook_config.markdown_extensions, handbook_config.mdx_configs,
                              needed=NEEDED_EXTENSIONS, root=Path.cwd(), forbidden=forbidden)


def _theme_settings(handbook_config: MkDocsConfig, quiet: bool = False) -> dict[str, Any]:
    theme = handbook_config.theme
    settings: dict[str, Any] = {key: theme[key] for key in theme if key not in ("locale", "static_templates")}
    settings["locale"] = str(theme["locale"])
    settings["font"] = False  # no web fonts: a portfolio loads nothing from another host
    if theme.custom_dir:
        settings["custom_dir"] = theme.custom_dir
    for key in ("logo", "favicon"):
        value = settings.get(key)
        if isinstance(value, str) and _elsewhere(value):
            if not quiet:
                log.warning(f"mentorsite: theme {key} '{value}' is on another host; portfolios leave it out")
            settings.pop(key)
    return settings


def _elsewhere(url: str) -> bool:
    """True for a URL on another host (``https://...`` or ``//host/...``)."""
    return "://" in url or url.startswith("//")


def _search_settings(handbook_config: MkDocsConfig) -> dict[str, Any]:
    plugin = handbook_config.plugins.get("material/search") or handbook_config.plugins.get("search")
    if plugin is None:
        return {}
    return {key: plugin.config[key] for key in ("lang", "separator") if plugin.config.get(key)}
