"""Compiled templates kept between builds: Jinja's code for each template, so that a build
compiles only the templates that changed.

Every build renders the handbook through the theme's templates and the portfolios through
mentorsite's; compiling them is the same work each time. The compiled code of a template is
kept in ``cache_dir`` (``templates/``), under a folder per kind of environment and a file per
template, and used again only when all of these are what they were when it was compiled:

- the template's source (its SHA-256) and its name and file;
- Jinja's version, Python's (the code is Python bytecode) and mentorsite's code and the
  versions of the libraries it builds with (``caching.code_digest``);
- what shapes the compiled code in the environment: its class, delimiters, whitespace
  settings, extensions, autoescape, finalize, undefined, and every filter and test (by name,
  function and code), since Jinja folds a filter of constants into the code it compiles.

Compiled code runs outside the sandbox program templates are rendered in, so a cache file
is used only when it was written by this user here: each is authenticated (HMAC-SHA256)
under a key derived from the record cache's key (``caching.machine_key``). A file from
anywhere else, or damaged or cut short, is compiled again and written over. Files are
written whole (a new file renamed over the old), and a cache that cannot be written only
costs time.
"""

from __future__ import annotations

import hashlib
import hmac
import marshal
import os
import stat
import sys
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import CodeType
from typing import Any

import jinja2
from jinja2 import Environment
from jinja2.bccache import Bucket, BytecodeCache

from mentorsite.files.output import ignored_by_git
from mentorsite.reading.caching import code_digest, machine_key

FOLDER = "templates"  # in cache_dir
MAGIC = b"mentorsite template cache 1\n"
TAG_BYTES = 32
_KEY_INFO = b"mentorsite template cache: HMAC-SHA256 key"


class TemplateCache(BytecodeCache):
    """Jinja's bytecode cache in ``folder`` (``cache_dir``), authenticated under this user's key.

    ``secret``: the key to authenticate with (default: this user's, see ``machine_key``);
    without one (it cannot be kept), nothing is read or written.
    """

    def __init__(self, folder: Path, secret: bytes | None = None):
        secret = secret if secret is not None else machine_key()
        self.root = folder / FOLDER
        self.cache_dir = folder
        self.key = hmac.new(secret, _KEY_INFO, hashlib.sha256).digest() if secret is not None else None
        self.loads = self.hits = self.writes = 0
        self._functions: dict[int, tuple[object, str]] = {}
        self._made: set[Path] = set()  # folders made (or tightened) in this run

    def get_source_checksum(self, source: str) -> str:
        return hashlib.sha256(source.encode("utf-8")).hexdigest()

    def get_bucket(self, environment: Environment, name: str, filename: str | None, source: str) -> Bucket:
        bucket = _Bucket(environment, self.get_cache_key(name, filename), self.get_source_checksum(source),
                         self.root / self.kind_of(environment))
        self.load_bytecode(bucket)
        return bucket

    def kind_of(self, environment: Environment) -> str:
        """The folder of ``environment``'s compiled templates: a digest of what shapes the code."""
        parts = [jinja2.__version__, sys.version, sys.implementation.cache_tag or "", str(marshal.version),
                 code_digest(), *(repr(part) for part in compile_settings(environment)),
                 *self._described(environment.filters), "tests", *self._described(environment.tests)]
        return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:32]

    def _described(self, functions: Mapping[str, Any]) -> Iterable[str]:
        for name in sorted(functions):
            function = functions[name]
            known = self._functions.get(id(function))
            if known is None or known[0] is not function:
                known = (function, describe_function(function))  # the function is held: its id stays its own
                self._functions[id(function)] = known
            yield f"{name}={known[1]}"

    @staticmethod
    def _path(bucket: Bucket) -> Path:
        assert isinstance(bucket, _Bucket), "made by get_bucket"
        return bucket.folder / f"{bucket.key}.code"

    def _tag(self, bucket: Bucket, code: bytes) -> bytes:
        """What authenticates ``code`` as the compiled ``bucket``: its kind, name and file, and source."""
        assert self.key is not None
        message = b"\n".join([self._path(bucket).parent.name.encode(), bucket.key.encode(),
                              bucket.checksum.encode(), code])
        return hmac.new(self.key, message, hashlib.sha256).digest()

    def load_bytecode(self, bucket: Bucket) -> None:
        if self.key is None:
            return
        self.loads += 1
        try:
            data = self._path(bucket).read_bytes()
        except OSError:  # not there (or not readable): compiled now
            return
        start = len(MAGIC) + TAG_BYTES
        head, tag, code = data[:len(MAGIC)], data[len(MAGIC):start], data[start:]
        if head != MAGIC or not hmac.compare_digest(tag, self._tag(bucket, code)):
            return  # another user's, another source's, damaged or cut short: never run
        try:
            loaded = marshal.loads(code)
        except (EOFError, ValueError, TypeError):
            return
        if isinstance(loaded, CodeType):
            bucket.code = loaded
            self.hits += 1

    def dump_bytecode(self, bucket: Bucket) -> None:
        if self.key is None or bucket.code is None:
            return
        path = self._path(bucket)
        code = marshal.dumps(bucket.code)
        try:
            if path.parent not in self._made:
                _make_folder(path.parent, self.cache_dir)
                self._made.add(path.parent)
            handle, name = tempfile.mkstemp(prefix=".template-", dir=path.parent)
        except OSError:  # a read-only checkout: the template is compiled on every build
            return
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(MAGIC + self._tag(bucket, code) + code)
            Path(name).replace(path)
            self.writes += 1
        except OSError:  # a full disk: the cache only saves time
            Path(name).unlink(missing_ok=True)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise

    def clear(self) -> None:
        for path in self.root.glob("*/*.code"):
            path.unlink(missing_ok=True)


