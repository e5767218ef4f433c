"""Finding the record files of a program under its content folder and parsing each one."""

from __future__ import annotations

import difflib
import hashlib
import os
import stat
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from mentorsite.files.failures import reason
from mentorsite.model.diagnostics import Diagnostic, Severity
from mentorsite.reading.caching import RecordCache
from mentorsite.reading.pair_repository import PAIR_REPOSITORY_FILES
from mentorsite.reading.problems import problem
from mentorsite.reading.sources import Document, decode, failed, read_markdown, read_yaml

if TYPE_CHECKING:
    from mentorsite.reading.pair_sources import SourceFolder

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
    refused: bool = False
    """The folder is a link where it must not lead (see ``pair_folders``): nothing in it was read."""


@dataclass
class ContentDocuments:
    guidelines: list[Document] = field(default_factory=list)
    landing_markdown: str | None = None
    pairs: list[PairDocuments] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


@dataclass(frozen=True)
class ProgramPlaces:
    """Where a program's folders are, for the checks that keep each record where it belongs.

    Paths are absolute and resolved. ``docs_dir`` and ``outputs`` are the folders no pair
    folder may be in (a pair folder may be a link to a folder elsewhere); ``private`` the
    places (besides the pairs) no handbook page may include from; ``base_paths`` the
    folders include lines are read against (the extensions' ``base_path`` options);
    ``site_folders`` the folders every site built with the theme holds besides its pages
    (see ``site_folders``), which no pair may be named after.
    """

    program_dir: Path
    pairs_dir: Path
    docs_dir: Path
    outputs: tuple[tuple[str, Path], ...] = ()
    private: tuple[tuple[str, Path], ...] = ()
    base_paths: tuple[Path, ...] = ()
    site_folders: tuple[str, ...] = ()
    sources: tuple[SourceFolder, ...] = ()  # pair_sources' folders: pairs in repositories of their own
    remembering: bool = False
    """Whether reading the sources writes down which pair each held (a build does; a check does not)."""

    @classmethod
    def defaults(cls, content_dir: Path) -> ProgramPlaces:
        """The places of a program laid out with the plugin's default settings beside ``content_dir``."""
        program = content_dir.resolve().parent
        outputs = (("site_dir", program / "site"), ("private_dir", program / "site-private"),
                   ("cache_dir", program / ".cache" / "mentorsite"))
        pairs, handbook = (content_dir / PAIRS_FOLDER).resolve(), (content_dir / "handbook").resolve()
        return cls(program, pairs, handbook, outputs, outputs[1:], (Path.cwd(),))


def printable(name: str) -> str:
    """A file name as a message may show it: bytes that are not UTF-8 and control characters escaped."""
    raw = os.fsencode(name).decode("utf-8", "backslashreplace")
    return "".join(c if unicodedata.category(c) != "Cc" else c.encode("unicode_escape").decode() for c in raw)


def unprintable_name(name: str) -> str | None:
    """Why a file or folder name is not read (not UTF-8, or a control character in it), or None.

    Such a name could not be shown in a message as it is, and a line break in it could make
    one file's message read like another's.
    """
    raw = os.fsencode(name)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return (f"expected a file name in UTF-8, got the byte 0x{raw[error.start:error.start + 1].hex()}, "
                "so it is not read; rename it")
    control = next((c for c in text if unicodedata.category(c) == "Cc"), None)
    if control is not None:
        return (f"expected a file name without control characters, got U+{ord(control):04X}, so it is not "
                "read; rename it")
    return None


# The theme's files a site does not copy (MkDocs leaves them out: templates, code, readmes,
# translations).
_NOT_COPIED = (".html", ".py", ".pyc", ".md", ".yml")
_NOT_COPIED_FOLDERS = ("locales",)


