"""One build at a time per program: a lock file in the private folder, held with ``flock``.

The lock file names the build that holds it (its process id and when it started), for the
message a second build gives; nothing else is written there, so it says nothing of any
pair. The kernel drops a ``flock`` when its process dies: a lock file that still names a
build but is free was left by a build that was stopped (``kill -9``, a power cut), and the
next build takes it over. A build that ends empties the file before it lets go.

A process that already holds a program's lock takes it again at once (the command takes
it, then the plugin's hooks within it); it is let go when the outermost holder lets go.
Worker processes forked meanwhile close their copy, so that a worker left running by a
killed build never keeps the lock.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import stat
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from mentorsite.files.failures import explain

LOCK_FILE = "build.lock"
REMOVE_HINT = "remove it (no build is using it), and the next build makes a new one"
WRITE_HINT = "the private folder (private_dir) must be a folder this user can write"
_LARGEST_READ = 256  # a lock file is two short lines; more is not read
_PID_LINE = re.compile(r"^pid (\d{1,10})$", re.MULTILINE)
_SINCE_LINE = re.compile(r"^since (\S{1,40})$", re.MULTILINE)


class LockError(Exception):
    """The lock cannot be taken: another build holds it, or the lock file cannot be used."""


class LockHeldError(LockError):
    """Another build of the program holds the lock."""

    def __init__(self, holder: Holder | None, shown: str):
        self.holder = holder
        self.shown = shown
        super().__init__(f"another build of this program is running{describe(holder)}, holding {shown}")


@dataclass(frozen=True)
class Holder:
    """The build named in a lock file: its process id and when it took the lock."""

    pid: int
    since: datetime | None


def describe(holder: Holder | None, now: datetime | None = None) -> str:
    """`` (pid 1234, since 12:01:02)`` (with the date when it is not today); empty for no holder."""
    if holder is None:
        return ""
    if holder.since is None:
        return f" (pid {holder.pid})"
    local = holder.since.astimezone()
    today = (now or datetime.now(UTC)).astimezone().date()
    shown = local.strftime("%H:%M:%S" if local.date() == today else "%Y-%m-%d %H:%M:%S")
    return f" (pid {holder.pid}, since {shown})"


def read_holder(text: str) -> Holder | None:
    """The build a lock file names; None when it names none (or not in the form this module writes)."""
    pid = _PID_LINE.search(text)
    if pid is None or not 0 < int(pid.group(1)) < 2**31:
        return None
    since = _SINCE_LINE.search(text)
    when = None
    if since is not None:
        try:
            when = datetime.fromisoformat(since.group(1))
        except ValueError:
            when = None
        if when is not None and when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
    return Holder(int(pid.group(1)), when)


@dataclass
class _Held:
    descriptor: int
    count: int


_HELD: dict[tuple[int, int], _Held] = {}
_GUARD = threading.Lock()


def _close_in_child() -> None:
    """A forked worker closes its copy: the lock stays with its parent, and dies with it."""
    for held in _HELD.values():
        with suppress(OSError):
            os.close(held.descriptor)
    _HELD.clear()


os.register_at_fork(after_in_child=_close_in_child)


@dataclass
class BuildLock:
    """A program's build lock, held until ``release``.

    ``taken_over`` when the lock file still named a build that had stopped without letting
    go (``stopped``: which one, when the file says).
    """

    path: Path
    key: tuple[int, int]
    taken_over: bool = False
    stopped: Holder | None = None
    released: bool = False

    def takeover_message(self, shown: str) -> str:
        return f"took over the lock of a stopped build{describe(self.stopped)} in {shown}"

    def release(self) -> None:
        """Let go (once); the file is emptied first, so the next build sees a lock let go in good order."""
        if self.released:
            return
        self.released = True
        with _GUARD:
            held = _HELD.get(self.key)
            if held is None:
                return
            held.count -= 1
            if held.count > 0:
                return
            del _HELD[self.key]
        try:
            os.ftruncate(held.descriptor, 0)
        except OSError:
            pass  # a holder named in a free lock is taken over: no harm done
        finally:
            os.close(held.descriptor)  # closing lets go of the flock


def _open(path: Path, shown: str) -> int:
    cannot = f"cannot open the lock file {shown}"
    try:
        flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK  # no FIFO holds it up
        descriptor = os.open(path, flags, 0o600)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise LockError(f"{cannot}: it is a link; {REMOVE_HINT}") from None
        hint = REMOVE_HINT if error.errno == errno.EISDIR else WRITE_HINT
        raise LockError(f"{cannot}: {explain(error, hint)}") from None
    status = os.fstat(descriptor)
    if not stat.S_ISREG(status.st_mode) or status.st_nlink != 1:  # nothing else is written through it
        os.close(descriptor)
        got = "a file with other names (a hard link)" if stat.S_ISREG(status.st_mode) else "something else"
        raise LockError(f"{cannot}: expected a file of its own, got {got}; {REMOVE_HINT}")
    return descriptor


def _read(descriptor: int) -> str:
    try:
        return os.pread(descriptor, _LARGEST_READ, 0).decode("utf-8", errors="replace")
    except OSError:
        return ""


def take_lock(folder: Path, *, shown: str | None = None, wait: bool = False,
              waiting: Callable[[LockHeldError], None] | None = None) -> BuildLock:
    """The build lock of the program whose private folder is ``folder`` (it must exist).

    Raises LockHeldError when another build holds it, unless ``wait``: then ``waiting`` is called
    once with what holds it, and this waits until it is free (a KeyboardInterrupt stops it).
    ``shown`` is how messages name the lock file. Raises LockError when the file cannot be used.
    """
    path = folder / LOCK_FILE
    shown = shown or str(path)
    descriptor = _open(path, shown)
    status = os.fstat(descriptor)
    key = (status.st_dev, status.st_ino)
    with _GUARD:
        if key in _HELD:
            os.close(descriptor)
            _HELD[key].count += 1
            return BuildLock(path, key)
    try:
        _flock(descriptor, shown, wait=wait, waiting=waiting)
        left = _read(descriptor)  # a build that ended emptied it: anything here is a stopped build's
        _write_holder(descriptor, shown)
    except BaseException:
        os.close(descriptor)
        raise
    with _GUARD:
        _HELD[key] = _Held(descriptor, 1)
    return BuildLock(path, key, taken_over=bool(left.strip()), stopped=read_holder(left))


def _flock(descriptor: int, shown: str, *, wait: bool,
           waiting: Callable[[LockHeldError], None] | None) -> None:
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    except BlockingIOError:
        busy = LockHeldError(read_holder(_read(descriptor)), shown)
    except OSError as error:
        raise LockError(f"cannot lock {shown}: {explain(error, WRITE_HINT)}") from None
    if not wait:
        raise busy
    if waiting is not None:
        waiting(busy)
    fcntl.flock(descriptor, fcntl.LOCK_EX)


def _write_holder(descriptor: int, shown: str) -> None:
    since = datetime.now(UTC).replace(microsecond=0).isoformat()
    try:
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"pid {os.getpid()}\nsince {since}\n".encode(), 0)
    except OSError as error:
        raise LockError(f"cannot write the lock file {shown}: {explain(error, WRITE_HINT)}") from None


@contextmanager
def holding_lock(folder: Path, *, shown: str | None = None, wait: bool = False,
                 waiting: Callable[[LockHeldError], None] | None = None) -> Iterator[BuildLock]:
    """``take_lock`` for the length of a ``with`` block; let go however the block ends."""
    lock = take_lock(folder, shown=shown, wait=wait, waiting=waiting)
    try:
        yield lock
    finally:
        lock.release()
