"""Cleaning the HTML of portfolio pages, whose text comes from pair records.

A pair's records may hold any Markdown and HTML: a pasted snippet, or a hostile one. Each
portfolio page's content is cleaned with nh3 against an allowlist of what the portfolio
templates and Markdown produce, so that no script, event handler, ``javascript:`` URL,
frame, form, style sheet or request to another host survives, whatever the page's
Content-Security-Policy (a preview has none, nor has a host that serves an export as it is).

The cleaning holds by itself because every value it keeps is read the way a browser reads
it: a URL is normalised as the browser parses it and written back in that form, a style or
an SVG paint keeps only values that can name no resource, and every id of the content is
prefixed so that it can never stand for one of the theme's elements.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from typing import Protocol

import nh3

# Inline SVG of the charts (charts.py).
SVG_TAGS = {"svg", "g", "title", "desc", "rect", "line", "polyline", "circle", "text"}
SVG_ATTRIBUTES = {"xmlns", "viewBox", "width", "height", "x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r",
                  "points", "fill", "fill-opacity", "stroke", "stroke-width", "stroke-dasharray",
                  "stroke-opacity", "font-size", "font-family", "text-anchor"}
# Task lists (pymdownx.tasklist) draw a disabled checkbox in a label.
FORM_TAGS = {"label", "input"}
TAGS = (nh3.ALLOWED_TAGS | SVG_TAGS | FORM_TAGS) - {"area", "map"}
ATTRIBUTES = {
    **{tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()},
    "*": {"class", "id", "title", "role", "style", "lang", "dir"} | SVG_ATTRIBUTES,
    "input": {"disabled", "checked"},
}
# The only value an input's type may take; any other type is dropped (an empty text box, in no form).
ATTRIBUTE_VALUES = {"input": {"type": {"checkbox"}}}
STYLE_PROPERTIES = {"fill", "max-width", "list-style"}
URL_SCHEMES = {"http", "https", "mailto"}

# What the allowlist above lets through that names a URL, and why each is safe:
# - img src: fetched by the browser on its own. Only this site's own files: a relative path
#   that stays inside the site (checked against the page's depth); anything with a scheme,
#   a host or a path from the server's root is dropped.
# - a href: followed only when the reader clicks, so a link may lead to another host (with
#   rel="noopener noreferrer"); its scheme must be one of URL_SCHEMES. A link within the
#   site has its fragment prefixed like the ids it points to.
# - blockquote, del, ins, q cite: never fetched nor followed by a browser; held to the same
#   rule as a link.
# - style: may name an image (list-style) or a paint server (fill); only values made of
#   keywords, numbers, colours and STYLE_FUNCTIONS are kept (no url(), image(), image-set(),
#   CSS escapes, comments, @import, expression(), quotes).
# - fill, stroke (SVG paint, which may be url()): colours only.
# - xmlns: no fetch (the HTML parser ignores it); only the SVG namespace.
# Attributes that fetch by themselves and are not in the allowlist, so never kept: srcset,
# sizes, poster, background, longdesc, lowsrc, dynsrc, usemap, ping, action, formaction,
# data, codebase, manifest, icon; clip-path, mask, filter and marker-* (which take url()).
# No allowed tag fetches by itself but img (no image, use, feImage, pattern, video, audio,
# source, track, picture, object, embed, iframe, link); on an SVG a, xlink:href is its href.
FETCHED = {("img", "src")}
LINKED = {"href", "cite"}
PAINTS = {"fill", "stroke"}
SVG_NAMESPACE = "http://www.w3.org/2000/svg"

# Every id of the content gets this prefix, and so does every reference to one (in-page
# links, idref attributes, the page's table of contents). The theme's own ids all start
# with "__" (its templates: __config, __drawer, __search, __toc, __palette_N, __nav_N...;
# its script: __code_N, __mermaid_N, __tabbed_N, __codelineno-N), and a name with "-" is
# no script identifier, so no record can stand for an element or a global the theme reads.
ID_PREFIX = "r-"
IDREFS = {"headers", "aria-labelledby", "aria-describedby", "aria-controls", "aria-owns", "aria-flowto",
          "aria-activedescendant", "aria-details", "aria-errormessage"}
# Classes the theme acts on: its own components ("md-"), and "mermaid", which makes its
# script load a diagram library from another host.
THEME_CLASS = re.compile(r"md-.*|mermaid", re.IGNORECASE)

STYLE_FUNCTIONS = {"var", "calc", "min", "max", "clamp", "rgb", "rgba", "hsl", "hsla"}
STYLE_VALUE = re.compile(r"[a-zA-Z0-9#%.,()\s+*/-]*")
FUNCTION = re.compile(r"([a-zA-Z_-][a-zA-Z0-9_-]*)?\s*\(")
COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}|[a-zA-Z]+|(?:rgba?|hsla?)\([0-9.%\s,/+-]*\)")

# How a browser reads a URL (the URL Standard): C0 controls and spaces around it stripped,
# tabs and line breaks anywhere removed, and, in a URL of a special scheme or relative to
# one (every page here is http or https), "\" read as "/" before the query.
SURROUNDING = "".join(chr(code) for code in range(0x21))
TABS_AND_BREAKS = re.compile(r"[\t\n\r]")
SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
SPECIAL_SCHEMES = {"http", "https", "ws", "wss", "ftp", "file"}
DOUBLE_DOTS = {"..", ".%2e", "%2e.", "%2e%2e"}
SINGLE_DOTS = {".", "%2e"}


def browser_url(value: str) -> str:
    """``value`` (an attribute value, entities already decoded) as the browser parses it."""
    url = TABS_AND_BREAKS.sub("", value.strip(SURROUNDING))
    scheme = SCHEME.match(url)
    if scheme and scheme.group(1).lower() not in SPECIAL_SCHEMES:
        return url
    end = min((i for i in (url.find("?"), url.find("#")) if i >= 0), default=len(url))
    return url[:end].replace("\\", "/") + url[end:]


def stays_in_site(url: str, depth: int) -> bool:
    """True when ``url`` (normalised) names a file of this site from a page ``depth`` folders deep.

    That is a relative path without scheme or host, not from the server's root, whose ``..``
    segments (also percent-encoded, as the browser reads them) never climb above the site.
    """
    if SCHEME.match(url) or url.startswith("/"):
        return False
    level = depth
    for segment in re.split(r"[?#]", url, maxsplit=1)[0].split("/"):
        lowered = segment.lower()
        if lowered in DOUBLE_DOTS:
            level -= 1
            if level < 0:
                return False
        elif lowered not in SINGLE_DOTS:
            level += 1
    return True


def _link(url: str, depth: int) -> str | None:
    scheme = SCHEME.match(url)
    if scheme and scheme.group(1).lower() not in URL_SCHEMES:
        return None
    path, _, fragment = url.partition("#")
    if fragment and (not path or stays_in_site(path, depth)):
        return f"{path}#{ID_PREFIX}{fragment}"
    return url


def _style(value: str) -> str | None:
    kept = []
    for declaration in value.split(";"):
        name, colon, style = declaration.partition(":")
        style = style.strip()
        if colon and name.strip().lower() in STYLE_PROPERTIES and _plain_style(style):
            kept.append(f"{name.strip().lower()}:{style}")
    return ";".join(kept) or None


def _plain_style(value: str) -> bool:
    """True when the value can name no resource: no function but STYLE_FUNCTIONS, no escape or comment."""
    if not value or "/*" in value or not STYLE_VALUE.fullmatch(value):
        return False
    return all((match.group(1) or "").lower() in STYLE_FUNCTIONS for match in FUNCTION.finditer(value))


def _keep(tag: str, name: str, value: str, depth: int) -> str | None:
    """The value written for one attribute nh3 keeps, or None to drop it."""
    if name == "id":
        return ID_PREFIX + value if value else None
    if name in IDREFS:
        return " ".join(ID_PREFIX + ref for ref in value.split()) or None
    if name == "class":
        return " ".join(c for c in value.split() if not THEME_CLASS.fullmatch(c)) or None
    if (tag, name) in FETCHED:
        url = browser_url(value)
        return url if stays_in_site(url, depth) else None
    if name in LINKED:
        return _link(browser_url(value), depth)
    if name == "style":
        return _style(value)
    if name in PAINTS:
        return value if COLOUR.fullmatch(value.strip()) else None
    if name == "xmlns":
        return value if value == SVG_NAMESPACE else None
    return value


@functools.cache
def _cleaner(depth: int) -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=TAGS, clean_content_tags={"script", "style"}, attributes=ATTRIBUTES,
        attribute_filter=lambda tag, name, value: _keep(tag, name, value, depth),
        generic_attribute_prefixes={"aria-"}, tag_attribute_values=ATTRIBUTE_VALUES,
        url_schemes=URL_SCHEMES, filter_style_properties=STYLE_PROPERTIES,
    )


@functools.cache
def _balancer() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=TAGS, clean_content_tags={"script", "style"}, attributes=ATTRIBUTES,
        generic_attribute_prefixes={"aria-"}, tag_attribute_values=ATTRIBUTE_VALUES,
        url_schemes=URL_SCHEMES, filter_style_properties=STYLE_PROPERTIES, link_rel=None,
    )


def balanced(html: str) -> str:
    """A fragment of HTML as a browser reads it, every element closed where it ends: a stray end
    tag (``</div>``) is dropped, so the fragment cannot close an element it is put in. What the
    page's cleaning would take out goes too; the page is cleaned in full later all the same."""
    return str(_balancer().clean(html))


def sanitise(html: str, page_url: str = "") -> str:
    """The HTML with everything that could run, frame, submit or call another host removed.

    ``page_url`` is the page's address within its site (``sessions/2026-02-03.html``): an
    image may only name a file of the site, and only a link within the site has its
    fragment prefixed.
    """
    return str(_cleaner(page_url.count("/")).clean(html))


class Anchor(Protocol):
    """An entry of a page's table of contents: the id of a heading, and the entries under it."""

    id: str

    @property
    def children(self) -> Sequence[Anchor]: ...


def prefix_anchors(anchors: Iterable[Anchor]) -> None:
    """Give the table of contents the ids that :func:`sanitise` writes in the page."""
    for anchor in anchors:
        anchor.id = ID_PREFIX + anchor.id
        prefix_anchors(anchor.children)
