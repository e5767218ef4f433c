"""What a whole page, or a stylesheet, would fetch from another host, found and taken out.

A record's content is cleaned by ``mentorsite.pages.sanitising``; the rest of a private page comes
from the program's theme customisation (``custom_dir`` overrides, local ``extra_css``), which
a program writes for its public handbook and may load from anywhere. A private page must
request nothing from another host with or without its Content-Security-Policy (a preview, a
zip served by a host that honours none), so the whole page is scanned as the browser parses
it: every tag that would fetch from another host is removed (a ``<script>``, ``<iframe>`` or
``<video>`` with what it holds); on a tag that only carries such a value in an attribute
(``style``, ``background``) that attribute goes; and a stylesheet that fetches from another
host (``@import``, ``url()``, ``image-set()``, after CSS escapes) is left out of private sites.

Comments, CDATA sections, declarations and processing instructions hide nothing: browsers end
a comment where Python's parser may not (``<!-->``, ``<!--->``, ``--!>``), and read CDATA as a
bogus comment in HTML, so what the parser takes for one is read as markup too (fail closed).
A ``ping`` attribute (a request on every click of a link) counts as a fetch.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from html import escape, unescape
from html.parser import HTMLParser

from mentorsite.pages.sanitising import SCHEME, browser_url

# The tags removed whole when they would fetch from another host (void ones have no end tag).
# Others keep their content and lose the attribute.
REMOVED = {"script", "link", "img", "iframe", "frame", "object", "embed", "source", "track", "video", "audio",
           "input", "base", "meta", "image", "use", "feimage", "style", "picture"}
VOID = {"link", "img", "embed", "source", "track", "input", "base", "meta", "frame"}
# Attributes a browser fetches by itself (on any tag that has them), and those it fetches on some tags.
FETCHED = {"src", "srcset", "imagesrcset", "data", "poster", "background", "xlink:href", "codebase"}
FETCHED_HREF = {"link", "base", "image", "use", "feimage", "script"}
LISTS = {"ping"}  # attributes holding URLs separated by spaces
REFRESH = re.compile(r"\s*\d*\s*[;,]?\s*(?:url\s*=\s*)?['\"]?([^'\"]*)", re.IGNORECASE)

CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})[ \t\n\r\f]?|\\(.)", re.DOTALL)
CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.DOTALL)
# Where CSS takes a URL: url() and src() arguments, the string of an @import, and the strings
# in the functions that take URLs as strings (image-set(), image(), cross-fade()).
CSS_URL = re.compile(r"""(?:url|src)\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"]*?))\s*(?:\)|$)"""
                     r"""|@import\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
CSS_IMAGE_FUNCTION = re.compile(r"(?:-webkit-)?(?:image-set|image|cross-fade)\(", re.IGNORECASE)
CSS_STRING = re.compile(r""""([^"]*)"|'([^']*)'""")


def names_another_host(value: str) -> bool:
    """Whether a browser would fetch ``value`` (an attribute value, entities decoded) from another host.

    Read as the browser reads it (``browser_url``): any URL with a scheme (but ``data:``,
    which fetches nothing) or from another host (``//host``, also written ``/\\host``).
    """
    url = browser_url(value)
    scheme = SCHEME.match(url)
    if scheme:
        return scheme.group(1).lower() != "data"
    return url.startswith("//")


def css_fetches_elsewhere(css: str) -> str | None:
    """The first URL in a stylesheet (or a style attribute) that names another host, else None.

    CSS escapes are decoded and comments dropped first, as the browser reads the text.
    """
    text = CSS_ESCAPE.sub(_unescape, CSS_COMMENT.sub("", css))
    urls = [next(group for group in found.groups() if group is not None) for found in CSS_URL.finditer(text)]
    for function in CSS_IMAGE_FUNCTION.finditer(text):
        arguments = _arguments(text, function.end())
        urls += [next(group for group in found.groups() if group is not None)
                 for found in CSS_STRING.finditer(arguments)]
    return next((url for url in urls if names_another_host(url)), None)


