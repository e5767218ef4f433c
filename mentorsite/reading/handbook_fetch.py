"""The published handbook a pair's repository names: its editions and its guidelines, fetched and kept.

A pair's repository checks its records against the program's handbook without the program's
records: it reads two public files the handbook's site already has, the list of editions
(``versions.json``, at the root of a site with editions) and the manifest each build writes
(``mentorsite-manifest.json``, in each edition's folder, or at the root of a site without
editions). They are read from a web address (http or https), a ``file:`` address or a folder
(a built site, or a checkout of the deploy branch), and kept in the repository's cache
folder, so that a later check works without a connection. Nothing is sent but the two
requests; a failure is a reason in plain words, never an exception.

Both files come from elsewhere: every value is checked for its kind before it is used, an
edition's name must be a plain name (it becomes part of the second file's address), and no
text of theirs reaches a message unless it is a plain id or name.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import tempfile
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from verspec.loose import LooseVersion

from mentorsite.files.failures import reason
from mentorsite.model.fields import SLUG_PATTERN
from mentorsite.model.manifests import FORMAT, MANIFEST_FILE, ManifestEntry
from mentorsite.reading.web_fetch import (
    MAX_FETCH_BYTES,
    SCHEME,
    FetchError,
    address_problem,
    fetch_web,
    without_password,
)

CACHE_FOLDER = ".mentorsite-cache"
VERSIONS_FILE = "versions.json"
LATEST = "latest"
# An edition's name as a site with editions lists it: a plain name, never a path or an address.
EDITION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}$")
_UnreachableError = FetchError  # the handbook could not be reached; the message says why


@dataclass(frozen=True)
class PublishedHandbook:
    """What the published handbook says, or why it could not be read.

    ``editions`` are the versions and aliases published (None: a site without a list of
    editions); ``edition`` is the one whose guidelines ``guideline_ids`` are (None: the site's
    only build); ``fetched_at`` is when the files were fetched, when they came from the cache
    because the handbook could not be reached or used now (``reason`` says why).
    """

    location: str
    reachable: bool
    reason: str = ""
    editions: tuple[str, ...] | None = None
    edition: str | None = None
    guideline_ids: tuple[str, ...] | None = None
    fetched_at: str | None = None
    guidelines: tuple[ManifestEntry, ...] = ()
    """The edition's guidelines as its manifest lists them (titles and text), for a preview."""
    notes: tuple[tuple[str, str], ...] = ()
    """What was left out or not used, as (code, message) warnings."""
    answered: bool = False
    """With ``fetched_at``: the handbook answered now, but with nothing usable."""

    @property
    def usable(self) -> bool:
        """Whether the guidelines are known, so that the checks can run."""
        return self.reachable and bool(self.guideline_ids)

    def where(self) -> str:
        """"the handbook edition 2026.2 at X", for messages."""
        edition = f" edition {self.edition}" if self.edition else ""
        return f"the handbook{edition} at {self.location}"


Getter = Callable[[str], str | None]  # a file's text by its name under the handbook, None when it has none


def read_handbook(location: str, base: Path, version: str | None, cache_dir: Path) -> PublishedHandbook:
    """The handbook at ``location`` (a path is read from ``base``), for a pair naming ``version``.

    Fetched afresh when it can be; when it cannot, or what it answers cannot be used, the
    files kept from the last usable fetch are used; with none kept, the result says why not.
    Only a usable answer is kept, so a failure never replaces a good copy.
    """
    source = _source(location, base)
    key = hashlib.sha256(source.encode()).hexdigest()
    cache_file, notes = _cache_file(cache_dir, key)
    location = without_password(location)
    got: dict[str, str | None] = {}

    def live(name: str) -> str | None:
        got[name] = _fetch(source, name)
        return got[name]

    try:
        handbook = _resolve(location, version, live)
    except _UnreachableError as error:
        handbook = PublishedHandbook(location, False, str(error))
    if handbook.usable:
        if cache_file is not None:
            _write_cache(cache_file, key, got)
        return replace(handbook, notes=(*handbook.notes, *notes))
    kept = _kept(cache_file, key, location, version)
    if kept is None:
        return replace(handbook, notes=(*handbook.notes, *notes))
    return replace(kept, reason=handbook.reason, answered=handbook.reachable, notes=(*kept.notes, *notes))


