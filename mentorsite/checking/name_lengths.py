"""Names the build could not write: ids and page names measured against the longest names
and paths the build derives from them, before any build, so that none stops half way."""

from __future__ import annotations

import os
from pathlib import Path

from mentorsite.checking.references import document_id
from mentorsite.model.diagnostics import Diagnostic
from mentorsite.reading.limits import Limit, NameLimits
from mentorsite.reading.loading import ContentDocuments, ProgramPlaces, printable
from mentorsite.reading.problems import problem
from mentorsite.reading.sources import Document


def _stem(document: Document) -> str:
    return Path(document.path).stem


def shown_path(path: Path, root: Path) -> str:
    """``path`` as messages show it: relative to the program's folder when it is inside it."""
    relative = Path(os.path.relpath(path.absolute(), root.absolute()))
    return (relative if not relative.parts or relative.parts[0] != ".." else path.absolute()).as_posix()


def name_limits(places: ProgramPlaces) -> NameLimits:
    outputs = dict(places.outputs)
    return NameLimits.of(outputs.get("private_dir", places.program_dir / "site-private"),
                         outputs.get("site_dir", places.program_dir / "site"))


def check_name_lengths(content: ContentDocuments, limits: NameLimits) -> list[Diagnostic]:
    """Every pair, goal, session and guideline whose name the build could not write (``name-too-long``).

    A name is measured in bytes against every name and path the build derives from it
    (see ``limits``), before any build, so that no build stops on it half way.
    """
    guideline_limit = limits.page_id("guidelines", None)
    found = [_too_long(document, "guideline id", guideline_limit) for document in content.guidelines]
    pair_limit = limits.pair_id()
    for documents in content.pairs:
        pair_file = documents.files.get("pair.yml")
        message = pair_limit.describe("pair id (the folder name)", documents.folder)
        if message:
            written = pair_file is not None and "id" in (pair_file.data or {})
            where = pair_file.positions.of_value(("id",)) if pair_file and written else (1, 1)
            found.append(problem(f"{documents.path}/pair.yml", where, "name-too-long",
                                 message, "id"))
        # The pages' limits for a pair id that fits: a pair id too long is reported on its own.
        pair_id = documents.folder[:max(pair_limit.most, 1)]
        for kind, folder, pages in (("goal id", "goals", documents.goals),
                                    ("session id", "sessions", documents.sessions)):
            page_limit = limits.page_id(folder, pair_id)
            found += [_too_long(document, kind, page_limit) for document in pages]
    return [diagnostic for diagnostic in found if diagnostic is not None]


# The endings MkDocs reads as Markdown pages, each written as '<name>.html' or '<name>/index.html'.
PAGE_SUFFIXES = (".md", ".markdown", ".mdown", ".mkdn", ".mkd")


def check_page_names(places: ProgramPlaces, guidelines: Path, limits: NameLimits,
                      root: Path) -> list[Diagnostic]:
    """The pages of ``docs_dir`` (besides the guidelines, measured by id) the build could not write."""
    left_out = {guidelines, places.pairs_dir, *(path for _, path in places.outputs)}
    found = []
    for walked, folders, files in os.walk(places.docs_dir):
        folder = Path(walked)
        folders[:] = sorted(name for name in folders
                            if not name.startswith(".") and (folder / name).resolve() not in left_out)
        relative = folder.relative_to(places.docs_dir).as_posix()
        limit = limits.page_id("" if relative == "." else relative, None)
        for page in sorted(folder / name for name in files if not name.startswith(".")):
            message = (limit.describe("page name (the file name without its ending)", page.stem)
                       if page.suffix.lower() in PAGE_SUFFIXES else None)
            if message:
                found.append(problem(printable(shown_path(page, root)), (1, 1), "name-too-long", message))
    return found


def _too_long(document: Document, kind: str, limit: Limit) -> Diagnostic | None:
    written = "id" in (document.data or {}) and isinstance((document.data or {})["id"], str)
    shown_kind = kind if written else f"{kind} (the file name)"
    message = limit.describe(shown_kind, document_id(document, _stem(document)))
    if message is None:
        return None
    where = document.positions.of_value(("id",)) if written else (1, 1)
    return problem(document.path, where, "name-too-long", message, "id")
