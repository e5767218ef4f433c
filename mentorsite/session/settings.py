"""The plugin's settings, read whole: typed values, and every problem at its line in mkdocs.yml.

The site engine hands over the mentorsite plugin's options (already of the right types: the
engine checks those, see ``reading.config_file``) and the folders its own settings name.
Here each value that cannot be used (a date that is not one, too few pairs for the report,
a private folder inside the public site, ...) is a Diagnostic at the setting's line and
column, all of them in one run. The settings come back typed either way: a value with a
problem is replaced by its default, so that `mentorsite check` can still check the records;
a build refuses to start while any problem is an error.

Nothing here imports the engine, and nothing reads records.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Literal

from mentorsite.checking.zensical_config import zensical_problems
from mentorsite.files.failures import shown
from mentorsite.insights.scorecards import PracticeSettings, read_practice_settings
from mentorsite.model.diagnostics import Diagnostic, Severity, sort_diagnostics, summarize
from mentorsite.model.records import EARLIEST_DATE, LATEST_DATE, WEB_ADDRESS_PATTERN, Licence
from mentorsite.pages.program_report import MIN_PAIRS
from mentorsite.reading.config_file import setting_position
from mentorsite.reading.pair_sources import PairSource, entry_position, read_entries, unmatched
from mentorsite.reading.positions import node_positions
from mentorsite.reading.problems import problem
from mentorsite.vault.keyring import KEYS_FILE_VARIABLE
from mentorsite.vault.passphrases import ITERATIONS as MIN_ITERATIONS

SEALED_FOLDER = "portfolios"  # encryption.output_dir's default, in site_dir
CODE = "bad-setting"
# Past this, deriving a key takes many seconds for each portfolio, and as long in the reader's browser.
MAX_ITERATIONS = 10_000_000


@dataclass(frozen=True)
class EngineSettings:
    """What the engine's own settings say: mkdocs.yml, the public site, the handbook's pages, the URLs."""

    config_file: Path
    site_dir: Path
    docs_dir: Path
    directory_urls: bool = True

    @property
    def root(self) -> Path:
        return self.config_file.parent


@dataclass(frozen=True)
class EncryptionSettings:
    enabled: bool = False
    output_dir: Path | None = None
    """Where the sealed portfolios go; None: ``portfolios`` in the site folder."""
    keys_file: Path | None = None
    """The keys file as named (from the setting, else the environment), relative to the program."""
    iterations: int = MIN_ITERATIONS
    shared_origin: Literal["refuse", "warn"] = "refuse"


@dataclass(frozen=True)
class Settings:
    """The plugin's settings, typed, with every folder absolute."""

    folders: EngineSettings
    content_dir: Path
    templates_dir: Path
    private_dir: Path
    cache_dir: Path
    as_of: date
    nav: bool = True
    portfolios: bool = True
    handbook_url: str = "/{version}/"
    default_version: str = "latest"
    version: str | None = None
    deploy_branch: str = "gh-pages"
    jobs: int = 0
    """Worker processes; 0 means one per processor (see ``workers``)."""
    cache: bool = True
    encryption: EncryptionSettings = field(default_factory=EncryptionSettings)
    report: bool = True
    min_pairs: int = MIN_PAIRS
    practices: PracticeSettings = field(default_factory=PracticeSettings)
    private_extensions_left_out: tuple[str, ...] = ()
    licence: Licence | None = None
    """The handbook's licence and attribution, shown on its pages; None: the pages name none."""
    engine: Literal["mkdocs", "zensical"] = "mkdocs"
    """What builds the handbook's pages; the private sites are always built by mentorsite's builder."""
    pair_sources: tuple[PairSource, ...] = ()
    """Pairs kept in repositories of their own, read besides those of ``content_dir``'s pairs/."""

    @property
    def root(self) -> Path:
        return self.folders.root

    @property
    def workers(self) -> int:
        return self.jobs if self.jobs > 0 else (os.cpu_count() or 1)

    def sealed_dir(self) -> Path:
        """Where the sealed portfolios go."""
        return self.encryption.output_dir or self.folders.site_dir / SEALED_FOLDER

    def keys_file(self) -> Path | None:
        """The keys file, resolved (a link to it followed)."""
        named = self.encryption.keys_file
        return named.resolve() if named is not None else None

    def public_folders(self) -> list[tuple[str, Path]]:
        """The folders private output keeps out of, by setting: the public site and the sources."""
        return [("site_dir", self.folders.site_dir), ("docs_dir", self.folders.docs_dir),
                ("content_dir", self.content_dir)]