def _resolve(location: str, version: str | None, get: Getter) -> PublishedHandbook:
    """The editions and the guidelines of the edition ``version`` names (else the latest)."""
    listing = get(VERSIONS_FILE)
    if listing is None:
        manifest = get(MANIFEST_FILE)
        return _with_manifest(PublishedHandbook(location, True), manifest, MANIFEST_FILE)
    entries, left_out = _editions(listing)
    notes = () if not left_out else (("handbook-refused", (
        f"left out {_count(left_out, 'edition')} of the {VERSIONS_FILE} of the handbook at {location}: their "
        "names or aliases are not plain names (letters, digits, '.', '_', '+' and '-')")),)
    names = tuple(sorted({name for entry in entries for name in (entry[0], *entry[1])}))
    by_name = {name: entry[0] for entry in entries for name in (entry[0], *entry[1])}
    if not entries:
        return PublishedHandbook(location, True, f"{VERSIONS_FILE} lists no editions", names, notes=notes)
    newest = max((entry[0] for entry in entries), key=LooseVersion)
    edition = by_name.get(version or "", by_name.get(LATEST, newest))
    name = f"{edition}/{MANIFEST_FILE}"
    listed = PublishedHandbook(location, True, editions=names, edition=edition)
    found = _with_manifest(listed, get(name), name)
    return replace(found, notes=(*notes, *found.notes))


def _with_manifest(handbook: PublishedHandbook, text: str | None, name: str) -> PublishedHandbook:
    if text is None:
        return replace(handbook, reason=f"it has no {name}; expected a handbook built by mentorsite")
    data = _json(text)
    guidelines = data.get("guidelines") if isinstance(data, dict) and data.get("format") == FORMAT else None
    if not isinstance(guidelines, list):
        return replace(handbook, reason=f"its {name} cannot be read: expected a mentorsite manifest")
    entries = tuple(_entry(item) for item in guidelines)
    kept = tuple(e for e in entries if e is not None)
    notes = () if len(kept) == len(entries) else (("handbook-refused", (
        f"left out {_count(len(entries) - len(kept), 'guideline')} of {handbook.where()}: their id, title or "
        "text is not what a mentorsite manifest holds")),)
    ids = tuple(sorted({entry.id for entry in kept}))
    if not ids:
        return replace(handbook, reason=f"its {name} lists no guidelines that can be read", notes=notes)
    return replace(handbook, reason="", guideline_ids=ids, guidelines=kept, notes=notes)


def _entry(item: object) -> ManifestEntry | None:
    """A manifest's guideline when each of its fields is text and its id a plain id, else None."""
    if not isinstance(item, dict):
        return None
    fields = [item.get(name) for name in ("id", "title", "digest", "text")]
    texts = [value for value in fields if isinstance(value, str)]
    if len(texts) != len(fields) or not SLUG_PATTERN.fullmatch(texts[0]):
        return None
    return ManifestEntry(*texts)


