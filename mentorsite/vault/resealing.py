"""Sealing a site again only when what it would hold has changed.

Every sealing draws a new salt and new nonces, so a site sealed again from the same pages is
new bytes throughout: a host would be sent every blob again, and a deploy branch would get
a commit at each publish although nothing changed. So beside the private output (never in
the sealed site: a digest of the plain pages, published, would let anyone confirm a guess
at them) each sealed folder has a stamp: a fingerprint of what it was sealed from and a
digest of what sealing wrote. A site whose fingerprint and sealed files are those of its
stamp, under the same passphrase, is kept as it is.

The fingerprint covers the plain files and their paths, the unlock page, which files stay
plain, the inner sites, the iterations, the browser's files and the sealing code. A
pair's folder is named from its passphrase, so a new passphrase is a new folder; the
reviewer site's folder is not, so its passphrase must open the sealed index as well.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
from collections.abc import Collection
from functools import cache
from pathlib import Path

from mentorsite.files.output import replace_directory, scratch_beside
from mentorsite.files.themes import bundled_templates_dir
from mentorsite.reading.caching import digest

STAMPS = ".seals"  # in the private folder, beside the plain sites it vouches for


def seal_fingerprint(source: Path, shell: str, plain: Collection[str], sites: Collection[str],
                     iterations: int, client: Collection[str]) -> str:
    """What a sealing of ``source`` depends on; the same for the same sealed content."""
    client_dir = bundled_templates_dir() / "vault"
    settings = json.dumps({"plain": sorted(plain), "sites": sorted(sites), "iterations": iterations},
                          sort_keys=True)
    return digest(settings, shell, files_digest(source), _sealing_code(),
                  *(hashlib.sha256((client_dir / name).read_bytes()).hexdigest() for name in sorted(client)))


@cache
def _sealing_code() -> str:
    """The code that seals: this layer's modules (what the sites hold is in the plain files)."""
    return files_digest(Path(__file__).resolve().parent, "*.py")


def files_digest(folder: Path, pattern: str = "*") -> str:
    """The relative paths and bytes of every file under ``folder``, wherever it is; links not followed."""
    parts: list[str] = []
    for path in sorted(folder.rglob(pattern)):
        if path.is_file() and not path.is_symlink():
            parts += [path.relative_to(folder).as_posix(), hashlib.sha256(path.read_bytes()).hexdigest()]
    return digest(*parts)


class SealStamps:
    """One stamp a sealed folder, named after the folder's place in the sealed output."""

    def __init__(self, private_dir: Path, target_dir: Path, previous_dir: Path | None = None):
        self.folder = private_dir / STAMPS
        self.target_dir = target_dir
        self.previous_dir = previous_dir

    def _name(self, target: Path) -> str:
        return target.relative_to(self.target_dir).as_posix().replace("/", "-")

    def kept(self, target: Path, fingerprint: str) -> bool:
        """True when ``target`` holds what sealing from ``fingerprint`` wrote, unchanged.

        A handbook built beside its site seals into the new site: a sealed folder of the last
        build that is current is linked into it from there (``previous_dir``), file by file."""
        try:
            recorded = (self.folder / self._name(target)).read_text(encoding="ascii").split()
        except (OSError, UnicodeDecodeError):
            return False
        if not target.exists() and self.previous_dir is not None:
            previous = self.previous_dir / target.relative_to(self.target_dir)
            if _current(previous, recorded, fingerprint):
                _link_tree(previous, target)
        return _current(target, recorded, fingerprint)

    def record(self, target: Path, fingerprint: str) -> None:
        """Stamp ``target`` as sealed from ``fingerprint`` (after it is swapped in)."""
        self.folder.mkdir(mode=0o700, exist_ok=True)
        self.folder.chmod(0o700)
        stamp = self.folder / self._name(target)
        scratch = stamp.with_name(f".{stamp.name}.new")
        descriptor = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as written:
            written.write(f"{fingerprint} {files_digest(target)}\n")
        scratch.chmod(0o600)  # a scratch left by a stopped build may have been made another way
        scratch.replace(stamp)

    def forget(self, target: Path) -> None:
        """Drop ``target``'s stamp before it is sealed again: an interrupted sealing vouches for nothing."""
        (self.folder / self._name(target)).unlink(missing_ok=True)

    def prune(self) -> None:
        """Drop the stamps of sealed folders that are gone."""
        if not self.folder.is_dir():
            return
        present = {self._name(site) for site in [self.target_dir / "review",
                                                 *sorted(self.target_dir.glob("pairs/*"))]
                   if site.is_dir()}
        for stamp in self.folder.iterdir():
            if stamp.name not in present:
                stamp.unlink(missing_ok=True)



def _current(folder: Path, recorded: list[str], fingerprint: str) -> bool:
    if not folder.is_dir() or folder.is_symlink():
        return False
    return recorded == [fingerprint, files_digest(folder)]


def _link_tree(source: Path, target: Path) -> None:
    """``source``'s files hard-linked into a new ``target`` (copied where links fail), swapped in whole."""
    with scratch_beside(target) as building:
        for path in sorted(source.rglob("*")):
            if path.is_symlink():
                continue
            placed = building / path.relative_to(source)
            if path.is_dir():
                placed.mkdir(parents=True, exist_ok=True)
                placed.chmod(stat.S_IMODE(path.stat().st_mode))
                continue
            placed.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(path, placed)
            except OSError:
                shutil.copy2(path, placed)
        replace_directory(building, target)
