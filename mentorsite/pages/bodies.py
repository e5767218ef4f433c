"""Record bodies rendered as GitHub Flavored Markdown (GFM), written into a portfolio page's Markdown.

Pairs write the bodies of their records (the Markdown after the front matter) as GFM, the
Markdown of most code hosting, and the site's Markdown reads some of it otherwise: a list
right after a line stays in the line, a list nested by two spaces is flattened, a bare
address is no link, ``:+1:`` stays as it is. So a body is rendered here by a CommonMark
parser with GFM's extensions (tables, strikethrough, autolinks, task lists, alerts,
footnotes), emoji shortcodes written as Unicode characters (never an image, so nothing is
fetched), and the ``!!! note`` admonitions the handbook's Markdown knows. The page's own
Markdown (the templates') is rendered as before.

The body goes into the page as HTML blocks, which the page's Markdown leaves as they are;
the few characters that a Markdown extension reads in raw text (code fences, critic marks,
tabs) are written as character references, which read the same. A body's top-level headings
stay Markdown headings, nested under the page's own, so that the page's table of contents
lists them and gives them their ids as it does every heading; their text is written as
character references too, so that the page's Markdown reads nothing more in it. The page's
HTML is cleaned afterwards like that of any portfolio page (``mentorsite.pages.sanitising``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from mentorsite.pages.checkboxes import named_checkboxes
from mentorsite.pages.sanitising import balanced

if TYPE_CHECKING:  # the parser and the emoji table are loaded when a body is first rendered
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore
    from markdown_it.token import Token

# GFM's alerts, as the theme's admonitions of the same name (it styles all five).
ALERTS = ("note", "tip", "important", "warning", "caution")
_SHORTCODE = re.compile(r":([a-z0-9_+-]+):")
# A link to another page of the site, as a body writes it: a relative path to a Markdown file.
_PAGE_LINK = re.compile(r"(?P<path>(?![a-zA-Z][a-zA-Z0-9+.-]*:|/)[^?#]*?)\.(?i:md|markdown)(?P<rest>[?#].*)?",
                        re.DOTALL)
_NOT_IN_ID = re.compile(r"[^A-Za-z0-9_-]+")
_HTML_HEADING = re.compile(r"(</?h)([1-6])(?=[\s/>])", re.IGNORECASE)
# Read in raw HTML by the page's Markdown: fences (``` and ~~~, before HTML is set aside),
# critic marks ({++ ++}), tabs (expanded to spaces, also in code).
_RAW_READ = str.maketrans({"`": "&#96;", "~": "&#126;", "{": "&#123;", "\t": "&#9;"})
# In a heading's text: every ASCII punctuation character, outside tags and character references.
_HEADING_TEXT = re.compile(r"(<[^>]*>|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);)"
                           r"|([!-/:-@\[-`{-~])")


@functools.cache
def emoji_characters() -> dict[str, str]:
    """Shortcode (without colons) to character: GFM's names (gemoji's) first, then Unicode's English names."""
    import emoji  # noqa: PLC0415 - not loaded by a build that renders no body

    table: dict[str, str] = {}
    fully_qualified = emoji.STATUS["fully_qualified"]
    entries = [(char, data) for char, data in emoji.EMOJI_DATA.items() if data["status"] == fully_qualified]
    for char, data in entries:
        for name in data.get("alias", ()):
            table.setdefault(name.strip(":"), char)
    for char, data in entries:
        table.setdefault(data["en"].strip(":"), char)
    return table


def with_emoji(text: str) -> str:
    """``text`` with each known ``:shortcode:`` replaced by its character; unknown ones stay."""
    table = emoji_characters()
    parts: list[str] = []
    at = 0
    while (found := _SHORTCODE.search(text, at)) is not None:
        char = table.get(found.group(1))
        if char is None:  # its closing colon may open the next one: ':a:+1:'
            parts.append(text[at:found.start() + 1])
            at = found.start() + 1
        else:
            parts += [text[at:found.start()], char]
            at = found.end()
    return "".join(parts) + text[at:]


def _emoji_rule(state: StateCore) -> None:
    """Shortcodes in text, as characters; code spans, code blocks and raw HTML are left as written."""
    for token in state.tokens:
        for child in token.children or ():
            if child.type == "text" and ":" in child.content:
                child.content = with_emoji(child.content)


