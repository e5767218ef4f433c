"""Record text that would reach other files: include lines and links out of where a record belongs.

A pair's record may include nothing (private sites render with no include extension, and
a line that asks for one is an error, so the author knows it is not shown) and may link
only inside its own pair's folder. Handbook pages may include files, except from the
pairs folder, the private output, the record cache, the keys file or anywhere outside
the program's folder, and may not link into the pairs folder. The options in mkdocs.yml
that have the handbook's extensions read files (a file added to every page, the folders
files are read from) follow the same rule, at their line. Every check of a pair's record
works on its text alone; a handbook page's include targets (and the files they include,
in turn) are looked up on disk.
"""

from __future__ import annotations

import html
import os
import posixpath
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from mentorsite.checking.extensions import (
    READING_OPTIONS,
    acknowledged_problem,
    module_of,
    private_extensions,
)
from mentorsite.model.diagnostics import Diagnostic, Severity
from mentorsite.reading.loading import ProgramPlaces
from mentorsite.reading.nesting import too_deep
from mentorsite.reading.sources import (
    Document,
    Location,
    Position,
    Positions,
    field_name,
    node_positions,
    problem,
)

# pymdownx.snippets: a line that is a marker, alone (a block of paths follows) or with a quoted path.
SNIPPET_LINE = re.compile(r"^[ \t]*(?P<escape>;*)(?P<marker>-+8<-+)(?:[ \t]+(?P<path>\S.*?))?[ \t]*$")
# markdown-include and mdx_include: {!path!}, with options after the second '!'.
CURLY_INCLUDE = re.compile(r"\{!\s*(?P<path>[^\n!]*?)\s*!(?:[^\n}]*)\}")
# Include directives of the handbook's own plugins (include-markdown, macros), in handbook pages only.
JINJA_INCLUDE = re.compile(r"\{%-?\s*include(?:-markdown)?\s+(?P<quote>[\"'])(?P<path>[^\"'\n]+)(?P=quote)")
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
        if jinja:
            for match in JINJA_INCLUDE.finditer(line):
                yield Found("jinja include", match.group("path"), number, match.start())
        yield from _links(line, number)


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


def _where(document: Document, location: Location, body_line: int, found: Found) -> tuple[Position, str]:
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


def check_nesting(document: Document) -> list[Diagnostic]:
    """Text that nests too deeply for the Markdown renderer (``mentorsite.reading.nesting``), at its line."""
    diagnostics = []
    for text, location, body_line in texts(document):
        found = too_deep(text)
        if found is not None:
            spot = Found("nesting", "", found.line, found.column - 1)
            where, name = _where(document, location, body_line, spot)
            diagnostics.append(problem(document.path, where, "too-deep", found.message, name))
    return diagnostics


def check_pair_document(document: Document, pair_path: str) -> list[Diagnostic]:
    """Include lines (errors wherever they are), links that lead out of the pair's folder, and text
    that nests too deeply to render."""
    diagnostics = check_nesting(document)
    if not may_point(document):
        return diagnostics
    inside = document.path.startswith(f"{pair_path}/")
    folder = posixpath.dirname(document.path[len(pair_path) + 1:]) if inside else ""
    for text, location, body_line in texts(document):
        for found in findings(text, location):
            where, name = _where(document, location, body_line, found)
            if found.kind == "snippet block" and found.target:
                continue  # the block's opening line is the error
            if found.kind != "link":
                diagnostics.append(problem(document.path, where, "include", _include_message(found), name))
                continue
            paths = [posixpath.normpath(posixpath.join(folder or ".", path))
                     for path in relative_paths(found.target)]
            if any(path == ".." or path.startswith("../") for path in paths):
                # The target is record text, and messages reach build logs: say where, not what.
                message = "expected a link inside this pair's folder, got one that leads out of it"
                diagnostics.append(problem(document.path, where, "link-outside-pair", message, name))
    return diagnostics


def _include_message(found: Found) -> str:
    """The message of an include in a pair's record, which names no target: the target is record text."""
    if found.kind == "snippet block":
        got = "a block of include lines ('--8<--')"
    elif found.kind == "snippet":
        got = "a line that includes a file ('--8<--')"
    else:
        got = "an include of a file ('{!...!}')"
    return f"expected text, got {got}; a record may not include files"


Shown = Callable[[Path], str]  # a path as messages show it