class SettingsError(Exception):
    """The plugin's settings cannot be used; ``problems`` holds every one, each at its line."""

    def __init__(self, problems: list[Diagnostic]):
        reason = "" if any(d.is_error for d in problems) else " (warnings count as errors with --strict)"
        lines = "\n".join(str(each) for each in problems)
        super().__init__(f"{lines}\nmentorsite: {summarize(problems)} in the plugin's settings{reason}; the "
                         "site was not built")
        self.problems = problems


def usable(problems: list[Diagnostic], *, strict: bool = False) -> list[Diagnostic]:
    """The warnings among ``problems``; raises SettingsError when one is an error (or, if strict, any)."""
    if any(d.is_error for d in problems) or (strict and problems):
        raise SettingsError(problems)
    return problems


def resolve_as_of(option: str | date | None, environ: Mapping[str, str] | None = None) -> date:
    """The date of every figure that depends on today: the option, else SOURCE_DATE_EPOCH, else today.

    Raises ValueError, saying why, for a date that is not one or lies outside the dates a
    record may hold (see ``records.EARLIEST_DATE``).
    """
    environ = os.environ if environ is None else environ
    if isinstance(option, datetime):  # YAML reads 2026-01-01 10:00 as a time, which is also a date
        raise ValueError(f"expected a date YYYY-MM-DD, got a date and time ({option}); leave the time out")
    if isinstance(option, date):
        chosen = option
    elif option:
        try:
            chosen = date.fromisoformat(option)
        except ValueError:
            raise ValueError(f"expected a date YYYY-MM-DD, got '{option}'") from None
    elif epoch := environ.get("SOURCE_DATE_EPOCH"):
        try:
            chosen = datetime.fromtimestamp(int(epoch), tz=UTC).date()
        except (ValueError, OverflowError, OSError):
            raise ValueError(f"expected SOURCE_DATE_EPOCH as seconds since 1970, got '{epoch}'") from None
    else:
        chosen = date.today()
    if not EARLIEST_DATE <= chosen <= LATEST_DATE:
        raise ValueError(f"expected a date from {EARLIEST_DATE} to {LATEST_DATE}, got {chosen}")
    return chosen


class _Reader:
    """Takes each option from the plugin's settings; a value that cannot be used is a problem, located."""

    def __init__(self, options: Mapping[str, object], folders: EngineSettings):
        self.options, self.folders = options, folders
        try:
            self.text: str | None = folders.config_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            self.text = None
        self.shown = shown(folders.config_file, Path.cwd())
        self.problems: list[Diagnostic] = []

    def refuse(self, names: tuple[str, ...], message: str) -> None:
        where = setting_position(self.text, names) if self.text is not None else (1, 1)
        self.problems.append(problem(self.shown, where, CODE, message, ".".join(names)))

    def value(self, names: tuple[str, ...]) -> object:
        found: object = self.options
        for name in names:
            found = found.get(name) if isinstance(found, Mapping) else None
        return found

    def of_type(self, names: tuple[str, ...], kind: type, default: object) -> object:
        found = self.value(names)
        if found is None:
            return default
        if (kind is int and isinstance(found, bool)) or not isinstance(found, kind):
            self.refuse(names, f"expected {kind.__name__}, got {type(found).__name__}")
            return default
        return found

    def text_of(self, names: tuple[str, ...], default: str) -> str:
        return str(self.of_type(names, str, default))

    def flag(self, names: tuple[str, ...], default: bool) -> bool:
        return bool(self.of_type(names, bool, default))

    def number(self, names: tuple[str, ...], default: int) -> int:
        found = self.of_type(names, int, default)
        return found if isinstance(found, int) else default

    def folder(self, names: tuple[str, ...], default: str) -> Path:
        chosen = (self.folders.root / self.text_of(names, default)).resolve()
        if chosen.exists() and not chosen.is_dir():
            self.refuse(names, f"expected a folder, got a file: {shown(chosen, Path.cwd())}")
        return chosen

    def apart(self, names: tuple[str, ...], folder: Path, others: list[tuple[str, Path]], why: str) -> None:
        """``folder`` must not be, be inside, or hold any of ``others``."""
        for name, other in others:
            if folder == other or folder.is_relative_to(other) or other.is_relative_to(folder):
                self.refuse(names, f"{folder} must be apart from {name} ({other}), {why}")
                return


