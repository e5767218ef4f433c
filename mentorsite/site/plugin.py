"""The MkDocs plugin: a thin adapter that feeds the core's handbook pages to MkDocs.

It reads and checks the program when MkDocs loads its configuration, so that a handbook
with errors stops the build before MkDocs touches the site folder. After the handbook is
built, it builds the pairs' portfolios; a pair with errors keeps its previous pair edition
(its review edition is withdrawn), the others are built, and the build fails at the end.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, cast

from jinja2 import Environment
from mkdocs.config import base
from mkdocs.config import config_options as options
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, MkDocsException, PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils import CountHandler

from mentorsite.checking.inclusions import configured_places, scan
from mentorsite.checking.program import CheckedProgram, read_program
from mentorsite.checking.references import describe_unknown
from mentorsite.files.failures import BUILD_OUTPUTS, describe, explain, reason, reported_as
from mentorsite.files.locking import LOCK_FILE, WRITE_HINT, BuildLock, LockError, LockHeldError, take_lock
from mentorsite.files.output import (
    PAIRS,
    handbook_scratch,
    ignored_by_git,
    private_files,
    private_folder,
    remove_scratch,
    replace_directory,
)
from mentorsite.insights.scorecards import PracticeSettings, read_practice_settings
from mentorsite.model.diagnostics import Diagnostic, summarize
from mentorsite.model.editions import Edition
from mentorsite.model.manifests import MANIFEST_FILE, EditionContext, edition_context
from mentorsite.model.records import Guideline, Handbook
from mentorsite.pages.banners import failure_banner, problems_banner, stamp_pages, with_banner
from mentorsite.pages.portfolio import PortfolioSettings
from mentorsite.pages.program_report import MIN_PAIRS
from mentorsite.pages.rendering import (
    RenderedPage,
    TemplateFailure,
    create_environment,
    handbook_nav,
    render_handbook,
)
from mentorsite.reading.caching import RecordCache
from mentorsite.reading.config_file import checked_first
from mentorsite.reading.loading import GUIDELINES_FOLDER, PAIRS_FOLDER, ProgramPlaces, site_folders
from mentorsite.reading.sources import node_positions, problem
from mentorsite.site.portfolios import (
    BuildReport,
    OutputError,
    Progress,
    Shard,
    build_edition,
    build_portfolios,
    check_apart,
    check_output_location,
    portfolio_inputs,
    public_folders,
    resolve_as_of,
)
from mentorsite.site.publishing import PublishedError, read_published
from mentorsite.vault.crypto import (
    ENVIRONMENT,
    ITERATIONS,
    KEYS_FILE_VARIABLE,
    VAULT_DIR,
    VAULT_FILE,
    Encryption,
    KeysError,
    check_keys_location,
    passphrase_variable,
    read_keys,
    write_passphrase,
)

log = get_plugin_logger(__name__)
MIKE_VERSION_VARIABLE = "MIKE_DOCS_VERSION"  # set by mike for the build of the edition it deploys
# Problems of what a handbook page or setting reads or leads to: while serving, they stop the
# build as they do `mkdocs build`, since a page built despite them could show a private file.
GUARDED_CODES = frozenset({"include-private", "link-into-pairs", "into-pairs", "into-private",
                           "setting-private", "include", "link-outside-pair"})
PAGE_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
UNBUILT_HANDBOOK = "# The handbook\n\nThe handbook could not be built; the problems are listed above.\n"
UNREAD_GUIDELINE = "# {name}\n\nThis guideline could not be read; the problems are listed above.\n"


class EncryptionConfig(base.Config):  # type: ignore[no-untyped-call]
    enabled = options.Type(bool, default=False)
    """Also publish every portfolio and the reviewer site encrypted, for any static host."""
    output_dir = options.Optional(options.Type(str))
    """Where the encrypted portfolios go, relative to mkdocs.yml; default: `portfolios` in `site_dir`."""
    keys_file = options.Optional(options.Type(str))
    """The passphrases (YAML), outside the content and the output; else $MENTORSITE_KEYS_FILE."""
    iterations = options.Type(int, default=ITERATIONS)
    """PBKDF2 iterations of the key derivation; at least 600000."""
    shared_origin = options.Choice(("refuse", "warn"), default="refuse")
    """When `output_dir` is in `site_dir` and the handbook runs scripts not the theme's: stop, or warn."""


class ReportConfig(base.Config):  # type: ignore[no-untyped-call]
    enabled = options.Type(bool, default=True)
    """Build the program report (counts only) into `report/` in `private_dir` with the portfolios."""
    min_pairs = options.Type(int, default=MIN_PAIRS)
    """The smallest group of pairs a figure of the report may count; at least 3."""


