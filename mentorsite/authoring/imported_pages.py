"""One page of another tool's handbook, read as the fields of a guideline.

The front matter of Jekyll, Hugo (YAML ``---`` or TOML ``+++``), Docusaurus, MkDocs and
GitBook pages, the first heading and paragraph of the body, and the template tags those
tools expand but a guideline page shows as written. Pure: text in, values and located
diagnostics out; ``mentorsite.authoring.importing`` walks the folder and writes the records.
"""

from __future__ import annotations

import os
import posixpath
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml

from mentorsite.model.diagnostics import Diagnostic, Severity
from mentorsite.reading.loading import printable, unprintable_name
from mentorsite.reading.problems import problem
from mentorsite.reading.sources import parse_yaml

TITLE_KEYS = ("title",)
ORDER_KEYS = ("order", "weight", "nav_order", "sidebar_position")
TOPIC_KEYS = ("section", "category", "categories", "parent", "tags")
SUMMARY_KEYS = ("description", "summary", "excerpt")
SUMMARY_LENGTH = 200  # a summary is cut at a word near here, to stay one line of an index
ORDERING_PREFIX = re.compile(r"^(?:\d{4}-\d{2}-\d{2}-|(?P<number>\d+)[-_. ]+)")
SLUG_LIKE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(?P<text>.*?)[ \t#]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_LINK = re.compile(r"!?\[(?P<text>[^\]\n]*)\]\([^)\n]*\)|!?\[(?P<ref>[^\]\n]*)\]\[[^\]\n]*\]")
_MARKUP = re.compile(r"<[^>\n]+>|\{\{[<%].*?[%>]\}\}|\{%.*?%\}|\{\{.*?\}\}"
                     r"|(?<!\w)[*_~]{1,3}|[*_~]{1,3}(?!\w)|`")
_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-Z0-9\"'(\[]|\s*$)")  # not the dot of "e.g. this"
_NOT_PROSE = re.compile(r"^\s*(?:[#|>{<!:]|import\s|export\s|[-*+]\s|\d+[.)]\s|\[[^\]]*\]:)")

# What the other tools expand and a guideline page would show as written, with a code each.
_SHORTCODE = re.compile(r"\{\{<.*?>\}\}|\{\{%.*?%\}\}")
_LIQUID = re.compile(r"\{%-?\s*(?P<name>[\w-]*).*?-?%\}|\{\{.*?\}\}")
_GITBOOK_TAGS = frozenset({"hint", "endhint", "tabs", "endtabs", "tab", "endtab", "embed", "content-ref",
                           "endcontent-ref", "code", "endcode", "file", "swagger", "endswagger", "stepper",
                           "endstepper", "step", "endstep", "columns", "endcolumns", "column", "endcolumn"})
_MDX_IMPORT = re.compile(r"^(?:import\s.+\sfrom\s+['\"].+['\"]|import\s+['\"].+['\"]"
                         r"|export\s+(?:const|default|function)\b.*);?\s*$")
_COMPONENT = re.compile(r"<(?P<name>[A-Z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)*)(?=[\s/>])")
_ADMONITION = re.compile(r"^:::\s*(?P<kind>\w+)")
_KEY_LINE = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*[:=]")
_SUMMARY_ENTRY = re.compile(r"\[[^\]\n]*\]\((?P<path>[^)\s]+)")
CATEGORY_FILES = ("_category_.json", "_category_.yml", "_category_.yaml")
_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")


@dataclass(frozen=True)
class PageText:
    """A page's front matter (a mapping), its body, and the line of the file the body starts on."""

    fields: dict[str, Any]
    body: str
    body_line: int
    key_lines: dict[str, int] = field(default_factory=dict)
    """The line of the file each top-level front matter key is on, for messages about it."""


SKIPPED_FOLDERS = frozenset({"_includes", "_layouts", "_sass", "_data", "_drafts", "_site", "node_modules",
                             "layouts", "archetypes", "partials"})

def split_front_matter(text: str, shown: str) -> PageText | Diagnostic:
    """The front matter and body of ``text``: YAML between '---' lines or TOML between '+++' lines."""
    first, _, rest = text.partition("\n")
    marker = first.rstrip()
    if marker not in ("---", "+++"):
        return PageText({}, text, 1)
    closing = re.search(rf"^{re.escape(marker)}[ \t]*$", rest, re.MULTILINE)
    if closing is None:
        return problem(shown, (1, 1), "unclosed-front-matter",
                       f"the front matter opened on line 1 is never closed; expected a line '{marker}'")
    fields_text = rest[:closing.start()]
    body = rest[closing.end():].removeprefix("\n")
    body_line = fields_text.count("\n") + 3
    stripped = body.lstrip("\n")
    body_line += len(body) - len(stripped)
    lines = {found.group(1): number + 2 for number, line in enumerate(fields_text.split("\n"))
             if (found := _KEY_LINE.match(line))}
    if marker == "+++":
        return _toml(fields_text, shown, stripped, body_line, lines)
    document = parse_yaml(fields_text, shown, 1, "the closing '---'")
    errors = [d for d in document.diagnostics if d.is_error]
    if errors:
        return errors[0]
    return PageText(document.data or {}, stripped, body_line, lines)


