"""An existing handbook's Markdown pages as guideline records: what `mentorsite import` writes.

One guideline per page under the source folder (``imported_pages`` reads each page).
Ids come from the file names and never take one the program has; links between the
imported pages are pointed at the new pages; a page imported before (the ``# imported
from:`` line of its record says which) is left as it is, so an import can be run again
after pages were added. A page that cannot be read is an error, and then nothing is
written: a handbook that looks whole but lacks a page is worse than no import.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from mentorsite.authoring.drafts import Draft, parse_draft
from mentorsite.authoring.imported_pages import (
    CATEGORY_FILES,
    ORDERING_PREFIX,
    TITLE_KEYS,
    PageText,
    category_labels,
    field_text,
    first_sentence,
    humanise,
    order_of,
    plain,
    shorten,
    source_files,
    split_front_matter,
    table_of_contents,
    tag_warnings,
    tags_of,
    take_title,
    topic_of,
)
from mentorsite.model.diagnostics import Diagnostic, Severity, sort_diagnostics
from mentorsite.model.fields import slugify
from mentorsite.model.page_table import reserved_ids
from mentorsite.model.records import Guideline
from mentorsite.model.schemas import schema_hint
from mentorsite.reading.loading import printable, unprintable_name
from mentorsite.reading.problems import problem
from mentorsite.reading.sources import decode

PAGE_SUFFIXES = (".md", ".markdown", ".mdx")
# Folders of the other tools that hold no pages: templates, partials, data, drafts, outputs.
# Files a repository holds beside its pages; named alone as SOURCE, they are imported.
REPOSITORY_FILES = frozenset({"license", "licence", "changelog", "contributing", "code_of_conduct",
                              "security", "404"})
MAX_ID_LENGTH = 60
MAX_PAGE_BYTES = 1024 * 1024  # far more than any handbook page; a larger file is no page
MARKER = "# imported from: "
_MARKER_LINE = re.compile(rf"^{re.escape(MARKER)}(?P<relative>.+?)\s*$", re.MULTILINE)
_DECLARED_ID = re.compile(r"^id:[ \t]*['\"]?(?P<id>[a-z0-9-]+)", re.MULTILINE)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_TARGET = re.compile(r"(?P<lead>\]\(\s*<?|^ {0,3}\[[^\]\n]+\]:[ \t]*<?)(?P<url>[^\s)>]+)")


class ImportRefusedError(ValueError):
    """A source that cannot be imported at all (it does not exist); the message says why."""


@dataclass(frozen=True)
class ImportOptions:
    """What the command line adds to every page: audiences, the fallback topic, where pages are online."""

    audience: tuple[str, ...] = ("both",)
    topic: str = "General"
    source_url: str | None = None


@dataclass
class PlannedPage:
    """One page: where it comes from, the record it becomes, and whether that record is there already."""

    source: str
    relative: str
    path: Path
    id: str
    topic: str
    title: str = ""
    text: str = ""
    existing: bool = False


@dataclass
class ImportPlan:
    """Everything the import would do, and every problem it found, before anything is written."""

    pages: list[PlannedPage] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.diagnostics)


@dataclass
class _Read:
    relative: str
    shown: str
    page: PageText
    title: str
    order: int | None = None
    topic: str | None = None
    prefix_order: int | None = None


@dataclass
class _Found:
    """The pages of a source, and what its other files say about them."""

    pages: list[_Read] = field(default_factory=list)
    sections: dict[str, str] = field(default_factory=dict)  # a folder's topic, by its path
    contents: dict[str, tuple[int, str | None]] = field(default_factory=dict)  # SUMMARY.md: place, group


def plan_import(source: Path, guidelines_dir: Path, schemas_dir: Path, options: ImportOptions,
                shown: Callable[[Path], str], program_dir: Path,
                refused: Sequence[Path] = ()) -> ImportPlan:
    """What importing ``source`` (a folder, read recursively, or one page) into ``guidelines_dir`` does.

    A record names where it came from as a path from ``program_dir``, the same from every copy
    of a program's repository, so that a page imported before is known again. ``refused``: the
    program's private places (the pairs' records, private outputs, cache, keys file), which a
    SOURCE may neither be, lie in nor hold: every page imported becomes public.
    """
    if not source.exists():
        raise ImportRefusedError(f"{shown(source)} does not exist; expected a folder of pages or a page")
    if source.is_symlink():
        raise ImportRefusedError(f"{shown(source)} is a link; name the folder or page it leads to")
    real = source.resolve()
    if any(unprintable_name(part) for part in real.parts):
        raise ImportRefusedError(f"{printable(str(source))} has a name with a control character or bytes "
                                 "that are not UTF-8; rename it first")
    for private in (place.resolve() for place in refused):
        if real == private or real.is_relative_to(private) or private.is_relative_to(real):
            raise ImportRefusedError(f"{shown(source)} holds or lies in {shown(private)}, one of the "
                                     "program's private places; every imported page becomes part of "
                                     "the public handbook")
    root = source if source.is_dir() else source.parent
    plan = ImportPlan()
    found = _found(source, root, plan, shown)
    pages = found.pages
    origin = Path(os.path.relpath(root.resolve(), program_dir.resolve())).as_posix()
    existing, marked = _existing_guidelines(guidelines_dir)
    origins = {read.relative: posixpath.normpath(f"{origin}/{read.relative}") for read in pages}
    imported_before = {relative: marked[mark] for relative, mark in origins.items() if mark in marked}
    ids = _assign_ids(pages, existing, imported_before)
    targets = _link_targets(pages, ids)
    for read in pages:
        folder = posixpath.dirname(read.relative)
        position, group = found.contents.get(read.relative, (None, None))
        read.order = next((o for o in (read.order, position, read.prefix_order) if o is not None), None)
        topic = read.topic or group or found.sections.get(folder) or (
            humanise(posixpath.basename(folder)) if folder else options.topic)
        page = PlannedPage(read.shown, read.relative, guidelines_dir / f"{ids[read.relative]}.md",
                           ids[read.relative], topic, read.title)
        if read.relative in imported_before:
            page.existing = True
        else:
            body = _rewrite_links(read, targets, plan.diagnostics)
            page.text = _record_text(read, page, body, schemas_dir, options, origins[read.relative])
            _validate(page, plan.diagnostics)
        plan.pages.append(page)
    before = {page.source for page in plan.pages if page.existing}
    plan.diagnostics = sort_diagnostics(d for d in plan.diagnostics if d.is_error or d.path not in before)
    return plan


def _found(source: Path, root: Path, plan: ImportPlan, shown: Callable[[Path], str]) -> _Found:
    """The pages of ``source``, read; what is not a page is named in ``plan`` with the reason."""
    if source.is_dir():
        files, skipped, left_out = source_files(root)
        plan.skipped += skipped
        plan.left_out += left_out
    else:
        files = [source]
    found = _Found()
    for path in files:
        relative = path.relative_to(root).as_posix()
        if path.suffix.lower() not in PAGE_SUFFIXES:
            if path.name not in CATEGORY_FILES:
                plan.left_out.append(relative)
            continue
        if source.is_dir() and path.stem.lower().replace("-", "_") in REPOSITORY_FILES:
            plan.skipped.append((relative, "a file of the repository, not of the handbook (name it as SOURCE "
                                 "to import it)"))
            continue
        read = _read(path, relative, shown(path), plan)
        if read is None:
            continue
        fields = read.page.fields
        if path.name.lower() == "summary.md":
            found.contents = table_of_contents(read.page.body, relative)
            plan.skipped.append((relative, "the GitBook table of contents: it gives the order and topics of "
                                 "the pages it lists"))
        elif path.name == "_index.md":
            found.sections[posixpath.dirname(relative)] = read.title
            plan.skipped.append((relative, "a Hugo section page: its title names the topic of its folder"))
        elif fields.get("draft") is True or fields.get("published") is False:
            plan.skipped.append((relative, "a draft (draft: true or published: false)"))
        else:
            found.pages.append(read)
    found.sections |= category_labels(root, files)
    return found


def write_pages(plan: ImportPlan) -> list[PlannedPage]:
    """Write each new record of ``plan`` whole, never over a file; the pages found written meanwhile."""
    found = []
    for page in plan.pages:
        if page.existing:
            continue
        page.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            file = page.path.open("x", encoding="utf-8")
        except FileExistsError:
            page.existing = True
            found.append(page)
            continue
        try:
            with file:
                file.write(page.text)
        except BaseException:
            page.path.unlink(missing_ok=True)  # never half a record
            raise
    return found


def _read(path: Path, relative: str, shown: str, plan: ImportPlan) -> _Read | None:
    """The page at ``path``; None (with the reason in ``plan``) when it cannot be read or is empty."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_PAGE_BYTES + 1)
    except OSError as error:
        message = f"cannot be read: {error.strerror or error}"
        plan.diagnostics.append(problem(shown, (1, 1), "unreadable", message))
        return None
    if len(raw) > MAX_PAGE_BYTES:
        message = f"expected a page of at most {MAX_PAGE_BYTES // 1024 // 1024} MiB, got a larger file"
        plan.diagnostics.append(problem(shown, (1, 1), "too-large", message))
        return None
    text, problems = decode(raw, shown)
    if text is None:
        plan.diagnostics += problems
        return None
    if not text.strip():
        plan.skipped.append((relative, "empty"))
        return None
    page = split_front_matter(text, shown)
    if isinstance(page, Diagnostic):
        plan.diagnostics.append(page)
        return None
    plan.diagnostics += tag_warnings(page.body, page.body_line, shown)
    order, order_problems = order_of(page, shown)
    plan.diagnostics += order_problems
    heading, rest = take_title(page.body)
    title = field_text(page.fields, TITLE_KEYS)
    if heading is not None and (title is None or plain(title).casefold() == heading.casefold()):
        dropped = page.body.count("\n") - rest.count("\n")  # the record's title is shown above the body
        page = PageText(page.fields, rest, page.body_line + dropped, page.key_lines)
    stem = ORDERING_PREFIX.sub("", Path(relative).stem)
    if stem.lower() in ("index", "readme"):
        stem = Path(relative).parent.name or stem
    name_title = humanise(stem) or Path(relative).stem
    number = ORDERING_PREFIX.match(Path(relative).stem)
    prefix_order = int(number.group("number")) if number and number.group("number") else None
    return _Read(relative, shown, page, shorten(title or heading or name_title), order, topic_of(page.fields),
                 prefix_order)


