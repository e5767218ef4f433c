"""Failures of the machine rather than of the records: an OSError told as one line.

The line names the path involved (relative to the program when it is inside it), says what
went wrong in plain words and what to do about it, by the error's number. The command line
prints it instead of a traceback; the MkDocs plugin's hooks raise it as MkDocs' own error
(``reported_as``), which MkDocs prints without one.
"""

from __future__ import annotations

import errno
import functools
import os
import re
import signal
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

Hook = TypeVar("Hook", bound=Callable[..., Any])

FULL = "free some space, then run again"
BUILD_OUTPUTS = "the site or the private output (site_dir, private_dir)"  # what a build writes
KEPT = "; nothing was replaced: the previous output is kept"
# errno -> (what it did, what went wrong, what to do); {limits} and {owner} are filled in below.
KNOWN: dict[int, tuple[str, str, str]] = {
    errno.ENOSPC: ("write", "no space is left on the device", FULL),
    errno.EDQUOT: ("write", "the disk quota is used up", FULL),
    errno.EROFS: ("write", "the file system is read-only",
                  "run where it can write: a writable copy of the program, or output folders in mkdocs.yml "
                  "that are on a writable file system"),
    errno.EACCES: ("open", "permission denied", "{owner}"),
    errno.EPERM: ("open", "the operation is not permitted", "{owner}"),
    errno.ENAMETOOLONG: ("open", "the name is too long", "{limits}"),
    errno.ENOENT: ("open", "there is no such file or folder",
                   "check the path; was it moved or removed while mentorsite ran?"),
    errno.ENOTDIR: ("open", "a part of the path is a file, expected a folder",
                    "move that file away, or name another folder"),
    errno.EISDIR: ("open", "it is a folder, expected a file", "move the folder away, or name a file"),
    errno.EMFILE: ("open", "this process has too many files open",
                   "raise the limit of open files (ulimit -n), or build with fewer --jobs"),
    errno.ENFILE: ("open", "the system has too many files open",
                   "close other programs, or build with fewer --jobs"),
    errno.ELOOP: ("open", "there are too many symbolic links in the path (a link that leads to itself?)",
                  "fix or remove the link"),
    errno.EEXIST: ("create", "it exists already", "remove it, or choose another name"),
}


# Faults of the machine rather than of one path: their hint holds wherever they happen.
OF_THE_MACHINE = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EMFILE, errno.ENFILE})


def describe(error: OSError, root: Path | None = None, kept: bool = False,
             where: str | None = None) -> str:
    """One line for ``error``: 'cannot <do what> <path>: <why>; <hint>'.

    ``root`` is the program's folder: a path inside it is shown relative to it. ``kept``: the
    failing command writes each output beside the previous one and swaps it in only when it is
    complete, so a full disk replaced nothing; the line says so.
    """
    path = _path_of(error.filename)
    other = _path_of(error.filename2)
    action, why, hint = KNOWN.get(error.errno or 0, ("use", reason(error), "check the path and run again"))
    if "{owner}" in hint:
        hint = _owner_hint(path, root)
    if "{limits}" in hint:
        hint = _limits_hint(path)
    if hint == FULL and kept:
        hint += KEPT
    if path is None:  # the error names no file: say what was being written, when the caller knows
        return f"cannot {action} {where or 'a file'}: {why}; {hint}"
    if other is not None:  # a copy, a link or a rename: the second path is the one written
        return f"cannot {action} {shown(other, root)} from {shown(path, root)}: {why}; {hint}"
    return f"cannot {action} {shown(path, root)}: {why}; {hint}"


def reason(error: OSError) -> str:
    """What went wrong, in plain words: 'no space is left on the device'."""
    if error.strerror == NOT_PLAIN:
        return NOT_PLAIN
    return KNOWN[error.errno][1] if error.errno in KNOWN else _reason(error)


def explain(error: OSError, fallback: str) -> str:
    """'<why>; <hint>' for ``error``: the hint of a fault of the machine (a full disk, a read-only
    file system), else ``fallback``: the caller knows best what to do about its own path."""
    hint = KNOWN[error.errno][2] if error.errno in OF_THE_MACHINE else fallback
    return f"{reason(error)}; {hint}"


NOT_PLAIN = "expected a plain file, got another kind (a pipe, a device or a socket)"