class MentorsiteConfig(base.Config):  # type: ignore[no-untyped-call]
    content_dir = options.Type(str, default="content")
    """The program's records, relative to mkdocs.yml."""
    templates_dir = options.Type(str, default="templates")
    """Templates here replace the bundled ones of the same name, relative to mkdocs.yml."""
    nav = options.Type(bool, default=True)
    """Generate the navigation when mkdocs.yml has no `nav`."""
    portfolios = options.Type(bool, default=True)
    """Build the pairs' portfolios and the reviewer site after the handbook (not during `serve`)."""
    private_dir = options.Type(str, default="site-private")
    """Where portfolios go, relative to mkdocs.yml; must be apart from `site_dir` and the sources."""
    handbook_url = options.Type(str, default="/{version}/")
    """Where portfolios find the handbook; `{version}` becomes the pair's `handbook_version`."""
    default_version = options.Type(str, default="latest")
    """The handbook version portfolios link to when a pair names none."""
    as_of = options.Optional(options.Type((str, date)))  # YAML reads an unquoted date as a date
    """The date of figures that depend on today (YYYY-MM-DD); else SOURCE_DATE_EPOCH, else today."""
    version = options.Optional(options.Type(str))
    """The handbook edition being built; else the one mike is deploying; else none (a preview)."""
    deploy_branch = options.Type(str, default="gh-pages")
    """The branch mike publishes editions to; read for What's new and to check handbook_version."""
    jobs = options.Type(int, default=0)
    """Worker processes building portfolios; 0 means one per processor."""
    cache = options.Type(bool, default=True)
    """Skip record files and portfolios whose inputs are unchanged since the last build."""
    cache_dir = options.Type(str, default=".cache/mentorsite")
    """Where parsed records are kept between builds, relative to mkdocs.yml; holds private text."""
    encryption = options.SubConfig(EncryptionConfig)
    """Encrypted copies of the portfolios (see the README, "Encrypted portfolios")."""
    practices = options.Type(dict, default={})
    """Thresholds of the practice checks, by check name (see the README, "Practice checks")."""
    report = options.SubConfig(ReportConfig)
    """The program report for the people who run the program (see the README, "Program report")."""
    private_extensions_left_out = options.ListOfItems(options.Type(str), default=[])
    """Extensions the owners know private sites leave out: each is an info line instead of a warning."""


