"""The portfolio builder: every pair's editions and the reviewer site, in one process.

Each site is built in a scratch folder beside its target and swapped in whole, so a pair
whose records have errors keeps the portfolio it had. The builder decides what to build
(``stamps``), builds it (``factory``, in worker processes: ``pool``), takes out what could
hold a record no longer shared (``withdrawals``) and seals what is left for upload (the vault).
"""

from __future__ import annotations

import hashlib
import logging
import time
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from jinja2 import Environment
from mkdocs.config.defaults import MkDocsConfig

from mentorsite.checking.program import CheckedProgram
from mentorsite.files.output import (
    PAIRS,
    REPORT,
    REVIEW,
    ignored_by_git,
    private_files,
    private_folder,
    remove_scratch,
    withdraw,
)
from mentorsite.model.diagnostics import Diagnostic
from mentorsite.model.editions import Edition
from mentorsite.pages.portfolio import PortfolioSettings, render_portfolio, render_review_index
from mentorsite.pages.program_report import MIN_PAIRS, program_report, render_report, render_withheld_report
from mentorsite.pages.rendering import TemplateFailure
from mentorsite.reading.caching import digest, stable_form
from mentorsite.site.factory import SiteFactory
from mentorsite.site.pool import Outcome, PairTask, Progress, run_pairs
from mentorsite.site.privacy import HandbookTheme, SharedOrigin, check_shared_origin
from mentorsite.site.stamps import (
    PAIR_STAMP,
    REPORT_STAMP,
    REVIEW_STAMP,
    SEALED_STAMP,
    SHARED_STAMP,
    SUMMARY_FILE,
    Stamps,
    pair_fingerprint,
    report_fingerprint,
    shared_fingerprint,
    stamp_shared,
)
from mentorsite.site.unlock_look import unlock_look
from mentorsite.site.withdrawals import remove_stale, review_editions, review_entries
from mentorsite.vault.sealing import Encryption, SealPlan, SealResult, seal_portfolios

log = logging.getLogger("mkdocs.plugins.mentorsite")


@dataclass
class BuildResult:
    """What a portfolio build did: built pairs, pairs kept as they were (with why), removed ones."""

    built: list[str] = field(default_factory=list)
    fresh: list[str] = field(default_factory=list)
    """Pairs whose portfolios were up to date: built before from the same inputs."""
    failed: dict[str, list[Diagnostic]] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    seconds: float = 0.0
    sealing: SealResult | None = None
    report: Path | None = None
    """Where the program report is, when the build keeps one."""
    report_written: bool = False
    """Whether the program report was built now (else it was up to date, or held)."""
    report_held: Literal["earlier", "withheld"] | None = None
    """Why the report was not built from these records, as a pair's have errors: an earlier report is
    kept as it was, or (there being none) a page says it is withheld."""


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


