"""Content hashes for incremental builds: what a piece of output was made from, as one digest.

Two caches rest on these digests. The record cache keeps each record file's parsed and
checked form under the hash of its bytes, its path and the code that read it; everything
that looks across files runs on every build. The build stamps (``site.stamps``) keep,
for each portfolio, the digest of everything it was built from, so a portfolio whose
inputs are unchanged is not built again.

A digest covers too much rather than too little: any value that cannot be written down
the same way on every run (an object without a stable form) makes the cache step aside.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import logging
import os
import pickle
import secrets
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, TypeVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from mentorsite import __version__
from mentorsite.files.failures import reason, shown
from mentorsite.files.output import ignored_by_git

log = logging.getLogger("mkdocs.plugins.mentorsite")

CACHE_FORMAT = 3  # 3: positions packed (``Positions.__getstate__``)
# The distributions whose code shapes what mentorsite reads and writes.
DISTRIBUTIONS = ("mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "jinja2", "pygments",
                 "pydantic", "pydantic-core", "pyyaml", "python-frontmatter", "nh3", "babel",
                 "markdown-it-py", "mdit-py-plugins", "emoji")
Value = TypeVar("Value")


_HELD = False  # see ``held_for_the_process``


@contextmanager
def held_for_the_process() -> Iterator[None]:
    """While this is open, what a ``paused_gc(hold=True)`` made is kept out of every later cycle
    collection (frozen), as it lives until the process ends anyway.

    For a command that reads the program once and exits (``build``): otherwise the collector's
    next pass walks every object of the record cache and the records read, about 0.08 s at 200
    pairs, for cycles they do not form. Not for a process that reads the program again and
    again (the preview), whose earlier readings must stay collectable.
    """
    global _HELD  # noqa: PLW0603 - one switch for the process, set by the command it runs
    was, _HELD = _HELD, True
    try:
        yield
    finally:
        _HELD = was


def is_held() -> bool:
    """Whether this is inside ``held_for_the_process`` (what is frozen stays frozen to the end)."""
    return _HELD


@contextmanager
def paused_gc(*, hold: bool = False) -> Iterator[None]:
    """No cycle collection while many small objects are made at once (parsing, unpickling).

    The collector would walk every new object again and again, for cycles that these
    objects do not form; it runs once at the end instead, or, with ``hold`` inside
    ``held_for_the_process``, never over them (every object alive is frozen first, so a
    cycle made meanwhile that is already garbage stays in memory until the process ends).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if hold and _HELD:
            gc.freeze()
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


PACKAGE = Path(__file__).resolve().parent.parent  # the mentorsite package, all its layers


@cache
def code_digest(package: Path = PACKAGE) -> str:
    """mentorsite's own code and the versions of the libraries it builds with.

    Every module of the package (in every layer's folder) is hashed, not only its version,
    so that a source checkout installed in development mode never serves output of code it
    no longer has. Templates are not code: what is built from them digests every template
    folder it uses.
    """
    parts = [__version__]
    modules = (path for path in package.rglob("*.py") if "__pycache__" not in path.parts)
    for path in sorted(modules, key=lambda found: found.relative_to(package).as_posix()):
        parts += [path.relative_to(package).as_posix(), hashlib.sha256(path.read_bytes()).hexdigest()]
    for name in DISTRIBUTIONS:
        try:
            parts += [name, version(name)]
        except PackageNotFoundError:
            parts += [name, "-"]
    return digest(*parts)


def machine_key(folder: Path | None = None) -> bytes | None:
    """This user's secret for the record cache, made on first use (None when it cannot be kept).

    The cache is encrypted with a key derived from it (see ``seal_cache``), and only
    unpickled when it decrypts, so a cache file that came from anywhere else (committed to
    git, in a pull request, restored from another run's saved folders) is ignored rather
    than run, and a copy of the file on its own holds no record text.
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
        base.chmod(0o700)  # also when it was there already, looser
        handle, temporary = tempfile.mkstemp(prefix=".cache-key-", dir=base)  # readable by its owner only
        with os.fdopen(handle, "wb") as file:
            file.write(key)
        Path(temporary).replace(path)  # two first builds at once: the last key wins
    except OSError:
        return None
    return key


def _keep_private(cache_file: Path) -> None:
    """The cache holds the records' text: its folder 0700 and its file 0600, even if they were looser."""
    try:
        cache_file.parent.chmod(0o700)
        if cache_file.is_file():
            cache_file.chmod(0o600)
    except OSError:  # not this user's folder, or a read-only checkout: nothing to tighten here
        pass