class MentorsitePlugin(BasePlugin[MentorsiteConfig]):  # type: ignore[no-untyped-call]
    """Renders the handbook from the guideline records."""

    def __init__(self) -> None:
        self.pages: list[RenderedPage] = []
        self.root = Path.cwd()
        self.checked: CheckedProgram | None = None
        self.places: ProgramPlaces | None = None  # set in on_config; the portfolio builder reads it
        self.edition: EditionContext | None = None
        self.environment: Environment | None = None
        self.portfolio_settings: PortfolioSettings | None = None
        self.encryption: Encryption | None = None
        self.practices = PracticeSettings()
        self.serving = False
        self.dirty = False  # a dirty build (`mkdocs build --dirty`), told by on_startup
        self.site: SiteBuild | None = None  # the handbook build under way (see on_pre_build)
        # While serving (see served_handbook): the problems the pages' banner lists, each guideline
        # file's last good record, and the guideline files that have none.
        self.banner_problems: list[Diagnostic] = []
        self.good_guidelines: dict[str, Guideline] = {}
        self.unread: list[str] = []
        self.progress: Progress | None = None  # set by `mentorsite build` for its progress display
        self.shard: Shard | None = None  # set by `mentorsite build --shard`
        self.replacing: tuple[str | None, ...] = ()  # set by `mentorsite keys rotate`: sites being rotated

    def _path(self, setting: str) -> Path:
        return (self.root / setting).resolve()

    @reported_as(PluginError)
    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.serving = command == "serve"
        self.dirty = dirty

    def take_build_lock(self, config: MkDocsConfig, *, wait: bool = False,
                        waiting: Callable[[LockHeldError], None] | None = None) -> BuildLock:
        """The program's build lock, in its private folder; raises LockError (see ``locking``).

        A lock left by a build that was stopped is taken over, with a line saying so. A
        ``private_dir`` inside the site or the sources is refused first (OutputError).
        """
        self.root = Path(config.config_file_path or "mkdocs.yml").resolve().parent
        folder = self._path(self.config.private_dir)
        check_output_location(folder, config, self._path(self.config.content_dir))  # nothing in the sources
        shown = _shown_path(folder / LOCK_FILE)
        try:
            with private_files():
                ignored_by_git(private_folder(folder))
        except OSError as error:
            raise LockError(f"cannot make the private folder {_shown_path(folder)}: "
                            f"{explain(error, WRITE_HINT)}") from None
        lock = take_lock(folder, shown=shown, wait=wait, waiting=waiting)
        if lock.taken_over:
            log.info(lock.takeover_message(shown))
        return lock

    @event_priority(100)  # before any plugin writes into the site folder
    @reported_as(PluginError)
    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        """Under the build lock, point MkDocs at a new folder beside the site (not while serving).

        MkDocs empties its site folder and writes in place; the new folder is swapped in
        whole at the end (``on_post_build``), so the site is the previous one or the new
        one, never a mix. A dirty build starts from a copy of the site.
        """
        if self.serving:
            return
        self.abandon_site()  # a build of this plugin that never ended (interrupted in-process)
        lock = self.locked(config, "build", LOCK_HINT)
        target = Path(config.site_dir).resolve()
        if os.path.ismount(target):  # no folder beside it can take its place
            log.info(f"{_shown_path(target)} is a mount point: the handbook is written in place there, "
                     "not swapped in whole")
            self.site = SiteBuild(config, config.site_dir, target, None, lock, self.encryption)
            return
        try:
            scratch = handbook_scratch(target, copy=self.dirty)
        except OSError as error:
            lock.release()
            why = explain(error, "the folder that holds site_dir must be writable")
            raise PluginError(f"mentorsite: cannot build: cannot make a folder beside {_shown_path(target)}: "
                              f"{why}") from None
        self.site = SiteBuild(config, config.site_dir, target, scratch, lock, self.encryption)
        if self.encryption is not None and self.encryption.target_dir.is_relative_to(target):
            # Sealed into the new site, as they were into the site MkDocs had emptied.
            inside = self.encryption.target_dir.relative_to(target)
            self.encryption = dataclasses.replace(self.encryption, target_dir=scratch / inside)
        self.site.name_as_real()
        config.site_dir = str(scratch)

    def _in_new_site(self, path: Path) -> Path:
        """Where ``path``, if it is in the site, is in the new site being built beside it."""
        site = self.site
        if site is None or site.scratch is None or not path.is_relative_to(site.target):
            return path
        return site.scratch / path.relative_to(site.target)

    def swap_in_site(self, config: MkDocsConfig) -> None:
        """The new site in place of the old one (unless a strict build has warnings); the lock let go."""
        site = self.site
        if site is None:
            return
        config.site_dir = site.given  # gh-deploy reads it after the build
        self.encryption = site.encryption
        if strict_warnings():
            return  # MkDocs stops the build now: on_build_error removes the new site
        try:
            if site.scratch is not None:
                replace_directory(site.scratch, site.target)
        except OSError as error:
            raise PluginError(f"mentorsite: cannot put the new site in place of {_shown_path(site.target)}: "
                              f"{reason(error)}; the previous site is kept") from None
        self.site = None
        site.end()

    def abandon_site(self, error: Exception | None = None) -> None:
        """The new site removed and the previous one kept; the site folder setting back; the lock let go."""
        site = self.site
        if site is None:
            return
        self.site = None
        site.config.site_dir = site.given
        self.encryption = site.encryption
        if isinstance(error, MkDocsException):  # MkDocs prints it after this hook
            site.rename_error(error)
        if site.scratch is not None:
            shutil.rmtree(site.scratch, ignore_errors=True)
        site.end()

    @event_priority(-100)  # after the other plugins' own handlers: it may raise the message
    @reported_as(PluginError)
    def on_build_error(self, *, error: Exception) -> None:
        """A failed build leaves the previous site: the new one is removed.

        A fault of the machine while MkDocs writes (a full disk) is then one line naming the
        path in the site, not a traceback.
        """
        site = self.site
        message = None
        if isinstance(error, OSError) and site is not None:
            told = describe(error, self.root, kept=True, where=BUILD_OUTPUTS)
            message = site.renamed(f"mentorsite: {told}")
        self.abandon_site(error)
        if message is not None:
            raise PluginError(message) from None

    def version(self) -> str | None:
        return self.config.version or os.environ.get(MIKE_VERSION_VARIABLE) or None

    @checked_first(PluginError, ITERATIONS)
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.root = Path(config.config_file_path or "mkdocs.yml").resolve().parent
        try:
            published = read_published(self.root, self.config.deploy_branch)
        except PublishedError as error:
            raise PluginError(f"mentorsite: {error}") from None
        self.places = self.program_places(config)
        checked = self.checked = read_program(self._path(self.config.content_dir), self.root,
                                              editions=published.names() if published else None,
                                              cache=self.record_cache(config), places=self.places)
        log_diagnostics(checked.diagnostics)
        self.practices, problems = read_practices_setting(Path(config.config_file_path or "mkdocs.yml"),
                                                          self.config.practices, self.root)
        problems += report_setting_problems(Path(config.config_file_path or "mkdocs.yml"),
                                            self.config.report.min_pairs, self.root)
        log_diagnostics(problems)
        handbook = checked.program.handbook
        if self.serving:  # the preview is built from what is good, its problems shown on its pages
            handbook = self.served_handbook(checked, problems)
        else:
            stop_on(checked.handbook_problems(), strict=bool(config.strict), extra=problems)
        # A bad as_of or private_dir stops the build here, before the site is touched.
        self.portfolio_settings = self.settings(config)
        if self.wants_portfolios():
            check_output_location(self._path(self.config.private_dir), config,
                                  self._path(self.config.content_dir))
            if self.config.encryption.enabled:
                self.encryption = self.read_encryption(config, checked)
        environment = self.environment = create_environment(self._path(self.config.templates_dir))
        version = self.version()
        self.edition = edition_context(handbook, version, published.manifests() if published else (),
                                       published.previous(version) if published else None)
        try:
            self.pages = render_handbook(handbook, environment, site_name=config.site_name,
                                         site_description=config.site_description or "", edition=self.edition,
                                         practices=self.practices)
            self.pages += self.unread_pages(handbook) if self.serving else []
        except TemplateFailure as problem:
            log_diagnostics([problem.diagnostic])
            if not self.serving:
                stop_on([problem.diagnostic], strict=bool(config.strict))
            # While serving, the pages of the last good build stay (a page saying why, if none),
            # but those that include a file: what they include is checked only as records name it now.
            self.banner_problems.append(problem.diagnostic)
            self.pages = [page for page in self.pages if not _includes(page.markdown)]
            if not self.pages and handbook.landing_markdown is None:
                self.pages = [RenderedPage("index.md", UNBUILT_HANDBOOK)]
        if self.config.nav and config.nav is None:
            config.nav = handbook_nav(handbook)
        return config

    @reported_as(PluginError)
    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        guidelines = self._path(self.config.content_dir) / GUIDELINES_FOLDER
        pairs = self._path(self.config.content_dir) / PAIRS_FOLDER
        left_out = 0
        sealed = self.encrypted_dir(config) if self.config.encryption.enabled else None
        for file in list(files):
            if sealed is not None and Path(file.abs_dest_path).resolve().is_relative_to(sealed):
                # A page there shares the sealed portfolios' folder (and origin); none is scanned there.
                shown = file.abs_src_path or file.src_uri
                raise PluginError(f"{shown}:1:1: error[shared-origin] expected no handbook file in "
                                  f"encryption.output_dir ({sealed}), got one written to {file.dest_uri}")
            if not file.abs_src_path:
                continue  # generated by another plugin
            source = Path(file.abs_src_path).resolve()
            if source.is_relative_to(pairs):
                # Confidentiality first: pair records never reach the public handbook.
                files.remove(file)
                left_out += 1
            elif source.is_relative_to(guidelines):
                files.remove(file)  # replaced by the rendered guideline pages
        if left_out:
            log.warning(f"docs_dir ({config.docs_dir}) holds the pairs folder; its {left_out} files are "
                        "left out of the handbook. Set docs_dir to the handbook folder.")
        for page in self.pages:
            existing = files.get_file_from_path(page.uri)
            if existing is not None:
                files.remove(existing)
            files.append(File.generated(config, page.uri, content=page.markdown))
        return files

    def program_places(self, config: MkDocsConfig) -> ProgramPlaces:
        """The program's folders, for the checks of what records and handbook pages point at."""
        self.root = Path(config.config_file_path or "mkdocs.yml").resolve().parent
        content_dir = self._path(self.config.content_dir)
        private = [("private_dir", self._path(self.config.private_dir)),
                   ("cache_dir", self._path(self.config.cache_dir))]
        keys_file = self.keys_file()
        if keys_file is not None:
            private.append(("the keys file", keys_file))
        outputs = (("site_dir", Path(config.site_dir).resolve()), *private[:2])
        # Include extensions read paths against their base_path options, relative to where the build runs.
        bases = [Path.cwd()]
        for settings in config.mdx_configs.values():
            base = settings.get("base_path") if isinstance(settings, dict) else None
            for folder in [base] if isinstance(base, str) else base if isinstance(base, list) else []:
                bases.append((Path.cwd() / str(folder)).resolve())
        pairs = (content_dir / PAIRS_FOLDER).resolve()
        # The reviewer site keeps the theme's folders beside the pairs' review editions: no pair is named so.
        theme_folders = site_folders([Path(folder) for folder in config.theme.dirs], config.extra_css)
        places = ProgramPlaces(self.root, pairs, Path(config.docs_dir).resolve(), outputs, tuple(private),
                               tuple(bases), theme_folders)
        # With the options in mkdocs.yml that name places, checked with the records (check_settings).
        return configured_places(places, Path(config.config_file_path or "mkdocs.yml").resolve(),
                                 config.markdown_extensions, config.mdx_configs,
                                 self.config.private_extensions_left_out)

    def record_cache(self, config: MkDocsConfig) -> RecordCache | None:
        """The cache of parsed records, apart from every output and the sources; None when it is off."""
        if not self.config.cache:
            return None
        self.root = Path(config.config_file_path or "mkdocs.yml").resolve().parent
        folder = self._path(self.config.cache_dir)
        others = [*public_folders(config, self._path(self.config.content_dir)),
                  ("private_dir", self._path(self.config.private_dir))]
        check_apart("cache_dir", folder, others, "because it holds the text of every record")
        return RecordCache(folder)

    def encrypted_dir(self, config: MkDocsConfig) -> Path:
        setting = self.config.encryption.output_dir
        if not setting:
            return Path(config.site_dir).resolve() / "portfolios"
        return self._in_new_site(self._path(setting))

    def keys_file(self, config: MkDocsConfig | None = None, *, as_named: bool = False) -> Path | None:
        """The keys file, resolved; with ``as_named`` only its folder, so that a link shows (to write it)."""
        if config is not None:
            self.root = Path(config.config_file_path or "mkdocs.yml").resolve().parent
        setting = self.config.encryption.keys_file or os.environ.get(KEYS_FILE_VARIABLE)
        if not setting:
            return None
        named = self.root / Path(setting).expanduser()
        return named.parent.resolve() / named.name if as_named else named.resolve()

    def checked_keys_file(self, config: MkDocsConfig) -> Path | None:
        """The keys file, refused (PluginError) inside the sources or the outputs, or tracked by git."""
        keys_file = self.keys_file(config)
        if keys_file is not None:
            sources = public_folders(config, self._path(self.config.content_dir))
            forbidden = [*sources, ("private_dir", self._path(self.config.private_dir)),
                         ("encryption.output_dir", self.encrypted_dir(config))]
            try:
                check_keys_location(keys_file, forbidden)
            except KeysError as error:
                raise PluginError(f"mentorsite: {error}") from None
        return keys_file

    def read_encryption(self, config: MkDocsConfig, checked: CheckedProgram) -> Encryption:
        """Where sealed portfolios go and the passphrases; stops the build on a bad setting or keys file."""
        settings = self.config.encryption
        if settings.iterations < ITERATIONS:
            raise PluginError(f"mentorsite: encryption.iterations is {settings.iterations}; "
                              f"use at least {ITERATIONS}")
        target = self.encrypted_dir(config)
        private = ("private_dir", self._path(self.config.private_dir))
        sources = public_folders(config, self._path(self.config.content_dir))
        # Inside site_dir is where it belongs by default: only the site folder itself is refused.
        check_apart("encryption.output_dir", target, [*(f for f in sources if f[0] != "site_dir"), private],
                    "so that no plain page lands beside the encrypted ones")
        if target == Path(config.site_dir).resolve():
            raise OutputError(f"mentorsite: encryption.output_dir ({target}) must be a folder of its own, "
                              "not the site folder itself")
        keys_file = self.checked_keys_file(config)
        keyring, problems = read_keys(keys_file, os.environ, set(checked.pair_folders), self.replacing)
        log_diagnostics(problems)
        if any(d.is_error for d in problems) or (config.strict and problems):
            places = sorted({"the environment" if d.path == ENVIRONMENT else "the keys file"
                             for d in problems}, reverse=True)
            raise PluginError(f"mentorsite: {summarize(problems)} in {' and '.join(places)}; "
                              "the site was not built")
        return Encryption(target, keyring, settings.iterations)

    def wants_portfolios(self) -> bool:
        """Portfolios are built with the handbook, but not while serving or publishing an edition."""
        return bool(self.config.portfolios) and not self.serving and MIKE_VERSION_VARIABLE not in os.environ

    def settings(self, config: MkDocsConfig) -> PortfolioSettings:
        try:
            as_of = resolve_as_of(cast("str | date | None", self.config.as_of))
        except ValueError as error:
            shown = str(error) if str(error).startswith("expected") \
                else f"expected a date YYYY-MM-DD, got '{self.config.as_of}'"
            raise PluginError(f"mentorsite: as_of: {shown}") from None
        return PortfolioSettings(as_of, self.config.handbook_url, self.config.default_version,
                                 bool(config.use_directory_urls), practices=self.practices)

    @classmethod
    def of(cls, config: MkDocsConfig) -> MentorsitePlugin:
        """The mentorsite plugin of a loaded configuration; a clear error when it is not listed."""
        plugin = config.plugins.get("mentorsite")
        if not isinstance(plugin, cls):
            raise PluginError(f"{config.config_file_path} does not list the mentorsite plugin")
        return plugin

    def _require_pair(self, pair_id: str) -> CheckedProgram:
        assert self.checked and self.environment and self.portfolio_settings, "on_config runs first"
        if pair_id not in self.checked.pair_folders:
            raise PluginError(describe_unknown("pair", pair_id, sorted(self.checked.pair_folders),
                                               f"in {self.config.content_dir}/pairs"))
        return self.checked

    def locked(self, config: MkDocsConfig, doing: str, hint: str) -> BuildLock:
        """The program's build lock, taken for ``doing``; a PluginError saying why when it cannot be."""
        try:
            return self.take_build_lock(config)
        except LockHeldError as busy:
            raise PluginError(f"mentorsite: cannot {doing}: {busy}; {hint}") from None
        except LockError as error:
            raise PluginError(f"mentorsite: cannot {doing}: {error}") from None

    def build_portfolios(self, config: MkDocsConfig, only: str | None = None) -> BuildReport:
        """Both editions of every pair (or one), then the reviewer site; raises if any pair failed.

        Under the program's build lock (held already in a whole build); raises PluginError
        when another build holds it.
        """
        assert self.checked and self.environment and self.portfolio_settings, "on_config runs first"
        if only is not None:
            self._require_pair(only)
        lock = self.locked(config, "build", LOCK_HINT)
        try:
            if self.encryption is not None:  # what a build stopped while sealing left there
                remove_scratch([self.encryption.target_dir, self.encryption.target_dir / PAIRS])
            inputs = portfolio_inputs(config, self.portfolio_settings, self.environment)
            result = build_portfolios(
                config, self.checked, private_dir=self._path(self.config.private_dir),
                settings=self.portfolio_settings, environment=self.environment, only=only, shard=self.shard,
                strict=bool(config.strict), jobs=self.worker_count(), progress=self.progress,
                encryption=self.encryption, inputs=inputs, reuse=self.config.cache,
                shared_origin="warn" if self.config.encryption.shared_origin == "warn" else "refuse",
                report_min_pairs=self.config.report.min_pairs if self.config.report.enabled else None)
        finally:
            lock.release()
        report_portfolios(result, self.config.private_dir)
        return result

    def build_edition(self, config: MkDocsConfig, pair_id: str, edition: Edition, target: Path,
                      policy: bool = True) -> list[Diagnostic]:
        """One edition of one pair into ``target`` (preview, export); the errors that stopped it."""
        checked = self._require_pair(pair_id)
        assert self.environment and self.portfolio_settings, "on_config runs first"
        return build_edition(config, checked, pair_id, edition, target, settings=self.portfolio_settings,
                             environment=self.environment, policy=policy)

    def require_encryption(self) -> Encryption:
        if self.encryption is None:
            raise PluginError("mentorsite: encryption is not enabled; set 'encryption: {enabled: true}' "
                              "in the mentorsite plugin's settings in mkdocs.yml")
        return self.encryption

    def sealed_folder(self, pair_id: str | None) -> Path | None:
        """Where a pair's (for None, the reviewer site's) encrypted portfolio is, if it has a passphrase."""
        encryption = self.require_encryption()
        passphrase = encryption.keyring.passphrase(pair_id)
        return encryption.folder(pair_id, passphrase) if passphrase else None

    def rotate(self, config: MkDocsConfig, pair_id: str | None, passphrase: str, *,
               whole: bool = False) -> Path:
        """Give a pair (or the reviewer site) a new passphrase in the keys file and re-encrypt under it.

        The pair's portfolio is rebuilt and sealed again (the reviewer site with it; every
        pair with ``whole``, as when the folder secret is new); the folder sealed under the
        old passphrase is removed whatever happens, even when the pair cannot be sealed
        again (its last good portfolio is what is sealed, if there is one). Returns the new folder.
        """
        lock = self.locked(config, "rotate a passphrase", ROTATE_HINT)
        try:
            return self._rotate(config, pair_id, passphrase, whole=whole)
        finally:
            lock.release()

    def _rotate(self, config: MkDocsConfig, pair_id: str | None, passphrase: str, *, whole: bool) -> Path:
        encryption = self.require_encryption()
        keys_file = self.keys_file(as_named=True)
        if keys_file is None:
            raise PluginError("mentorsite: rotating a passphrase needs a keys file: set encryption.keys_file "
                              f"or {KEYS_FILE_VARIABLE}")
        variable = passphrase_variable(pair_id)
        if os.environ.get(variable):
            raise PluginError(f"mentorsite: the passphrase comes from the environment ({variable}), which "
                              "overrides the keys file; change it there, then run mentorsite build")
        checked = self._require_pair(pair_id) if pair_id is not None else self.checked
        assert checked is not None, "on_config runs first"
        if encryption.keyring.taken(passphrase, checked.pair_folders, besides=pair_id):
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
            self.build_portfolios(config, only=None if whole else pair_id)
        finally:
            # The old passphrase may be why it is rotated (a leak): nothing sealed under it
            # stays published, whether or not the site could be sealed again.
            if old_folder is not None and old_vault is not None and _vault_of(old_folder) == old_vault:
                shutil.rmtree(old_folder)
                log.info("removed the encrypted folder sealed under the replaced passphrase")
        return new_folder

    def worker_count(self) -> int:
        return self.config.jobs if self.config.jobs > 0 else (os.cpu_count() or 1)

    @event_priority(-100)  # after every other plugin: the handbook's pages are then as published
    @reported_as(PluginError)
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """The manifest, then the portfolios, once the handbook is complete (scanned for scripts then).

        Then the new site goes in place of the old one, with the encrypted portfolios in it,
        also when a pair was not built (that failure is raised afterwards, as before).
        """
        if self.edition is not None:
            manifest = self.edition.manifest.to_json()
            (Path(config.site_dir) / MANIFEST_FILE).write_text(manifest, encoding="utf-8")
        failure = None
        if self.wants_portfolios():
            try:
                self.build_portfolios(config)
            except PluginError as error:  # said once everything it names is done
                failure = error
        if self.site is not None and failure is not None:
            self.site.rename_error(failure)
        self.swap_in_site(config)
        if failure is not None:
            raise failure

    def served_handbook(self, checked: CheckedProgram, settings_problems: list[Diagnostic]) -> Handbook:
        """While serving: the handbook from what is good; its problems are kept for the pages' banner.

        A guideline file with an error shows its last good record (or, with none, a page saying
        it could not be read). Any other error in the handbook, and any about what a page
        reads or leads to, stops the build as `mkdocs build` does: a page built despite it could
        show a private file. Pair records' problems are never listed (they quote private text).
        """
        pairs = self._shown(self._path(self.config.content_dir) / PAIRS_FOLDER)
        handbook_problems = [d for d in checked.handbook_problems()
                             if d.path != pairs and not d.path.startswith(f"{pairs}/")]
        self.banner_problems = [*handbook_problems, *settings_problems]
        guidelines = self._shown(self._path(self.config.content_dir) / GUIDELINES_FOLDER)
        broken = {d.path for d in handbook_problems if d.is_error and d.path.startswith(f"{guidelines}/")}
        held = [d for d in handbook_problems
                if d.is_error and (d.path not in broken or d.code in GUARDED_CODES)]
        stop_on(held, strict=False)
        current = [g for g in checked.program.handbook.guidelines if g.path not in broken]
        taken = {g.id for g in current}
        kept = [self.good_guidelines[path] for path in sorted(broken) if path in self.good_guidelines
                and self.good_guidelines[path].id not in taken and not _includes(self.good_guidelines[path])]
        self.good_guidelines = {g.path: g for g in [*current, *kept]}
        self.unread = sorted(path for path in broken if path not in self.good_guidelines)
        served = sorted([*current, *kept], key=lambda g: (g.order, g.title, g.id))
        return dataclasses.replace(checked.program.handbook, guidelines=tuple(served))

    def unread_pages(self, handbook: Handbook) -> list[RenderedPage]:
        """While serving, a page in place of each guideline that could not be read and has no good record."""
        taken = {g.id for g in handbook.guidelines}
        names = [Path(path).stem for path in self.unread]
        return [RenderedPage(f"guidelines/{name}.md", UNREAD_GUIDELINE.format(name=name))
                for name in names if PAGE_NAME.fullmatch(name) and name not in taken]

    def _shown(self, path: Path) -> str:
        """``path`` as messages show it: relative to the program's folder."""
        return Path(os.path.relpath(path, self.root)).as_posix()

    @reported_as(PluginError)
    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str:
        """While serving with problems, each page lists them at its top; no other build has the banner."""
        if not self.serving or not self.banner_problems:
            return output
        stale = any(d.is_error and d.path.endswith(".md") for d in self.banner_problems)
        shown = problems_banner(self.banner_problems, "the handbook", stale=stale)
        return with_banner(output.encode("utf-8"), shown).decode("utf-8")

    @reported_as(PluginError)
    def on_serve(self, server: LiveReloadServer, /, *, config: MkDocsConfig,
                 builder: Any) -> LiveReloadServer:
        for folder in (self._path(self.config.content_dir), self._path(self.config.templates_dir)):
            if folder.is_dir():
                server.watch(str(folder))
        server.builder = self.guarded(server.builder, Path(config.site_dir))
        return server

    def guarded(self, builder: Callable[[], None], site_dir: Path) -> Callable[[], None]:
        """A rebuild that never leaves the browser waiting.

        MkDocs' server holds every page request until a rebuild succeeds. When one fails, the
        last good build in ``site_dir`` is served instead, each page with a banner saying why
        (and the problems that stopped it); the next good build reloads the pages without it.
        """
        def rebuild() -> None:
            self.banner_problems = []
            try:
                builder()
            except Exception as error:  # whatever failed, the browser must not wait for a fix
                reason = failure_reason(error)
                log.error(f"the handbook could not be rebuilt: {reason}; the preview shows "
                          "the last good build until it is fixed")
                log.debug("the failed rebuild", exc_info=True)
                stamp_pages(site_dir, failure_banner("the handbook", reason, self.banner_problems))
        return rebuild


