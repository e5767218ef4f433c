"""Writing sites safely: scratch folders beside their target, whole-folder swaps, linked files.

A site is built in a scratch folder on the same file system as its target and swapped in
only when complete, so a failed or interrupted build never leaves half a site in place of
a good one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

SCRATCH_MARK = ".mentorsite-"
PAIRS = "pairs"  # the folder of the pair editions, in the private output and in the encrypted one
REVIEW = "review"  # the folder of the reviewer site
REPORT = "report"  # the folder of the program report, beside them in the private output


@contextmanager
def scratch_beside(target: Path) -> Iterator[Path]:
    """A scratch folder on the same file system as ``target``, removed unless moved into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_MARK}{target.name}-", dir=target.parent))
    try:
        yield building
    finally:
        shutil.rmtree(building, ignore_errors=True)


def replace_directory(built: Path, target: Path) -> None:
    """Swap a finished folder in for the old one; the old one is deleted only afterwards."""
    old = None
    if target.exists():
        old = target.with_name(f"{SCRATCH_MARK}old-{target.name}-{os.getpid()}")
        target.replace(old)
    built.replace(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def link_files(source: Path, files: list[Path], destination: Path) -> None:
    """Hard-link ``files`` (relative to ``source``) into ``destination``; copy where links fail."""
    for relative in files:
        target = destination / relative
        if target.exists():
            continue  # a page or file of the site itself wins over a theme file
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source / relative, target)
        except OSError:
            shutil.copyfile(source / relative, target)


def remove_scratch(folders: list[Path]) -> None:
    """Scratch folders left by a build that was killed half way."""
    for folder in folders:
        if folder.is_dir():
            for entry in folder.glob(f"{SCRATCH_MARK}*"):
                shutil.rmtree(entry, ignore_errors=True)


def write_zip(folder: Path, destination: Path, top: str, when: date) -> int:
    """Zip every file of ``folder`` under the folder name ``top``; returns the number of files.

    The archive is the same bytes for the same files: entries in name order, each dated
    ``when``. It is written beside ``destination`` and renamed into place when complete.
    """
    timestamp = (max(when.year, 1980), when.month, when.day, 0, 0, 0)
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, scratch = tempfile.mkstemp(prefix=f"{SCRATCH_MARK}{destination.name}-", dir=destination.parent)
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
