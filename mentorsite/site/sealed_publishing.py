"""The sealed portfolios beside the handbook editions on the deploy branch.

Mike's builds of an edition build no portfolio, so after them the program is built once
more as ``mentorsite build`` builds it (the same checks, the same sealing, the portfolios'
links to the handbook naming the editions just published), and the sealed sites it leaves in
``encryption.output_dir`` are committed into the branch's ``portfolios/`` folder, which they
replace whole: a pair withdrawn or a passphrase replaced leaves nothing behind there.

Only sealed sites are taken, each a folder holding its sealed index: the reviewer site
and the pairs' folders. Nothing else in that folder, and nothing of ``private_dir``, is
committed.

``--portfolios-to`` puts them on a host name of their own instead (what the threat model
recommends: no script of the handbook's then runs beside an unlocked portfolio): a branch
holding only them, at its root, or a folder whose ``pairs/`` and ``review/`` they replace;
the deploy branch then keeps no ``portfolios/`` folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from mentorsite.files.output import PAIRS, REVIEW, replace_directory, scratch_beside
from mentorsite.vault.sealing import VAULT_DIR, VAULT_FILE

BRANCH_FOLDER = "portfolios"  # on the deploy branch, beside the editions and versions.json


def sealed_sites(sealed_dir: Path) -> list[Path]:
    """The sealed sites in ``sealed_dir``: the reviewer site and every pair's folder, sorted."""
    candidates = [sealed_dir / REVIEW]
    pairs = sealed_dir / PAIRS
    if pairs.is_dir():
        candidates += sorted(pairs.iterdir())
    return [site for site in candidates
            if site.is_dir() and not site.is_symlink() and (site / VAULT_DIR / VAULT_FILE).is_file()]


@dataclass(frozen=True)
class PortfoliosTarget:
    """Where ``--portfolios-to`` sends the sealed sites: a branch of their own, or a folder."""

    branch: str | None = None
    folder: Path | None = None


def portfolios_target(value: str) -> PortfoliosTarget:
    """A folder when ``value`` is an absolute path or starts with ``./`` or ``../``; else a branch."""
    if Path(value).is_absolute() or value.startswith(("./", "../")) or value in {".", ".."}:
        return PortfoliosTarget(folder=Path(value).resolve())
    return PortfoliosTarget(branch=value)


def refused_folder(folder: Path, program: Path, kept_apart: list[tuple[str, Path]]) -> str | None:
    """Why the sealed sites cannot be written into ``folder``, if they cannot.

    Not the program's folder or one around it (two of its folders are replaced), nor a folder
    in one of ``kept_apart`` (the private output, the sources)."""
    if program.resolve().is_relative_to(folder):
        return f"{folder} holds the program itself; name a folder of their own"
    for name, place in kept_apart:
        if folder.is_relative_to(place.resolve()):
            return f"{folder} is inside {name} ({place}); name a folder outside the program's own folders"
    return None


def sealed_files(sealed_dir: Path, prefix: str = f"{BRANCH_FOLDER}/") -> list[tuple[str, bytes]]:
    """Every file of the sealed sites, as (``prefix`` + its path in ``sealed_dir``, content).

    Links are not followed."""
    files: list[tuple[str, bytes]] = []
    for site in sealed_sites(sealed_dir):
        for path in sorted(site.rglob("*")):
            if path.is_file() and not path.is_symlink():
                branch_path = f"{prefix}{path.relative_to(sealed_dir).as_posix()}"
                files.append((branch_path, path.read_bytes()))
    return files


def build_sealed(folder: Path, config_file: Path, environment: Mapping[str, str],
                 shown: Callable[[str], None]) -> subprocess.CompletedProcess[str]:
    """Run ``mentorsite build`` for the program, as its owner would; its output goes to ``shown``."""
    result = subprocess.run([sys.executable, "-m", "mentorsite", "build", "--config-file", str(config_file)],
                            cwd=folder, env=dict(environment), capture_output=True, text=True, check=False)
    shown(result.stdout + result.stderr)
    return result


def write_folder(files: list[tuple[str, bytes]], folder: Path) -> bool:
    """Replace ``folder``'s ``pairs/`` and ``review/`` with the sealed sites' files (paths in ``sealed_dir``).

    Each is written beside its place and swapped in whole; one the sites no longer have is
    removed; one that holds these files already is left alone. The folder's other files (a
    host's own settings) are left as they are. True when anything changed.
    """
    folder.mkdir(parents=True, exist_ok=True)
    changed = False
    for name in (PAIRS, REVIEW):
        target = folder / name
        own = [(path, data) for path, data in files if path.startswith(f"{name}/")]
        if not own:
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
                changed = True
            continue
        if sealed_files_in(folder, name) == sorted(own):
            continue
        changed = True
        with scratch_beside(target) as building:
            for path, data in own:
                written = building / path.removeprefix(f"{name}/")
                written.parent.mkdir(parents=True, exist_ok=True)
                written.write_bytes(data)
            replace_directory(building, target)
    return changed


def sealed_files_in(folder: Path, name: str) -> list[tuple[str, bytes]]:
    """The files under ``folder / name`` as (path in ``folder``, content); none if it is a link."""
    top = folder / name
    if not top.is_dir() or top.is_symlink():
        return []
    return sorted((path.relative_to(folder).as_posix(), path.read_bytes())
                  for path in top.rglob("*") if path.is_file() and not path.is_symlink())


@contextmanager
def held_through_editions(sealed_dir: Path, program: Path) -> Iterator[None]:
    """The sealed sites set aside while mike builds the editions, and put back after.

    Mike builds each edition into ``site_dir``, swapped in whole, which would take the sealed
    sites in it along; the build after it seals again only what changed (``vault.resealing``)
    when it finds the last ones in place, so an unchanged publish commits nothing. They wait in
    a scratch folder in the program's folder (so a rename moves them); where no rename can,
    they are not held, and are sealed anew.
    """
    if not sealed_dir.is_dir() or sealed_dir.is_symlink():
        yield
        return
    with scratch_beside(program / "portfolios") as holding:
        held: Path | None = holding / "sealed"
        try:
            sealed_dir.rename(holding / "sealed")
        except OSError:
            held = None
        try:
            yield
        finally:
            if held is not None and not os.path.lexists(sealed_dir):
                sealed_dir.parent.mkdir(parents=True, exist_ok=True)
                held.rename(sealed_dir)
