"""Scripts that would share a host name with the encrypted portfolios.

A browser gives every script of one origin (scheme, host name, port) the same rights: any
of them can read what the unlock page keeps for an open portfolio, open its pages in a
frame and read them, or register a service worker of its own. So the encrypted portfolios
may share their origin with the handbook only when the handbook runs no script but the
theme's own. This module finds the others: in the settings (``extra_javascript``,
``extra.analytics``) and in every page of the built handbook, so that a theme override, a
plugin or raw HTML in a guideline is seen too.

The theme's own scripts are learnt from the theme's template files (without the program's
overrides, and without the theme's integrations of outside services such as analytics);
an inline script counts as the theme's when it is one of them with only the text of those
string literals changed that the template fills in (relative paths and values of the settings
are written there), and none of those names a scheme (``javascript:``), another host or holds
an escape sequence: the theme's redirect script, say, takes a path, never code.

Comments, CDATA sections and other markup declarations hide nothing: browsers end a comment
in more ways than a regular expression can follow (``<!-->``, ``--!>``), so their inside is
read as markup too (a script left in a real comment is then reported: delete it).
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import gzip
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatch
from html import unescape
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from mentorsite.model.diagnostics import Diagnostic, Severity
from mentorsite.reading.sources import Positions

CODE = "shared-origin"
EXPECTED = "expected only the theme's own scripts on the host name of the encrypted portfolios"
# What a static host serves as HTML, XHTML, SVG or XML, where a browser runs scripts (names lowered).
PAGES = ("*.html", "*.htm", "*.xhtml", "*.xht", "*.shtml", "*.shtm", "*.svg", "*.svgz", "*.xml", "*.xsl",
         "*.xslt", "*.rss", "*.atom", "*.rdf", "*.mht", "*.mhtml", "*.mathml", "*.mml")
INTEGRATIONS = "integrations"  # the theme's partials that load outside services (analytics)
DATA_TYPES = ("application/json", "application/ld+json")  # script elements that never run
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "data")
_STRING = re.compile(r""""(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`""", re.DOTALL)
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_TEMPLATE_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.DOTALL | re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x20]")
# A start tag with its attributes (quoted values may hold '>'). Comments are not skipped: their
# inside is read as markup too (fail closed), and so are CDATA sections and declarations.
_TAG = re.compile(r"""<([a-zA-Z][^\s/>]*)((?:[^>"']|"[^"]*"|'[^']*')*)>""", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
IN_COMMENT = "in an HTML comment (a browser may end one sooner than it seems: delete the comment)"
_HOLE = "\x00"  # where a template writes a value (a Jinja expression), while it is learnt
_SCHEME = re.compile(r"[a-z][a-z0-9+.\-]*:")
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


def canonical(script: str) -> str:
    """A script with the text of each string literal left out, and no surrounding space."""
    return _STRING.sub(lambda match: match.group(0)[0] * 2, script).strip()


Shape = tuple["re.Pattern[str] | None", ...]
"""The string literals of a theme script in order: the text each must have, or None where the
template writes a value (any text that is safe, see ``_safe_value``)."""


def _learnt(template: str) -> tuple[str, Shape]:
    """A template's script in canonical form (Jinja outside strings left out) and its literals."""
    marked = _JINJA.sub(_HOLE, template)
    shape: list[re.Pattern[str] | None] = []
    for literal in _STRING.findall(marked):
        text = literal[1:-1]
        shape.append(None if _HOLE in text else re.compile(re.escape(text)))
    return canonical(marked.replace(_HOLE, "")), tuple(shape)


def _safe_value(text: str) -> bool:
    """Whether a value the theme's template wrote into a string literal can carry no code nor leave
    the origin: no escape sequence (which could spell anything), no scheme (``javascript:``,
    ``data:``, ``https:``) and no other host (``//host``), read as a browser reads a URL."""
    if "\\" in text:
        return False
    url = _normalised(text.strip()).casefold()
    return not _SCHEME.match(url) and not url.startswith("//")


def _fits(script: str, shapes: frozenset[Shape]) -> bool:
    """Whether the literals of ``script`` are those of one of the theme's scripts of its form."""
    literals = [literal[1:-1] for literal in _STRING.findall(script)]
    return any(len(shape) == len(literals) and all(
        _safe_value(text) if pattern is None else pattern.fullmatch(text) is not None
        for pattern, text in zip(shape, literals, strict=True)) for shape in shapes)


@dataclass(frozen=True)
class ThemeScripts:
    """What the theme itself runs: its files, and its inline scripts in canonical form."""

    folders: tuple[Path, ...]
    """The theme's folders, the program's overrides left out."""
    overrides: Path | None = None
    inline: frozenset[str] = frozenset()
    shapes: tuple[tuple[str, frozenset[Shape]], ...] = ()
    """For each inline script in canonical form, the literals it may have."""

    def owns_inline(self, script: str) -> bool:
        """Whether ``script`` is one of the theme's, with only the values its template writes changed."""
        form = canonical(script)
        if form not in self.inline:
            return False
        return any(_fits(script, shapes) for known, shapes in self.shapes if known == form)

    @classmethod
    def learn(cls, folders: Iterable[Path], overrides: Path | None) -> ThemeScripts:
        """The inline scripts (and ``javascript:`` links) of every template of the theme."""
        theme = tuple(folder.resolve() for folder in folders
                      if overrides is None or folder.resolve() != overrides.resolve())
        found: dict[str, set[Shape]] = {}
        for folder in theme:
            for template in _pages(folder, set(), ("*.html",), hidden=False):
                if INTEGRATIONS in template.relative_to(folder).parts:
                    continue
                text = template.read_text(encoding="utf-8", errors="replace")
                bodies = [body for attributes, body in _TEMPLATE_SCRIPT.findall(text)
                          if "src=" not in attributes and not any(kind in attributes for kind in DATA_TYPES)]
                for body in [*bodies, *re.findall(r'href="javascript:([^"]*)"', text)]:
                    form, shape = _learnt(body)
                    found.setdefault(form, set()).add(shape)
        return cls(theme, overrides.resolve() if overrides else None, frozenset(found),
                   tuple((form, frozenset(shapes)) for form, shapes in found.items()))

    def has_file(self, relative: str) -> bool:
        """Whether the theme has a file at ``relative`` that the program does not override."""
        if self.overrides is not None and (self.overrides / relative).exists():
            return False
        return any((folder / relative).is_file() for folder in self.folders)

    def owns_file(self, relative: str, served: Path) -> bool:
        """Whether the file served at ``relative`` is a theme file, unchanged and not overridden."""
        return _owns_file(self, relative, served)


@functools.cache
def _owns_file(theme: ThemeScripts, relative: str, served: Path) -> bool:
    """One comparison per script file and build, however many pages load it."""
    if theme.overrides is not None and (theme.overrides / relative).exists():
        return False
    try:
        data = served.read_bytes()
    except OSError:
        return False
    return any((folder / relative).is_file() and (folder / relative).read_bytes() == data
               for folder in theme.folders)


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
            elif name in URL_ATTRIBUTES and _normalised(value).lower().startswith("javascript:"):
                found.append((where, "link", _normalised(value)[len("javascript:"):]))
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


def _normalised(url: str) -> str:
    """A URL as a browser reads it: no control characters or spaces, backslashes as slashes."""
    return _CONTROL.sub("", url).replace("\\", "/")


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
    for page in _pages(site_dir, {folder.resolve() for folder in skip}):
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


def _pages(site_dir: Path, skipped: set[Path], patterns: tuple[str, ...] = PAGES, *,
           hidden: bool = True) -> list[Path]:
    """The files of ``patterns`` under ``site_dir`` in name order, outside ``skipped``.

    ``hidden=False`` leaves out hidden folders (where a theme keeps its thousands of icons).
    """
    pages = []
    for walked, folders, files in os.walk(site_dir):
        root = Path(walked)
        folders[:] = [name for name in folders
                      if (hidden or not name.startswith(".")) and (root / name).resolve() not in skipped]
        pages += [root / name for name in files
                  if any(fnmatch(name.lower(), pattern) for pattern in patterns)]
    return sorted(pages)


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
    url = _normalised(value)
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
    url = _normalised(search)
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
    also = f" (and in {others} other page{'s' if others != 1 else ''})" if others else ""
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
    parts = urlsplit(_normalised(url))
    return bool(parts.scheme or parts.netloc) or _normalised(url).startswith("//")