@functools.cache
def parser() -> MarkdownIt:
    """CommonMark with raw HTML (cleaned later with the page), GFM's extensions and admonitions."""
    # ``maxNesting``: the renderer drops what lies deeper (20 by default, so a list nested 11 deep
    # lost its items). `check` refuses more than 100 levels of indentation, quotes or HTML, and a
    # list level is two of the renderer's (the list and its item): 210 renders all that passes,
    # and keeps its recursion (about three frames a level) well inside Python's limit.
    from markdown_it import MarkdownIt  # noqa: PLC0415 - not loaded by a build that renders no body
    from mdit_py_plugins.admon import admon_plugin  # noqa: PLC0415
    from mdit_py_plugins.gfm import gfm_plugin  # noqa: PLC0415

    markdown = MarkdownIt("commonmark", {"html": True, "maxNesting": 210}).use(gfm_plugin).use(admon_plugin)
    markdown.core.ruler.push("mentorsite_emoji", _emoji_rule)
    # Footnotes as the theme styles them (and numbered as GFM numbers them: 1, not [1]).
    markdown.add_render_rule("footnote_caption", _footnote_number)
    markdown.add_render_rule("footnote_block_open", lambda *_: '<div class="footnote">\n<hr />\n<ol>\n')
    markdown.add_render_rule("footnote_block_close", lambda *_: "</ol>\n</div>\n")
    return markdown


def _footnote_number(_renderer: Any, tokens: Sequence[Token], index: int, *_: Any) -> str:
    meta = tokens[index].meta
    sub = meta.get("subId", -1)
    return f"{meta['id'] + 1}{f':{sub}' if sub > 0 else ''}"


def body_markdown(body: str, levels: int, path: str = "") -> str:
    """``body`` rendered as GFM, as Markdown for a page: HTML blocks and headings.

    Every heading is ``levels`` deeper (at most h6), HTML ones (``<h1>``) too, so that the
    page's title stays its one H1. The record's ``path`` tells apart the footnotes of two
    bodies on one page (the check-ins). An empty body stays empty.
    """
    if not body.strip():
        return ""
    markdown = parser()
    env = {"docId": _NOT_IN_ID.sub("-", PurePosixPath(path).stem) or "body"}
    tokens = markdown.parse(body, env)
    _adjust(tokens, levels)
    parts: list[str] = []
    run: list[Token] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "heading_open" and token.level == 0:
            parts.append(_html_block(markdown, run, env))
            run = []
            parts.append(_heading(markdown, token, tokens[index + 1], env))
            index += 3  # heading_open, inline, heading_close
            continue
        run.append(token)
        index += 1
    parts.append(_html_block(markdown, run, env))
    return "\n\n".join(part for part in parts if part)


def _adjust(tokens: Sequence[Token], levels: int) -> None:
    """Headings nested, strikethrough as GFM's ``del``, links to pages as the site names them,
    alerts as the theme's admonitions."""
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + levels)}"
        elif token.type in ("s_open", "s_close"):
            token.tag = "del"
        elif token.type in ("html_block", "html_inline"):
            token.content = _HTML_HEADING.sub(
                lambda found: f"{found.group(1)}{min(6, int(found.group(2)) + levels)}", token.content)
        elif token.type == "link_open":
            token.attrSet("href", page_link(str(token.attrGet("href") or "")))
        elif token.type == "alert_open":
            kind = str(token.info).lower()
            token.attrSet("class", f"admonition {kind if kind in ALERTS else 'note'}")
        elif token.type == "alert_title_open":
            token.attrSet("class", "admonition-title")
        if token.children:
            _adjust(token.children, levels)


def page_link(href: str) -> str:
    """A link to a record's page as the private sites name it: ``x.md#a`` is ``x.html#a``.

    The page's Markdown turns the links it reads into those of its pages; a body's links are
    HTML to it, so this does the same here, as the private sites name their pages (every
    page at its source's name, with .html: ``use_directory_urls`` is off).
    """
    found = _PAGE_LINK.fullmatch(href)
    return f"{found.group('path')}.html{found.group('rest') or ''}" if found and found.group("path") else href


def _html_block(markdown: MarkdownIt, tokens: list[Token], env: dict[str, str]) -> str:
    """Tokens as one HTML block that the page's Markdown keeps as it is."""
    if not tokens:
        return ""
    # Balanced first: the body's own HTML may not end the block it is put in (a stray </div>
    # would hand the rest of the body back to the page's Markdown, to be read as Markdown).
    rendered = named_checkboxes(balanced(markdown.renderer.render(tokens, markdown.options, env)))
    return f'<div class="mentorsite-body">\n{rendered.translate(_RAW_READ).strip()}\n</div>'


def _heading(markdown: MarkdownIt, opening: Token, inline: Token, env: dict[str, str]) -> str:
    """A heading as a Markdown heading of its level, its text as HTML the page's Markdown reads as it is."""
    from markdown_it.renderer import RendererHTML  # noqa: PLC0415

    renderer = markdown.renderer
    assert isinstance(renderer, RendererHTML)
    text = renderer.renderInline(inline.children or [], markdown.options, env)
    text = _HEADING_TEXT.sub(lambda found: found.group(1) or f"&#{ord(found.group(2))};", text)
    text = " ".join(text.split())
    return f"{'#' * int(opening.tag[1])} {text}".rstrip()