def site_folders(theme_dirs: list[Path], stylesheets: list[str]) -> tuple[str, ...]:
    """The top folders of a built site that are no page's: the theme's static files, local stylesheets.

    The reviewer site holds them beside the pairs' review editions, so no pair may be named so.
    """
    local = [css for css in stylesheets if ":" not in css and not css.startswith("/")]
    found = {css.split("/")[0] for css in local if "/" in css}
    for theme in theme_dirs:
        for top in sorted(theme.iterdir()) if theme.is_dir() else []:
            if (top.is_dir() and not top.name.startswith((".", "__")) and top.name not in _NOT_COPIED_FOLDERS
                    and _copies_a_file(top)):
                found.add(top.name)
    return tuple(sorted(found))


def _copies_a_file(folder: Path) -> bool:
    for _, folders, files in os.walk(folder):
        folders[:] = [name for name in folders if not name.startswith(".")]
        if any(not name.startswith(".") and not name.lower().endswith(_NOT_COPIED)
               and "readme" not in name.lower() for name in files):
            return True
    return False


@dataclass
class Entry:
    """A visible entry of a folder: its path, where it really is, and what it is."""

    path: Path
    real: Path
    is_dir: bool
    is_file: bool
    is_link: bool


class _Finder:
    """Reads files inside one content folder, refusing links that lead out of where they belong."""

    def __init__(self, content_dir: Path, root: Path, cache: RecordCache | None = None,
                 places: ProgramPlaces | None = None):
        self.cache = cache
        self.content_dir = content_dir
        self.real_content_dir = content_dir.resolve()
        self.real_pairs_dir = (content_dir / PAIRS_FOLDER).resolve()
        self.places = places or ProgramPlaces.defaults(content_dir)
        self.root = root
        self.diagnostics: list[Diagnostic] = []
        self.folders: dict[Path, str] = {}
        self.unfit: list[Entry] = []  # folders not read for their names, shown as messages show them

    def display(self, path: Path) -> str:
        """The path as messages show it: relative to the root when inside it, else absolute."""
        if path.name in ("", ".", ".."):
            return self._display(path)
        folder = self.folders.get(path.parent)
        if folder is None:
            folder = self.folders[path.parent] = self._display(path.parent)
        return path.name if folder == "." else f"{folder.rstrip('/')}/{path.name}"  # '/etc', not '//etc'

    def _display(self, path: Path) -> str:
        relative = Path(os.path.relpath(path.absolute(), self.root.absolute()))
        return (relative if not relative.parts or relative.parts[0] != ".." else path.absolute()).as_posix()

    def refuse(self, path: Path, code: str, message: str) -> None:
        self.diagnostics.append(problem(self.display(path), (1, 1), code, message))

    def listing(self, folder: Path, real_folder: Path) -> list[Entry]:
        """Visible entries of ``folder`` (really at ``real_folder``) in name order.

        Only links are resolved: an entry that is no link is where its folder is. The
        directory listing says which entries are links, so this costs no extra file reads.
        """
        try:
            scanned = sorted(os.scandir(folder), key=lambda e: e.name)
        except (FileNotFoundError, NotADirectoryError):
            return []
        except OSError as error:  # a folder this user may not read: its problem, the others are read
            self.refuse(folder, "unreadable", f"cannot be read: {reason(error)}; nothing in it is checked")
            return []
        found = []
        for item in scanned:
            if item.name.startswith("."):
                continue
            unfit = unprintable_name(item.name)
            if unfit is not None:
                shown = folder / printable(item.name)
                self.diagnostics.append(problem(self.display(shown), (1, 1), "bad-file-name", unfit))
                if item.is_dir(follow_symlinks=False):
                    self.unfit.append(Entry(shown, shown, True, False, False))
                continue
            link = item.is_symlink()
            real = Path(os.path.realpath(item.path)) if link else real_folder / item.name
            try:
                is_dir, is_file = item.is_dir(), item.is_file()
            except OSError:
                is_dir = is_file = False
            if link and not is_dir and not is_file and not (folder / item.name).exists():
                self.refuse(folder / item.name, "broken-link", "is a link that leads nowhere (its target is "
                            "missing, or links lead to each other in a loop); it is not read")
                self.unfit.append(Entry(folder / item.name, real, True, False, True))  # a pair, among pairs
                continue
            found.append(Entry(folder / item.name, real, is_dir, is_file, link))
        return found

    def entries(self, folder: Path, real_folder: Path | None = None) -> list[Entry]:
        """Entries of a handbook folder, without those that leave the content or reach the pairs."""
        found = []
        for entry in self.listing(folder, real_folder or folder.resolve()):
            if not entry.real.is_relative_to(self.real_content_dir):
                self.refuse(entry.path, "outside-content",
                            "is a link to a place outside the content folder; it is not read")
            elif entry.real.is_relative_to(self.real_pairs_dir):
                self.refuse(entry.path, "into-pairs", "is a link into the pairs folder; it is not read")
            else:
                found.append(entry)
        return found

    def pair_entries(self, folder: Path, real_folder: Path, pair_folder: Path) -> list[Entry]:
        """Entries of (a folder inside) one pair's folder, without those that lead out of it."""
        found = []
        for entry in self.listing(folder, real_folder):
            if entry.is_link and not entry.real.is_relative_to(pair_folder):
                self.refuse(entry.path, "outside-pair",
                            "is a link to a place outside its pair's folder; it is not read")
            else:
                found.append(entry)
        return found

    def pair_folders(self) -> list[tuple[Entry, bool]]:
        """Each pair folder, and whether it is refused: a link placed among the handbook or the
        output, or onto another pair. A refused folder is still a pair of the program (its
        problem is that pair's, and it is not built), but nothing in it is read; so is a folder
        whose name is not UTF-8 or holds a control character (``unprintable_name``)."""
        self.unfit = []
        listed = self.listing(self.content_dir / PAIRS_FOLDER, self.real_pairs_dir)
        candidates = [entry for entry in listed if entry.is_dir]
        # A folder refused for its name is a pair too: its problem is its own, not the handbook's.
        folders = [(entry, True) for entry in self.unfit]
        for entry in candidates:
            # Only a link can be where another pair folder is: two folders that are no links are apart.
            reason = self._misplaced(entry) or self._shared(entry, candidates) if entry.is_link else None
            if reason is not None:
                self.refuse(entry.path, "misplaced-pair", f"{reason}; expected a folder of this pair alone, "
                            "so it is not read")
            folders.append((entry, reason is not None))
        return sorted(folders, key=lambda folder: folder[0].path.name)

    def _shared(self, entry: Entry, candidates: list[Entry]) -> str | None:
        other = next((o for o in candidates if o is not entry and _overlap(entry.real, o.real)), None)
        if other is None:
            return None
        shared = self.display(other.path)
        return f"is a link to {entry.real}, where {shared} is too (or holds it, or is inside it)"

    def _misplaced(self, entry: Entry) -> str | None:
        """Why a linked pair folder may not be where it leads, or None."""
        if self.real_content_dir.is_relative_to(entry.real):
            return f"is a link to {entry.real}, around the content folder"
        for name, place in [("docs_dir", self.places.docs_dir), *self.places.outputs]:
            if entry.real.is_relative_to(place) or place.is_relative_to(entry.real):
                where = "inside" if entry.real.is_relative_to(place) else "around"
                return f"is a link to {entry.real}, {where} {name}"
        return None

    def read(self, path: Path) -> bytes | Diagnostic:
        """The file's bytes, or why it is not read (it cannot be read, is no plain file, or is too large).

        Opened without blocking, so a file swapped for a pipe after the listing cannot hang the check.
        """
        try:
            handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        except OSError as error:
            return problem(self.display(path), (1, 1), "unreadable", f"cannot be read: {reason(error)}")
        with os.fdopen(handle, "rb") as file:
            if not stat.S_ISREG(os.fstat(handle).st_mode):
                return problem(self.display(path), (1, 1), "unreadable", "expected a plain file, got another "
                               "kind (a pipe, a device or a socket); it is not read")
            try:
                raw = file.read(MAX_RECORD_BYTES + 1)
            except OSError as error:
                return problem(self.display(path), (1, 1), "unreadable", f"cannot be read: {reason(error)}")
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


