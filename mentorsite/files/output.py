"""Writing sites safely: scratch folders beside their target, whole-folder swaps, linked files.

A site is built in a scratch folder on the same file system as its target and swapped in
only when complete, so a failed or interrupted build never leaves half a site in place of
a good one.

Private output is private on purpose, whatever the user's umask: inside ``private_files()``
every folder is made 0700 and every file 0600, and a scratch folder takes the mode of the
folder it is made in, so a site built under ``site-private/`` is 0700 and one built under
the public site keeps the modes of the folders around it.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import stat
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import cast

SCRATCH_MARK = ".mentorsite-"
OLD_MARK = f"{SCRATCH_MARK}old."  # `.mentorsite-old.<name>.<pid>`: set aside while its new one goes in
NEW_MARK = f"{SCRATCH_MARK}new."  # `.mentorsite-new.<name>.<random>`: a handbook site built beside its own
PAIRS = "pairs"  # the folder of the pair editions, in the private output and in the encrypted one
REVIEW = "review"  # the folder of the reviewer site
REPORT = "report"  # the folder of the program report, beside them in the private output
EXPORTS = "exports"  # the default folder of `mentorsite export` zips, in the private output
PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600
PRIVATE_UMASK = 0o077
SHARED_FILE = 0o644  # the theme's own files: public, and linked into the sealed output too


@contextmanager
def private_files() -> Iterator[None]:
    """Every file and folder created meanwhile is its owner's only (0600 and 0700).

    The umask belongs to the process, so this is for code that writes private output and
    nothing else at the same time (the portfolio build, a preview, an export); the umask
    is restored afterwards.
    """
    previous = os.umask(PRIVATE_UMASK)
    try:
        yield
    finally:
        os.umask(previous)


def private_folder(folder: Path) -> Path:
    """Make ``folder`` (and any missing parent) its owner's only; tighten it if it was looser.

    When the folder itself was looser, everything under it is tightened too: folders to
    0700, files to 0600, except files shared with other sites by hard links (the theme's
    own files, public in the sealed output as well).
    """
    folder.mkdir(parents=True, exist_ok=True, mode=PRIVATE_FOLDER)
    if stat.S_IMODE(folder.stat().st_mode) & ~PRIVATE_FOLDER:
        folder.chmod(PRIVATE_FOLDER)
        _tighten_tree(folder)
    return folder


GIT_IGNORE = ".gitignore"
IGNORE_ALL = "# mentorsite: private output, never to be committed\n*\n"


def ignored_by_git(folder: Path) -> Path:
    """Write a ``.gitignore`` that ignores everything into ``folder`` (unless it has one).

    So git tracks nothing in it, whatever the folder is called and whatever the program's
    own ``.gitignore`` says. Made with O_EXCL and O_NOFOLLOW: an existing file or link is
    left as it is and nothing is written through a link.
    """
    try:
        handle = os.open(folder / GIT_IGNORE, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW,
                         PRIVATE_FILE)
    except FileExistsError:
        return folder
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        file.write(IGNORE_ALL)
    return folder


def _tighten_tree(folder: Path) -> None:
    for walked, folders, files in os.walk(folder):
        root = Path(walked)
        for name in folders:
            if not (root / name).is_symlink():
                (root / name).chmod(PRIVATE_FOLDER)
        for name in files:
            status = (root / name).lstat()
            if stat.S_ISREG(status.st_mode) and status.st_nlink == 1:
                (root / name).chmod(PRIVATE_FILE)


def withdraw(target: Path) -> bool:
    """Take a site out of its folder at once (renamed, then deleted); False when there was none."""
    if not target.is_dir():
        return False
    gone = target.with_name(f"{SCRATCH_MARK}withdrawn-{target.name}-{os.getpid()}")
    target.replace(gone)
    shutil.rmtree(gone, ignore_errors=True)
    return True


@contextmanager
def scratch_beside(target: Path) -> Iterator[Path]:
    """A scratch folder on the same file system as ``target``, removed unless moved into place.

    It has the mode of the folder it is made in: private under the private output, as open
    as the folders around it under the public site.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_MARK}{target.name}-", dir=target.parent))
    building.chmod(stat.S_IMODE(target.parent.stat().st_mode) & 0o777)
    try:
        yield building
    finally:
        shutil.rmtree(building, ignore_errors=True)


def replace_directory(built: Path, target: Path) -> None:
    """Swap a finished folder in for the old one; the old one is deleted only afterwards.

    In one step where the system can (see ``exchange_paths``), else by two renames; a build
    stopped between those leaves the old folder beside its place, and ``recover_directory``
    (which ``remove_scratch`` and ``handbook_scratch`` call) puts it back.
    """
    if not os.path.lexists(target):
        built.rename(target)
    elif exchange_paths(built, target):
        _remove(built)  # it holds the old folder now
    else:
        old = target.with_name(f"{OLD_MARK}{target.name}.{os.getpid()}")
        target.rename(old)
        built.rename(target)
        _remove(old)


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_UNSUPPORTED = {errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV}


