"""The pairs of a program's ``pair_sources`` read beside those of its content folder.

Each source folder (``reading.pair_sources``) is read as the loader reads a pair folder of
``content/pairs/`` (``reading.loading``), under the same rules, after checks of its own: it
must be a pair repository, apart from the content and the program's outputs, cache and keys
file, and no other source's folder. Its pair's id is the one its ``mentorsite-pair.yml``
names, whatever the folder is called.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

from mentorsite.model.diagnostics import Diagnostic, Severity
from mentorsite.reading.caching import RecordCache
from mentorsite.reading.loading import (
    PAIRS_FOLDER,
    ContentDocuments,
    Entry,
    PairDocuments,
    ProgramPlaces,
    _Finder,
    _overlap,
    _pair_documents,
    load_content,
    printable,
    unprintable_name,
)
from mentorsite.reading.pair_repository import (
    PAIR_CONFIG,
    PAIR_REPOSITORY_FILES,
    is_pair_repository,
    read_pair_config,
)
from mentorsite.reading.pair_sources import PRIVATE_NAME, SourceFolder, folder_key, not_ignored, remember
from mentorsite.reading.problems import problem


def load_program_content(content_dir: Path, root: Path, cache: RecordCache | None = None,
                         places: ProgramPlaces | None = None) -> ContentDocuments:
    """``loading.load_content``, with the pairs of ``places.sources`` among those of ``content/pairs/``."""
    content = load_content(content_dir, root, cache, places)
    content.diagnostics += _other_ids(content, content_dir)
    if places is None or not places.sources or not content_dir.is_dir():
        return content
    finder = _Finder(content_dir, root, cache, places)
    counted = {id(pair) for pair in content.pairs}  # their problems are among the content's already
    content.pairs = sorted(source_pairs(finder, content.pairs), key=lambda pair: pair.folder)
    diagnostics: list[Diagnostic] = list(finder.diagnostics)
    diagnostics += not_ignored(places.sources, places.program_dir, finder.display)
    for pair in content.pairs:
        for document in [*pair.files.values(), *pair.goals, *pair.sessions, *pair.checkins]:
            if id(pair) not in counted:
                diagnostics += document.diagnostics
    content.diagnostics += diagnostics
    return content


@dataclass
class _Place:
    """Where a pair was found: its documents' index, how a message names the place, whether it is live."""

    index: int
    where: str
    position: tuple[int, int] = (1, 1)
    remembered_only: bool = False
    """Only a remembered id stands for the pair here (a folder gone or unreadable): a live one wins."""


def source_pairs(finder: _Finder, found: list[PairDocuments]) -> list[PairDocuments]:
    """``found`` (the pairs of ``content/pairs/``) with those of every folder of ``places.sources``.

    Each folder is read as the loader reads a pair folder. A folder that is misplaced, is no
    pair repository or cannot be read stands for its pair (its id, else its folder name)
    without records, so that the pair is not built. A pair found twice is not built at
    either place (an error at each): the other pairs and the handbook build; a folder that
    only a remembered id stands for gives way to a live one (a warning).
    """
    pairs, places = list(found), finder.places
    seen = {pair.folder: _Place(index, pair.path) for index, pair in enumerate(pairs)}
    memory: dict[str, dict[str, str]] = {}
    real = [(folder, Path(os.path.realpath(folder.path))) for folder in places.sources]
    for folder, real_path in real:
        shown = printable(finder.display(folder.path))  # a name a message cannot show as it is, escaped
        why = (folder.problem or unprintable_name(str(folder.path)) or _misplaced(finder, places, real_path)
               or _shared(finder, folder, real_path, real))
        config = None
        if why is None and not is_pair_repository(folder.path):
            why = (f"has no {PAIR_CONFIG}, so it is not a pair's repository (`mentorsite init --pair` makes "
                   "one; a submodule not checked out is empty: run `git submodule update --init`)")
        elif why is None:
            config, problems = read_pair_config(folder.path / PAIR_CONFIG)
            finder.diagnostics += [replace(d, path=f"{shown}/{PAIR_CONFIG}") for d in problems]
        pair_id = config.pair if config is not None else folder.remembered or printable(folder.path.name)
        if config is not None or folder.remembered:
            memory.setdefault(folder.source.key, {})[folder_key(folder.path, places.program_dir)] = pair_id
        place = _Place(len(pairs), f"{shown}/{PAIR_CONFIG}" if config is not None else shown,
                       _pair_position(folder.path / PAIR_CONFIG) if config is not None else (1, 1),
                       remembered_only=config is None and why is not None and folder.remembered is not None)
        if why is not None:
            finder.diagnostics.append(problem(shown, (1, 1), "unreadable-source", (
                f"pair source {folder.source.label}: {shown} {why}; its pair is not built: its last "
                "portfolio is kept and its review edition withdrawn until the folder can be read"),
                severity=Severity.WARNING if place.remembered_only and pair_id in seen else Severity.ERROR))
            pairs.append(PairDocuments(pair_id, shown, refused=True))
        elif config is None:
            pairs.append(PairDocuments(pair_id, shown, refused=True))  # its file's problems say why
        else:
            entry = Entry(folder.path, real_path, True, False, folder.path.is_symlink())
            pairs.append(replace(_pair_documents(finder, entry, PAIR_REPOSITORY_FILES), folder=pair_id))
        first = seen.setdefault(pair_id, place)
        if first is not place:
            _twice(finder, pairs, pair_id, first, place, seen)
    if places.remembering:
        remember(places.program_dir, memory)
    return [pair for pair in pairs if pair.folder != _GONE]