def build_portfolios(handbook_config: MkDocsConfig, checked: CheckedProgram, *, private_dir: Path,
                     settings: PortfolioSettings, environment: Environment,
                     only: str | None = None, shard: Shard | None = None, strict: bool = False,
                     jobs: int = 1, progress: Progress | None = None, encryption: Encryption | None = None,
                     report_min_pairs: int | None = MIN_PAIRS, inputs: str | None = None,
                     reuse: bool = True, shared_origin: SharedOrigin = "refuse",
                     handbook_theme: HandbookTheme | None = None) -> BuildResult:
    """Both editions of every pair (or of ``only``, or of a ``shard``), the reviewer index, the report.

    With ``inputs`` (see ``stamps.portfolio_inputs``), each site built is stamped with what it was
    built from, and (unless ``reuse`` is False) a site whose inputs are those of its last
    build is not built again. The program report is built with every pair, unless
    ``report_min_pairs`` is None; it withholds figures over fewer pairs than that. With
    ``only`` the report is left to a whole build, and with a ``shard`` the reviewer index too.

    With ``jobs`` above 1, pairs are built by that many worker processes. With
    ``encryption``, each pair's edition (the one built now, or the one kept) and the
    reviewer site are then sealed into its target folder; when that folder is inside the
    handbook's site, the handbook must run no script but the theme's (see
    ``privacy.check_shared_origin``; ``shared_origin="warn"`` only warns).

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
        check_shared_origin(handbook_config, encryption.target_dir, shared_origin, handbook_theme)
    with ExitStack() as stack:
        with private_files():
            ignored_by_git(private_folder(private_dir))
            remove_scratch([private_dir, private_dir / PAIRS, private_dir / REVIEW])
            build = _Build(stack, handbook_config, checked, private_dir, settings, environment, inputs, reuse)
            result = build.pairs(chosen, strict=strict, jobs=jobs, progress=progress)
            # Every build knows every pair folder (--pair and --shard too): gone pairs go at once.
            result.removed = remove_stale(private_dir, set(checked.pair_folders), build.stamps, encryption)
            withdrawn = withdraw_review_editions(private_dir, checked, build.stamps, result, strict=strict)
            if shard is None or (withdrawn and (private_dir / REVIEW / "index.html").is_file()):
                build.review_index()  # a shard's index would list only its own pairs: only mended
            if whole and report_min_pairs is not None:
                build.program_report(result, report_min_pairs)
            assets = build.factory().asset_files if encryption is not None else []
        if encryption is not None:  # sealed for upload: the modes of the folders it goes into
            palette = handbook_config.theme.get("palette")
            plan = seal_plan(encryption, private_dir, environment, assets, palette)
            result.sealing = seal_portfolios(plan, chosen, jobs=jobs, prune=whole)
            _drop_stale_sealed_review(encryption, result.sealing)
            for pair_id, folder in result.sealing.sealed.items():
                build.stamps.record(SEALED_STAMP + pair_id, folder)  # so that it goes with its pair
    result.seconds = time.monotonic() - started
    return result


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
            self._factory = self.stack.enter_context(SiteFactory.open(
                self.handbook_config, self.private_dir, bytecode_cache=self.environment.bytecode_cache))
        return self._factory

    def fresh(self, name: str, fingerprint: str | None, outputs: list[Path]) -> bool:
        return self.reuse and self.stamps.fresh(name, fingerprint, outputs)

    def pairs(self, chosen: list[str], *, strict: bool, jobs: int, progress: Progress | None) -> BuildResult:
        """Build the chosen pairs whose records passed and whose portfolios are not up to date.

        A pair that is not built (errors, or warnings with ``strict``) loses its stamps, so
        that nothing of it is taken as up to date later; its review edition is withdrawn
        afterwards (``withdraw_review_editions``).
        """
        result = BuildResult()
        checked, stamps = self.checked, self.stamps
        if progress:
            progress.start(len(chosen))
        to_build = []
        for pair_id in chosen:
            problems = [d for d in checked.pair_problems(pair_id) if d.is_error or strict]
            outcome: Outcome = "kept"
            if problems or checked.pair_records(pair_id) is None:
                result.failed[pair_id] = problems
                stamps.forget_pair(pair_id)
            elif self.fresh(PAIR_STAMP + pair_id, pair_fingerprint(self.inputs, checked, pair_id),
                            _pair_outputs(self.private_dir, pair_id)):
                result.fresh.append(pair_id)
                outcome = "up to date"
                stamp_shared(stamps, checked, pair_id)  # builds before this stamp existed lack it
            else:
                to_build.append(pair_id)
                continue
            if progress:
                progress.advance(pair_id, outcome)
        # The review edition's own stamp stays: its build decides, from the pages, whether it is up to date.
        stamps.forget([name + pair_id for pair_id in to_build for name in (PAIR_STAMP, SHARED_STAMP)])
        if to_build:
            task = PairTask(self.factory(), checked, self.settings, self.environment, self.private_dir,
                            self.inputs, self.reuse)
            for pair_id, failure in run_pairs(task, to_build, jobs):
                if failure is None:
                    result.built.append(pair_id)
                    stamps.record(PAIR_STAMP + pair_id, pair_fingerprint(self.inputs, checked, pair_id))
                    stamps.record(SHARED_STAMP + pair_id, shared_fingerprint(checked, pair_id))
                else:
                    result.failed[pair_id] = failure
                if progress:
                    progress.advance(pair_id, "built" if failure is None else "kept")
        if progress:
            progress.finish()
        result.built.sort()
        return result

    def review_index(self) -> None:
        """The reviewer site's index of every review edition on disk, unless it lists them already."""
        entries = review_entries(self.private_dir / REVIEW, self.stamps)
        fingerprint = digest(self.inputs, stable_form(entries)) if self.inputs else None
        if self.fresh(REVIEW_STAMP, fingerprint, [self.private_dir / REVIEW / "index.html"]):
            return
        self.stamps.forget([REVIEW_STAMP])
        self.factory().build_root(render_review_index(entries, self.environment), [{"Pairs": "index.md"}],
                                  "Portfolios for review", self.private_dir / REVIEW)
        self.stamps.record(REVIEW_STAMP, fingerprint)

    def program_report(self, result: BuildResult, min_pairs: int) -> None:
        """The program report, unless it was built from these very records; never without a pair.

        While any pair's records have errors the report is not built again, since a report
        without that pair, set beside one with it, would give its figures away: the earlier
        report stays as it was or, when there is none, a page says that it is withheld.
        """
        target = result.report = self.private_dir / REPORT
        if not _report_ready(self.checked):
            result.report_held = "earlier" if (target / "index.html").is_file() else "withheld"
            if result.report_held == "withheld":
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
        result.report_written = True


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
              assets: list[Path], palette: object = None) -> SealPlan:
    """What sealing needs: the unlock pages (overridable templates, in the theme's ``palette``)
    and the theme's assets."""
    template = environment.get_template("vault/unlock.html.j2")
    plain = frozenset(asset.as_posix() for asset in assets)
    icon = "assets/images/favicon.png" if "assets/images/favicon.png" in plain else "data:,"
    look = unlock_look(palette, plain)
    lead = ("Enter the passphrase you were given to open it. It stays open in this browser while one of its "
            "pages is open in a tab, and locks when you close or leave the last one.")
    return SealPlan(
        encryption, private_dir,
        pair_shell=template.render(title="Private portfolio", lead=f"This portfolio is encrypted. {lead}",
                                   icon=icon, look=look),
        review_shell=template.render(title="Portfolios for review", icon=icon, look=look,
                                     lead=f"The reviewer site is encrypted. {lead}"),
        plain=plain)


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
    with SiteFactory.open(handbook_config, target.parent, policy=policy,
                          bytecode_cache=environment.bytecode_cache) as factory:
        factory.build_site(portfolio, target, {})
    return []


