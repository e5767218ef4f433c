"""The one module that reaches into MkDocs' private functions, each behind a small public one.

MkDocs has no public way to build a few generated pages into a site of their own, nor to
write its live-reload script into a page other than by its own server. The functions below
call what ``mkdocs build`` and ``mkdocs serve`` call themselves, as read in MkDocs 1.6.1
(``MKDOCS_READ``, the version installed when they were written). A MkDocs release that
renames or changes them is mended here, and nowhere else.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import markdown
from jinja2 import Environment
from markdown.extensions import Extension
from mkdocs.commands.build import _build_page, _populate_page
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.livereload import _SCRIPT_TEMPLATE, LiveReloadServer, _timestamp
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import (
    Page,
    _ExtractAnchorsTreeprocessor,
    _ExtractTitleTreeprocessor,
    _RawHTMLPreprocessor,
    _RelativePathTreeprocessor,
)
from mkdocs.structure.pages import log as pages_log
from mkdocs.structure.toc import get_toc

MKDOCS_READ = "1.6.1"  # the MkDocs version whose private functions these were read in


# The Markdown extensions whose whole state a converter's ``reset()`` clears (or that keep none), by
# the module of their class, as read in these versions: a converter with only these may serve every
# page of a site. Footnotes only without UNIQUE_IDS (each reset gives the ids a new prefix).
RESETTABLE_EXTENSIONS = frozenset({f"markdown.extensions.{name}" for name in (
    "abbr", "admonition", "attr_list", "def_list", "fenced_code", "footnotes", "md_in_html", "sane_lists",
    "tables", "toc")} | {"pymdownx.tasklist"})
MARKDOWN_READ = "3.11."  # Python-Markdown
PYMDOWNX_READ = "13."  # PyMdown Extensions


class SiteMarkdown:
    """One Markdown converter for the pages of one site, reset before each page.

    ``mkdocs.structure.pages.Page.render`` (read in MkDocs 1.6.1) makes a converter for every
    page, which loads every extension again; it is made once per site here instead, and
    MkDocs' own page steps (raw HTML anchors, anchors, relative links, title) are registered
    afresh for each page, as ``render`` does, replacing the previous page's. Only when every
    extension built is one of ``RESETTABLE_EXTENSIONS`` in the versions read: else each page
    gets a converter of its own, as in MkDocs. A converter never serves two sites, so nothing of
    one edition's pages can reach another's.
    """

    def __init__(self, config: MkDocsConfig):
        self.extensions = resettable_extensions(config["markdown_extensions"], config["mdx_configs"] or {})
        self.converter: markdown.Markdown | None = None

    @property
    def shared(self) -> bool:
        return self.extensions is not None

    def render(self, page: Page, config: MkDocsConfig, files: Files) -> None:
        if self.extensions is None:
            Page.render(page, config, files)
            return
        if page.markdown is None:
            raise RuntimeError("`markdown` field hasn't been set (via `read_source`)")
        if self.converter is None:
            self.converter = markdown.Markdown(extensions=self.extensions)
        md = self.converter.reset()
        raw_html = _RawHTMLPreprocessor()
        raw_html._register(md)
        anchors = _ExtractAnchorsTreeprocessor(page.file, files, config)
        anchors._register(md)
        relative = _RelativePathTreeprocessor(page.file, files, config)
        relative._register(md)
        title = _ExtractTitleTreeprocessor()
        title._register(md)
        page.content = md.convert(page.markdown)
        page.toc = get_toc(getattr(md, "toc_tokens", []))
        page._title_from_render = title.title
        page.present_anchor_ids = anchors.present_anchor_ids | raw_html.present_anchor_ids
        if pages_log.getEffectiveLevel() > logging.DEBUG:
            page.links_to_anchors = relative.links_to_anchors


def resettable_extensions(extensions: Sequence[str | Extension],
                          configs: Mapping[str, Any]) -> list[Extension] | None:
    """The extensions built as a converter builds them, if every one is among ``RESETTABLE_EXTENSIONS``
    (by the module of its class, whatever name loaded it) in the versions read; else None."""
    if not markdown.__version__.startswith(MARKDOWN_READ):
        return None
    builder = markdown.Markdown()
    built = []
    for extension in extensions:
        instance = extension if isinstance(extension, Extension) else builder.build_extension(
            extension, dict(configs.get(extension, {})))
        module = type(instance).__module__
        if module not in RESETTABLE_EXTENSIONS:
            return None
        if module.startswith("pymdownx.") and not _pymdownx_version().startswith(PYMDOWNX_READ):
            return None
        if module == "markdown.extensions.footnotes" and instance.getConfig("UNIQUE_IDS"):
            return None
        built.append(instance)
    return built


def _pymdownx_version() -> str:
    from pymdownx.__meta__ import __version__  # noqa: PLC0415 - only when one of its extensions is used

    return str(__version__)


def populate_page(page: Page, config: MkDocsConfig, files: Files,
                  converter: SiteMarkdown | None = None) -> None:
    """Read a page's Markdown and turn it into HTML, with the plugins' page events, as a build does.

    ``mkdocs.commands.build._populate_page`` (read in MkDocs 1.6.1) runs ``on_pre_page``,
    ``on_page_markdown`` and ``on_page_content`` around the conversion, so search and the
    private-pages plugin see each page as in any MkDocs build. A private site's pages are
    generated, not read from a docs folder, and the public ``build`` builds a docs folder whole.
    With ``converter``, the page is converted by its site's converter (see ``SiteMarkdown``).
    """
    if converter is not None:
        page.render = functools.partial(converter.render, page)  # type: ignore[method-assign]
    _populate_page(page, config, files)


def build_page(page: Page, config: MkDocsConfig, documents: Sequence[File], navigation: Navigation,
               environment: Environment) -> None:
    """Render a populated page with the theme's template and write it into ``site_dir``, as a build does.

    ``mkdocs.commands.build._build_page`` (read in MkDocs 1.6.1) gives the template the
    page's context (with ``on_page_context``) and runs ``on_post_page`` on the result. It
    takes the theme environment as it is, so one compiled theme serves every private site,
    where the public ``build`` would load the theme again for each.
    """
    _build_page(page, config, documents, navigation, environment)


def live_reload_script(epoch: int) -> str:
    """MkDocs' live-reload script for a page of the site built at ``epoch``, as its server writes it.

    ``mkdocs.livereload._SCRIPT_TEMPLATE`` and ``_timestamp`` (read in MkDocs 1.6.1): the
    preview writes the script into each page itself, so that the page's security policy can
    allow that very script by its hash; the request id is the server's clock, as MkDocs' own.
    """
    return str(_SCRIPT_TEMPLATE.substitute(epoch=epoch, request_id=_timestamp()))


Answer = Iterable[bytes] | None  # a response's body; None: 404


class ReloadServer(LiveReloadServer):
    """MkDocs' live-reload server with two public seams where the preview needs to step in.

    ``LiveReloadServer._serve_request`` answers each request and ``_inject_js_into_html``
    adds the reload script to each page (both read in MkDocs 1.6.1); a subclass overrides
    ``request`` and ``page`` instead, and only this module names the private methods.
    """

    def request(self, environ: dict[str, Any], start_response: Callable[..., Any],
                serve: Callable[[dict[str, Any]], Answer]) -> Answer:
        """Answer a request: ``serve(environ)`` answers it as MkDocs does (with ``environ`` as given)."""
        return serve(environ)

    def page(self, content: bytes, epoch: int) -> bytes:
        """A page as served: by default with MkDocs' reload script added."""
        return bytes(super()._inject_js_into_html(content, epoch))  # type: ignore[no-untyped-call]

    def _serve_request(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Answer:
        base = super()._serve_request
        return self.request(environ, start_response, lambda chosen: base(chosen, start_response))

    def _inject_js_into_html(self, content: bytes, epoch: int) -> bytes:
        return self.page(content, epoch)