def _includes(record: Guideline | str) -> bool:
    """Whether any text of a record (or a page) includes a file: its last good version is not served then.

    What it includes is checked only as the current records name it, and the current record
    is the broken one.
    """
    def texts(value: object) -> list[str]:
        if isinstance(value, str):
            return [value]
        items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
        return [text for item in items for text in texts(item)]
    value = record if isinstance(record, str) else record.model_dump()
    found = (item for text in texts(value) for item in scan(text, jinja=True))
    return any(item.kind != "link" for item in found)


def failure_reason(error: Exception) -> str:
    """What a failed rebuild says in the browser: the message of MkDocs or of a plugin, else only its kind.

    Any other error's text could hold anything, so it stays in the terminal. MkDocs stops on a
    plugin's error with an error of its own ("Aborted with a BuildError!"): the plugin's says more.
    """
    while isinstance(error, Abort) and isinstance(error.__context__, MkDocsException):
        error = error.__context__
    if isinstance(error, MkDocsException) and str(error):
        return str(error).removeprefix("mentorsite: ").removesuffix("; the site was not built")
    return f"an unexpected {type(error).__name__}; the message is in the terminal"


LOCK_HINT = "wait for it, or run `mentorsite build --wait`"
ROTATE_HINT = "wait for it, then run the command again"


