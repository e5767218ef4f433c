"""A program session: the program read and checked once, with all a build of its sites needs.

Opened from the typed settings (``session.settings``) and the program's places, it holds
the checked records, the published editions, the theme environment, the portfolios'
settings, the passphrases (when encryption is on) and the handbook's edition. Every field
is set when it is opened: nothing waits for a hook of the site engine to run first. The
commands open one directly; the MkDocs plugin opens one when MkDocs loads its
configuration. Nothing here knows the engine.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from jinja2 import Environment

from mentorsite.checking.program import CheckedProgram, read_program
from mentorsite.checking.references import describe_unknown
from mentorsite.model.diagnostics import Diagnostic
from mentorsite.model.manifests import EditionContext, edition_context
from mentorsite.model.record_sets import Handbook
from mentorsite.pages.portfolio import PortfolioSettings
from mentorsite.pages.rendering import create_environment
from mentorsite.reading.caching import RecordCache, paused_gc
from mentorsite.reading.deploy_branch import Published, PublishedError, read_published
from mentorsite.reading.loading import PAIRS_FOLDER, ProgramPlaces
from mentorsite.session.settings import Settings
from mentorsite.vault.keyring import KeysError, check_keys_location, read_keys
from mentorsite.vault.sealing import Encryption


class SessionError(Exception):
    """The program cannot be opened (the deploy branch cannot be read, the keys file is misplaced)."""


class UnknownPairError(SessionError):
    """A command named a pair the program does not have."""


@dataclass(frozen=True)
class ProgramSession:
    """The program, read and checked, and what its sites are built with."""

    settings: Settings
    places: ProgramPlaces
    checked: CheckedProgram
    published: Published | None
    """The editions on the deploy branch; None when there is none (no branch, no list of editions)."""
    environment: Environment
    portfolio: PortfolioSettings
    edition: EditionContext
    """The handbook edition this build makes: its manifest and its changes against the last one."""
    encryption: Encryption | None
    """The sealing of the portfolios: None when encryption is off or this command does not seal."""
    keys_problems: list[Diagnostic] = field(default_factory=list)
    """What is wrong with the passphrases or the folder secret (never quoting one)."""

    @property
    def handbook(self) -> Handbook:
        return self.checked.program.handbook

    def edition_of(self, handbook: Handbook) -> EditionContext:
        """The edition context of another handbook of the program (the preview's, built from what is good)."""
        version = self.edition.manifest.version
        published = self.published
        return edition_context(handbook, version, published.manifests() if published else (),
                               published.previous(version) if published else None)

    def require_pair(self, pair_id: str) -> None:
        """Raise UnknownPairError, with the closest known id, when the program has no such pair."""
        if pair_id not in self.checked.pair_folders:
            folder = os.path.relpath(self.settings.content_dir / PAIRS_FOLDER, self.settings.root)
            raise UnknownPairError(describe_unknown("pair", pair_id, sorted(self.checked.pair_folders),
                                                    f"in {Path(folder).as_posix()}"))

    def sealed_folder(self, pair_id: str | None) -> Path | None:
        """Where a pair's (for None, the reviewer site's) sealed portfolio is, if it has a passphrase."""
        if self.encryption is None:
            raise SessionError("encryption is not enabled; set 'encryption: {enabled: true}' in the "
                               "mentorsite plugin's settings in mkdocs.yml")
        passphrase = self.encryption.keyring.passphrase(pair_id)
        return self.encryption.folder(pair_id, passphrase) if passphrase else None

    def with_encryption(self, encryption: Encryption | None) -> ProgramSession:
        return replace(self, encryption=encryption)


def record_cache(settings: Settings) -> RecordCache | None:
    """The cache of parsed records (placed apart from the outputs by the settings); None when it is off."""
    return RecordCache(settings.cache_dir) if settings.cache else None


def open_session(settings: Settings, places: ProgramPlaces, *, version: str | None, seal: bool,
                 replacing: Collection[str | None] = (), environ: Mapping[str, str] | None = None,
                 shown_from: Path | None = None) -> ProgramSession:
    """Read and check the program, and gather what its sites are built with.

    ``seal``: read the passphrases (encryption on, and a command that seals). ``replacing``:
    the sites whose passphrase is being rotated (the old one may then be shared for a moment).
    Messages name paths from ``shown_from`` (default: the program's folder). Raises
    SessionError when the deploy branch's list of editions or the keys file's place is wrong;
    the records' problems are in ``checked.diagnostics``, the keys' in ``keys_problems``.
    """
    environ = os.environ if environ is None else environ
    try:
        published = read_published(settings.root, settings.deploy_branch)
    except PublishedError as error:
        raise SessionError(str(error)) from None
    with paused_gc(hold=True):  # the record cache and the records read: kept until the build ends
        checked = read_program(settings.content_dir, shown_from or settings.root,
                               editions=published.names() if published else None,
                               cache=record_cache(settings), places=places)
    portfolio = PortfolioSettings(settings.as_of, settings.handbook_url, settings.default_version,
                                  settings.folders.directory_urls, practices=settings.practices)
    encryption, keys_problems = (_encryption(settings, checked, environ, replacing) if seal
                                 else (None, []))
    handbook = checked.program.handbook
    edition = edition_context(handbook, version, published.manifests() if published else (),
                              published.previous(version) if published else None)
    environment = create_environment(settings.templates_dir, refused=refused_to_templates(places),
                                     cache_dir=settings.cache_dir if settings.cache else None)
    return ProgramSession(settings, places, checked, published, environment, portfolio, edition, encryption,
                          keys_problems)


def refused_to_templates(places: ProgramPlaces) -> list[Path]:
    """What no program template may read: the pairs' records and the private places (outputs, cache, keys)."""
    return [places.pairs_dir, *(place for _, place in places.private)]


def _encryption(settings: Settings, checked: CheckedProgram, environ: Mapping[str, str],
                replacing: Collection[str | None]) -> tuple[Encryption, list[Diagnostic]]:
    keys_file = settings.keys_file()
    if keys_file is not None:
        forbidden = [*settings.public_folders(), ("private_dir", settings.private_dir),
                     ("encryption.output_dir", settings.sealed_dir())]
        try:
            check_keys_location(keys_file, forbidden)
        except KeysError as error:
            raise SessionError(str(error)) from None
    keyring, problems = read_keys(keys_file, environ, set(checked.pair_folders), replacing)
    return Encryption(settings.sealed_dir(), keyring, settings.encryption.iterations), problems