@dataclass
class Included:
    """The files that handbook pages include, each checked once: an included file may include more."""

    shown: Shown
    seen: set[Path]


def check_handbook_text(document: Document, source: Path, places: ProgramPlaces,
                        included: Included | None = None) -> list[Diagnostic]:
    """Includes and links of one handbook page (a guideline record or a plain page) at ``source``.

    With ``included``, every file a permitted include line reaches is checked the same way
    (an include is read again for include lines, wherever the file is).
    """
    diagnostics = check_nesting(document)
    bases = (*places.base_paths, source.parent, places.program_dir)
    for text, location, body_line in texts(document):
        for found in findings(text, location, jinja=True):
            where, name = _where(document, location, body_line, found)
            if found.kind == "link":
                if _link_into_pairs(found.target, bases, places):
                    message = (f"expected a link inside the handbook, got '{found.target}', "
                               "which leads into the pairs folder")
                    diagnostics.append(problem(document.path, where, "link-into-pairs", message, name))
            elif found.target:
                reached = _include_reaches(found.target, bases, places)
                if reached:
                    message = f"expected an include of a handbook file, got '{found.target}', which {reached}"
                    diagnostics.append(problem(document.path, where, "include-private", message, name))
                elif included is not None:
                    diagnostics += check_included(found.target, bases, places, included)
    return diagnostics


def check_included(written: str, bases: Sequence[Path], places: ProgramPlaces,
                   included: Included) -> list[Diagnostic]:
    """The include lines and links of each file that ``written`` names, read against ``bases``."""
    diagnostics = []
    for path in _include_paths(written):
        for base in bases:
            real = Path(os.path.realpath(base / path))
            if real in included.seen or not real.is_file():
                continue
            included.seen.add(real)
            diagnostics += _check_page(real, included.shown(real), places, included)
    return diagnostics


def _include_paths(written: str) -> set[str]:
    """The paths an include line may be read as: as written, and without a line range or section."""
    if written.lower().startswith(("http://", "https://")):
        return set()  # the network: the public handbook's own choice
    spec = SNIPPET_SPEC.match(written)
    return {written, spec.group("path")} if spec and spec.group("path") else {written}


def _link_into_pairs(url: str, bases: Sequence[Path], places: ProgramPlaces) -> bool:
    """Whether ``url``, read from the page's folder or from a folder an extension reads images from
    (``pymdownx.b64`` embeds the file a link names, relative or as an absolute file path), is in the pairs."""
    pairs = places.pairs_dir
    targets = [base / path for path in relative_paths(url) for base in bases]
    written = urlsplit(html.unescape(url).strip(C0_AND_SPACE).replace("\\", "/"))
    if written.scheme in ("", "file") and written.path.startswith("/") and not written.netloc:
        targets.append(Path(unquote(written.path)))  # a file's own path, as b64 reads it
    for target in targets:
        lexical = Path(os.path.normpath(target))
        if lexical.is_relative_to(pairs) or Path(os.path.realpath(lexical)).is_relative_to(pairs):
            return True
    return False


def _include_reaches(written: str, bases: Sequence[Path], places: ProgramPlaces) -> str | None:
    """How a handbook include line, read against ``bases``, reaches what it must not, or None.

    A private place any base leads to is named before "outside the program's folder", so
    that the message does not depend on which files happen to exist where the build runs.
    """
    candidates = [base / path for path in _include_paths(written) for base in bases]
    private = (_reaches(candidate, places, outside=False) for candidate in candidates)
    outside = (_reaches(candidate, places) for candidate in candidates)
    return next((reached for reached in private if reached), None) or next((r for r in outside if r), None)


def _reaches(path: Path, places: ProgramPlaces, *, holding: bool = False, outside: bool = True) -> str | None:
    """'reaches' the private place ``path`` is or lies in, 'holds' one (``holding``), or the outside."""
    lexical = Path(os.path.normpath(path))
    real = Path(os.path.realpath(lexical))
    for name, place in [("the pairs folder", places.pairs_dir), *places.private]:
        if lexical.is_relative_to(place) or real.is_relative_to(place):
            return f"reaches {name}"
        if holding and (place.is_relative_to(lexical) or place.is_relative_to(real)):
            return f"holds {name}"
    if outside and real.exists() and not real.is_relative_to(places.program_dir):
        return "reaches a place outside the program's folder"
    return None


