"""Builds of a program's private sites, for the plugin and the commands alike.

An ``OpenProgram`` is a program session with the engine configuration its portfolios are
derived from. Building the portfolios, one edition of one pair (the preview, the export)
and rotating a passphrase all run here, under the program's build lock where they write.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError

from mentorsite.files.failures import explain
from mentorsite.files.locking import LOCK_FILE, WRITE_HINT, BuildLock, LockError, LockHeldError, take_lock
from mentorsite.files.output import PAIRS, ignored_by_git, private_files, private_folder, remove_scratch
from mentorsite.model.diagnostics import Diagnostic, summarize
from mentorsite.model.editions import Edition
from mentorsite.model.plurals import plural
from mentorsite.session.opening import ProgramSession, SessionError, open_session
from mentorsite.session.settings import Settings
from mentorsite.site.builder import BuildResult, Shard, build_edition, build_portfolios
from mentorsite.site.mkdocs_program import (
    as_built,
    checked_settings,
    edition_version,
    load_program_config,
    log,
    program_places,
)
from mentorsite.site.pool import Progress
from mentorsite.site.privacy import HandbookTheme
from mentorsite.site.stamps import portfolio_inputs
from mentorsite.vault.keyring import ENVIRONMENT, KEYS_FILE_VARIABLE, KeysError, write_passphrase
from mentorsite.vault.passphrases import passphrase_variable
from mentorsite.vault.sealing import VAULT_DIR, VAULT_FILE

LOCK_HINT = "wait for it, or run `mentorsite build --wait`"
ROTATE_HINT = "wait for it, then run the command again"


def shown_path(path: Path) -> str:
    """A path relative to the working folder when it is inside it, as messages show it."""
    resolved, here = path.resolve(), Path.cwd()
    return resolved.relative_to(here).as_posix() if resolved.is_relative_to(here) else str(resolved)


def log_diagnostics(diagnostics: list[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        (log.error if diagnostic.is_error else log.warning)(str(diagnostic))


def take_build_lock(settings: Settings, *, wait: bool = False,
                    waiting: Callable[[LockHeldError], None] | None = None) -> BuildLock:
    """The program's build lock, in its private folder; raises LockError (see ``locking``).

    A lock left by a build that was stopped is taken over, with a line saying so. (Where the
    private folder may be was checked with the settings.)
    """
    folder = settings.private_dir
    shown = shown_path(folder / LOCK_FILE)
    try:
        with private_files():
            ignored_by_git(private_folder(folder))
    except OSError as error:
        raise LockError(f"cannot make the private folder {shown_path(folder)}: "
                        f"{explain(error, WRITE_HINT)}") from None
    lock = take_lock(folder, shown=shown, wait=wait, waiting=waiting)
    if lock.taken_over:
        log.info(lock.takeover_message(shown))
    return lock


def locked(settings: Settings, doing: str, hint: str) -> BuildLock:
    """The program's build lock, taken for ``doing``; a PluginError saying why when it cannot be."""
    try:
        return take_build_lock(settings)
    except LockHeldError as busy:
        raise PluginError(f"mentorsite: cannot {doing}: {busy}; {hint}") from None
    except LockError as error:
        raise PluginError(f"mentorsite: cannot {doing}: {error}") from None


def stop_on(diagnostics: list[Diagnostic], *, strict: bool, extra: list[Diagnostic] | None = None) -> None:
    """Stop the build on errors, or on warnings in strict mode, before the site is touched.

    ``extra`` are problems in the plugin's settings, counted on their own in the message.
    """
    every = [*diagnostics, *(extra or [])]
    errors = sum(1 for d in every if d.is_error)
    if errors or (strict and every):
        reason = "" if errors else " (warnings count as errors with --strict)"
        where = [f"{summarize(found)} {place}" for found, place in
                 ((diagnostics, "in the handbook's records"), (extra or [], "in the plugin's settings"))
                 if found]
        raise PluginError(f"mentorsite: {' and '.join(where)}{reason}; the site was not built")


def stop_on_keys(problems: list[Diagnostic], *, strict: bool) -> None:
    """Log the passphrases' problems; stop the build on an error (or, if strict, any)."""
    log_diagnostics(problems)
    if any(d.is_error for d in problems) or (strict and problems):
        places = sorted({"the environment" if d.path == ENVIRONMENT else "the keys file" for d in problems},
                        reverse=True)
        raise PluginError(f"mentorsite: {summarize(problems)} in {' and '.join(places)}; "
                          "the site was not built")


