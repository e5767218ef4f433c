"""The MkDocs plugin: a thin adapter that feeds the core's handbook pages to MkDocs.

It reads and checks the program when MkDocs loads its configuration, so that a program with
errors stops the build before MkDocs touches the site folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as options
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files

from mentorsite.diagnostics import Diagnostic, summarize
from mentorsite.loading import GUIDELINES_FOLDER, PAIRS_FOLDER
from mentorsite.program import read_program
from mentorsite.rendering import (
    RenderedPage,
    TemplateFailure,
    create_environment,
    handbook_nav,
    render_handbook,
)

log = get_plugin_logger(__name__)


class MentorsiteConfig(base.Config):  # type: ignore[no-untyped-call]
    content_dir = options.Type(str, default="content")
    """The program's records, relative to mkdocs.yml."""
    templates_dir = options.Type(str, default="templates")
    """Templates here replace the bundled ones of the same name, relative to mkdocs.yml."""
    nav = options.Type(bool, default=True)
    """Generate the navigation when mkdocs.yml has no `nav`."""


class MentorsitePlugin(BasePlugin[MentorsiteConfig]):  # type: ignore[no-untyped-call]
    """Renders the handbook from the guideline records."""

    def __init__(self) -> None:
        self.pages: list[RenderedPage] = []
        self.root = Path.cwd()

    def _path(self, setting: str) -> Path:
        return (self.root / setting).resolve()

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.root = Path(config.config_file_path or "mkdocs.yml").resolve().parent
        checked = read_program(self._path(self.config.content_dir), self.root)
        report(checked.diagnostics, strict=bool(config.strict))
        environment = create_environment(self._path(self.config.templates_dir))
        handbook = checked.program.handbook
        try:
            self.pages = render_handbook(handbook, environment, site_name=config.site_name,
                                         site_description=config.site_description or "")
        except TemplateFailure as problem:
            report([problem.diagnostic], strict=bool(config.strict))
        if self.config.nav and config.nav is None:
            config.nav = handbook_nav(handbook)
        return config

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        guidelines = self._path(self.config.content_dir) / GUIDELINES_FOLDER
        pairs = self._path(self.config.content_dir) / PAIRS_FOLDER
        left_out = 0
        for file in list(files):
            source = Path(file.abs_src_path).resolve() if file.abs_src_path else None
            if source is not None and source.is_relative_to(pairs):
                # Confidentiality first: pair records never reach the public handbook.
                files.remove(file)
                left_out += 1
            elif source is not None and source.is_relative_to(guidelines):
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

    def on_serve(self, server: LiveReloadServer, /, *, config: MkDocsConfig,
                 builder: Any) -> LiveReloadServer:
        for folder in (self._path(self.config.content_dir), self._path(self.config.templates_dir)):
            if folder.is_dir():
                server.watch(str(folder))
        return server


def report(diagnostics: list[Diagnostic], *, strict: bool) -> None:
    """Log every problem; stop the build on errors, or on warnings in strict mode."""
    for diagnostic in diagnostics:
        (log.error if diagnostic.is_error else log.warning)(str(diagnostic))
    errors = sum(1 for d in diagnostics if d.is_error)
    if errors or (strict and diagnostics):
        reason = "" if errors else " (warnings count as errors with --strict)"
        raise PluginError(f"mentorsite: {summarize(diagnostics)} in the program's records{reason}; "
                          "the site was not built")
