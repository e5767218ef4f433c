"""The MkDocs plugin: a thin adapter that opens a program session and feeds its pages to MkDocs.

When MkDocs loads its configuration, the plugin reads its settings and opens a session
(``session.opening``): a handbook with errors stops the build before MkDocs touches the
site folder. It hands the handbook's pages over; after the handbook is built, it builds the
pairs' portfolios (``site.program_builds``); a pair with errors keeps its previous pair
edition (its review edition is withdrawn), the others are built, and the build fails at the end.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from mentorsite.files.failures import reported_as
from mentorsite.model.manifests import MANIFEST_FILE
from mentorsite.pages.checkboxes import named_checkboxes
from mentorsite.pages.rendering import RenderedPage, TemplateFailure, handbook_nav, render_handbook
from mentorsite.reading.config_file import checked_first
from mentorsite.reading.loading import GUIDELINES_FOLDER, PAIRS_FOLDER
from mentorsite.site.builder import Shard
from mentorsite.site.mkdocs_program import checked_settings, log, publishing_an_edition
from mentorsite.site.options import MentorsiteConfig
from mentorsite.site.pool import Progress
from mentorsite.site.program_builds import (
    LOCK_HINT,
    OpenProgram,
    locked,
    log_diagnostics,
    open_checked,
    stop_on,
    stop_on_keys,
)
from mentorsite.site.serving import ServedHandbook
from mentorsite.site.swap import HandbookSwap
from mentorsite.vault.sealing import Encryption

if TYPE_CHECKING:  # a build loads no server
    from mkdocs.livereload import LiveReloadServer


class MentorsitePlugin(BasePlugin[MentorsiteConfig]):  # type: ignore[no-untyped-call]
    """Renders the handbook from the guideline records, then builds the private sites."""

    def __init__(self) -> None:
        self.program: OpenProgram | None = None  # opened in on_config
        self.pages: list[RenderedPage] = []
        self.serving = False
        self.dirty = False  # a dirty build (`mkdocs build --dirty`), told by on_startup
        self.swap = HandbookSwap()
        self.served = ServedHandbook()  # while serving: what the pages' banner lists, the last good records
        self.progress: Progress | None = None  # set by `mentorsite build` for its progress display
        self.shard: Shard | None = None  # set by `mentorsite build --shard`

    @property
    def root(self) -> Path:
        """The program's folder, from which messages name paths (``failures.reported_as``)."""
        return self.program.settings.root if self.program is not None else Path.cwd()

    @reported_as(PluginError)
    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.serving, self.dirty = command == "serve", dirty

    def wants_portfolios(self) -> bool:
        """Portfolios are built with the handbook, but not while serving or publishing an edition."""
        return bool(self.config.portfolios) and not self.serving and not publishing_an_edition()

    @checked_first(PluginError)
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        strict = bool(config.strict)
        settings, problems = checked_settings(config, self.config, strict=strict and not self.serving,
                                              serving=self.serving)
        log_diagnostics(problems)
        seal = settings.encryption.enabled and self.wants_portfolios()
        session = open_checked(settings, config, seal=seal, remembering=not self.serving)
        log_diagnostics(session.checked.diagnostics)
        handbook, edition = session.handbook, session.edition
        if self.serving:  # the preview is built from what is good, its problems shown on its pages
            handbook = self.served.handbook(session.checked, settings, problems)
            edition = session.edition_of(handbook)
        else:
            stop_on(session.checked.handbook_problems(), strict=strict, extra=problems)
        if session.encryption is not None:
            stop_on_keys(session.keys_problems, strict=strict)
        self.program = OpenProgram(config, session, self.progress, self.shard)
        try:
            self.pages = render_handbook(handbook, session.environment, site_name=config.site_name,
                                         site_description=config.site_description or "", edition=edition,
                                         practices=settings.practices, licence=settings.licence)
            self.pages += self.served.unread_pages(handbook) if self.serving else []
        except TemplateFailure as problem:
            log_diagnostics([problem.diagnostic])
            if not self.serving:
                stop_on([problem.diagnostic], strict=strict)
            self.pages = self.served.failed_template(problem.diagnostic, self.pages, handbook)
        if settings.nav and config.nav is None:
            config.nav = handbook_nav(handbook)
        return config

    def opened(self) -> OpenProgram:
        if self.program is None:
            raise PluginError("mentorsite: the program was not opened (MkDocs loaded no configuration)")
        return self.program

    @reported_as(PluginError)
    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        settings = self.opened().settings
        guidelines, pairs = settings.content_dir / GUIDELINES_FOLDER, settings.content_dir / PAIRS_FOLDER
        left_out = 0
        sealed = self.swap.in_new_site(settings.sealed_dir()) if settings.encryption.enabled else None
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

    def on_env(self, env: Environment, /, *, config: MkDocsConfig, files: Files) -> Environment:
        env.bytecode_cache = self.opened().session.environment.bytecode_cache  # compiled templates kept
        return env

    @event_priority(100)  # before any plugin writes into the site folder
    @reported_as(PluginError)
    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        """Under the build lock, point MkDocs at a new folder beside the site (not while serving)."""
        if self.serving:
            return
        program = self.opened()
        self.restore(self.swap.abandon())  # a build of this plugin that never ended (interrupted in-process)
        lock = locked(program.settings, "build", LOCK_HINT)
        encryption = self.swap.begin(config, lock, program.session.encryption, dirty=self.dirty)
        program.session = program.session.with_encryption(encryption)

    def restore(self, encryption: Encryption | None) -> None:
        """The session's encryption as it was before the new site moved its folder (None: unchanged)."""
        if encryption is not None and self.program is not None:
            self.program.session = self.program.session.with_encryption(encryption)

    def abandon_site(self) -> None:
        """A build stopped by an interrupt: the new site removed, the previous one kept."""
        self.restore(self.swap.abandon())

    @event_priority(-100)  # after the other plugins' own handlers: it may raise the message
    @reported_as(PluginError)
    def on_build_error(self, *, error: Exception) -> None:
        """A failed build leaves the previous site: the new one is removed (a full disk told in one line)."""
        root = self.program.settings.root if self.program is not None else Path.cwd()
        encryption, message = self.swap.failed(error, root)
        self.restore(encryption)
        if message is not None:
            raise PluginError(message) from None

    @event_priority(-100)  # after every other plugin: the handbook's pages are then as published
    @reported_as(PluginError)
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """The manifest, then the portfolios, once the handbook is complete (scanned for scripts then).

        Then the new site goes in place of the old one, with the encrypted portfolios in it,
        also when a pair was not built (that failure is raised afterwards, as before).
        """
        program = self.opened()
        (Path(config.site_dir) / MANIFEST_FILE).write_text(program.session.edition.manifest.to_json(),
                                                           encoding="utf-8")
        failure = None
        if self.wants_portfolios():
            program.progress, program.shard = self.progress, self.shard
            try:
                program.build_portfolios()
            except PluginError as error:  # said once everything it names is done
                failure = error
        if failure is not None:
            self.swap.rename_error(failure)
        self.restore(self.swap.swap_in(config))
        if failure is not None:
            raise failure

    @reported_as(PluginError)
    def on_page_content(self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        """The checklists' checkboxes named after their lines (see ``mentorsite.pages.checkboxes``)."""
        generated = {rendered.uri for rendered in self.pages}
        return named_checkboxes(html) if page.file.src_uri in generated else html

    @reported_as(PluginError)
    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str:
        """While serving with problems, each page lists them at its top; no other build has the banner."""
        return self.served.with_banner(output) if self.serving else output

    @reported_as(PluginError)
    def on_serve(self, server: LiveReloadServer, /, *, config: MkDocsConfig, **_: Any) -> LiveReloadServer:
        settings = self.opened().settings
        for folder in (settings.content_dir, settings.templates_dir):
            if folder.is_dir():
                server.watch(str(folder))
        server.builder = self.served.guarded(server.builder, Path(config.site_dir))
        return server
