"""Handbook manifests: what an edition holds, and what changed between editions.

A manifest lists each guideline with its title, a hash of its content and the text the hash
is taken over, so that a later edition can show a readable diff. Pure functions: reading
manifests of published editions (from a deploy branch) is an adapter's job.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from mentorsite.model.record_sets import Handbook
from mentorsite.model.records import Guideline

MANIFEST_FILE = "mentorsite-manifest.json"
FORMAT = 1


@dataclass(frozen=True)
class ManifestEntry:
    id: str
    title: str
    digest: str
    text: str


@dataclass(frozen=True)
class Manifest:
    """The guidelines of one handbook edition (``version`` is None for an unpublished build)."""

    version: str | None
    guidelines: tuple[ManifestEntry, ...]

    def to_json(self) -> str:
        data = {"format": FORMAT, "version": self.version,
                "guidelines": [asdict(e) for e in sorted(self.guidelines, key=lambda e: e.id)]}
        return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"expected a mentorsite manifest of format {FORMAT}")
        entries = tuple(ManifestEntry(**entry) for entry in data["guidelines"])
        return cls(data["version"], entries)


def guideline_text(guideline: Guideline) -> str:
    """The reader-facing content of a guideline, as the text that is hashed and compared."""
    lines = [f"# {guideline.title}", "", guideline.summary, "",
             f"For: {', '.join(guideline.audience)}", f"Topic: {guideline.topic}", "",
             guideline.body.strip()]
    if guideline.sources:
        sources = [f"- {s.title}" + (f" ({s.url})" if s.url else "") for s in guideline.sources]
        lines += ["", "Sources:", *sources]
    if guideline.related:
        lines += ["", f"Related: {', '.join(guideline.related)}"]
    # Only when present, so that the text (and hash) of a guideline without them is as it was.
    if guideline.checklist:
        lines += ["", "Checklist:", *(f"- {line}" for line in guideline.checklist)]
    if guideline.licence:
        licence = guideline.licence
        lines += ["", f"Licence: {licence.name}" + (f" ({licence.url})" if licence.url else "")
                  + (f"; {licence.attribution}" if licence.attribution else "")]
    return "\n".join(lines).strip() + "\n"


def handbook_manifest(handbook: Handbook, version: str | None) -> Manifest:
    entries = []
    for guideline in sorted(handbook.guidelines, key=lambda g: g.id):
        text = guideline_text(guideline)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        entries.append(ManifestEntry(guideline.id, guideline.title, digest, text))
    return Manifest(version, tuple(entries))


@dataclass(frozen=True)
class ChangedGuideline:
    before: ManifestEntry
    after: ManifestEntry

    @property
    def diff(self) -> str:
        """A unified diff of the guideline's text, without the file header lines."""
        lines = difflib.unified_diff(self.before.text.splitlines(), self.after.text.splitlines(),
                                     lineterm="", n=1)
        return "\n".join(line for line in lines if not line.startswith(("---", "+++")))


@dataclass(frozen=True)
class Changes:
    """What an edition adds, changes and removes against the previous one (None: first edition)."""

    previous: str | None
    added: tuple[ManifestEntry, ...]
    changed: tuple[ChangedGuideline, ...]
    removed: tuple[ManifestEntry, ...]

    @property
    def is_first(self) -> bool:
        return self.previous is None


def compare(previous: Manifest | None, current: Manifest) -> Changes:
    """Guidelines added, changed (their content hash differs) and removed, by id."""
    if previous is None:
        return Changes(None, current.guidelines, (), ())
    before = {e.id: e for e in previous.guidelines}
    after = {e.id: e for e in current.guidelines}
    added = tuple(after[i] for i in sorted(after.keys() - before.keys()))
    removed = tuple(before[i] for i in sorted(before.keys() - after.keys()))
    changed = tuple(ChangedGuideline(before[i], after[i]) for i in sorted(before.keys() & after.keys())
                    if before[i].digest != after[i].digest)
    return Changes(previous.version, added, changed, removed)


@dataclass(frozen=True)
class GuidelineHistory:
    first_edition: str | None
    last_changed: str | None


def guideline_history(editions: Sequence[Manifest], current: Manifest) -> dict[str, GuidelineHistory]:
    """For each guideline of ``current``: the edition it first appeared in, and the last that changed it.

    ``editions`` are the published ones, oldest first; ``current`` is the edition being built
    (which may also be the last of ``editions`` when it is rebuilt).
    """
    history: dict[str, GuidelineHistory] = {}
    previous: dict[str, str] = {}
    for manifest in [*(m for m in editions if m.version != current.version), current]:
        for entry in manifest.guidelines:
            known = history.get(entry.id)
            if known is None:
                history[entry.id] = GuidelineHistory(manifest.version, manifest.version)
            elif previous.get(entry.id) != entry.digest:  # changed, or back after a removal
                history[entry.id] = GuidelineHistory(known.first_edition, manifest.version)
        previous = {e.id: e.digest for e in manifest.guidelines}
    return {e.id: history[e.id] for e in current.guidelines}


@dataclass(frozen=True)
class EditionContext:
    """What a handbook build knows of its place among editions."""

    manifest: Manifest
    changes: Changes
    history: dict[str, GuidelineHistory]

    @property
    def version(self) -> str | None:
        return self.manifest.version


def edition_context(handbook: Handbook, version: str | None, published: Sequence[Manifest] = (),
                    previous: Manifest | None = None) -> EditionContext:
    """The manifest of this build, its changes against ``previous``, and each guideline's history."""
    manifest = handbook_manifest(handbook, version)
    return EditionContext(manifest, compare(previous, manifest), guideline_history(published, manifest))
