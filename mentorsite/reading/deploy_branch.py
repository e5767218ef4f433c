"""Published handbook editions, as they are kept on the deploy branch of the program's repository.

The publisher (``mentorsite.site.publishing``) writes each edition into a folder named after
its version on the deploy branch, with ``versions.json`` at the root listing versions (newest
first) and their aliases. Every mentorsite build writes its manifest into the site, so each
published edition carries one. This module only reads git; it never changes a branch.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from verspec.loose import LooseVersion

from mentorsite.model.manifests import MANIFEST_FILE, Manifest


@dataclass(frozen=True)
class PublishedEdition:
    version: str
    title: str
    aliases: tuple[str, ...]
    manifest: Manifest | None


@dataclass(frozen=True)
class Published:
    """Every edition on the deploy branch, oldest first."""

    editions: tuple[PublishedEdition, ...]

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

    None when ``folder`` is not in a git repository, no such branch exists, or the branch has
    no ``versions.json`` (a site deployed without mike): there are no editions to read.
    """
    candidates = (branch, f"{remote}/{branch}")
    ref = next((r for r in candidates if _git(folder, "rev-parse", "--verify", "--quiet", f"{r}^{{commit}}")),
               None)
    if ref is None:
        return None
    listing = _git(folder, "show", f"{ref}:versions.json")
    if listing is None:
        return None  # a branch without mike's list of versions: no editions to read
    try:
        entries = json.loads(listing)
        if not isinstance(entries, list) or not all(isinstance(e, dict) and "version" in e for e in entries):
            raise ValueError("expected a list of versions")
        ordered = sorted(entries, key=lambda e: _order(str(e["version"])))
        aliases = [tuple(sorted(str(a) for a in e.get("aliases") or [])) for e in ordered]
    except (ValueError, TypeError, AttributeError) as error:
        raise PublishedError(f"{ref}:versions.json: expected the list of published editions, got text that "
                             f"cannot be read ({error}); repair it or publish again") from None
    editions = []
    for entry, names in zip(ordered, aliases, strict=True):
        version = str(entry["version"])
        text = _git(folder, "show", f"{ref}:{version}/{MANIFEST_FILE}")
        editions.append(PublishedEdition(version, str(entry.get("title", version)), names, _manifest(text)))
    return Published(tuple(editions))


class PublishedError(Exception):
    """The deploy branch's list of editions cannot be read."""


def _manifest(text: str | None) -> Manifest | None:
    """An edition's manifest; None when it has none or it is damaged (its changes are then not listed)."""
    if not text:
        return None
    try:
        return Manifest.from_json(text)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def _git(folder: Path, *arguments: str) -> str | None:
    """The output of a git command run in ``folder``, or None when it fails."""
    try:
        result = subprocess.run(["git", *arguments], cwd=folder, capture_output=True, text=True,
                                check=False)
    except FileNotFoundError:
        return None
    return result.stdout if result.returncode == 0 else None