def _arguments(text: str, start: int) -> str:
    """The text from ``start`` up to the parenthesis that closes the one just before it."""
    depth = 1
    for index in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[index], 0)
        if depth == 0:
            return text[start:index]
    return text[start:]


def _unescape(found: re.Match[str]) -> str:
    if found.group(1) is None:
        return "" if found.group(2) == "\n" else found.group(2)
    code = int(found.group(1), 16)
    return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"


@dataclass(frozen=True)
class Fetch:
    """A tag that would fetch from another host: its name, the attribute, and the URL it names."""

    tag: str
    attribute: str
    url: str

    def __str__(self) -> str:
        return f"<{self.tag} {self.attribute}>" if self.attribute else f"<{self.tag}>"


# A quick look first, as parsing a whole page costs more than building it: every attribute
# the parser could read as one of those above (on any tag, with any quoting, "=" repeated; the
# name after a quote, a space or "/", as the parser reads it), and every style element. Names
# are found in the page's bytes lowered (ASCII only, so that every offset stays), values are
# read as written (entities such as &NewLine; have a case). Only when one of them could name
# another host is the page parsed.
ATTRIBUTE = re.compile(rb"""(?<=[\s"'/])(src|srcset|imagesrcset|data|poster|background|xlink:href|codebase|"""
                       rb"""href|style|content|ping)\s*=+\s*(?:"([^"]*)"|'([^']*)'|([^\s>]*))""")
STYLE_ELEMENT = re.compile(rb"<style\b[^>]*>(.*?)(?:</style|\Z)", re.DOTALL)


def remove_fetches(html: str, clean: str = "") -> tuple[str, list[Fetch]]:
    """The page without anything that would fetch from another host, and what was taken out.

    ``clean`` is a part of the page known to fetch nothing from another host (a record's
    content, cleaned already): the quick look leaves it out, the parse (if any) does not.
    """
    if not _may_fetch(html.replace(clean, "", 1) if clean else html):
        return html, []
    finder = _FetchFinder(html)
    finder.feed(html)
    finder.close()
    kept, last = [], 0
    for start, end, replacement in sorted(finder.cuts):
        if start < last:
            continue  # inside an element removed whole
        kept += [html[last:start], replacement]
        last = end
    kept.append(html[last:])
    return "".join(kept), finder.found


def _may_fetch(text: str) -> bool:
    """False only when no attribute or style element in ``text`` can name another host, whatever its tag."""
    written = text.encode("utf-8", "surrogatepass")
    lowered = written.lower()
    for found in ATTRIBUTE.finditer(lowered):
        group = next(index for index in (2, 3, 4) if found.group(index) is not None)
        value = written[found.start(group):found.end(group)].decode("utf-8", "surrogatepass")
        if _attribute_may_fetch(found.group(1).decode("ascii"), value):
            return True
    return any(css_fetches_elsewhere(written[found.start(1):found.end(1)].decode("utf-8", "surrogatepass"))
               is not None for found in STYLE_ELEMENT.finditer(lowered))


@functools.lru_cache(maxsize=4096)  # pages of one build share most of their attributes
def _attribute_may_fetch(name: str, raw: str) -> bool:
    value = unescape(raw)
    if name == "style":
        return css_fetches_elsewhere(value) is not None
    if name == "content":
        refresh = REFRESH.match(value)
        return bool(refresh and refresh.group(1) and names_another_host(refresh.group(1)))
    if name in ("srcset", "imagesrcset"):
        return any(names_another_host(part.split()[0]) for part in value.split(",") if part.split())
    if name in LISTS:
        return any(names_another_host(url) for url in value.split())
    return names_another_host(value)