def _existing_guidelines(folder: Path) -> tuple[set[str], dict[str, str]]:
    """The ids of the program's guidelines, and the id of each page an earlier import wrote."""
    ids: set[str] = set()
    imported: dict[str, str] = {}
    for path in sorted(folder.glob("*.md")) if folder.is_dir() else []:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = ""
        front = text.split("\n---", 1)[0]
        declared = _DECLARED_ID.search(front)
        record_id = declared.group("id") if declared else path.stem
        ids.add(record_id)
        marker = _MARKER_LINE.search(front)
        if marker:
            imported[marker.group("relative")] = record_id
    return ids, imported


def _assign_ids(pages: list[_Read], existing: set[str], imported: dict[str, str]) -> dict[str, str]:
    """An id per page: from its file name, never one the program or another page has (then -2, -3...)."""
    taken = existing | set(reserved_ids(Guideline))
    ids = {read.relative: imported[read.relative] for read in pages if read.relative in imported}
    for read in pages:
        if read.relative in ids:
            continue
        path = Path(read.relative)
        stem = ORDERING_PREFIX.sub("", path.stem)
        if stem.lower() in ("index", "readme"):
            stem = ORDERING_PREFIX.sub("", path.parent.name) if path.parent.name else read.title
        base = _short(slugify(stem) or slugify(read.title) or "page")
        candidate, number = base, 1
        while candidate in taken:
            number += 1
            candidate = f"{base}-{number}"
        taken.add(candidate)
        ids[read.relative] = candidate
    return ids


