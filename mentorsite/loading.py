"""Finding the record files of a program under its content folder and parsing each one."""

from __future__ import annotations

import difflib
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from mentorsite.caching import RecordCache
from mentorsite.diagnostics import Diagnostic, Severity
from mentorsite.sources import Document, decode, failed, problem, read_markdown, read_yaml

GUIDELINES_FOLDER = "handbook/guidelines"
LANDING_PAGE = "handbook/index.md"
PAIRS_FOLDER = "pairs"
PAIR_FILES = ("pair.yml", "agreement.md", "closing.md")
PAIR_FOLDERS = ("goals", "sessions", "checkins")
MAX_RECORD_BYTES = 1024 * 1024  # a record is notes, not a document store: far more is a mistake


@dataclass
class PairDocuments:
    """The parsed files of one pair folder; ``folder`` is the folder name."""

    folder: str
    path: str
    files: dict[str, Document] = field(default_factory=dict)
    goals: list[Document] = field(default_factory=list)
    sessions: list[Document] = field(default_factory=list)
    checkins: list[Document] = field(default_factory=list)


@dataclass
class ContentDocuments:
    guidelines: list[Document] = field(default_factory=list)
    landing_markdown: str | None = None
    pairs: list[PairDocuments] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


class _Finder:
    """Reads files inside one content folder, refusing links that lead out of it."""

    def __init__(self, content_dir: Path, root: Path, cache: RecordCache | None = None):
        self.cache = cache
        self.content_dir = content_dir
        self.real_content_dir = content_dir.resolve()
        self.root = root
        self.diagnostics: list[Diagnostic] = []
        self.folders: dict[Path, str] = {}

    def display(self, path: Path) -> str:
        """The path as messages show it: relative to the root when inside it, else absolute."""
        if path.name in ("", ".", ".."):
            return self._display(path)
        folder = self.folders.get(path.parent)
        if folder is None:
            folder = self.folders[path.parent] = self._display(path.parent)
        return path.name if folder == "." else f"{folder}/{path.name}"

    def _display(self, path: Path) -> str:
        relative = Path(os.path.relpath(path.absolute(), self.root.absolute()))
        return (relative if not relative.parts or relative.parts[0] != ".." else path.absolute()).as_posix()

    def entries(self, folder: Path) -> list[Path]:
        """Visible entries of ``folder`` in name order, without those that leave the content."""
        if not folder.is_dir():
            return []
        found = []
        # Only a link can lead out of a folder that is itself inside the content.
        inside = folder.resolve().is_relative_to(self.real_content_dir)
        for entry in sorted(folder.iterdir()):
            if entry.name.startswith("."):
                continue
            may_leave = not inside or entry.is_symlink()
            if may_leave and not entry.resolve().is_relative_to(self.real_content_dir):
                message = "is a link to a place outside the content folder; it is not read"
                self.diagnostics.append(problem(self.display(entry), (1, 1), "outside-content", message))
                continue
            found.append(entry)
        return found

    def read(self, path: Path) -> bytes | Diagnostic:
        """The file's bytes, or why it is not read (it is larger than a record may be)."""
        with path.open("rb") as handle:
            raw = handle.read(MAX_RECORD_BYTES + 1)
        if len(raw) > MAX_RECORD_BYTES:
            mebibyte = 1024 * 1024
            message = (f"the file is {path.stat().st_size / mebibyte:.1f} MiB; a record may be at most "
                       f"{MAX_RECORD_BYTES // mebibyte} MiB, so it is not read")
            return problem(self.display(path), (1, 1), "too-large", message)
        return raw

    def markdown(self, path: Path) -> Document:
        return self.document(path, "markdown", read_markdown)

    def yaml(self, path: Path) -> Document:
        return self.document(path, "yaml", read_yaml)

    def document(self, path: Path, kind: str, parse: Callable[[bytes, str], Document]) -> Document:
        """The parsed file, from the cache when a file of this path and content was parsed before."""
        raw = self.read(path)
        shown = self.display(path)
        if isinstance(raw, Diagnostic):
            return failed(shown, raw)
        content = hashlib.sha256(raw).hexdigest()
        if self.cache is None:
            return replace(parse(raw, shown), digest=content)
        return self.cache.get((kind, shown, content), lambda: replace(parse(raw, shown), digest=content))

    def unknown(self, path: Path, expected: list[str]) -> None:
        close = difflib.get_close_matches(path.name, expected, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else f"expected {', '.join(expected)}"
        self.diagnostics.append(problem(self.display(path), (1, 1), "unknown-file",
                                        f"not a record file; {hint}", severity=Severity.WARNING))


def load_content(content_dir: Path, root: Path, cache: RecordCache | None = None) -> ContentDocuments:
    """Parse every record under ``content_dir``; paths in messages are relative to ``root``.

    With a ``cache``, a file whose path and bytes were parsed before is not parsed again.
    """
    finder = _Finder(content_dir, root, cache)
    content = ContentDocuments()
    if not content_dir.is_dir():
        content.diagnostics.append(problem(finder.display(content_dir), (1, 1), "no-content",
                                           "expected a content folder with handbook/ and pairs/"))
        return content
    content.guidelines = _markdown_files(finder, content_dir / GUIDELINES_FOLDER, "<guideline-id>.md")
    landing = content_dir / LANDING_PAGE
    if landing.is_file():
        raw = finder.read(landing)
        if isinstance(raw, Diagnostic):
            content.diagnostics.append(raw)
        else:
            text, problems = decode(raw, finder.display(landing))
            content.landing_markdown = text
            content.diagnostics += problems
    content.pairs = [_pair_documents(finder, folder) for folder in finder.entries(content_dir / PAIRS_FOLDER)
                     if folder.is_dir()]
    content.diagnostics += finder.diagnostics
    for pair in content.pairs:
        for document in [*pair.files.values(), *pair.goals, *pair.sessions, *pair.checkins]:
            content.diagnostics += document.diagnostics
    for document in content.guidelines:
        content.diagnostics += document.diagnostics
    return content


def _markdown_files(finder: _Finder, folder: Path, pattern: str) -> list[Document]:
    documents = []
    for entry in finder.entries(folder):
        if entry.is_file() and entry.suffix == ".md":
            documents.append(finder.markdown(entry))
        else:
            finder.unknown(entry, [pattern])
    return documents


def _pair_documents(finder: _Finder, folder: Path) -> PairDocuments:
    pair = PairDocuments(folder.name, finder.display(folder))
    expected = [*PAIR_FILES, *(f"{name}/" for name in PAIR_FOLDERS)]
    for entry in finder.entries(folder):
        if entry.is_file() and entry.name == "pair.yml":
            pair.files[entry.name] = finder.yaml(entry)
        elif entry.is_file() and entry.name in PAIR_FILES:
            pair.files[entry.name] = finder.markdown(entry)
        elif entry.is_dir() and entry.name in PAIR_FOLDERS:
            pattern = "<goal-id>.md" if entry.name == "goals" else "<YYYY-MM-DD>.md"
            setattr(pair, entry.name, _markdown_files(finder, entry, pattern))
        else:
            finder.unknown(entry, expected)
    return pair