_GONE = "\0"  # the folder id of a place left out: a pair found twice keeps one place, refused


def _twice(finder: _Finder, pairs: list[PairDocuments], pair_id: str, first: _Place, then: _Place,
           seen: dict[str, _Place]) -> None:
    """A pair found at a second place: the remembered place gives way, else neither is built."""
    if then.remembered_only:
        pairs[then.index] = replace(pairs[then.index], folder=_GONE)
        return
    if first.remembered_only:
        pairs[first.index] = replace(pairs[first.index], folder=_GONE)
        finder.diagnostics = [replace(d, severity=Severity.WARNING) if d.path == first.where else d
                              for d in finder.diagnostics]
        seen[pair_id] = then
        return
    pairs[first.index] = PairDocuments(pair_id, pairs[first.index].path, refused=True)
    pairs[then.index] = replace(pairs[then.index], folder=_GONE)
    for here, there in ((first, then), (then, first)):
        finder.diagnostics.append(problem(here.where, here.position, "duplicate-pair", (
            f"pair '{pair_id}' is also at {there.where}; expected each pair once, so it is built at neither "
            "place (its last portfolio is kept and its review edition withdrawn) until one of them goes "
            "(from pair_sources in mkdocs.yml or from the content)")))


def _other_ids(content: ContentDocuments, content_dir: Path) -> list[Diagnostic]:
    """An error for each pair of content/pairs/ whose pair repository file names another pair."""
    found = []
    for pair in content.pairs:
        folder = content_dir / PAIRS_FOLDER / pair.folder
        config = read_pair_config(folder / PAIR_CONFIG)[0] if is_pair_repository(folder) else None
        if config is not None and config.pair != pair.folder:
            at = _pair_position(folder / PAIR_CONFIG)
            found.append(problem(f"{pair.path}/{PAIR_CONFIG}", at, "id-mismatch", (
                f"expected pair: {pair.folder}, the folder's name in content/pairs/, got '{config.pair}'; "
                "rename the folder or change the file")))
    return found


def _pair_position(path: Path) -> tuple[int, int]:
    """Where the ``pair:`` value of a pair repository's file is (line, column), for its messages."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return (1, 1)
    for number, line in enumerate(lines, 1):
        found = re.match(r"pair\s*:\s*", line)
        if found:
            return (number, found.end() + 1)
    return (1, 1)


def _shared(finder: _Finder, folder: SourceFolder, real_path: Path,
            real: list[tuple[SourceFolder, Path]]) -> str | None:
    """Why a source folder is where another is (or holds it, or is in it), or None.

    As in content/pairs/, of a link and the folder it leads to, the link is refused.
    """
    linked = real_path != folder.path
    other = next((other for other, its in real if other is not folder and _overlap(real_path, its)
                  and (linked or its == other.path)), None)
    if other is None:
        return None
    return f"is, holds or is inside {finder.display(other.path)}, another pair source"


def _misplaced(finder: _Finder, places: ProgramPlaces, real: Path) -> str | None:
    """Why a source folder may not be read where it is: among the content, the outputs, the keys."""
    if real.is_relative_to(finder.real_content_dir):
        return "is inside content_dir: a pair there belongs in its pairs/ folder"
    if places.program_dir.is_relative_to(real):
        return "holds the program's own folder"
    for name, place in [("docs_dir", places.docs_dir), *places.outputs, *places.private]:
        if name == PRIVATE_NAME:
            continue
        if real.is_relative_to(place) or place.is_relative_to(real):
            return f"is {'inside' if real.is_relative_to(place) else 'around'} {name} ({place})"
    return None


def source_pair_folder(places: ProgramPlaces, pair_id: str) -> Path | None:
    """The source folder that holds (or, by what was read before, stands for) pair ``pair_id``, or None.

    Such a pair's records are written in its own repository: a copy in the program's content
    would put them in the program's repository and make the pair twice.
    """
    for folder in places.sources:
        if folder.remembered == pair_id:
            return folder.path
        if folder.problem is None and is_pair_repository(folder.path):
            config, _ = read_pair_config(folder.path / PAIR_CONFIG)
            if config is not None and config.pair == pair_id:
                return folder.path
    return None
