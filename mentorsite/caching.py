"""Content hashes for incremental builds: what a piece of output was made from, as one digest.

Two caches rest on these digests. The record cache keeps each record file's parsed and
checked form under the hash of its bytes, its path and the code that read it; everything
that looks across files runs on every build. The build stamps (in ``portfolios``) keep,
for each portfolio, the digest of everything it was built from, so a portfolio whose
inputs are unchanged is not built again.

A digest covers too much rather than too little: any value that cannot be written down
the same way on every run (an object without a stable form) makes the cache step aside.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import hmac
import logging
import os
import pickle
import secrets
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, TypeVar

from mentorsite import __version__

log = logging.getLogger("mkdocs.plugins.mentorsite")

CACHE_FORMAT = 1
# The distributions whose code shapes what mentorsite reads and writes.
DISTRIBUTIONS = ("mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "jinja2", "pygments",
                 "pydantic", "pydantic-core", "pyyaml", "python-frontmatter", "nh3", "babel")
Value = TypeVar("Value")


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cycle collection while many small objects are made at once (parsing, unpickling).

    The collector would walk every new object again and again, for cycles that these
    objects do not form; it runs once at the end instead.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class UnstableError(ValueError):
    """A value with no form that is the same on every run; a digest of it would mean nothing."""


def digest(*parts: bytes | str) -> str:
    """The SHA-256 of ``parts``, each length-prefixed so that no two lists of parts collide."""
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "big"))
        hasher.update(data)
    return hasher.hexdigest()


def stable_form(value: object) -> str:
    """``value`` written the same way on every run (keys sorted); raises UnstableError when it cannot be."""
    return repr(_stable(value))


def _stable(value: object) -> object:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, date | Path):
        return (type(value).__name__, str(value))  # a tuple: never equal to a text
    if isinstance(value, Mapping):
        return sorted((str(key), _stable(item)) for key, item in value.items())
    if isinstance(value, list | tuple):
        return [_stable(item) for item in value]
    if isinstance(value, set | frozenset):
        return sorted(repr(_stable(item)) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
        return [type(value).__qualname__, _stable(fields)]
    module, name = getattr(value, "__module__", None), getattr(value, "__qualname__", None)
    if callable(value) and module and name and "<" not in name:
        return f"{module}:{name}"  # a function or class named in the configuration
    raise UnstableError(f"{type(value).__name__} {value!r}")


def tree_digest(folders: Iterable[Path]) -> str:
    """The names and bytes of every file under ``folders`` (missing folders count as empty)."""
    parts: list[str] = []
    for folder in folders:
        parts.append(str(folder))
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            parts += [path.relative_to(folder).as_posix(), hashlib.sha256(path.read_bytes()).hexdigest()]
    return digest(*parts)


@cache
def code_digest() -> str:
    """mentorsite's own code and the versions of the libraries it builds with.

    The package's files are hashed, not only its version, so that a source checkout
    installed in development mode never serves output of code it no longer has. Templates
    are not code: what is built from them digests every template folder it uses.
    """
    package = Path(__file__).parent
    parts = [__version__]
    for path in sorted(package.glob("*.py")):
        parts += [path.name, hashlib.sha256(path.read_bytes()).hexdigest()]
    for name in DISTRIBUTIONS:
        try:
            parts += [name, version(name)]
        except PackageNotFoundError:
            parts += [name, "-"]
    return digest(*parts)


def machine_key(folder: Path | None = None) -> bytes | None:
    """This user's secret for signing caches, made on first use (None when it cannot be kept).

    A cache is only unpickled when its signature matches, so a cache file that came from
    anywhere else (committed to git, in a pull request, copied from another machine) is
    ignored rather than run.
    """
    base = folder or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mentorsite"
    path = base / "cache-key"
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        key = b""
    except OSError:
        return None
    if len(key) >= KEY_BYTES:
        return key
    key = secrets.token_bytes(KEY_BYTES)
    try:
        base.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(prefix=".cache-key-", dir=base)  # readable by its owner only
        with os.fdopen(handle, "wb") as file:
            file.write(key)
        Path(temporary).replace(path)  # two first builds at once: the last key wins
    except OSError:
        return None
    return key


KEY_BYTES = 32
CACHE_MAGIC = b"mentorsite record cache\n"


class RecordCache:
    """Parsed and checked record files, by path, content hash and code, kept between runs in one file.

    The file holds the records' text, so it belongs beside the sources (by default in
    ``.cache/mentorsite``), never in any output. It is signed with this user's key (see
    ``machine_key``) and read only when the signature holds. Entries not used in a run are
    dropped when it is saved, so a deleted record leaves nothing behind.
    """

    FILE = "records.pickle"

    def __init__(self, folder: Path | None, key: bytes | None = None):
        self.secret = key if key is not None else machine_key()
        self.path = folder / self.FILE if folder is not None and self.secret is not None else None
        self.key = digest(str(CACHE_FORMAT), code_digest())
        self.entries: dict[tuple[str, ...], Any] = {}
        self.used: dict[tuple[str, ...], Any] = {}
        self.hits = self.misses = 0
        if self.path is not None and self.path.is_file():
            self.entries = self._load(self.path)

    def _signature(self, payload: bytes) -> bytes:
        assert self.secret is not None
        return hmac.new(self.secret, payload, hashlib.sha256).digest()

    def _load(self, path: Path) -> dict[tuple[str, ...], Any]:
        data = path.read_bytes()
        signature, payload = data[len(CACHE_MAGIC):][:32], data[len(CACHE_MAGIC) + 32:]
        if not data.startswith(CACHE_MAGIC) or not hmac.compare_digest(signature, self._signature(payload)):
            return {}  # not made by this user here: never unpickled
        try:
            with paused_gc():
                stored = pickle.loads(payload)  # signed with this user's key: checked above
        except Exception:  # a damaged cache is ignored and rewritten
            return {}
        if not isinstance(stored, dict) or stored.get("key") != self.key:
            return {}
        entries = stored.get("entries")
        return entries if isinstance(entries, dict) else {}

    def get(self, key: tuple[str, ...], make: Callable[[], Value]) -> Value:
        """The cached value under ``key``, else ``make()``, remembered for the next run."""
        if key in self.entries:
            self.hits += 1
            value: Value = self.entries[key]
        else:
            self.misses += 1
            value = make()
        self.used[key] = value
        return value

    def save(self) -> None:
        """Write the entries used in this run, signed, when they differ from those read."""
        if self.path is None or (not self.misses and self.used.keys() == self.entries.keys()):
            return
        payload = pickle.dumps({"key": self.key, "entries": self.used}, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(prefix=".records-", dir=self.path.parent)
        except OSError as error:  # a read-only checkout: the build goes on without a cache
            log.info(f"mentorsite: the record cache is not kept: {error}")
            return
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(CACHE_MAGIC + self._signature(payload) + payload)
            Path(name).replace(self.path)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
