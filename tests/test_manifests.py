"""Handbook manifests: comparing editions and dating each guideline."""

from __future__ import annotations

from pathlib import Path

from mentorsite.checking.program import read_program
from mentorsite.model.manifests import Manifest, ManifestEntry, compare, guideline_history, handbook_manifest


def entry(guideline_id: str, text: str) -> ManifestEntry:
    return ManifestEntry(guideline_id, guideline_id.title(), f"hash-of-{text}", text)


FIRST = Manifest("2025.1", (entry("keep", "same\n"), entry("edit", "one\ntwo\n"), entry("drop", "x\n")))
SECOND = Manifest("2026.1", (entry("keep", "same\n"), entry("edit", "one\nthree\n"), entry("new", "y\n")))


def test_compare_finds_added_changed_and_removed_guidelines() -> None:
    changes = compare(FIRST, SECOND)
    assert changes.previous == "2025.1" and not changes.is_first
    assert [e.id for e in changes.added] == ["new"]
    assert [e.id for e in changes.removed] == ["drop"]
    assert [c.after.id for c in changes.changed] == ["edit"]
    assert changes.changed[0].diff == "@@ -1,2 +1,2 @@\n one\n-two\n+three"


def test_the_first_edition_adds_every_guideline() -> None:
    changes = compare(None, FIRST)
    assert changes.is_first and len(changes.added) == 3 and not changes.changed and not changes.removed


def test_history_dates_each_guideline_by_first_edition_and_last_change() -> None:
    third = Manifest("2026.2", (entry("keep", "same\n"), entry("edit", "one\nthree\n"), entry("new", "z\n"),
                                entry("drop", "x\n")))
    history = guideline_history([FIRST, SECOND], third)
    assert (history["keep"].first_edition, history["keep"].last_changed) == ("2025.1", "2025.1")
    assert (history["edit"].first_edition, history["edit"].last_changed) == ("2025.1", "2026.1")
    assert (history["new"].first_edition, history["new"].last_changed) == ("2026.1", "2026.2")
    assert (history["drop"].first_edition, history["drop"].last_changed) == ("2025.1", "2026.2")  # back again


def test_rebuilding_a_published_edition_does_not_count_it_twice() -> None:
    history = guideline_history([FIRST, SECOND], SECOND)
    assert history["edit"].last_changed == "2026.1" and history["new"].first_edition == "2026.1"


def test_a_manifest_round_trips_through_json_and_hashes_content(program_dir: Path) -> None:
    handbook = read_program(program_dir / "content", program_dir).program.handbook
    manifest = handbook_manifest(handbook, "2026.1")
    assert Manifest.from_json(manifest.to_json()) == manifest
    assert [e.id for e in manifest.guidelines] == ["clear-goals", "regular-meetings"]
    text = manifest.guidelines[0].text
    assert text.startswith("# Set clear goals\n\nAgree a few specific, dated goals early.\n")
    assert "Goals give the meetings a direction." in text and len(manifest.guidelines[0].digest) == 64