@dataclass(frozen=True)
class SettingTarget:
    """A file or folder that an option in mkdocs.yml names, which the handbook's build reads.

    ``kind`` is as in ``mentorsite.checking.extensions.READING_OPTIONS``; a "file" is read against
    ``bases`` (the extension's own folders), the others against the folder the build runs in.
    """

    position: Position
    option: str  # as messages show it: "pymdownx.snippets auto_append[0]"
    written: str
    kind: str
    bases: tuple[Path, ...]


@dataclass(frozen=True)
class Acknowledged:
    """An extension the program names as one private sites leave out, and why it is not, if it is not."""

    name: str
    position: Position
    problem: str | None


@dataclass(frozen=True)
class ConfiguredPlaces(ProgramPlaces):
    """A program's places as its mkdocs.yml sets them, with the settings there that name places.

    ``config_file`` is mkdocs.yml; ``settings`` the options of the handbook's Markdown
    extensions that name a file or folder; ``acknowledged`` the plugin's
    ``private_extensions_left_out``.
    """

    config_file: Path | None = None
    settings: tuple[SettingTarget, ...] = ()
    acknowledged: tuple[Acknowledged, ...] = ()


def configured_places(places: ProgramPlaces, config_file: Path, names: Sequence[object],
                      configs: Mapping[str, Any], acknowledged: Sequence[str]) -> ConfiguredPlaces:
    """``places`` with what mkdocs.yml names: the handbook's extensions (``names``, their
    ``configs``) and the extensions the plugin's settings acknowledge as left out."""
    try:
        positions = node_positions(config_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        positions = Positions()
    forbidden = [places.pairs_dir, *(path for _, path in places.private)]
    left_out = private_extensions(names, configs, root=Path.cwd(), forbidden=forbidden).left_out
    plugin = next((key for key in positions.keys if key[:1] == ("plugins",) and key[-1:] == ("mentorsite",)),
                  ("plugins",))
    named = tuple(Acknowledged(name, positions.of_value((*plugin, "private_extensions_left_out", index)),
                               acknowledged_problem(name, names, left_out))
                  for index, name in enumerate(acknowledged))
    settings = tuple(target for name in names if isinstance(name, str)
                     for target in _setting_targets(name, configs.get(name) or {}, positions))
    given = {f.name: getattr(places, f.name) for f in fields(ProgramPlaces)}
    # A base path in a private place (its own error) would make every path read against it one.
    given["base_paths"] = tuple(base for base in places.base_paths
                                if _reaches(base, places, outside=False) is None)
    return ConfiguredPlaces(**given, config_file=config_file, settings=settings, acknowledged=named)


def _setting_targets(name: str, options: Mapping[str, Any], positions: Positions) -> Iterator[SettingTarget]:
    """The targets of the options of extension ``name`` that name places, with where each is written."""
    reading = READING_OPTIONS.get(module_of(name), {})
    entry = next((key for key in positions.keys if key[:1] == ("markdown_extensions",) and key[-1] == name
                  and len(key) <= 3), ("markdown_extensions",))
    base = options.get("base_path", ".")
    bases = tuple(Path.cwd() / str(folder) for folder in ([base] if isinstance(base, str) else base or []))
    for option, kind in sorted(reading.items()):
        value: Any = options
        for part in option.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        location: tuple[str | int, ...] = (*entry, *option.split("."))
        items = [(value, location)] if isinstance(value, str) else [
            (item, (*location, index)) for index, item in enumerate(value) if isinstance(item, str)
        ] if isinstance(value, list) else []
        for written, where in items:
            if written:
                yield SettingTarget(positions.of_value(where), f"{name} {field_name(where[len(entry):])}",
                                    written, kind, bases)


def check_settings(places: ProgramPlaces, shown: Shown, included: Included) -> list[Diagnostic]:
    """The options of mkdocs.yml that name places, by the rule of include lines, at their line.

    A file the handbook reads whole (``auto_append``) may not reach the pairs, the private
    places or outside the program's folder, and its own include lines are checked; a folder
    files are read from may not be or lie in one of them (it may hold them: the include
    lines are checked), and a folder of icons may not hold one either.
    """
    if not isinstance(places, ConfiguredPlaces) or places.config_file is None:
        return []
    path = shown(places.config_file)
    diagnostics = []
    for setting in places.settings:
        if setting.kind == "file":
            # A base that is itself refused has its own error; reading every file against it would repeat it.
            bases = [base for base in setting.bases if _reaches(base, places) is None]
            reached = _include_reaches(setting.written, bases, places)
            if reached is None:
                diagnostics += check_included(setting.written, bases, places, included)
                continue
            message = f"expected a file of the handbook, got '{setting.written}', which {reached}"
        else:
            reached = _reaches(Path.cwd() / setting.written, places, holding=setting.kind == "icons")
            if reached is None:
                continue
            message = f"expected a folder of the handbook, got '{setting.written}', which {reached}"
        diagnostics.append(problem(path, setting.position, "setting-private", message, setting.option))
    for named in places.acknowledged:
        if named.problem is not None:
            diagnostics.append(problem(path, named.position, "unknown-extension", named.problem,
                                       "private_extensions_left_out", Severity.WARNING))
    return diagnostics


PAGE_SUFFIXES = (".md", ".markdown", ".mdown", ".mkdn", ".mkd")  # what MkDocs renders as a page
MAX_PAGE_BYTES = 1024 * 1024


def check_docs_pages(places: ProgramPlaces, shown: Shown, skip: set[Path],
                     included: Included | None = None) -> list[Diagnostic]:
    """The pages of ``docs_dir`` that are not guideline records: links into the pairs, what they include.

    A file that leads into the pairs folder is an error (the plugin leaves it out); folders
    in ``skip`` (the guidelines, the landing page, read as records) and the pairs folder
    itself are not looked at. Only pages that hold a sign of an include or a link are checked;
    the files they include are checked too, once each (``included``).
    """
    included = included or Included(shown, set())
    diagnostics: list[Diagnostic] = []
    seen: set[Path] = set()
    stack = [(places.docs_dir, places.docs_dir)]
    while stack:
        folder, real_folder = stack.pop()
        if real_folder in seen:
            continue
        seen.add(real_folder)
        try:
            items = sorted(os.scandir(folder), key=lambda item: item.name)
        except OSError:
            continue
        for item in items:
            path = folder / item.name
            if item.name.startswith(".") or path in skip or path.is_relative_to(places.pairs_dir) or (
                    folder == places.docs_dir and item.name == "templates"):
                continue
            link = item.is_symlink()
            real = Path(os.path.realpath(path)) if link else real_folder / item.name
            refused = _refused_link(real, places) if link or real_folder != folder else None
            if refused is not None:
                code, message, severity = refused
                diagnostics.append(problem(shown(path), (1, 1), code, message, severity=severity))
            elif item.is_dir():
                stack.append((path, real))
            elif not item.is_file():  # MkDocs would read or copy it: a pipe waits for ever, a dead link fails
                if path.exists():
                    message = "expected a plain file, got another kind (a pipe, a device or a socket)"
                    diagnostics.append(problem(shown(path), (1, 1), "unreadable", f"{message}; the handbook "
                                               "would read it"))
                else:
                    diagnostics.append(problem(shown(path), (1, 1), "broken-link", "is a link that leads "
                                               "nowhere (its target is missing, or links lead to each other "
                                               "in a loop); the handbook cannot read it"))
            elif path.suffix.lower() in PAGE_SUFFIXES:
                included.seen.add(real)
                diagnostics += _check_page(path, shown(path), places, included)
    return diagnostics


def _refused_link(real: Path, places: ProgramPlaces) -> tuple[str, str, Severity] | None:
    """Why a file of docs_dir that is (or is in) a link may not be published: code, message, severity."""
    if real.is_relative_to(places.pairs_dir):
        return "into-pairs", "is a link into the pairs folder; it is left out of the handbook", Severity.ERROR
    for name, place in places.private:
        if real.is_relative_to(place):
            return "into-private", f"is a link into {name}; expected a file of the handbook", Severity.ERROR
    if not real.is_relative_to(places.program_dir):
        message = f"is a link to {real}, outside the program's folder; the handbook would publish it"
        return "outside-program", message, Severity.WARNING
    return None


def _check_page(path: Path, shown: str, places: ProgramPlaces, included: Included) -> list[Diagnostic]:
    try:
        with path.open("rb") as handle:
            text = handle.read(MAX_PAGE_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return []
    page = Document(shown, None, Positions(), body=text)
    return check_handbook_text(page, path, places, included)