@dataclass
class SiteBuild:
    """A handbook build under way: the site folder as set, the site, the new one beside it, the lock.

    ``encryption`` is the plugin's as it was (its folder is moved into the new site while
    building). While it lasts, mentorsite's and MkDocs' build messages name the new site by
    the name of the site it replaces, as the reader knows it.
    """

    config: MkDocsConfig
    given: str
    target: Path
    scratch: Path | None  # None: written in place (the site is a mount point)
    lock: BuildLock
    encryption: Encryption | None
    renaming: _RealNames | None = None

    def name_as_real(self) -> None:
        assert self.scratch is not None
        self.renaming = _RealNames([(str(self.scratch), str(self.target)),
                                    (_shown_path(self.scratch), _shown_path(self.target)),
                                    (os.path.relpath(self.scratch, self.config_root()),
                                     os.path.relpath(self.target, self.config_root()))])
        for name in RENAMED_LOGGERS:
            logging.getLogger(name).addFilter(self.renaming)

    def config_root(self) -> Path:
        return Path(self.config.config_file_path or "mkdocs.yml").resolve().parent

    def renamed(self, text: str) -> str:
        return self.renaming.rename(text) if self.renaming is not None else text

    def rename_error(self, error: MkDocsException) -> None:
        """The error's message with the site's own name (``message`` is final to type checkers only)."""
        if self.renaming is not None:
            setattr(error, "message", self.renaming.rename(error.message))  # noqa: B010
            error.args = (error.message,)

    def end(self) -> None:
        if self.renaming is not None:
            for name in RENAMED_LOGGERS:
                logging.getLogger(name).removeFilter(self.renaming)
        self.lock.release()