def read_plain(path: Path, flags: int = 0) -> bytes:
    """The bytes of ``path``, opened without waiting: a pipe or a device raises OSError (EINVAL)
    saying so, where reading it would wait for ever or never end. ``flags`` are added to the open."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | flags)
    with os.fdopen(descriptor, "rb") as file:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise OSError(errno.EINVAL, NOT_PLAIN, str(path))
        return file.read()


class WorkerLostError(RuntimeError):
    """A worker process ended while it built a pair's portfolios: the system stopped it (as when
    memory runs out), or it crashed."""

    def __init__(self, pair_id: str, exitcode: int | None):
        self.pair_id = pair_id
        self.exitcode = exitcode
        if exitcode is not None and exitcode < 0:
            number = -exitcode
            try:
                name = signal.Signals(number).name
            except ValueError:  # a signal with no name (a real-time one)
                name = f"signal {number}"
            memory = ", as the system does when memory runs out" if name == "SIGKILL" else ""
            how = f"stopped by {name}{memory}"
        else:
            how = f"exit code {exitcode}" if exitcode is not None else "it did not answer"
        super().__init__(f"the worker process building the portfolios of {pair_id} ended abruptly ({how})")


SYMLINK_LOOP = re.compile(r"Symlink loop from '(?P<path>.*)'")


def as_os_error(error: BaseException) -> BaseException:
    """``error``, or the OSError it stands for: Python's ``Path.resolve`` tells a loop of symbolic
    links as a RuntimeError naming the path, where every other call raises ELOOP."""
    found = SYMLINK_LOOP.fullmatch(str(error)) if type(error) is RuntimeError else None
    if found is None:
        return error
    return OSError(errno.ELOOP, os.strerror(errno.ELOOP), found.group("path"))


def shown(path: Path, root: Path | None = None) -> str:
    """``path`` relative to ``root`` when it lies inside it, else as it is."""
    if root is not None:
        try:
            return path.absolute().relative_to(root.absolute()).as_posix() or "."
        except ValueError:
            pass
    return str(path)


def reported_as(make: Callable[[str], Exception]) -> Callable[[Hook], Hook]:
    """A decorator for a plugin hook: an OSError in it is raised again as ``make(message)``.

    The program's folder is the hook's object's ``root`` when it has one. The hooks belong to
    a build, which swaps each site in only when it is complete (``describe``'s ``kept``).
    """

    def decorate(hook: Hook) -> Hook:
        @functools.wraps(hook)
        def guarded(self: object, *arguments: Any, **keywords: Any) -> Any:
            try:
                return hook(self, *arguments, **keywords)
            except (OSError, RuntimeError) as raised:
                error = as_os_error(raised)
                if not isinstance(error, OSError):
                    raise
                root = getattr(self, "root", None)
                message = describe(error, root if isinstance(root, Path) else None, kept=True,
                                   where=BUILD_OUTPUTS)
                raise make(f"mentorsite: {message}") from error

        return guarded  # type: ignore[return-value]

    return decorate


def _path_of(name: object) -> Path | None:
    if isinstance(name, bytes):
        return Path(os.fsdecode(name))
    return Path(name) if isinstance(name, str) and name else None


def _reason(error: OSError) -> str:
    text = (error.strerror or str(error)).rstrip(".")
    text = text[:1].lower() + text[1:]
    return f"{text} (error {error.errno})" if error.errno else text


def _existing(path: Path | None) -> Path | None:
    """``path`` or the nearest of its folders that exists (what a denial or a limit is about)."""
    if path is None:
        return None
    for candidate in (path, *path.absolute().parents):
        try:
            candidate.lstat()
        except OSError:
            continue
        return candidate
    return None


def _owner_hint(path: Path | None, root: Path | None) -> str:
    """Who owns what was refused, and who this runs as."""
    place = _existing(path)
    me = _user_name(os.geteuid())
    if place is None:
        return f"check the permissions of the path; this runs as {me}"
    status = place.lstat()
    kind = "folder" if place.is_dir() else "file"
    where = "it" if place == path else f"the nearest {kind} that exists, {shown(place, root)},"
    return (f"{where} belongs to {_user_name(status.st_uid)} (mode {status.st_mode & 0o7777:04o}) and this "
            f"runs as {me}: give {me} access to it, or run as its owner")


def _user_name(uid: int) -> str:
    try:
        import pwd  # noqa: PLC0415 - not on every platform

        return f"user {pwd.getpwuid(uid).pw_name}"
    except (ImportError, KeyError):
        return f"user id {uid}"


def _limits_hint(path: Path | None) -> str:
    """Which limit a too-long name passes: that of one name, or that of the whole path."""
    place = _existing(path.parent if path is not None else None)
    try:
        name_max = os.pathconf(place, "PC_NAME_MAX") if place is not None else 255
        path_max = os.pathconf(place, "PC_PATH_MAX") if place is not None else 4096
    except (OSError, ValueError):
        name_max, path_max = 255, 4096
    if path is None:
        return f"a name may have at most {name_max} bytes here; shorten it"
    longest = max((len(os.fsencode(part)) for part in path.parts), default=0)
    if longest > name_max:
        return (f"a name may have at most {name_max} bytes on this file system, and one here has {longest}: "
                "shorten the id or file name it comes from")
    length = len(os.fsencode(path.absolute()))
    return (f"a path may have at most {path_max} bytes on this file system, and this one has {length}: "
            "shorten the ids or move the program to a shorter path")
