"""Writing sites safely: scratch folders beside their target, whole-folder swaps, linked files.

A site is built in a scratch folder on the same file system as its target and swapped in
only when complete, so a failed or interrupted build never leaves half a site in place of
a good one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SCRATCH_MARK = ".mentorsite-"


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