def load_content(content_dir: Path, root: Path, cache: RecordCache | None = None,
                 places: ProgramPlaces | None = None) -> ContentDocuments:
    """Parse every record under ``content_dir``; paths in messages are relative to ``root``.

    With a ``cache``, a file whose path and bytes were parsed before is not parsed again.
    A file or folder in a pair's folder that leads out of it is refused and not read, and
    so is a pair folder that is a link onto another pair or among the handbook or the
    output (``places``; default: the plugin's default folders).
    """
    finder = _Finder(content_dir, root, cache, places)
    content = ContentDocuments()
    if not content_dir.is_dir():
        content.diagnostics.append(problem(finder.display(content_dir), (1, 1), "no-content",
                                           "expected a content folder with handbook/ and pairs/"))
        return content
    content.guidelines = _markdown_files(finder, content_dir / GUIDELINES_FOLDER, "<guideline-id>.md")
    content.landing_markdown = _landing_page(finder, content_dir / LANDING_PAGE, content.diagnostics)
    content.pairs = [PairDocuments(folder.path.name, finder.display(folder.path), refused=True) if refused
                     else _pair_documents(finder, folder, PAIR_REPOSITORY_FILES)  # a pair moved in keeps them
                     for folder, refused in finder.pair_folders()]
    content.diagnostics += finder.diagnostics
    for pair in content.pairs:
        for document in [*pair.files.values(), *pair.goals, *pair.sessions, *pair.checkins]:
            content.diagnostics += document.diagnostics
    for document in content.guidelines:
        content.diagnostics += document.diagnostics
    return content