def _load_renameat2() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None  # a C library without it
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return cast("Callable[..., int]", function)


_renameat2 = _load_renameat2()


def exchange_paths(one: Path, other: Path) -> bool:
    """Exchange two existing paths in one step (``renameat2`` with ``RENAME_EXCHANGE``).

    False where the C library or the file system cannot; then nothing was changed.
    """
    if _renameat2 is None:
        return False
    if _renameat2(_AT_FDCWD, os.fsencode(one), _AT_FDCWD, os.fsencode(other), _RENAME_EXCHANGE) == 0:
        return True
    number = ctypes.get_errno()
    if number in _UNSUPPORTED:
        return False
    raise OSError(number, os.strerror(number), str(one), None, str(other))


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _old_target(entry: str) -> str | None:
    """The target name of a folder set aside by a two-rename swap (``.mentorsite-old.<name>.<pid>``)."""
    if not entry.startswith(OLD_MARK):
        return None
    name, _, pid = entry[len(OLD_MARK):].rpartition(".")
    return name if name and pid.isdigit() else None


def recover_directory(target: Path) -> bool:
    """Put back the old folder of ``target`` when a swap was stopped between its two renames."""
    if os.path.lexists(target) or not target.parent.is_dir():
        return False
    left = sorted((entry for entry in target.parent.iterdir() if _old_target(entry.name) == target.name),
                  key=lambda entry: entry.lstat().st_mtime_ns)
    if not left:
        return False
    left[-1].rename(target)
    return True


def handbook_scratch(target: Path, *, copy: bool = False) -> Path:
    """A new folder beside the site ``target`` to build it in, to be swapped in with ``replace_directory``.

    First the site of a build stopped half way through a swap is put back, and the folders
    such builds left beside it are removed. The new folder has the mode of the site (or of
    the folder around it); with ``copy`` it starts as a copy of the site (a dirty build).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    recover_directory(target)
    for entry in list(target.parent.iterdir()):
        if _old_target(entry.name) == target.name or _new_target(entry.name) == target.name:
            _remove(entry)
    building = Path(tempfile.mkdtemp(prefix=f"{NEW_MARK}{target.name}.", dir=target.parent))
    model = target if target.is_dir() else target.parent
    building.chmod(stat.S_IMODE(model.stat().st_mode) & 0o777)
    if copy and target.is_dir():
        shutil.copytree(target, building, symlinks=True, dirs_exist_ok=True)
    return building


def _new_target(entry: str) -> str | None:
    """The target name of a site being built beside it (``.mentorsite-new.<name>.<random>``)."""
    if not entry.startswith(NEW_MARK):
        return None
    name, _, random = entry[len(NEW_MARK):].rpartition(".")
    return name if name and random and "." not in random else None


def link_files(source: Path, files: list[Path], destination: Path) -> None:
    """Hard-link ``files`` (relative to ``source``) into ``destination``; copy where links fail.

    The linked files are the theme's own (and local stylesheets): public files, the same
    in every portfolio, in the private output and in the sealed output alike, so they are
    0644 (one file under many names has one mode); the folders around them keep theirs.
    """
    for relative in files:
        target = destination / relative
        if target.exists():
            continue  # a page or file of the site itself wins over a theme file
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            (source / relative).chmod(SHARED_FILE)
            os.link(source / relative, target)
        except OSError:
            shutil.copyfile(source / relative, target)


def remove_scratch(folders: list[Path]) -> None:
    """Scratch folders left by a build that was killed half way; an old folder set aside is put back.

    A swap stopped between its two renames (see ``replace_directory``) left its target
    missing and the old folder beside it: that folder goes back in its place.
    """
    for folder in folders:
        if not folder.is_dir():
            continue
        for entry in sorted(folder.iterdir()):
            name = _old_target(entry.name)
            if name is not None and name not in {".", ".."} and "/" not in name:
                recover_directory(folder / name)
        for entry in folder.iterdir():
            if entry.name.startswith(SCRATCH_MARK):
                _remove(entry)


def write_zip(folder: Path, destination: Path, top: str, when: date) -> int:
    """Zip every file of ``folder`` under the folder name ``top``; returns the number of files.

    The archive is the same bytes for the same files: entries in name order, each dated
    ``when``. It is written beside ``destination`` (readable by its owner only, 0600) and
    renamed into place when complete.
    """
    timestamp = (max(when.year, 1980), when.month, when.day, 0, 0, 0)
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, scratch = tempfile.mkstemp(prefix=f"{SCRATCH_MARK}{destination.name}-", dir=destination.parent)
    os.fchmod(handle, PRIVATE_FILE)
    os.close(handle)
    try:
        with zipfile.ZipFile(scratch, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in files:
                entry = zipfile.ZipInfo(f"{top}/{path.relative_to(folder).as_posix()}", timestamp)
                entry.external_attr = 0o644 << 16
                entry.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(entry, path.read_bytes())
        Path(scratch).replace(destination)
    finally:
        Path(scratch).unlink(missing_ok=True)
    return len(files)