RENAMED_LOGGERS = ("mkdocs.commands.build", "mkdocs.plugins.mentorsite", log.logger.name)


class _RealNames(logging.Filter):
    """Messages that name a new site being built beside its folder name the folder instead."""

    def __init__(self, names: list[tuple[str, str]]):
        super().__init__()
        self.names = sorted(set(names), key=lambda pair: -len(pair[0]))  # the longest form first

    def rename(self, text: str) -> str:
        for built, real in self.names:
            text = text.replace(built, real)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        renamed = self.rename(message)
        if renamed != message:
            record.msg, record.args = renamed, None
        return True


def strict_warnings() -> bool:
    """Whether a strict build has counted warnings (MkDocs then stops it after ``post_build``)."""
    return any(isinstance(handler, CountHandler) and handler.get_counts()
               for handler in logging.getLogger("mkdocs").handlers)


def _shown_path(path: Path) -> str:
    """A path relative to the working folder when it is inside it, as messages show it."""
    resolved, here = path.resolve(), Path.cwd()
    return resolved.relative_to(here).as_posix() if resolved.is_relative_to(here) else str(resolved)


def _vault_of(folder: Path | None) -> bytes | None:
    """The vault file of a sealed folder (its salt changes each time it is sealed), or None."""
    try:
        return (folder / VAULT_DIR / VAULT_FILE).read_bytes() if folder is not None else None
    except OSError:
        return None