class _FetchFinder(HTMLParser):
    """Where the fetching tags are, as (start, end, replacement) cuts of the page's text."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.html = html
        self.lines = [0]
        for line in html.split("\n")[:-1]:
            self.lines.append(self.lines[-1] + len(line) + 1)
        self.cuts: list[tuple[int, int, str]] = []
        self.found: list[Fetch] = []
        self.open: tuple[str, int] | None = None  # a removed element whose end tag is to come: tag, start
        self.depth = 0
        self.style: tuple[int, int] | None = None  # a <style> element: where it starts, where its text does
        self.style_text: list[str] = []

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.lines[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closed=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closed=True)

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], *, closed: bool) -> None:
        start = self._offset()
        end = start + len(self.get_starttag_text() or "")
        if self.open is not None:
            self.depth += tag == self.open[0] and not closed
            return
        if tag == "style" and not closed:
            self.style, self.style_text = (start, end), []
        fetches = [Fetch(tag, name, url) for name, value in attrs
                   if (url := _fetched(tag, name, value or "", attrs))]
        if not fetches:
            return
        self.found += fetches
        if tag not in REMOVED:
            names = {fetch.attribute for fetch in fetches}
            kept = [(name, value) for name, value in attrs if name not in names]
            self.cuts.append((start, end, _start_tag(tag, kept, closed)))
        elif closed or tag in VOID:
            self.cuts.append((start, end, ""))
        else:
            self.open, self.depth, self.style = (tag, start), 1, None

    # What the parser takes for a comment, a CDATA section, a declaration or a processing
    # instruction is read as markup too: a browser may end it sooner (``<!-->``, ``--!>``).
    def handle_comment(self, data: str) -> None:
        self._inside(data)

    def handle_decl(self, decl: str) -> None:
        self._inside(decl)

    def unknown_decl(self, data: str) -> None:
        self._inside(data)

    def handle_pi(self, data: str) -> None:
        self._inside(data)

    def _inside(self, data: str) -> None:
        if self.open is not None or not data or not _may_fetch(data):
            return
        base = self.html.find(data, self._offset())
        if base < 0:  # not found as written (never seen): the start of the markup up to its end goes
            start = self._offset()
            self.found.append(Fetch("!--", "", data))
            self.cuts.append((start, self._end_of_tag(), ""))
            return
        inner = _FetchFinder(data)
        inner.feed(data)
        inner.close()
        self.found += inner.found
        self.cuts += [(base + start, base + end, replacement) for start, end, replacement in inner.cuts]

    def handle_data(self, data: str) -> None:
        if self.style is not None:
            self.style_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self.open is not None and tag == self.open[0]:
            self.depth -= 1
            if self.depth == 0:
                self.cuts.append((self.open[1], self._end_of_tag(), ""))
                self.open = None
        elif self.style is not None and tag == "style":
            url = css_fetches_elsewhere("".join(self.style_text))
            if url is not None:
                self.found.append(Fetch("style", "", url))
                self.cuts.append((self.style[0], self._end_of_tag(), ""))
            self.style = None

    def _end_of_tag(self) -> int:
        end = self.html.find(">", self._offset())
        return len(self.html) if end < 0 else end + 1

    def close(self) -> None:
        super().close()
        if self.open is not None:  # never closed: the start tag at least goes
            start = self.open[1]
            self.cuts.append((start, self.html.find(">", start) + 1 or len(self.html), ""))


def _fetched(tag: str, name: str, value: str, attrs: list[tuple[str, str | None]]) -> str | None:
    """The URL on another host that this attribute makes the browser fetch, else None."""
    if name == "style":
        return css_fetches_elsewhere(value)
    if name in ("srcset", "imagesrcset"):
        urls = [candidate.split()[0] for candidate in value.split(",") if candidate.split()]
    elif name in LISTS:
        urls = value.split()
    elif name in FETCHED or (name == "href" and tag in FETCHED_HREF):
        urls = [value]
    elif tag == "meta" and name == "content" and any(
            n == "http-equiv" and (v or "").lower() == "refresh" for n, v in attrs):
        refresh = REFRESH.match(value)
        urls = [refresh.group(1)] if refresh and refresh.group(1) else []
    else:
        return None
    return next((url for url in urls if names_another_host(url)), None)


def _start_tag(tag: str, attrs: list[tuple[str, str | None]], closed: bool) -> str:
    written = "".join(f" {name}" if value is None else f' {name}="{escape(value)}"' for name, value in attrs)
    return f"<{tag}{written}{' /' if closed else ''}>"
