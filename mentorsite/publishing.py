"""Published handbook editions, as mike keeps them on the deploy branch of the program's repository.

mike writes each edition into a folder named after its version on the deploy branch, with
``versions.json`` at the root listing versions (newest first) and their aliases. Every
mentorsite build writes its manifest into the site, so each published edition carries one.
This module only reads git; it never changes a branch.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from verspec.loose import LooseVersion

from mentorsite.manifests import MANIFEST_FILE, Manifest


@dataclass(frozen=True)
class PublishedEdition:
    version: str
    title: str
    aliases: tuple[str, ...]
    manifest: Manifest | None


@dataclass(frozen=True)
class Published:
    """Every edition on the deploy branch, oldest first."""

    branch: str
    editions: tuple[PublishedEdition, ...] = field(default_factory=tuple)

    def names(self) -> list[str]:
        """Versions and aliases a pair may name as its handbook_version."""
        return sorted({n for e in self.editions for n in (e.version, *e.aliases)})

    def manifests(self) -> list[Manifest]:
        return [e.manifest for e in self.editions if e.manifest is not None]

    def previous(self, version: str | None) -> Manifest | None:
        """The newest edition older than ``version`` (any edition but ``version`` when it is None)."""
        older = [e for e in self.editions if e.version != version and e.manifest is not None
                 and (version is None or _order(e.version) < _order(version))]
        return older[-1].manifest if older else None


def _order(version: str) -> LooseVersion:
    return LooseVersion(version)


def read_published(folder: Path, branch: str, remote: str = "origin") -> Published | None:
    """The editions on ``branch`` (or ``remote/branch``) of the repository holding ``folder``.

    None when ``folder`` is not in a git repository or no such branch exists: nothing has
    been published yet.
    """
    ref = next((r for r in (branch, f"{remote}/{branch}") if _git(folder, "rev-parse", "--verify", "--quiet",
                                                                  f"{r}^{{commit}}") is not None), None)
    if ref is None:
        return None
    listing = _git(folder, "show", f"{ref}:versions.json")
    entries = json.loads(listing) if listing else []
    editions = []
    for entry in sorted(entries, key=lambda e: _order(str(e["version"]))):
        version = str(entry["version"])
        text = _git(folder, "show", f"{ref}:{version}/{MANIFEST_FILE}")
        editions.append(PublishedEdition(version, str(entry.get("title", version)),
                                         tuple(sorted(entry.get("aliases", []))),
                                         Manifest.from_json(text) if text else None))
    return Published(branch, tuple(editions))


def _git(folder: Path, *arguments: str) -> str | None:
    """The output of a git command run in ``folder``, or None when it fails."""
    try:
        result = subprocess.run(["git", *arguments], cwd=folder, capture_output=True, text=True,
                                check=False)
    except FileNotFoundError:
        return None
    return result.stdout if result.returncode == 0 else None