def read_practices_setting(config_file: Path, value: object,
                           root: Path) -> tuple[PracticeSettings, list[Diagnostic]]:
    """The ``practices`` thresholds of the plugin's settings, each problem at its line in ``config_file``."""
    try:
        positions = node_positions(config_file.read_text(encoding="utf-8"))
    except OSError:
        positions = None
    location: tuple[str | int, ...] = ()
    if positions is not None:
        plugin_keys = [key for key in positions.keys
                       if key[:1] == ("plugins",) and key[-1:] == ("mentorsite",)]
        location = (*plugin_keys[0], "practices") if plugin_keys else ()
    shown = str(config_file)
    if config_file.is_absolute():
        shown = os.path.relpath(config_file.resolve(), root.resolve())
    return read_practice_settings(value, Path(shown).as_posix(), positions, location)


def report_setting_problems(config_file: Path, min_pairs: int, root: Path) -> list[Diagnostic]:
    """``report.min_pairs`` below what the report's rules allow, at its line in ``config_file``."""
    if min_pairs >= MIN_PAIRS:
        return []
    try:
        positions = node_positions(config_file.read_text(encoding="utf-8"))
    except OSError:
        positions = None
    keys = [key for key in (positions.keys if positions else ())
            if key[:1] == ("plugins",) and key[-2:] == ("report", "min_pairs")]
    spot = positions.of_value(keys[0]) if positions and keys else (1, 1)
    shown = str(config_file)
    if config_file.is_absolute():
        shown = os.path.relpath(config_file.resolve(), root.resolve())
    return [problem(Path(shown).as_posix(), spot, "bad-value",
                    f"expected at least {MIN_PAIRS} pairs (in a group of two, each pair would know the "
                    f"other's result), got {min_pairs}", "report.min_pairs")]