def _toml(fields_text: str, shown: str, body: str, body_line: int,
          lines: dict[str, int]) -> PageText | Diagnostic:
    try:
        fields = tomllib.loads(fields_text)
    except tomllib.TOMLDecodeError as error:
        where = re.search(r"\(at line (\d+), column (\d+)\)", str(error))
        line, column = (int(where.group(1)) + 1, int(where.group(2))) if where else (2, 1)
        reason = re.sub(r"\s*\(at line \d+, column \d+\)|\s*\(at end of document\)", "", str(error))
        message = f"the TOML front matter cannot be read: {reason}"
        return problem(shown, (line, column), "toml-syntax", message)
    return PageText(fields, body, body_line, lines)


def humanise(name: str) -> str:
    """A folder or file name as words: 'getting-started' and '02_getting_started' become 'Getting started'."""
    words = " ".join(re.split(r"[-_\s]+", ORDERING_PREFIX.sub("", name.lstrip("_")))).strip()
    return words[:1].upper() + words[1:] if words else name


def first_text(value: Any) -> str | None:
    """A front matter value as one line of text: a list's first item; None when there is none."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        text = " ".join(str(value).split())
        return text or None
    return None


def field_text(fields: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        text = first_text(fields.get(key))
        if text:
            return text
    return None


def topic_of(fields: dict[str, Any]) -> str | None:
    """The topic the front matter names: a section, category, parent or first tag, in that order."""
    for key in TOPIC_KEYS:
        value = fields.get(key)
        if key in ("categories", "tags") and isinstance(value, str):
            value = value.split()  # Jekyll's space-separated list
        text = first_text(value)
        if text:
            return humanise(text) if SLUG_LIKE.match(text) else text
    return None


def tags_of(fields: dict[str, Any]) -> list[str]:
    value = fields.get("tags")
    items = value.split() if isinstance(value, str) else value if isinstance(value, list) else []
    return list(dict.fromkeys(text for item in items if (text := first_text(item))))


def order_of(page: PageText, shown: str) -> tuple[int | None, list[Diagnostic]]:
    """The position the front matter gives, as a whole number; a value that is none is reported."""
    for key in ORDER_KEYS:
        value = page.fields.get(key)
        where = (page.key_lines.get(key, 1), 1)
        if value is None:
            continue
        if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
            return int(value), []
        if isinstance(value, int) and not isinstance(value, bool):
            return value, []
        if isinstance(value, float) and abs(value) < 1e9:  # abs(nan) < 1e9 is false
            rounded = round(value)
            if rounded == value:
                return rounded, []
            message = f"{value} is kept as the order {rounded}; a guideline's order is a whole number"
            return rounded, [problem(shown, where, "order-rounded", message, key, Severity.WARNING)]
        message = f"expected a number, got {value!r}; the page keeps its place from its file name"
        return None, [problem(shown, where, "order-ignored", message, key, Severity.WARNING)]
    return None, []


def take_title(body: str) -> tuple[str | None, str]:
    """The heading the body opens with, and the body without it (the record's title is shown above)."""
    lines = body.split("\n")
    index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if index is None:
        return None, body
    heading = _ATX.match(lines[index])
    if heading and heading.group("text"):
        return plain(heading.group("text")), "\n".join(lines[index + 1:]).lstrip("\n")
    if index + 1 < len(lines) and _SETEXT.match(lines[index + 1]) and not _NOT_PROSE.match(lines[index]):
        return plain(lines[index]), "\n".join(lines[index + 2:]).lstrip("\n")
    return None, body


def plain(markdown: str) -> str:
    """Markdown as plain words: links become their text, images, tags and emphasis marks go."""
    text = _LINK.sub(lambda m: "" if m.group(0).startswith("!") else m.group("text") or m.group("ref") or "",
                     markdown)
    return " ".join(_MARKUP.sub("", text).split())


def shorten(text: str, limit: int = SUMMARY_LENGTH) -> str:
    """``text`` cut at the last word boundary before ``limit`` characters, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:-–— ")
    return f"{cut}…"


def first_sentence(body: str) -> str | None:
    """The first sentence of the first paragraph of prose (not a heading, list, table or code)."""
    paragraph: list[str] = []
    fence = ""
    for line in body.split("\n"):
        opening = _FENCE.match(line)
        if fence or opening:
            if opening and (not fence or opening.group(1)[0] == fence[0]):
                fence = "" if fence else opening.group(1)
            if paragraph:
                break
            continue
        if not line.strip() or _NOT_PROSE.match(line) or line.startswith(("    ", "\t")):
            if paragraph:
                break
            continue
        paragraph.append(line)
    text = plain(" ".join(paragraph))
    if not text:
        return None
    end = _SENTENCE_END.search(text)
    return shorten(text[:end.end()] if end else text)


def table_of_contents(body: str, relative: str) -> dict[str, tuple[int, str | None]]:
    """The pages a GitBook SUMMARY.md lists: each one's place (10, 20, ...) and the group it is under."""
    folder = posixpath.dirname(relative)
    listed: dict[str, tuple[int, str | None]] = {}
    group = None
    for line in body.split("\n"):
        if line.startswith("#"):
            heading = plain(line.lstrip("#"))
            group = None if heading.casefold() in ("", "summary", "table of contents") else heading
        for entry in _SUMMARY_ENTRY.finditer(line):
            target = posixpath.normpath(posixpath.join(folder, unquote(entry.group("path").split("#")[0])))
            listed.setdefault(target, ((len(listed) + 1) * 10, group))
    return listed


def category_labels(root: Path, files: list[Path]) -> dict[str, str]:
    """The label of each folder that has a Docusaurus ``_category_`` file."""
    labels = {}
    for path in files:
        if path.name in CATEGORY_FILES:
            try:
                data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, yaml.YAMLError):
                continue  # only a folder's name is lost: the folder's own name is used instead
            if isinstance(data, dict) and isinstance(data.get("label"), str) and data["label"].strip():
                labels[path.parent.relative_to(root).as_posix().removeprefix(".")] = data["label"].strip()
    return labels