def _count(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _editions(text: str) -> tuple[list[tuple[str, tuple[str, ...]]], int]:
    """Each edition's version and aliases, from the list of editions, and how many were left out.

    An edition or alias with a name that is not plain is left out: the name is a folder of the
    site, so one such as ``../x`` or ``//host/x`` would lead the second request elsewhere.
    """
    entries = _json(text)
    if not isinstance(entries, list):
        raise _UnreachableError(f"its {VERSIONS_FILE} cannot be read: expected a list of editions")
    found: list[tuple[str, tuple[str, ...]]] = []
    left_out = 0
    for item in entries:
        version = item.get("version") if isinstance(item, dict) else None
        aliases = item.get("aliases") or [] if isinstance(item, dict) else []
        if not isinstance(version, str) or not _plain(version) or not isinstance(aliases, list):
            left_out += 1
            continue
        plain = tuple(alias for alias in aliases if isinstance(alias, str) and _plain(alias))
        left_out += len(plain) != len(aliases)
        found.append((version, plain))
    return found, left_out


def _plain(name: str) -> bool:
    return EDITION_NAME.fullmatch(name) is not None and ".." not in name


def _json(text: str) -> Any:
    """The value ``text`` holds, or None when it is no JSON (or nested too deep to be read)."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError, TypeError):
        return None


def _source(location: str, base: Path) -> str:
    """The handbook's address, or its folder as an absolute path."""
    scheme = SCHEME.match(location)
    if scheme and len(scheme.group(1)) > 1:  # one letter: a drive, as in C:/handbook
        return location.rstrip("/") + "/"
    return str((base / location).absolute())


def _fetch(source: str, name: str) -> str | None:
    """The text of ``name`` under the handbook, None when it has none; raises ``_UnreachableError``."""
    scheme = SCHEME.match(source)
    if scheme is None:
        return _read_file(Path(source), name)
    why = address_problem(source)
    if why is not None:
        raise _UnreachableError(why[1])
    if scheme.group(1).lower() == "file":
        return _read_file(Path(urllib.request.url2pathname(urllib.parse.urlsplit(source).path)), name)
    address = source + urllib.parse.quote(name)  # names are plain: the address stays under the handbook's
    raw = fetch_web(address, name)
    return None if raw is None else _text(raw, name)


def _read_file(folder: Path, name: str) -> str | None:
    if not folder.is_dir():
        raise _UnreachableError(f"there is no folder {folder}")
    try:
        handle = os.open(folder / name, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise _UnreachableError(f"{folder / name} cannot be read: {reason(error)}") from None
    with os.fdopen(handle, "rb") as file:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            raise _UnreachableError(f"{folder / name} is not a plain file")
        return _text(file.read(MAX_FETCH_BYTES + 1), name)


def _text(raw: bytes, name: str) -> str:
    if len(raw) > MAX_FETCH_BYTES:
        raise _UnreachableError(f"{name} is larger than {MAX_FETCH_BYTES // (1024 * 1024)} MiB")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _UnreachableError(f"{name} is not UTF-8 text") from None


def _cache_file(cache_dir: Path, key: str) -> tuple[Path | None, tuple[tuple[str, str], ...]]:
    """Where the copy of the handbook ``key`` names is kept, or None when a part of the path is a
    link: a link committed in the repository would have a check read and write where it leads."""
    folder = cache_dir / "handbook"
    path = folder / f"{key[:24]}.json"
    for part in (cache_dir, folder, path):
        if part.is_symlink():
            why = (f"{CACHE_FOLDER} is or holds a link, so no copy of the handbook is kept or read; remove "
                   f"the link (and list {CACHE_FOLDER} in .gitignore)")
            return None, (("cache-link", why),)
    return path, ()


def _kept(cache_file: Path | None, key: str, location: str, version: str | None) -> PublishedHandbook | None:
    """The handbook as the copy kept from the last usable fetch says, or None without a usable copy."""
    kept = _read_cache(cache_file, key) if cache_file is not None else None
    if kept is None:
        return None
    files, fetched_at = kept

    def cached(name: str) -> str | None:
        if name not in files:
            raise _UnreachableError(f"the copy kept lacks {name}")
        return files[name]

    try:
        handbook = _resolve(location, version, cached)
    except _UnreachableError:
        return None
    return replace(handbook, fetched_at=fetched_at) if handbook.usable else None


def _read_cache(cache_file: Path, key: str) -> tuple[dict[str, str | None], str] | None:
    """The files kept from the last fetch of the handbook ``key`` names, and when it was; None without
    a copy that can be read."""
    try:
        handle = os.open(cache_file, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(handle, "rb") as file:
            if not stat.S_ISREG(os.fstat(handle).st_mode):
                return None
            data = _json(file.read(4 * MAX_FETCH_BYTES).decode("utf-8", "replace"))
    except OSError:
        return None
    if not isinstance(data, dict) or data.get("source") != key or not isinstance(data.get("files"), dict):
        return None
    files = {str(k): v for k, v in data["files"].items() if v is None or isinstance(v, str)}
    fetched_at = data.get("fetched_at")
    when = fetched_at if isinstance(fetched_at, str) and re.fullmatch(r"[0-9: -]+UTC", fetched_at) else None
    return files, when or "an earlier check"


def _write_cache(cache_file: Path, key: str, files: dict[str, str | None]) -> None:
    """Keep what was fetched, written whole; a cache that cannot be written only costs a later fetch.

    The handbook is named by ``key`` (a hash of its address), never by an address that may hold a password.
    """
    fetched_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = json.dumps({"source": key, "fetched_at": fetched_at, "files": files}, sort_keys=True)
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=cache_file.parent, prefix=".", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        Path(temporary).replace(cache_file)
    except OSError:
        return
