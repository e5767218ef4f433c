"""Scripts that would share a host name with the encrypted portfolios.

A browser gives every script of one origin (scheme, host name, port) the same rights: any
of them can read what the unlock page keeps for an open portfolio, open its pages in a
frame and read them, or register a service worker of its own. So the encrypted portfolios
may share their origin with the handbook only when the handbook runs no script but the
theme's own (``mentorsite.checking.theme_scripts``). This module finds the others: in the
settings (``extra_javascript``, ``extra.analytics``) and in every page of the built
handbook, so that a theme override, a plugin or raw HTML in a guideline is seen too.

Comments, CDATA sections and other markup declarations hide nothing: browsers end a comment
in more ways than a regular expression can follow (``<!-->``, ``--!>``), so their inside is
read as markup too (a script left in a real comment is then reported: delete it).
"""

from __future__ import annotations

import bisect
import contextlib
import gzip
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from html import unescape
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from mentorsite.checking.theme_scripts import DATA_TYPES, ThemeScripts, files_under, normalised
from mentorsite.model.diagnostics import Diagnostic, Severity
from mentorsite.model.plurals import plural
from mentorsite.reading.positions import Positions

CODE = "shared-origin"
EXPECTED = "expected only the theme's own scripts on the host name of the encrypted portfolios"
# What a static host serves as HTML, XHTML, SVG or XML, where a browser runs scripts (names lowered).
PAGES = ("*.html", "*.htm", "*.xhtml", "*.xht", "*.shtml", "*.shtm", "*.svg", "*.svgz", "*.xml", "*.xsl",
         "*.xslt", "*.rss", "*.atom", "*.rdf", "*.mht", "*.mhtml", "*.mathml", "*.mml")
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "data")
# A start tag with its attributes (quoted values may hold '>'). Comments are not skipped: their
# inside is read as markup too (fail closed), and so are CDATA sections and declarations.
_TAG = re.compile(r"""<([a-zA-Z][^\s/>]*)((?:[^>"']|"[^"]*"|'[^']*')*)>""", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
IN_COMMENT = "in an HTML comment (a browser may end one sooner than it seems: delete the comment)"
THEME_IDS = "__"  # the theme's element ids (its configuration, drawer, search) start with this
CONFIG_ID = "__config"
WORKERS = "assets/javascripts/workers/"  # where the theme's search worker is
# What an attribute that runs a script must contain: a name starting with "on", or a value
# with "script" (javascript:) or with what could spell it in disguise (entities, tabs).
_SUSPECT = re.compile(r"(?:^|\s)on|script|srcdoc|&|[\t\n\r]", re.IGNORECASE)
# An id the theme's kind (its configuration, its drawer), on a tag that is not suspect otherwise; looked
# for only where a value starts with "__" (not in classes such as md-nav__link, on every tag).
_THEME_ID = re.compile(r"""(?:^|[\s"'/])id\s*=\s*(?:"(__[^"]*)"|'(__[^']*)'|(__[^\s"'>]*))""", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")


@dataclass
class _Finding:
    path: str
    line: int
    column: int
    what: str
    pages: int = 1


def page_scripts(html: str) -> list[tuple[tuple[int, int], str, str]]:
    """Every script of a page (see ``marked_page_scripts``)."""
    return marked_page_scripts(html)[0]


def marked_page_scripts(html: str) -> tuple[list[tuple[tuple[int, int], str, str]], set[tuple[int, int]]]:
    """Every script of a page, as (line and column, kind, value); kind is 'src', 'inline',
    'handler' (an event handler attribute), 'link' (a ``javascript:`` URL), 'frame' (a
    ``srcdoc`` page, run on this origin), 'base' (a ``<base href>``, which moves every
    relative script, the theme's too), 'config' (the theme's settings, ``id="__config"``,
    which name its search worker) or 'id' (a theme id, ``__...``, on more than one element).

    A small tokenizer rather than a full parser (pages of the handbook are large, and most
    of each is the navigation): tags and their attributes as the HTML tokenizer reads them,
    the inside of comments and CDATA read as markup too (fail closed), and the raw text of
    script and style elements taken whole. Also returned: the places of those that are inside
    what reads as a comment (``<!-- ... -->``), for the message.
    """
    newlines = [found.start() for found in re.finditer("\n", html)]
    comments = [(found.start(), found.end()) for found in _COMMENT.finditer(html)] if "<!--" in html else []
    commented: set[tuple[int, int]] = set()

    def position(offset: int) -> tuple[int, int]:
        line = bisect.bisect_left(newlines, offset)
        where = line + 1, offset - (newlines[line - 1] + 1 if line else 0) + 1
        index = bisect.bisect_right(comments, (offset, len(html) + 1)) - 1
        if index >= 0 and comments[index][0] < offset < comments[index][1]:
            commented.add(where)
        return where

    found: list[tuple[tuple[int, int], str, str]] = []
    theme_ids: dict[str, list[tuple[int, int]]] = {}

    def theme_id(identity: str, where: tuple[int, int], tag: str) -> None:
        if identity.startswith(THEME_IDS):
            theme_ids.setdefault(identity, []).append(where)
            if identity == CONFIG_ID and tag != "script":
                found.append((where, "config", ""))  # the theme reads its settings from any element

    at = 0
    while (match := _TAG.search(html, at)) is not None:
        at = match.end()
        tag = match.group(1).lower().rsplit(":", 1)[-1]  # <html:script> in XHTML and XML, <svg:script>
        written = match.group(2)
        if tag not in ("script", "style", "base") and not _SUSPECT.search(written):
            if _may_name_theme_id(written) and (named := _THEME_ID.search(written)):
                theme_id(named.group(1) or named.group(2) or named.group(3), position(match.start()), tag)
            continue  # no attribute that could hold a script: most tags of a page
        attributes = {name.lower(): unescape(double or single or bare)
                      for name, double, single, bare in _ATTRIBUTE.findall(written)}
        where = position(match.start())
        identity = attributes.get("id", "")
        theme_id(identity, where, tag)
        if tag == "base" and "href" in attributes:  # every relative script would load from there
            found.append((where, "base", attributes["href"]))
        for name, value in attributes.items():
            if name.startswith("on"):
                found.append((where, "handler", f"{name}={value}"))
            elif name == "srcdoc":  # a frame whose page is written here, on this origin
                found.append((where, "frame", value))
            elif name in URL_ATTRIBUTES and normalised(value).lower().startswith("javascript:"):
                found.append((where, "link", normalised(value)[len("javascript:"):]))
        if tag not in ("script", "style"):
            continue
        close = re.compile(rf"</{re.escape(match.group(1))}[\s/>]", re.IGNORECASE).search(html, at)
        body, at = html[at:close.start() if close else len(html)], close.end() if close else len(html)
        if tag == "script" and identity == CONFIG_ID:
            found.append((where, "config", body))
        elif tag == "script" and attributes.get("type", "").strip().lower() not in DATA_TYPES:
            sources = [value for name, value in attributes.items()
                       if name.rsplit(":", 1)[-1] in ("src", "href")]  # SVG: href, xlink:href
            found += [(where, "src", source) for source in sources] or [(where, "inline", body)]
    found += [(places[0], "id", identity) for identity, places in theme_ids.items() if len(places) > 1]
    return found, commented


def _may_name_theme_id(written: str) -> bool:
    """A quick look: whether an attribute value of a tag could start with "__" (tabs, entities:
    the tag is suspect anyway)."""
    return '"__' in written or "'__" in written or "=__" in written or " __" in written or "\f__" in written



def scan_site(site_dir: Path, theme: ThemeScripts, *, shown: str, skip: Iterable[Path] = (),
              known: Iterable[str] = (), severity: Severity = Severity.ERROR) -> list[Diagnostic]:
    """Every script of the built site in ``site_dir`` that is not the theme's own.

    Each is reported once, at the first page that has it (``shown`` is how messages name
    ``site_dir``), with the number of pages that have it. ``skip`` are folders left out
    (the encrypted portfolios themselves); ``known`` are script paths of the site already
    reported from the settings.
    """
    reported = {*known, *(PurePosixPath(path).as_posix() for path in known)}
    findings: dict[str, _Finding] = {}
    for page in files_under(site_dir, {folder.resolve() for folder in skip}, PAGES):
        relative = page.relative_to(site_dir).as_posix()
        scripts, commented = marked_page_scripts(_read(page))
        for (line, column), kind, value in scripts:
            what = _judge(kind, value, relative, site_dir, theme, reported)
            if what is None:
                continue
            if (line, column) in commented:
                what += f" {IN_COMMENT}"
            if what in findings:
                findings[what].pages += 1
            else:
                findings[what] = _Finding(f"{shown}/{relative}", line, column, what)
    return [_diagnostic(finding, severity) for finding in findings.values()]


def _read(page: Path) -> str:
    """A page's text; a gzipped SVG (``.svgz``) unpacked, as a browser does (unreadable: all of it raw)."""
    data = page.read_bytes()
    if page.name.lower().endswith("z"):
        with contextlib.suppress(OSError, EOFError):
            data = gzip.decompress(data)
    return data.decode("utf-8", errors="replace")



def _judge(kind: str, value: str, page: str, site_dir: Path, theme: ThemeScripts,
           reported: set[str]) -> str | None:
    """What a script of a page is, said for a message; None when it is the theme's own."""
    if kind == "inline":
        return None if theme.owns_inline(value) else f"an inline script ({_excerpt(value)})"
    if kind == "link":
        return None if theme.owns_inline(value) else f"a javascript: link ({_excerpt(value)})"
    if kind == "id":
        return f"a second element with the theme's id {value!r} (the first one wins)"
    if kind == "config":
        return _judge_config(value, page, site_dir, theme)
    if kind == "handler":
        return f"an event handler attribute ({_excerpt(value)})"
    if kind == "frame":
        return f"a frame with a page of its own (srcdoc: {_excerpt(value)})"
    if kind == "base":
        return f"a base address for every relative script ({_excerpt(value)})"
    url = normalised(value)
    if url in reported:
        return None  # named already, at its line in the settings
    parts = urlsplit(url)
    if _elsewhere(url):
        return f"a script from another host ({_excerpt(url)})"
    target = PurePosixPath(unquote(parts.path)) if parts.path.startswith("/") else (
        PurePosixPath(page).parent / unquote(parts.path))
    relative = _within(target)
    if relative is None:
        return f"a script outside the site ({_excerpt(url)})"
    if relative in reported or theme.owns_file(relative, site_dir / relative):
        return None
    return f"a script that is not the theme's ({relative})"


def _judge_config(text: str, page: str, site_dir: Path, theme: ThemeScripts) -> str | None:
    """The theme's settings (``id="__config"``): their search worker must be the theme's own file."""
    try:
        settings = json.loads(text)
    except ValueError:
        settings = None
    search = settings.get("search") if isinstance(settings, dict) else None
    if not isinstance(search, str):
        return f"theme settings (id {CONFIG_ID!r}) not written by the theme ({_excerpt(text) or 'no JSON'})"
    url = normalised(search)
    parts = urlsplit(url)
    relative = None if _elsewhere(url) else _within(
        PurePosixPath(unquote(parts.path)) if parts.path.startswith("/") else
        PurePosixPath(page).parent / unquote(parts.path))
    if relative is None or not relative.startswith(WORKERS) or not theme.owns_file(
            relative, site_dir / relative):
        return f"theme settings (id {CONFIG_ID!r}) with a search worker not the theme's ({_excerpt(search)})"
    return None


def _within(path: PurePosixPath) -> str | None:
    parts: list[str] = []
    for part in path.parts:
        if part in ("", ".", "/"):
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
        else:
            parts.append(part)
    return "/".join(parts)


def _excerpt(text: str, size: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= size else flat[:size - 3] + "..."


def _diagnostic(finding: _Finding, severity: Severity) -> Diagnostic:
    others = finding.pages - 1
    also = f" (and in {plural(others, 'other page')})" if others else ""
    return Diagnostic(finding.path, finding.line, finding.column, severity, CODE,
                      f"{EXPECTED}, got {finding.what}{also}")


def setting_findings(shown: str, positions: Positions, extra_javascript: list[str], theme: ThemeScripts,
                     analytics: object, severity: Severity = Severity.ERROR) -> list[Diagnostic]:
    """``extra_javascript`` entries that are not theme files, and ``extra.analytics``, at their lines.

    Local files count as well as those on other hosts: a file of the program's own runs
    with the theme's rights on the portfolios' host, and the build cannot tell what it does
    (a copied widget, a loader that fetches code from elsewhere).
    """
    found = []
    for index, path in enumerate(extra_javascript):
        if not _elsewhere(path) and theme.has_file(path):
            continue  # a script the theme or its search brings, listed there by a plugin
        line, column = positions.of_value(("extra_javascript", index))
        found.append(Diagnostic(shown, line, column, severity, CODE, f"{EXPECTED}, got '{_excerpt(path)}'",
                                f"extra_javascript[{index}]"))
    if analytics:
        provider = analytics.get("provider") if isinstance(analytics, dict) else None
        line, column = positions.of_value(("extra", "analytics"))
        named = f" ({provider})" if isinstance(provider, str) else ""
        found.append(Diagnostic(shown, line, column, severity, CODE, f"{EXPECTED}, got analytics{named}",
                                "extra.analytics"))
    return found


def _elsewhere(url: str) -> bool:
    parts = urlsplit(normalised(url))
    return bool(parts.scheme or parts.netloc) or normalised(url).startswith("//")