def withdraw_review_editions(private_dir: Path, checked: CheckedProgram, stamps: Stamps, result: BuildResult,
                             *, strict: bool) -> dict[str, str]:
    """Take out of the reviewer site every review edition that could hold a record no longer shared.

    A review edition stays only when its pair is in the content, its records pass (no
    errors; no warnings either with ``strict``) and it was built from those very records:
    now, or (for a pair this build leaves alone) by a build whose stamp says so. Returns
    why each was withdrawn, by pair id, and says so in the log; its pair edition stays.
    """
    withdrawn = {}
    for site in review_editions(private_dir / REVIEW):
        why = _review_doubt(site, checked, stamps, result, strict=strict)
        if why is not None and withdraw(site):
            stamps.forget_pair(site.name)
            withdrawn[site.name] = why
            log.warning(f"mentorsite: pair {site.name}: review edition withdrawn from the reviewer site: "
                        f"{why}")
    return withdrawn


def _review_doubt(site: Path, checked: CheckedProgram, stamps: Stamps, result: BuildResult, *,
                  strict: bool) -> str | None:
    """Why a review edition on disk could hold a record its pair no longer shares, or None."""
    pair_id = site.name
    if pair_id not in checked.pair_folders:
        return "the pair is no longer in the content"
    problems = checked.pair_problems(pair_id)
    if pair_id in result.failed or checked.pair_records(pair_id) is None or any(d.is_error for d in problems):
        return "its records have errors; it comes back when they pass"
    if strict and problems:
        return "its records have warnings (errors with --strict); it comes back when they pass"
    if pair_id in result.built or pair_id in result.fresh:
        return None
    if not stamps.fresh(SHARED_STAMP + pair_id, shared_fingerprint(checked, pair_id), [site / "index.html"]):
        return f"its records changed since it was built; a whole build (or --pair {pair_id}) builds it again"
    return None


def _drop_stale_sealed_review(encryption: Encryption, sealing: SealResult) -> None:
    """An encrypted reviewer site not sealed again now could hold review editions since withdrawn."""
    if not sealing.review and withdraw(encryption.target_dir / REVIEW):
        log.warning("mentorsite: the encrypted reviewer site is withdrawn: it could not be encrypted again, "
                    "and the copy there could hold review editions taken out since")
