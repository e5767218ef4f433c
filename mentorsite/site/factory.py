"""The site factory: many small MkDocs sites from generated pages, with one configuration and theme.

One MkDocs configuration and one theme environment (compiled templates) serve every
private site; the theme's assets are copied once and linked into each site, and each page
goes through MkDocs' own page pipeline (``mentorsite.site.engine``), so a portfolio looks
and searches like the handbook. The configuration keeps the handbook's look and leaves out
whatever would load from another host.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from jinja2 import BytecodeCache, Environment, FileSystemLoader
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import get_navigation

from mentorsite.checking.extensions import PrivateExtensions, is_acknowledged, private_extensions
from mentorsite.files.output import SCRATCH_MARK, link_files, replace_directory, scratch_beside
from mentorsite.files.themes import bundled_templates_dir
from mentorsite.model.diagnostics import Diagnostic, Severity
from mentorsite.pages.fetches import css_fetches_elsewhere
from mentorsite.pages.portfolio import Portfolio
from mentorsite.pages.rendering import NavItem, RenderedPage
from mentorsite.site.privacy import INLINE_SCRIPT, PrivatePages, position_of, shown_path

log = logging.getLogger("mkdocs.plugins.mentorsite")


# Markdown extensions the portfolio templates rely on, added to those of the handbook's that private
# sites may use (see mentorsite.checking.extensions).
NEEDED_EXTENSIONS = ("admonition", "attr_list", "md_in_html", "tables", "toc")

# The private sites' own stylesheet (tables that scroll visibly on a phone), bundled in
# themes/private/ and linked before the program's own, which may restyle anything in it.
PRIVATE_STYLESHEET = "assets/stylesheets/mentorsite.css"


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
    def open(cls, handbook_config: MkDocsConfig, private_dir: Path, policy: bool = True,
             bytecode_cache: BytecodeCache | None = None) -> Iterator[SiteFactory]:
        """The factory, its assets staged in a scratch folder; ``bytecode_cache`` keeps the theme's
        compiled templates between builds (see ``reading.template_cache``)."""
        private_dir.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=SCRATCH_MARK, dir=private_dir))
        try:
            config = portfolio_config(handbook_config, scratch / "docs", policy=policy)
            factory = cls(config, scratch / "assets")
            factory.environment.bytecode_cache = bytecode_cache
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
        from mentorsite.site.engine import SiteMarkdown, build_page, populate_page  # noqa: PLC0415 - when built

        config = self.config
        config["site_name"] = site_name
        config["site_dir"] = str(site_dir)
        config["nav"] = list(nav)
        files = Files([File.generated(config, page.uri, content=page.markdown) for page in pages])
        navigation = get_navigation(files, config)
        self._reset_search()
        converter = SiteMarkdown(config)  # this site's alone
        for file in files.documentation_pages():
            assert file.page is not None
            populate_page(file.page, config, files, converter)
        documents = files.documentation_pages()
        for file in documents:
            assert file.page is not None
            build_page(file.page, config, documents, navigation, self.environment)
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
        # A section too, so that the theme's table of contents is compiled here, before workers fork.
        pages = tuple(RenderedPage(f"{'d/' * depth}probe.md", "# Probe\n\nProbe.\n\n## Section\n\nProbe.\n")
                      for depth in range(4))
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
        files.add_files_from_theme(VisibleTemplates(self.environment), config)  # type: ignore[arg-type]
        for file in files:
            if not file.src_uri.endswith(".map"):
                file.copy_file()
        bundled = self.assets / PRIVATE_STYLESHEET
        bundled.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(bundled_templates_dir() / "private" / Path(PRIVATE_STYLESHEET).name, bundled)
        for stylesheet in config.extra_css:
            source = Path(handbook_config.docs_dir) / stylesheet
            if source.is_file():
                destination = self.assets / stylesheet
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, destination)
        sources = {Path(file.dest_path).as_posix(): Path(file.abs_src_path or "") for file in files}
        sources |= {css: Path(handbook_config.docs_dir) / css for css in config.extra_css}
        left_out = self._leave_out_fetching_styles(sources)
        kept = [css for css in (PRIVATE_STYLESHEET, *config.extra_css) if css not in left_out]
        config["extra_css"] = list(dict.fromkeys(kept))  # a program's file of the same name replaces it
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
            line, column = position_of(text, url)
            shown = shown_path(sources.get(relative, staged), root)
            log.warning(str(Diagnostic(
                shown, line, column, Severity.WARNING, "offsite-stylesheet",
                f"expected a stylesheet that loads nothing from another host, got '{url}'; "
                "private sites leave it out")))
        return left_out


class VisibleTemplates:
    """A theme environment as ``Files.add_files_from_theme`` reads it (in MkDocs 1.6.1, only by
    ``list_templates``), listed without walking hidden folders.

    That method leaves out every name with a part that begins with a dot (its patterns ``.*``
    and ``*/.*``), and Material keeps thousands of icons in such a folder: walking them was
    most of the time it took. The names are those Jinja's ``FileSystemLoader`` lists, in its
    order; another kind of loader is listed as it lists itself.
    """

    def __init__(self, environment: Environment):
        self.environment = environment

    def list_templates(self, filter_func: Callable[[str], bool]) -> list[str]:
        loader = self.environment.loader
        if type(loader) is not FileSystemLoader:
            return self.environment.list_templates(filter_func=filter_func)
        found = set()
        for searchpath in loader.searchpath:
            for folder, folders, names in os.walk(searchpath, followlinks=loader.followlinks):
                folders[:] = [name for name in folders if not name.startswith(".")]
                for name in names:
                    if name.startswith("."):
                        continue
                    found.add((Path(folder) / name).relative_to(searchpath).as_posix())
        return [name for name in sorted(found) if filter_func(name)]


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
    theme = theme_settings(handbook_config)
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
        "plugins": [{"search": search_settings(handbook_config)}], "extra": {"generator": False},
        # Silent: MkDocs' messages about links and anchors quote the records (links into the
        # handbook are absolute on purpose, see handbook_url).
        "validation": {part: dict.fromkeys(checks, "ignore") for part, checks in (
            ("nav", ("omitted_files", "not_found", "absolute_links")),
            ("links", ("not_found", "anchors", "absolute_links", "unrecognized_links")))},
        "extra_css": [css for css in handbook_config.extra_css if not on_another_host(css)],
    })
    errors, warnings = config.validate()
    problems = [f"{key}: {error}" for key, error in [*errors, *warnings]]
    if problems:
        raise PluginError(f"mentorsite: cannot set up the portfolio sites: {'; '.join(map(str, problems))}")
    # mentorsite's own overrides of the theme's templates (a named search dialog): after the
    # program's custom_dir, whose templates still win, and before the theme's.
    overrides = bundled_templates_dir() / "private" / "overrides"
    config.theme.dirs.insert(1 if config.theme.custom_dir else 0, str(overrides))
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


def theme_settings(handbook_config: MkDocsConfig, quiet: bool = False) -> dict[str, Any]:
    """The handbook's theme as private sites use it: no web fonts, no logo or favicon from another host.

    Each one left out is a warning, unless ``quiet`` (the stamps read the settings too).
    """
    theme = handbook_config.theme
    settings: dict[str, Any] = {key: theme[key] for key in theme if key not in ("locale", "static_templates")}
    settings["locale"] = str(theme["locale"])
    settings["font"] = False  # no web fonts: a portfolio loads nothing from another host
    if theme.custom_dir:
        settings["custom_dir"] = theme.custom_dir
    for key in ("logo", "favicon"):
        value = settings.get(key)
        if isinstance(value, str) and on_another_host(value):
            if not quiet:
                log.warning(f"mentorsite: theme {key} '{value}' is on another host; portfolios leave it out")
            settings.pop(key)
    return settings


def on_another_host(url: str) -> bool:
    """True for a URL on another host (``https://...`` or ``//host/...``)."""
    return "://" in url or url.startswith("//")


def search_settings(handbook_config: MkDocsConfig) -> dict[str, Any]:
    """The handbook's search language and word separator, so that a private site searches like it."""
    plugin = handbook_config.plugins.get("material/search") or handbook_config.plugins.get("search")
    if plugin is None:
        return {}
    return {key: plugin.config[key] for key in ("lang", "separator") if plugin.config.get(key)}