def _landing_page(finder: _Finder, landing: Path, diagnostics: list[Diagnostic]) -> str | None:
    if not landing.is_file():
        return None
    if landing.is_symlink() or landing.parent.is_symlink():
        real = landing.resolve()
        if real.is_relative_to(finder.real_pairs_dir):
            finder.refuse(landing, "into-pairs", "is a link into the pairs folder; it is not read")
            return None
        if not real.is_relative_to(finder.real_content_dir):
            finder.refuse(landing, "outside-content",
                          "is a link to a place outside the content folder; it is not read")
            return None
    raw = finder.read(landing)
    if isinstance(raw, Diagnostic):
        diagnostics.append(raw)
        return None
    text, problems = decode(raw, finder.display(landing))
    diagnostics += problems
    return text


def _markdown_files(finder: _Finder, folder: Path, pattern: str) -> list[Document]:
    return _read_markdown(finder, finder.entries(folder), pattern)


def _read_markdown(finder: _Finder, entries: list[Entry], pattern: str) -> list[Document]:
    """The Markdown records among ``entries``; anything else is an unknown file."""
    documents = []
    for entry in entries:
        if entry.is_file and entry.path.suffix == ".md":
            documents.append(finder.markdown(entry.path))
        else:
            finder.unknown(entry.path, [pattern])
    return documents


def _pair_documents(finder: _Finder, folder: Entry, besides: tuple[str, ...] = ()) -> PairDocuments:
    pair = PairDocuments(folder.path.name, finder.display(folder.path))
    expected = [*PAIR_FILES, *(f"{name}/" for name in PAIR_FOLDERS)]
    for entry in finder.pair_entries(folder.path, folder.real, folder.real):
        name = entry.path.name
        if name in besides:  # a pair repository's own files: no records, and not unknown
            continue
        if entry.is_file and name == "pair.yml":
            pair.files[name] = finder.yaml(entry.path)
        elif entry.is_file and name in PAIR_FILES:
            pair.files[name] = finder.markdown(entry.path)
        elif entry.is_dir and name in PAIR_FOLDERS:
            pattern = "<goal-id>.md" if name == "goals" else "<YYYY-MM-DD>.md"
            setattr(pair, name, _pair_markdown_files(finder, entry, folder.real, pattern))
        else:
            finder.unknown(entry.path, expected)
    return pair


def _pair_markdown_files(finder: _Finder, folder: Entry, pair_folder: Path, pattern: str) -> list[Document]:
    return _read_markdown(finder, finder.pair_entries(folder.path, folder.real, pair_folder), pattern)


def _overlap(one: Path, other: Path) -> bool:
    return one.is_relative_to(other) or other.is_relative_to(one)