def read_settings(options: Mapping[str, object], folders: EngineSettings,
                  environ: Mapping[str, str] | None = None) -> tuple[Settings, list[Diagnostic]]:
    """The typed settings, and every problem with them (each at its line in mkdocs.yml)."""
    environ = os.environ if environ is None else environ
    read = _Reader(options, folders)
    content_dir = read.folder(("content_dir",), "content")
    templates_dir = read.folder(("templates_dir",), "templates")
    private_dir = read.folder(("private_dir",), "site-private")
    cache_dir = read.folder(("cache_dir",), ".cache/mentorsite")
    as_of = _as_of(read, environ)
    jobs = read.number(("jobs",), 0)
    if jobs < 0:
        read.refuse(("jobs",), f"expected 0 (one per processor) or more worker processes, got {jobs}")
        jobs = 0
    report = read.flag(("report", "enabled"), True)
    min_pairs = read.number(("report", "min_pairs"), MIN_PAIRS)
    if min_pairs < MIN_PAIRS:
        read.refuse(("report", "min_pairs"), f"expected at least {MIN_PAIRS} pairs (in a group of two, each "
                                             f"pair would know the other's result), got {min_pairs}")
        min_pairs = MIN_PAIRS
    practices = _practices(read)
    cache = read.flag(("cache",), True)
    settings = Settings(
        folders, content_dir, templates_dir, private_dir, cache_dir, as_of,
        nav=read.flag(("nav",), True), portfolios=read.flag(("portfolios",), True),
        handbook_url=read.text_of(("handbook_url",), "/{version}/"),
        default_version=read.text_of(("default_version",), "latest"),
        version=_optional_text(read, ("version",)),
        deploy_branch=read.text_of(("deploy_branch",), "gh-pages"),
        jobs=jobs, cache=cache, encryption=_encryption(read, environ), report=report, min_pairs=min_pairs,
        practices=practices, private_extensions_left_out=_texts(read, ("private_extensions_left_out",)),
        licence=_licence(read), engine=_engine(read), pair_sources=_pair_sources(read))
    _placement(read, settings)
    return settings, sort_diagnostics(read.problems)


def _as_of(read: _Reader, environ: Mapping[str, str]) -> date:
    option = read.value(("as_of",))
    try:
        return resolve_as_of(option if isinstance(option, str | date) else None, environ)
    except ValueError as error:
        if option is None:  # SOURCE_DATE_EPOCH: not a setting of mkdocs.yml, but told with them
            read.problems.append(problem("the environment", (1, 1), CODE, str(error), "as_of"))
        else:
            read.refuse(("as_of",), str(error))
        return date.today()


def _engine(read: _Reader) -> Literal["mkdocs", "zensical"]:
    """The ``engine`` option, and the warning when Zensical would build the program without it."""
    found = read.text_of(("engine",), "mkdocs")
    engine: Literal["mkdocs", "zensical"] = "zensical" if found == "zensical" else "mkdocs"
    if found not in ("mkdocs", "zensical"):
        read.refuse(("engine",), f"expected 'mkdocs' or 'zensical', got '{found}'")
    where = setting_position(read.text, ("engine",)) if read.text is not None else (1, 1)
    read.problems += zensical_problems(read.folders.config_file, engine, where, read.shown)
    return engine


def _optional_text(read: _Reader, names: tuple[str, ...]) -> str | None:
    found = read.of_type(names, str, None)
    return found if isinstance(found, str) and found else None


def _texts(read: _Reader, names: tuple[str, ...]) -> tuple[str, ...]:
    found = read.of_type(names, list, [])
    items = found if isinstance(found, list) else []
    if not all(isinstance(item, str) for item in items):
        read.refuse(names, "expected a list of extension names")
        return ()
    return tuple(items)


def _pair_sources(read: _Reader) -> tuple[PairSource, ...]:
    """The ``pair_sources`` entries; a pattern that matches no folder is a warning (a checkout not made?)."""
    entries, problems = read_entries(read.value(("pair_sources",)))
    for index, message in problems:
        at = entry_position(read.text, index) if read.text and index is not None else None
        if at is None:
            read.refuse(("pair_sources",), message)
        else:
            read.problems.append(problem(read.shown, at, CODE, message, "pair_sources"))
    for entry in unmatched(entries, read.folders.root):
        at = setting_position(read.text, ("pair_sources", str(entry.pattern))) if read.text else (1, 1)
        message = f"'{entry.pattern}' matches no folder, so it adds no pair (checkouts not made yet?)"
        read.problems.append(problem(read.shown, at, CODE, message, "pair_sources", Severity.WARNING))
    return tuple(entries)