class _Bucket(Bucket):
    """A template's bucket, with the folder of its environment's kind."""

    def __init__(self, environment: Environment, key: str, checksum: str, folder: Path):
        super().__init__(environment, key, checksum)
        self.folder = folder


def _make_folder(folder: Path, cache_dir: Path) -> None:
    """The folder of one kind's templates, and ``cache_dir`` ignored by git (like the record cache);
    each of them its owner's only, as everything in ``cache_dir`` is (a looser one is tightened)."""
    cache_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    ignored_by_git(cache_dir)
    for level in (folder.parent, folder):
        level.mkdir(exist_ok=True, mode=0o700)
        if stat.S_IMODE(level.stat().st_mode) != 0o700:
            level.chmod(0o700)


def compile_settings(environment: Environment) -> tuple[object, ...]:
    """What in ``environment``, besides its filters and tests, shapes the code Jinja compiles."""
    autoescape = environment.autoescape
    return (
        _named(type(environment)), _named(environment.code_generator_class),
        environment.block_start_string, environment.block_end_string,
        environment.variable_start_string, environment.variable_end_string,
        environment.comment_start_string, environment.comment_end_string,
        environment.line_statement_prefix, environment.line_comment_prefix,
        environment.trim_blocks, environment.lstrip_blocks, environment.newline_sequence,
        environment.keep_trailing_newline, environment.optimized, environment.is_async,
        autoescape if isinstance(autoescape, bool) else describe_function(autoescape),
        None if environment.finalize is None else describe_function(environment.finalize),
        _named(environment.undefined),
        sorted(f"{name}={_named(type(extension))}" for name, extension in environment.extensions.items()),
        sorted(getattr(environment, "intercepted_binops", ())),
        sorted(getattr(environment, "intercepted_unops", ())),
    )


def describe_function(function: object) -> str:
    """A function as its module, name, how Jinja passes it arguments, and a digest of its code."""
    code = getattr(function, "__code__", None)
    described = f"{_named(function)}:{getattr(function, 'jinja_pass_arg', None)}"
    if isinstance(code, CodeType):
        constants = _stable_constant(code.co_consts)
        body = hashlib.sha256(code.co_code + constants.encode() + repr(code.co_names).encode()).hexdigest()
        described += f":{body[:16]}"
    return described


def _stable_constant(value: object) -> str:
    """A constant of compiled code written the same way in every process (a set's order is not)."""
    if isinstance(value, CodeType):
        return f"code {value.co_name}"  # its own code is not followed: its repr holds an address
    if isinstance(value, tuple):
        return "(" + ", ".join(_stable_constant(item) for item in value) + ")"
    if isinstance(value, frozenset):
        return "{" + ", ".join(sorted(_stable_constant(item) for item in value)) + "}"
    return repr(value)


def _named(value: object) -> str:
    """``module.qualname`` of a class or function, else of its type (never an address, which differs
    from run to run)."""
    named = value if hasattr(value, "__qualname__") else type(value)
    return f"{getattr(named, '__module__', '?')}.{getattr(named, '__qualname__', '?')}"