def _short(slug: str) -> str:
    if len(slug) <= MAX_ID_LENGTH:
        return slug
    return slug[:MAX_ID_LENGTH].rsplit("-", 1)[0] or slug[:MAX_ID_LENGTH]


def _link_targets(pages: list[_Read], ids: dict[str, str]) -> dict[str, str]:
    """The ways a link may name each imported page (with or without its suffix, its folder for an
    index page), each to the id of its record."""
    targets: dict[str, str] = {}
    for read in pages:
        relative = read.relative
        stem = posixpath.splitext(relative)[0]
        targets.setdefault(relative, ids[relative])
        targets.setdefault(stem, ids[relative])
        if posixpath.basename(stem).lower() in ("index", "readme", "_index"):
            targets.setdefault(posixpath.dirname(stem) or ".", ids[relative])
    return targets


def _rewrite_links(read: _Read, targets: dict[str, str], diagnostics: list[Diagnostic]) -> str:
    """The body with each relative link to an imported page pointed at its record's page; a relative
    link to anything else is left as it is, with a warning."""
    folder = posixpath.dirname(read.relative)
    lines = read.page.body.split("\n")
    fence = ""
    for number, line in enumerate(lines):
        opening = _FENCE.match(line)
        if opening and (not fence or opening.group(1)[0] == fence[0]):
            fence = "" if fence else opening.group(1)
            continue
        if fence:
            continue

        def point(match: re.Match[str], number: int = number) -> str:
            url = match.group("url")
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or url.startswith(("/", "#", "{")) or not parts.path:
                return match.group(0)
            path = posixpath.normpath(posixpath.join(folder, unquote(parts.path))).rstrip("/")
            record = targets.get(path) or targets.get(posixpath.splitext(path)[0])
            if record:
                anchor = f"#{parts.fragment}" if parts.fragment else ""
                return f"{match.group('lead')}{record}.md{anchor}"
            where = (read.page.body_line + number, match.start("url") + 1)
            message = (f"the link '{url}' leads to a file that is not imported; copy it into the handbook or "
                       "change the link (a strict build fails on a link to a missing file)")
            diagnostics.append(problem(read.shown, where, "link-not-imported", message,
                                       severity=Severity.WARNING))
            return match.group(0)

        lines[number] = _TARGET.sub(point, line)
    return "\n".join(lines)