def log_diagnostics(diagnostics: list[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        (log.error if diagnostic.is_error else log.warning)(str(diagnostic))


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


def report_portfolios(result: BuildReport, private_dir: str) -> None:
    """Log what the portfolio build did; raise when a pair was not built."""
    # Problems in records were logged with all the others; template failures come from here.
    log_diagnostics([d for problems in result.failed.values() for d in problems if d.code == "template"])
    built, failed = len(result.built), len(result.failed)
    fresh = f", {len(result.fresh)} up to date" if result.fresh else ""
    log.info(f"built {built} portfolio{'s' if built != 1 else ''} (pair and review editions){fresh} in "
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
        log.info(f"encrypted {len(sealing.sealed)} pair portfolio{'s' if len(sealing.sealed) != 1 else ''}"
                 f"{' and the reviewer site' if sealing.review else ''}")
        if sealing.removed:
            count = len(sealing.removed)
            log.info(f"removed {count} encrypted folder{'s' if count != 1 else ''} of no current passphrase")
        for pair_id, why in sorted(sealing.refused.items()):
            log.error(f"pair {pair_id}: not encrypted: {why}")
        if sealing.review_problem:
            log.error(f"the reviewer site: not encrypted: {sealing.review_problem}")
    if failed:
        only_warnings = not any(d.is_error for problems in result.failed.values() for d in problems)
        reason = " (warnings count as errors with --strict)" if only_warnings else ""
        raise PluginError(f"mentorsite: {failed} pair{'s' if failed != 1 else ''} not built{reason}, their "
                          f"previous pair editions kept: {', '.join(sorted(result.failed))}")
    if sealing is not None and (sealing.refused or sealing.review_problem):
        left_out = sorted(sealing.refused) + (["the reviewer site"] if sealing.review_problem else [])
        raise PluginError(f"mentorsite: not encrypted (see above): {', '.join(left_out)}")
