"""What records and handbook pages include or link to, checked against where each belongs.

A pair's record may include nothing (private sites render with no include extension, and
a line that asks for one is an error, so the author knows it is not shown) and may link
only inside its own pair's folder. Handbook pages may include files, except from the
pairs folder, the private output, the record cache, the keys file or anywhere outside
the program's folder, and may not link into the pairs folder. Every check of a pair's
record works on its text alone; a handbook page's include targets (and the files they
include, in turn) are looked up on disk. Finding what a text points at is
``mentorsite.checking.pointers``; the options of mkdocs.yml that name places,
``mentorsite.checking.config_places``.
"""

from __future__ import annotations

import html
import os
import posixpath
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from mentorsite.checking.pointers import (
    C0_AND_SPACE,
    Found,
    findings,
    include_paths,
    may_point,
    relative_paths,
    texts,
    where_found,
)
from mentorsite.model.diagnostics import Diagnostic, Severity
from mentorsite.reading.loading import ProgramPlaces
from mentorsite.reading.nesting import too_deep
from mentorsite.reading.positions import Positions
from mentorsite.reading.problems import problem
from mentorsite.reading.sources import Document


def check_nesting(document: Document) -> list[Diagnostic]:
    """Text that nests too deeply for the Markdown renderer (``mentorsite.reading.nesting``), at its line."""
    diagnostics = []
    for text, location, body_line in texts(document):
        found = too_deep(text)
        if found is not None:
            spot = Found("nesting", "", found.line, found.column - 1)
            where, name = where_found(document, location, body_line, spot)
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
            where, name = where_found(document, location, body_line, found)
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
            where, name = where_found(document, location, body_line, found)
            if found.kind == "link":
                if _link_into_pairs(found.target, bases, places):
                    message = (f"expected a link inside the handbook, got '{found.target}', "
                               "which leads into the pairs folder")
                    diagnostics.append(problem(document.path, where, "link-into-pairs", message, name))
            elif found.target:
                reached = include_reaches(found.target, bases, places)
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
    for path in include_paths(written):
        for base in bases:
            real = Path(os.path.realpath(base / path))
            if real in included.seen or not real.is_file():
                continue
            included.seen.add(real)
            diagnostics += _check_page(real, included.shown(real), places, included)
    return diagnostics


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


def include_reaches(written: str, bases: Sequence[Path], places: ProgramPlaces) -> str | None:
    """How a handbook include line, read against ``bases``, reaches what it must not, or None.

    A private place any base leads to is named before "outside the program's folder", so
    that the message does not depend on which files happen to exist where the build runs.
    """
    candidates = [base / path for path in include_paths(written) for base in bases]
    private = (reaches(candidate, places, outside=False) for candidate in candidates)
    outside = (reaches(candidate, places) for candidate in candidates)
    return next((reached for reached in private if reached), None) or next((r for r in outside if r), None)


def reaches(path: Path, places: ProgramPlaces, *, holding: bool = False, outside: bool = True) -> str | None:
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