def _quoted(text: str) -> str:
    """``text`` as a YAML scalar in double quotes (JSON's escapes, letters left as they are)."""
    escaped = json.dumps(text, ensure_ascii=False)
    return escaped.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\x85", "\\u0085")


def _record_text(read: _Read, page: PlannedPage, body: str, schemas_dir: Path, options: ImportOptions,
                 origin: str) -> str:
    """The record, in the shape `mentorsite new` writes: the schema line, where it came from (``origin``:
    the source folder's name and the page's path in it), the fields, the body."""
    summary = field_text(read.page.fields, ("description", "summary", "excerpt"))
    summary = shorten(plain(summary)) if summary else first_sentence(body) or page.title
    lines = ["---", schema_hint(page.path, schemas_dir, "guideline"), f"{MARKER}{origin}",
             f"title: {_quoted(page.title)}", f"audience: [{', '.join(options.audience)}]",
             f"topic: {_quoted(page.topic)}"]
    if read.order is not None:
        lines.append(f"order: {read.order}")
    lines.append(f"summary: {_quoted(summary)}")
    tags = tags_of(read.page.fields)
    if tags:
        lines.append(f"tags: [{', '.join(_quoted(tag) for tag in tags)}]")
    source_title = page.title if options.source_url else f"{page.title}, imported from {origin}"
    lines += ["sources:", f"  - title: {_quoted(source_title)}"]
    if options.source_url:
        lines.append(f"    url: {_quoted(options.source_url.rstrip('/') + '/' + quote(read.relative))}")
    lines.append("---")
    text = "\n".join(lines) + "\n"
    return f"{text}\n{body.strip()}\n" if body.strip() else text


def _validate(page: PlannedPage, diagnostics: list[Diagnostic]) -> None:
    """A record the checks would refuse is an error at the source page, before anything is written."""
    _, problems = parse_draft(Draft(page.path, "guideline", page.text), page.path.parent)
    for found in problems:
        if found.is_error:
            message = f"the guideline made from this page would be refused: {found.field}: {found.message}"
            diagnostics.append(problem(page.source, (1, 1), "import-invalid", message))