def _licence(read: _Reader) -> Licence | None:
    """The ``licence`` option; a part that cannot be shown is a problem, and the rest is kept."""
    name = _optional_text(read, ("licence", "name"))
    url = _optional_text(read, ("licence", "url"))
    attribution = _optional_text(read, ("licence", "attribution"))
    if url is not None and not WEB_ADDRESS_PATTERN.fullmatch(url):
        read.refuse(("licence", "url"),
                    f"expected a web address starting with https:// or http://, got '{url}'")
        url = None
    if name is None:
        if url is not None or attribution is not None:
            read.refuse(("licence",), "expected the licence's name (licence.name), such as 'CC BY-SA 4.0', "
                                      "with its url or attribution")
        return None
    return Licence(name=name, url=url, attribution=attribution)


def _practices(read: _Reader) -> PracticeSettings:
    location: tuple[str | int, ...] = ()
    positions = None
    if read.text is not None:
        positions = node_positions(read.text)
        keys = [key for key in (positions.keys if positions is not None else ())
                if key[:1] == ("plugins",) and key[-1:] == ("mentorsite",)]
        location = (*keys[0], "practices") if keys else ()
    thresholds, problems = read_practice_settings(read.value(("practices",)) or {}, read.shown, positions,
                                                  location)
    read.problems += problems
    return thresholds


def _encryption(read: _Reader, environ: Mapping[str, str]) -> EncryptionSettings:
    names = ("encryption",)
    enabled = read.flag((*names, "enabled"), False)
    output = _optional_text(read, (*names, "output_dir"))
    keys = _optional_text(read, (*names, "keys_file")) or environ.get(KEYS_FILE_VARIABLE) or None
    iterations = read.number((*names, "iterations"), MIN_ITERATIONS)
    if enabled and not MIN_ITERATIONS <= iterations <= MAX_ITERATIONS:
        bound = f"at least {MIN_ITERATIONS}" if iterations < MIN_ITERATIONS else f"at most {MAX_ITERATIONS}"
        read.refuse((*names, "iterations"),
                    f"expected {bound} iterations of the key derivation, got {iterations}")
        iterations = MIN_ITERATIONS
    origin = read.text_of((*names, "shared_origin"), "refuse")
    if origin not in ("refuse", "warn"):
        read.refuse((*names, "shared_origin"), f"expected refuse or warn, got {origin}")
        origin = "refuse"
    keys_file = None
    if keys:
        named = read.folders.root / Path(keys).expanduser()
        keys_file = named.parent.resolve() / named.name  # a link keeps its name: it is written through
    return EncryptionSettings(enabled, (read.folders.root / output).resolve() if output else None, keys_file,
                              iterations, "warn" if origin == "warn" else "refuse")


def _placement(read: _Reader, settings: Settings) -> None:
    """The private folders apart from the public site and the sources, and from each other."""
    public = settings.public_folders()
    site = settings.folders.site_dir
    for option, sources in (("content_dir", settings.content_dir), ("templates_dir", settings.templates_dir)):
        if sources.is_relative_to(site):
            read.refuse((option,), f"{sources} must be outside site_dir ({site}): every build replaces "
                                   "the site folder whole, and what is in it is published")
    read.apart(("private_dir",), settings.private_dir, public,
               "so that private pages never reach the public site or the sources")
    if settings.cache:
        sealed = [("encryption.output_dir", settings.sealed_dir())] if settings.encryption.enabled else []
        others = [*public, ("private_dir", settings.private_dir), *sealed]
        read.apart(("cache_dir",), settings.cache_dir, others, "because it holds the text of every record")
    if settings.encryption.enabled:
        target = settings.sealed_dir()
        if target == settings.folders.site_dir:
            read.refuse(("encryption", "output_dir"),
                        f"{target} must be a folder of its own, not the site folder itself")
        else:  # inside site_dir is where it belongs by default: only the site folder itself is refused
            read.apart(("encryption", "output_dir"), target,
                       [*(f for f in public if f[0] != "site_dir"), ("private_dir", settings.private_dir)],
                       "so that no plain page lands beside the encrypted ones")
        keys_file = settings.keys_file()
        forbidden = [*public, ("private_dir", settings.private_dir), ("encryption.output_dir", target)]
        for name, folder in forbidden if keys_file is not None else []:
            if keys_file is not None and keys_file.is_relative_to(folder):
                read.refuse(("encryption", "keys_file"),
                            f"the keys file ({settings.encryption.keys_file}) is inside {name} ({folder}); "
                            "keep it outside the content and the output, so that no passphrase is published "
                            "or committed")
                break