@dataclass
class OpenProgram:
    """A program session and the engine configuration its private sites are built from."""

    config: MkDocsConfig
    session: ProgramSession
    progress: Progress | None = None
    shard: Shard | None = None
    handbook_theme: HandbookTheme | None = None  # when another engine built the handbook from its own copy

    @property
    def settings(self) -> Settings:
        return self.session.settings

    def require_pair(self, pair_id: str) -> None:
        try:
            self.session.require_pair(pair_id)
        except SessionError as error:
            raise PluginError(str(error)) from None

    def build_portfolios(self, only: str | None = None) -> BuildResult:
        """Both editions of every pair (or one), then the reviewer site; raises if any pair failed.

        Under the program's build lock (held already in a whole build); raises PluginError
        when another build holds it.
        """
        if only is not None:
            self.require_pair(only)
        session, settings = self.session, self.settings
        lock = locked(settings, "build", LOCK_HINT)
        try:
            if session.encryption is not None:  # what a build stopped while sealing left there
                remove_scratch([session.encryption.target_dir, session.encryption.target_dir / PAIRS])
            inputs = portfolio_inputs(self.config, session.portfolio, session.environment)
            result = build_portfolios(
                self.config, session.checked, private_dir=settings.private_dir, settings=session.portfolio,
                environment=session.environment, only=only, shard=self.shard, strict=bool(self.config.strict),
                jobs=settings.workers, progress=self.progress, encryption=session.encryption, inputs=inputs,
                reuse=settings.cache, shared_origin=settings.encryption.shared_origin,
                handbook_theme=self.handbook_theme,
                report_min_pairs=settings.min_pairs if settings.report else None)
        finally:
            lock.release()
        log_portfolio_build(result, Path(os.path.relpath(settings.private_dir, settings.root)).as_posix())
        return result

    def build_edition(self, pair_id: str, edition: Edition, target: Path,
                      policy: bool = True) -> list[Diagnostic]:
        """One edition of one pair into ``target`` (preview, export); the errors that stopped it."""
        self.require_pair(pair_id)
        session = self.session
        return build_edition(self.config, session.checked, pair_id, edition, target,
                             settings=session.portfolio, environment=session.environment, policy=policy)

    def sealed_folder(self, pair_id: str | None) -> Path | None:
        try:
            return self.session.sealed_folder(pair_id)
        except SessionError as error:
            raise PluginError(f"mentorsite: {error}") from None

    def rotate(self, pair_id: str | None, passphrase: str, *, whole: bool = False) -> Path:
        """Give a pair (or the reviewer site) a new passphrase in the keys file and re-encrypt under it.

        The pair's portfolio is rebuilt and sealed again (the reviewer site with it; every
        pair with ``whole``, as when the folder secret is new); the folder sealed under the
        old passphrase is removed whatever happens, even when the pair cannot be sealed
        again (its last good portfolio is what is sealed, if there is one). Returns the new folder.
        """
        lock = locked(self.settings, "rotate a passphrase", ROTATE_HINT)
        try:
            return self._rotate(pair_id, passphrase, whole=whole)
        finally:
            lock.release()

    def _rotate(self, pair_id: str | None, passphrase: str, *, whole: bool) -> Path:
        encryption = self.session.encryption
        if encryption is None:
            self.sealed_folder(pair_id)  # says encryption is off
            raise AssertionError("unreachable")
        keys_file = self.settings.encryption.keys_file
        if keys_file is None:
            raise PluginError("mentorsite: rotating a passphrase needs a keys file: set encryption.keys_file "
                              f"or {KEYS_FILE_VARIABLE}")
        variable = passphrase_variable(pair_id)
        if os.environ.get(variable):
            raise PluginError(f"mentorsite: the passphrase comes from the environment ({variable}), which "
                              "overrides the keys file; change it there, then run mentorsite build")
        if pair_id is not None:
            self.require_pair(pair_id)
        pair_folders = self.session.checked.pair_folders
        if encryption.keyring.taken(passphrase, pair_folders, besides=pair_id):
            raise PluginError("mentorsite: expected a passphrase of its own, got one that another site has; "
                              "choose another")
        old_folder = self.sealed_folder(pair_id)
        old_vault = _vault_of(old_folder)
        new_folder = encryption.folder(pair_id, passphrase)
        try:
            write_passphrase(keys_file, pair_id, passphrase)
        except KeysError as error:
            raise PluginError(f"mentorsite: {error}") from None
        if pair_id is None:
            encryption.keyring.review = passphrase
        else:
            encryption.keyring.pairs[pair_id] = passphrase
        try:
            self.build_portfolios(only=None if whole else pair_id)
        finally:
            # The old passphrase may be why it is rotated (a leak): nothing sealed under it
            # stays published, whether or not the site could be sealed again.
            if old_folder is not None and old_vault is not None and _vault_of(old_folder) == old_vault:
                shutil.rmtree(old_folder)
                log.info("removed the encrypted folder sealed under the replaced passphrase")
        return new_folder


