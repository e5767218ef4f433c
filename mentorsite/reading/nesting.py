"""How deeply a record's Markdown nests, checked before anything renders it.

The Markdown renderer goes one level of Python recursion deeper for each nested list,
quote or Markdown-in-HTML block, and a few hundred levels exhaust the interpreter's stack.
No real text nests anywhere near ``MAX_LEVELS``; ``check`` refuses text that does, at the
line where it goes too deep, so that no build ever tries to render it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_LEVELS = 100  # far below what exhausts the renderer (about 250 list levels), far above any text
TAB = 4  # columns of a tab, as the renderer counts them
INDENT_PER_LEVEL = 4  # columns a nested list or code block adds
QUOTE = re.compile(r"[ \t]*>")
# A block of HTML whose content is Markdown: md_in_html renders each such block by recursion.
MARKDOWN_BLOCK_OPEN = re.compile(r"^\s*<([A-Za-z][\w-]*)\b[^>]*\bmarkdown\b[^>]*>", re.IGNORECASE)
BLOCK_CLOSE = re.compile(r"</([A-Za-z][\w-]*)\s*>")


@dataclass(frozen=True)
class TooDeep:
    line: int  # 0-based, in the text given
    column: int  # 1-based
    message: str


# Signs the renderer matches with their closing sign by searching ahead: a few thousand left open
# take it minutes (each open '[' is tried as a link against the rest of the text), and every open
# HTML element costs the cleaning more. No text holds this many open at once.
MAX_OPEN = 500
OPENING = re.compile(r"[\[\]()]|<(/?)([A-Za-z][\w-]*)\b[^<>]*(>?)")  # a tag never ended is left open too
VOID_ELEMENTS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                           "source", "track", "wbr"})
OPEN_SIGNS = {"[": "brackets '['", "(": "parentheses '('", "<": "HTML elements"}


def too_deep(text: str) -> TooDeep | None:
    """The first place where ``text`` nests more than ``MAX_LEVELS`` levels, or holds more than
    ``MAX_OPEN`` brackets, parentheses or HTML elements open at once; None when it does neither."""
    if len(text) < MAX_LEVELS:
        return None  # too short to nest that deep
    return _levels_too_deep(text) or _too_many_open(text)


def _too_many_open(text: str) -> TooDeep | None:
    open_count = {"[": 0, "(": 0, "<": 0}
    for found in OPENING.finditer(text):
        sign = found.group(0)
        if sign in "[(":
            kind = sign
        elif sign in "])":
            kind = "[" if sign == "]" else "("
            open_count[kind] = max(0, open_count[kind] - 1)
            continue
        else:
            kind = "<"
            ended = bool(found.group(3))
            if ended and (found.group(2).lower() in VOID_ELEMENTS or sign.endswith("/>")):
                continue
            if ended and found.group(1):
                open_count[kind] = max(0, open_count[kind] - 1)
                continue
        open_count[kind] += 1
        if open_count[kind] > MAX_OPEN:
            line = text.count("\n", 0, found.start())
            column = found.start() - (text.rfind("\n", 0, found.start()) + 1) + 1
            return TooDeep(line, column, f"expected at most {MAX_OPEN} {OPEN_SIGNS[kind]} open at once, got "
                                         "more; the text would take too long to render")
    return None


def _levels_too_deep(text: str) -> TooDeep | None:
    open_blocks: list[str] = []
    for number, line in enumerate(text.splitlines()):
        found = _line_too_deep(line) or _blocks_too_deep(line, open_blocks)
        if found is not None:
            column, what = found
            return TooDeep(number, column, f"expected at most {MAX_LEVELS} levels of {what}, got more; "
                                           "the text cannot be rendered")
    return None


def _line_too_deep(line: str) -> tuple[int, str] | None:
    indent = len(line) - len(line.lstrip(" \t"))
    if indent * TAB > MAX_LEVELS * INDENT_PER_LEVEL:  # cheap test first: a tab counts at most TAB
        columns = len(line[:indent].expandtabs(TAB))
        if columns > MAX_LEVELS * INDENT_PER_LEVEL:
            return MAX_LEVELS * INDENT_PER_LEVEL + 1, "indentation (nested lists or blocks)"
    quotes, position = 0, 0
    while found := QUOTE.match(line, position):
        quotes += 1
        position = found.end()
        if quotes > MAX_LEVELS:
            return position, "quotes ('>')"
    return None


def _blocks_too_deep(line: str, open_blocks: list[str]) -> tuple[int, str] | None:
    opened = MARKDOWN_BLOCK_OPEN.match(line)
    if opened:
        open_blocks.append(opened.group(1).lower())
        if len(open_blocks) > MAX_LEVELS:
            return opened.start(1), "HTML blocks with Markdown inside"
    for closed in BLOCK_CLOSE.finditer(line):
        name = closed.group(1).lower()
        if name in open_blocks:
            del open_blocks[len(open_blocks) - 1 - open_blocks[::-1].index(name):]
    return None