@dataclass(frozen=True)
class Tag:
    """A template tag found in a page: its diagnostic code, what it is, and where (0-based line, column)."""

    code: str
    what: str
    written: str
    line: int
    column: int


def template_tags(body: str) -> Iterator[Tag]:
    """Every tag of Liquid, Hugo, GitBook or MDX in ``body`` outside code blocks and code spans."""
    fence = ""
    for number, line in enumerate(body.split("\n")):
        opening = _FENCE.match(line)
        if opening and (not fence or opening.group(1)[0] == fence[0]):
            fence = "" if fence else opening.group(1)
            continue
        if fence or line.startswith(("    ", "\t")):
            continue
        if _MDX_IMPORT.match(line):
            yield Tag("mdx-import", "an MDX import or export line", line.strip(), number, 0)
            continue
        admonition = _ADMONITION.match(line)
        if admonition:
            yield Tag("docusaurus-admonition", "a Docusaurus admonition", line.strip(), number, 0)
        spans = _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)
        taken: list[tuple[int, int]] = []
        for match in _SHORTCODE.finditer(spans):
            taken.append(match.span())
            yield Tag("hugo-shortcode", "a Hugo shortcode", match.group(0), number, match.start())
        for match in _LIQUID.finditer(spans):
            if any(start <= match.start() < end for start, end in taken):
                continue
            gitbook = (match.group("name") or "") in _GITBOOK_TAGS
            code, what = ("gitbook-block", "a GitBook block") if gitbook else ("liquid-tag", "a Liquid tag")
            yield Tag(code, what, match.group(0), number, match.start())
        for match in _COMPONENT.finditer(spans):
            component = f"<{match.group('name')}>"
            yield Tag("mdx-component", "an MDX (JSX) component", component, number, match.start())


def tag_warnings(body: str, body_line: int, shown: str) -> list[Diagnostic]:
    """A warning at each template tag of ``body``, located in the source file."""
    found = []
    for tag in template_tags(body):
        written = tag.written if len(tag.written) <= 60 else tag.written[:57] + "..."
        message = f"{tag.what} '{written}' is not carried over; the guideline shows it as written"
        found.append(problem(shown, (body_line + tag.line, tag.column + 1), tag.code, message,
                             severity=Severity.WARNING))
    return found


def source_files(root: Path) -> tuple[list[Path], list[tuple[str, str]], list[str]]:
    """Every file under ``root`` in a stable order, without hidden folders and the tools' own folders;
    then what was skipped (with the reason: links are never followed, odd names never read) and
    what is no plain file."""
    found: list[Path] = []
    skipped: list[tuple[str, str]] = []
    left_out: list[str] = []
    for folder, folders, names in os.walk(root):
        for name in sorted(set(folders) & SKIPPED_FOLDERS):
            relative = (Path(folder) / name).relative_to(root).as_posix()
            skipped.append((f"{relative}/", "a folder of templates, data, drafts or output, not pages"))
        folders[:] = sorted(name for name in folders
                            if not name.startswith(".") and name not in SKIPPED_FOLDERS)
        for name in sorted(set(folders) | set(names)):
            path = Path(folder) / name
            if not name.startswith(".") and path.is_symlink():  # its target may be anywhere: never read
                skipped.append((printable(path.relative_to(root).as_posix()), "a link, not followed"))
        folders[:] = [name for name in folders if not (Path(folder) / name).is_symlink()]
        for name in sorted(names):
            path = Path(folder) / name
            if name.startswith(".") or path.is_symlink():
                continue
            unfit = unprintable_name(name)
            if unfit is not None:  # a line break in a name would write lines of the record
                skipped.append((printable(path.relative_to(root).as_posix()), unfit))
            elif path.is_file():
                found.append(path)
            else:  # a pipe or a device would wait for ever
                left_out.append(path.relative_to(root).as_posix())
    return sorted(found, key=lambda path: path.relative_to(root).as_posix()), skipped, left_out
