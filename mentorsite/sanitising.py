"""Cleaning the HTML of portfolio pages, whose text comes from pair records.

A pair's records may hold any Markdown and HTML: a pasted snippet, or a hostile one. Each
portfolio page's content is cleaned with nh3 against an allowlist of what the portfolio
templates and Markdown produce, so that no script, event handler, ``javascript:`` URL,
frame, form, style sheet or request to another host survives, whatever the page's
Content-Security-Policy (a preview has none).
"""

from __future__ import annotations

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
# The only values a checkbox's type may take; any other input is dropped with its type.
ATTRIBUTE_VALUES = {"input": {"type": {"checkbox"}}}
STYLE_PROPERTIES = {"fill", "max-width", "list-style"}
URL_SCHEMES = {"http", "https", "mailto"}
# Attributes whose URL the browser fetches on its own: only this site's files may be named.
FETCHED = {("img", "src")}


def _keep(tag: str, name: str, value: str) -> str | None:
    if (tag, name) in FETCHED and (":" in value.split("/", 1)[0] or value.startswith("//")):
        return None  # a URL with a scheme or a host: another site
    return value


_CLEANER = nh3.Cleaner(
    tags=TAGS, clean_content_tags={"script", "style"}, attributes=ATTRIBUTES,
    attribute_filter=_keep,
    generic_attribute_prefixes={"aria-"}, tag_attribute_values=ATTRIBUTE_VALUES,
    url_schemes=URL_SCHEMES, filter_style_properties=STYLE_PROPERTIES,
)


def sanitise(html: str) -> str:
    """The HTML with everything that could run, frame, submit or call another host removed."""
    return str(_CLEANER.clean(html))