def open_program(config_file: Path, *, strict: bool | None = None, seal: bool = True,
                 replacing: Collection[str | None] = (), config: MkDocsConfig | None = None) -> OpenProgram:
    """The program of ``config_file``, read and checked, for a command that builds private sites.

    Its settings' problems, the handbook's and the passphrases' stop it as they stop
    `mkdocs build` (a PluginError), before anything is written; the records' problems are logged.
    """
    config = as_built(config if config is not None else load_program_config(config_file, strict))
    strict = bool(config.strict)
    settings, warnings = checked_settings(config, strict=strict)
    log_diagnostics(warnings)
    session = open_checked(settings, config, seal=seal and settings.encryption.enabled, replacing=replacing)
    log_diagnostics(session.checked.diagnostics)
    stop_on(session.checked.handbook_problems(), strict=strict)
    if session.encryption is not None:
        stop_on_keys(session.keys_problems, strict=strict)
    return OpenProgram(config, session)


def open_checked(settings: Settings, config: MkDocsConfig, *, seal: bool,
                 replacing: Collection[str | None] = (), remembering: bool = True) -> ProgramSession:
    """``session.opening.open_session`` for this configuration; its SessionError a PluginError."""
    try:
        places = program_places(settings, config, remembering=remembering)
        return open_session(settings, places, version=edition_version(settings),
                            seal=seal, replacing=replacing)
    except SessionError as error:
        raise PluginError(f"mentorsite: {error}") from None


def log_portfolio_build(result: BuildResult, private_dir: str) -> None:
    """Log what the portfolio build did; raise when a pair was not built."""
    # Problems in records were logged with all the others; template failures come from here.
    log_diagnostics([d for problems in result.failed.values() for d in problems if d.code == "template"])
    built, failed = len(result.built), len(result.failed)
    fresh = f", {len(result.fresh)} up to date" if result.fresh else ""
    log.info(f"built {plural(built, 'portfolio')} (pair and review editions){fresh} in "
             f"{private_dir} in {result.seconds:.2f} seconds")
    if result.removed:
        log.info(f"removed the portfolios of pairs no longer in the content: {', '.join(result.removed)}")
    if result.report is not None:
        if result.report_held == "earlier":
            log.info(f"the program report in {private_dir}/{result.report.name} is from an earlier build: "
                     "it is not built again while a pair's records have errors")
        elif result.report_held == "withheld":
            log.info(f"the program report in {private_dir}/{result.report.name} is withheld: it is not built "
                     "while a pair's records have errors, and there is no earlier one to keep")
        elif result.report_written:
            log.info(f"wrote the program report in {private_dir}/{result.report.name}")
        else:
            log.info(f"the program report in {private_dir}/{result.report.name} is up to date")
    sealing = result.sealing
    if sealing is not None:
        log.info(f"encrypted {plural(len(sealing.sealed), 'pair portfolio')}"
                 f"{' and the reviewer site' if sealing.review else ''}")
        if sealing.removed:
            count = len(sealing.removed)
            log.info(f"removed {plural(count, 'encrypted folder')} of no current passphrase")
        for pair_id, why in sorted(sealing.refused.items()):
            log.error(f"pair {pair_id}: not encrypted: {why}")
        if sealing.review_problem:
            log.error(f"the reviewer site: not encrypted: {sealing.review_problem}")
    if failed:
        only_warnings = not any(d.is_error for problems in result.failed.values() for d in problems)
        reason = " (warnings count as errors with --strict)" if only_warnings else ""
        raise PluginError(f"mentorsite: {plural(failed, 'pair')} not built{reason}, their "
                          f"previous pair editions kept: {', '.join(sorted(result.failed))}")
    if sealing is not None and (sealing.refused or sealing.review_problem):
        left_out = sorted(sealing.refused) + (["the reviewer site"] if sealing.review_problem else [])
        raise PluginError(f"mentorsite: not encrypted (see above): {', '.join(left_out)}")


def _vault_of(folder: Path | None) -> bytes | None:
    """The vault file of a sealed folder (its salt changes each time it is sealed), or None."""
    try:
        return (folder / VAULT_DIR / VAULT_FILE).read_bytes() if folder is not None else None
    except OSError:
        return None
