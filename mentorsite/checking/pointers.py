"""What record text points at: include lines and links, found in the text alone.

The include syntaxes of the Markdown extensions and plugins a program may use (snippets,
``{!path!}``, the include directives of the handbook's plugins) and every way a link or an
image names its target (Markdown inline, reference definitions, HTML attributes), with
where each stands in its record and the paths it may be read as. Whether a target is
allowed is ``mentorsite.checking.inclusions``'s part.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from mentorsite.reading.positions import Location, Position, field_name
from mentorsite.reading.sources import Document

# pymdownx.snippets: a line that is a marker, alone (a block of paths follows) or with a quoted path.
# Quote markers before it count as space: a body's quote is rendered as a line of its own.
SNIPPET_LINE = re.compile(r"^(?:[ \t]*>)*[ \t]*(?P<escape>;*)(?P<marker>-+8<-+)"
                          r"(?:[ \t]+(?P<path>\S.*?))?[ \t]*$")
# markdown-include and mdx_include: {!path!}, with options after the second '!'.
CURLY_INCLUDE = re.compile(r"\{!\s*(?P<path>[^\n!]*?)\s*!(?:[^\n}]*)\}")
# Include directives of the handbook's own plugins (include-markdown, macros), in handbook pages only.
# Read across lines, as the plugins read them ("{%\n  include-markdown 'x'\n%}"), with either
# whitespace control ({%- or {%+) and the path in parentheses or not.
JINJA_INCLUDE = re.compile(r"\{%[-+]?\s*include(?:-markdown)?(?:\s+|\s*\(\s*)"
                           r"(?P<quote>[\"'])(?P<path>[^\"'\n]+)(?P=quote)")
# Where a link or an image points: Markdown inline, reference definitions, and HTML attributes.
INLINE_LINK = re.compile(r"\]\(\s*(?P<url><[^>\n]*>|[^\s)]+)")
REFERENCE = re.compile(r"^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*(?P<url><[^>\n]*>|\S+)")
ATTRIBUTE = re.compile(r"(?i)\b(?:href|src|srcset|poster|data|action|formaction|background|cite|xlink:href)"
                       r"\s*=\s*(?:\"(?P<double>[^\"]*)\"|'(?P<single>[^']*)'|(?P<bare>[^\s>\"']+))")
C0_AND_SPACE = "".join(map(chr, range(0x21)))  # what browsers strip from both ends of a URL
MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
# A snippet path may end in line ranges (:1:5,9:) or a section name (:intro).
SNIPPET_SPEC = re.compile(r"(?i)^(?P<path>.*?)"
                          r"(?:(?::-?[0-9]*){1,2}(?:,-?[0-9]*(?::-?[0-9]*)?)*|:[a-z][-_0-9a-z]*)$")
MARKS = ("8<", "{!", "{%", "](", "]:", "=")
SIGNS = re.compile("|".join(re.escape(mark) for mark in MARKS))


@dataclass(frozen=True)
class Found:
    """Something in a text that points at a file: what kind, the target as written, where it starts."""

    kind: str  # "snippet", "snippet block", "include", "jinja include", "link"
    target: str
    line: int  # 0-based, within the text
    column: int  # 0-based


def scan(text: str, *, jinja: bool = False) -> Iterator[Found]:
    """Every include and link in ``text`` (``jinja``: also the include directives of MkDocs plugins)."""
    if not any(mark in text for mark in MARKS):
        return
    in_block = False
    for number, line in enumerate(text.split("\n")):
        snippet = SNIPPET_LINE.match(line) if "8<" in line else None
        if snippet and not snippet.group("escape"):
            if snippet.group("path") is None:
                in_block = not in_block
                if in_block:
                    yield Found("snippet block", "", number, snippet.start("marker"))
            else:
                yield Found("snippet", _unquote(snippet.group("path")), number, snippet.start("marker"))
            continue
        if in_block and line.strip():
            yield Found("snippet block", line.strip(), number, len(line) - len(line.lstrip()))
            continue
        for match in CURLY_INCLUDE.finditer(line):
            yield Found("include", match.group("path"), number, match.start())
        yield from _links(line, number)
    if jinja and "{%" in text:
        for match in JINJA_INCLUDE.finditer(text):
            start = match.start()
            line_start = text.rfind("\n", 0, start) + 1
            yield Found("jinja include", match.group("path"), text.count("\n", 0, start), start - line_start)


def _links(line: str, number: int) -> Iterator[Found]:
    for match in INLINE_LINK.finditer(line):
        yield Found("link", match.group("url").strip("<>"), number, match.start("url"))
    reference = REFERENCE.match(line)
    if reference:
        yield Found("link", reference.group("url").strip("<>"), number, reference.start("url"))
    if "=" in line:
        for match in ATTRIBUTE.finditer(line):
            value = next(v for v in match.group("double", "single", "bare") if v is not None)
            parts = value.split(",") if match.group(0).lower().startswith("srcset") else [value]
            for part in parts:
                url = part.strip().split(" ")[0] if part.strip() else ""
                yield Found("link", html.unescape(url), number, match.start())


def _unquote(path: str) -> str:
    path = path.strip()
    if len(path) >= 2 and path[0] == path[-1] and path[0] in "\"'":
        path = path[1:-1]
    return path.strip()


def relative_paths(url: str) -> list[str]:
    """The paths a relative link may be read as (by a browser, by MkDocs); none for any other link.

    Entities and percent-escapes are decoded and backslashes read as slashes, as browsers
    do; a Markdown backslash escape is read both ways.
    """
    url = "".join(c for c in html.unescape(url) if c not in "\t\n\r").strip(C0_AND_SPACE)
    found = []
    for written in dict.fromkeys((url, MARKDOWN_ESCAPE.sub(r"\1", url))):
        variant = written.replace("\\", "/")
        parts = urlsplit(variant)
        if parts.scheme or parts.netloc or variant.startswith("/") or not parts.path:
            continue  # another host, a site-absolute path, or only an anchor: the page cleaning's part
        found.append(unquote(parts.path))
    return found


KEY = -1  # in place of a body line: the text is a mapping key


def texts(document: Document) -> Iterator[tuple[str, Location, int]]:
    """Every text of a record that is rendered as Markdown, with its location and body line.

    Its fields' text values (body line 0), mapping keys (``KEY``), then the body (its first line).
    """
    def walk(value: Any, location: Location) -> Iterator[tuple[str, Location, int]]:
        if isinstance(value, str):
            yield value, location, 0
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str):  # some keys are shown too, such as the names of scores
                    yield key, (*location, key), KEY
                yield from walk(item, (*location, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                yield from walk(item, (*location, index))

    if document.data is not None:
        yield from walk(document.data, ())
    if document.body:
        yield document.body, (), document.body_line


def findings(text: str, location: Location, *, jinja: bool = False) -> Iterator[Found]:
    """What ``text`` points at; a field named ``url`` is itself the target of a link."""
    if location and location[-1] == "url":
        yield Found("link", text, 0, 0)
    else:
        yield from scan(text, jinja=jinja)


def where_found(document: Document, location: Location, body_line: int, found: Found) -> tuple[Position, str]:
    """The file position of a finding and the field it is in ('' for the body)."""
    if body_line == KEY:
        return document.positions.of_key(location), field_name(location[:-1])
    if body_line:
        return (body_line + found.line, found.column + 1), ""
    return document.positions.of_value(location), field_name(location)


def may_point(document: Document) -> bool:
    """Whether any text of ``document`` holds a sign of an include or a link: most records hold none."""
    strings = [document.body]
    stack: list[Any] = [document.data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            strings.append(value)
        elif isinstance(value, dict):
            stack.extend(value.values())
            strings.extend(key for key in value if isinstance(key, str))
            if "url" in value:
                return True
        elif isinstance(value, list):
            stack.extend(value)
    return SIGNS.search("\n".join(strings)) is not None


def include_paths(written: str) -> set[str]:
    """The paths an include line may be read as: as written, and without a line range or section."""
    if written.lower().startswith(("http://", "https://")):
        return set()  # the network: the public handbook's own choice
    spec = SNIPPET_SPEC.match(written)
    return {written, spec.group("path")} if spec and spec.group("path") else {written}
