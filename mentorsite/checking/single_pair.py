"""A pair's own repository checked: its records as a program checks a pair folder, and what they
name of the program's published handbook (guideline ids, ``handbook_version``).

The handbook is read from where ``mentorsite-pair.yml`` says (``mentorsite.reading.handbook_fetch``);
when it cannot be reached and no copy was kept, those two checks say they were skipped, and
everything else is checked all the same.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from mentorsite.checking.inclusions import check_pair_document
from mentorsite.checking.name_lengths import check_name_lengths
from mentorsite.checking.program import check_pair_folder
from mentorsite.model.diagnostics import Diagnostic, Severity, sort_diagnostics
from mentorsite.model.record_sets import PairRecords
from mentorsite.reading.handbook_fetch import CACHE_FOLDER, PublishedHandbook, read_handbook
from mentorsite.reading.limits import NameLimits
from mentorsite.reading.loading import ContentDocuments, Entry, PairDocuments, _Finder, _pair_documents
from mentorsite.reading.pair_repository import (
    PAIR_CONFIG,
    PAIR_REPOSITORY_FILES,
    PairRepositoryConfig,
    read_pair_config,
)
from mentorsite.reading.problems import problem
from mentorsite.reading.sources import Document

_GUIDELINES = "the guidelines the records name"
_VERSION = "handbook_version"


@dataclass
class CheckedPairRepository:
    """The pair's records that passed their checks, every problem found, and the handbook read."""

    config: PairRepositoryConfig | None
    records: PairRecords | None
    diagnostics: list[Diagnostic]
    handbook: PublishedHandbook | None = None

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]


def check_pair_repository(folder: Path, shown_from: Path | None = None,
                          fetch: bool = True) -> CheckedPairRepository:
    """Check the pair repository at ``folder``; paths in messages are from ``shown_from`` (default: cwd).

    Without ``fetch``, the handbook is not read and its two checks say they were skipped.
    """
    config_file = folder / PAIR_CONFIG
    config, diagnostics = read_pair_config(config_file)
    pair_id = config.pair if config is not None else folder.absolute().name
    documents, found = load_pair_repository(folder, pair_id)
    diagnostics += found
    for document in _documents(documents):
        diagnostics += check_pair_document(document, documents.path)
    limits = NameLimits.of(folder / "site-private", folder / "site")
    diagnostics += check_name_lengths(ContentDocuments(pairs=[documents]), limits)
    handbook = None
    if config is not None and config.handbook is not None and fetch:
        handbook = read_handbook(config.handbook, folder, _version_named(documents), folder / CACHE_FOLDER)
    usable = handbook is not None and handbook.usable
    ids = handbook.guideline_ids if handbook is not None and usable else None
    editions = handbook.editions if handbook is not None and usable else None
    scope = f"in {handbook.where()}" if handbook is not None else ""
    records, found = check_pair_folder(documents, ids, editions, handbook=scope)
    diagnostics += found
    # Unusable, both checks say so, whatever the records name.
    diagnostics += _skipped(config, config_file, handbook, ids is None,
                            editions is None and (not usable or _version_named(documents) is not None))
    if handbook is not None:
        where = _handbook_line(config_file)
        diagnostics += [problem(config_file.as_posix(), where, code, message, "handbook", Severity.WARNING)
                        for code, message in handbook.notes]
    prefix = _prefix(folder, shown_from or Path.cwd())
    diagnostics = [_shown(d, documents, prefix) for d in diagnostics]
    return CheckedPairRepository(config, records, sort_diagnostics(diagnostics), handbook)


def load_pair_repository(folder: Path, pair_id: str) -> tuple[PairDocuments, list[Diagnostic]]:
    """The records at the root of a pair's repository, read as a program reads a pair folder.

    The same rules apply as in a program (a link that leads out of the folder is refused, an
    odd file name is a problem, a file past the size bound is not read), and the repository's
    own files (``PAIR_REPOSITORY_FILES``) are passed over. Paths in messages start with the
    folder's own name, as a pair folder's do in a program, so that the same checks of links
    inside the pair apply; ``check_pair_repository`` shows them from where it is run.
    """
    folder = folder.absolute()
    finder = _Finder(folder, folder.parent)  # the loader's reading rules; its program places are not used
    entry = Entry(folder, folder.resolve(), True, False, False)
    documents = replace(_pair_documents(finder, entry, PAIR_REPOSITORY_FILES), folder=pair_id)
    diagnostics = list(finder.diagnostics)
    for document in _documents(documents):
        diagnostics += document.diagnostics
    return documents, diagnostics


def _documents(documents: PairDocuments) -> list[Document]:
    return [*documents.files.values(), *documents.goals, *documents.sessions, *documents.checkins]


def version_named(folder: Path) -> str | None:
    """The ``handbook_version`` the pair.yml at ``folder`` names, if it names one (unchecked)."""
    return _version_named(load_pair_repository(folder, folder.name)[0])


def _version_named(documents: PairDocuments) -> str | None:
    pair_file = documents.files.get("pair.yml")
    version = (pair_file.data or {}).get(_VERSION) if pair_file is not None else None
    return version if isinstance(version, str) else None


def _skipped(config: PairRepositoryConfig | None, config_file: Path, handbook: PublishedHandbook | None,
             guidelines: bool, version: bool) -> list[Diagnostic]:
    """A warning for each handbook check that could not run, saying why."""
    if config is None:
        return []  # the configuration's own problems say what to fix
    where = _handbook_line(config_file)
    if handbook is None:
        why = "no handbook is named; add 'handbook: <web address or folder>' to name the published one"
    elif not handbook.reachable:
        why = f"the handbook at {handbook.location} could not be reached ({handbook.reason})"
    elif not handbook.usable:
        why = f"the handbook at {handbook.location} cannot be used: {handbook.reason}"
    else:
        why = f"{handbook.where()} lists no editions (it has no versions.json)"
    found = []
    for name, skipped in ((_GUIDELINES, guidelines), (_VERSION, version)):
        if skipped:
            found.append(problem(config_file.as_posix(), where, "handbook-skipped",
                                 f"skipped the check of {name}: {why}", "handbook", Severity.WARNING))
    return found


def _handbook_line(config_file: Path) -> tuple[int, int]:
    """Where ``handbook:`` is written in the configuration, else its first line."""
    try:
        lines = config_file.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return (1, 1)
    return next(((number, 1) for number, line in enumerate(lines, 1) if line.startswith("handbook:")), (1, 1))


def _prefix(folder: Path, shown_from: Path) -> str:
    relative = Path(os.path.relpath(folder.absolute(), shown_from.absolute()))
    return "" if relative == Path() else f"{relative.as_posix()}/"


def _shown(diagnostic: Diagnostic, documents: PairDocuments, prefix: str) -> Diagnostic:
    """A problem with its path from ``shown_from``: the records' paths start with the folder's name."""
    path = diagnostic.path
    if path == documents.path:
        path = prefix.rstrip("/") or "."
    elif path.startswith(f"{documents.path}/"):
        path = prefix + path.removeprefix(f"{documents.path}/")
    elif Path(path).name == PAIR_CONFIG:
        path = prefix + PAIR_CONFIG
    return replace(diagnostic, path=path)