KEY_BYTES = 32
CACHE_MAGIC = b"mentorsite record cache 2\n"
NONCE_BYTES = 12
# The machine key is kept for the cache alone; the cipher's key is derived from it for this use.
_CACHE_KEY_INFO = b"mentorsite record cache: AES-256-GCM key"


def _cache_cipher(secret: bytes) -> AESGCM:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_CACHE_KEY_INFO).derive(secret)
    return AESGCM(derived)


def seal_cache(secret: bytes, payload: bytes) -> bytes:
    """``payload`` as a cache file, encrypted and authenticated under ``secret`` (AES-256-GCM)."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return CACHE_MAGIC + nonce + _cache_cipher(secret).encrypt(nonce, payload, CACHE_MAGIC)


def open_cache(secret: bytes, data: bytes) -> bytes | None:
    """The payload of a cache file sealed under ``secret``; None for any other bytes."""
    if not data.startswith(CACHE_MAGIC):
        return None
    sealed = data[len(CACHE_MAGIC):]
    try:
        return _cache_cipher(secret).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], CACHE_MAGIC)
    except (InvalidTag, ValueError):  # another key, damaged or cut short
        return None


class RecordCache:
    """Parsed and checked record files, by path, content hash and code, kept between runs in shards.

    The entries hold the records' text, so the files belong beside the sources (by default
    in ``.cache/mentorsite``), never in any output, and each is encrypted with a key derived
    from this user's key (see ``machine_key``): a copy of one without that key reads as
    noise, and a file that does not decrypt under it is never unpickled. Entries not used in
    a run are dropped when it is saved, so a deleted record leaves nothing behind.

    The entries are kept in ``SHARDS`` files by the folder of their record (a pair's files
    together), so that an edit to one record writes one shard again, not every record's.
    """

    FOLDER = "records"  # in the cache folder: one file a shard, ``NN.pickle``
    SHARDS = 64
    OLD_FILE = "records.pickle"  # the whole cache in one file, as earlier versions kept it

    def __init__(self, folder: Path | None, key: bytes | None = None):
        self.secret = key if key is not None else machine_key()
        self.folder = folder / self.FOLDER if folder is not None and self.secret is not None else None
        self.key = digest(str(CACHE_FORMAT), sys.version, code_digest())
        self.entries: dict[tuple[str, ...], Any] = {}
        self.used: dict[tuple[str, ...], Any] = {}
        self.hits = self.misses = 0
        self._missed: set[int] = set()  # the shards an entry was made for in this run
        self._loaded: dict[int, set[tuple[str, ...]]] = {}  # the keys each shard held when read
        self._asking: list[list[tuple[str, ...]]] = []  # see ``asked``
        if self.folder is not None and self.folder.is_dir():
            _keep_private(self.folder)  # the cache folder around the shards, as each shard's own
            with paused_gc():  # once for every shard: each resumption collects what was made since
                self._load_all()

    def _load_all(self) -> None:
        assert self.folder is not None
        for path in sorted(self.folder.glob("*.pickle")):
            number = _shard_number(path.name)
            if number is None:
                continue
            _keep_private(path)
            entries = self._load(path)
            self._loaded[number] = set(entries)
            self.entries.update(entries)

    @property
    def path(self) -> Path | None:
        """The folder of the shards (None: no cache is kept)."""
        return self.folder

    @classmethod
    def shard_of(cls, key: tuple[str, ...]) -> int:
        """The shard of an entry: the folder of its record (the first path in its key), hashed."""
        shown = next((part for part in key if isinstance(part, str) and "/" in part), "")
        folder = shown.rpartition("/")[0]
        if folder.endswith(("/sessions", "/goals", "/checkins")):
            folder = folder.rpartition("/")[0]  # a pair's records together
        hashed = hashlib.sha256(folder.encode("utf-8", "surrogatepass")).digest()
        return int.from_bytes(hashed[:4], "big") % cls.SHARDS

    def _load(self, path: Path) -> dict[tuple[str, ...], Any]:
        assert self.secret is not None
        payload = open_cache(self.secret, path.read_bytes())
        if payload is None:
            return {}  # not made by this user here: never unpickled
        try:
            stored = pickle.loads(payload)  # authenticated under this user's key: checked above
        except Exception:  # a damaged cache is ignored and rewritten
            return {}
        if not isinstance(stored, dict) or stored.get("key") != self.key:
            return {}
        entries = stored.get("entries")
        return entries if isinstance(entries, dict) else {}

    def get(self, key: tuple[str, ...], make: Callable[[], Value]) -> Value:
        """The cached value under ``key``, else ``make()``, remembered for the next run."""
        for asked in self._asking:
            asked.append(key)
        if key in self.entries:
            self.hits += 1
            value: Value = self.entries[key]
        else:
            self.misses += 1
            self._missed.add(self.shard_of(key))
            value = make()
        self.used[key] = value
        return value

    def keep(self, keys: Iterable[tuple[str, ...]]) -> None:
        """Keep these entries for the next run, as if each had been asked for (those there are)."""
        for key in keys:
            if key in self.entries and key not in self.used:
                self.used[key] = self.entries[key]

    @contextmanager
    def asked(self) -> Iterator[list[tuple[str, ...]]]:
        """The keys of the entries asked for while this is open (made or found), in order."""
        asked: list[tuple[str, ...]] = []
        self._asking.append(asked)
        try:
            yield asked
        finally:
            popped = self._asking.pop()
            assert popped is asked, "asked() regions close in the order they opened"

    def save(self) -> None:
        """Write each shard whose entries used in this run differ from those read, encrypted."""
        if self.folder is None or self.secret is None:
            return
        # Unless every entry read was used and none was made (each shard is then as it was read):
        if self._missed or self.used.keys() != self.entries.keys():
            shards: dict[int, dict[tuple[str, ...], Any]] = {}
            for key, value in self.used.items():
                shards.setdefault(self.shard_of(key), {})[key] = value
            for number in sorted(set(shards) | set(self._loaded)):
                used = shards.get(number, {})
                if number not in self._missed and used.keys() == self._loaded.get(number, set()):
                    continue
                if not self._write(number, used):
                    return
        old = self.folder.parent / self.OLD_FILE  # an earlier version's whole cache
        if old.is_file():
            try:
                old.unlink()
            except OSError as error:
                self._not_kept(error)

    def _write(self, number: int, entries: dict[tuple[str, ...], Any]) -> bool:
        """One shard written whole (removed when it holds nothing); False when the cache cannot be kept."""
        assert self.folder is not None and self.secret is not None
        path = self.folder / f"{number:02d}.pickle"
        if not entries:
            path.unlink(missing_ok=True)
            return True
        payload = pickle.dumps({"key": self.key, "entries": entries}, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            sealed = seal_cache(self.secret, payload)
        except OverflowError:  # past what one AES-GCM message holds (2 GiB): no cache, never a plain one
            log.info("mentorsite: the record cache is not kept: it is too large to encrypt in one file")
            return False
        try:
            self.folder.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            ignored_by_git(self.folder.parent)  # it holds record text: never tracked, whatever its name
            self.folder.mkdir(exist_ok=True, mode=0o700)
            self.folder.chmod(0o700)
            handle, name = tempfile.mkstemp(prefix=".records-", dir=self.folder)
        except OSError as error:  # a read-only checkout: the build goes on without a cache
            self._not_kept(error)
            return False
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(sealed)
            Path(name).replace(path)
        except OSError as error:  # a full disk: the cache only saves time, the build goes on
            Path(name).unlink(missing_ok=True)
            self._not_kept(error)
            return False
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
        return True

    def _not_kept(self, error: OSError) -> None:
        folder = self.folder.parent if self.folder is not None else Path()
        log.info(f"mentorsite: the record cache is not kept in {shown(folder, Path.cwd())}: {reason(error)}; "
                 "the build goes on without it and reads every record next time")


def _shard_number(name: str) -> int | None:
    stem = name.removesuffix(".pickle")
    return int(stem) if len(stem) == 2 and stem.isdigit() and int(stem) < RecordCache.SHARDS else None
