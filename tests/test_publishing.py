"""Editions published for real with mike, in a temporary git repository.

Two editions: between them one guideline is added, one changed and one removed. The
deploy branch must hold both editions, ``latest`` as a copy (not a symlink), a root that
redirects to it, a root 404 page, and What's new pages that say what changed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from mentorsite.reading.deploy_branch import read_published
from tests.editions import ENV, git


def show(folder: Path, path: str) -> str:
    return git(folder, "show", f"gh-pages:{path}")


def test_both_editions_are_listed_with_latest_on_the_newest(published: Path) -> None:
    versions = json.loads(show(published, "versions.json"))
    assert [(v["version"], v["aliases"]) for v in versions] == [("2026.2", ["latest"]), ("2026.1", [])]


def test_aliases_are_copies_and_the_root_redirects_and_has_a_404(published: Path) -> None:
    listing = git(published, "ls-tree", "gh-pages")
    modes = {line.split("\t")[1]: line.split()[0] for line in listing.splitlines()}
    assert modes["latest"] == "040000" and modes["2026.2"] == "040000"  # folders, no symlink
    assert show(published, "latest/whats-new/index.html") == show(published, "2026.2/whats-new/index.html")
    assert 'url=latest/' in show(published, "index.html")
    assert 'href="latest/"' in show(published, "404.html")


def test_whats_new_lists_the_added_changed_and_removed_guidelines(published: Path) -> None:
    page = show(published, "2026.2/whats-new/index.html")
    assert "Compared with edition 2026.1: 1 added, 1 changed, 1 removed." in page
    assert 'href="../guidelines/say-thank-you/"' in page and "Say thank you" in page
    assert "-Goals give the meetings a direction." in page
    assert "+Goals give every meeting a direction and an end." in page
    assert "Keep a paper diary" in page and "no longer in this one" in page
    first = show(published, "2026.1/whats-new/index.html")
    assert "This is the first edition of the handbook" in first


def test_guideline_pages_say_when_they_appeared_and_last_changed(published: Path) -> None:
    changed = show(published, "2026.2/guidelines/clear-goals/index.html")
    assert "In the handbook since edition 2026.1; last changed in edition 2026.2." in changed
    kept = show(published, "2026.2/guidelines/regular-meetings/index.html")
    assert "In the handbook since edition 2026.1." in kept
    manifest = json.loads(show(published, "2026.2/mentorsite-manifest.json"))
    assert manifest["version"] == "2026.2"
    assert [g["id"] for g in manifest["guidelines"]] == ["clear-goals", "regular-meetings", "say-thank-you"]


def run_with_version(published: Path, version: str, *command: str) -> subprocess.CompletedProcess[str]:
    """``command`` run while ana-ben names ``version``; the shared program is restored after."""
    pair = published / "content/pairs/ana-ben/pair.yml"
    original = pair.read_text()
    try:
        pair.write_text(original + f"handbook_version: '{version}'\n")
        return subprocess.run([sys.executable, "-m", *command], cwd=published, env=ENV, capture_output=True,
                              text=True, check=False)
    finally:
        pair.write_text(original)


def test_a_pair_naming_an_unpublished_edition_is_an_error(published: Path) -> None:
    result = run_with_version(published, "2026.3", "mkdocs", "build")
    assert result.returncode == 1
    assert ("content/pairs/ana-ben/pair.yml:5:19: error[unknown-version] handbook_version: no handbook "
            "edition '2026.3' was published; did you mean '2026.2'?") in result.stderr
    assert run_with_version(published, "latest", "mkdocs", "build").returncode == 0


def test_check_reports_an_unpublished_edition_too(published: Path) -> None:
    result = run_with_version(published, "2025.4", "mentorsite", "check")
    assert result.returncode == 1
    assert "pair.yml:5:19: error[unknown-version] handbook_version: no handbook edition '2025.4'" in result.stdout


def test_nothing_is_read_without_a_repository_branch_or_list_of_versions(tmp_path: Path) -> None:
    assert read_published(tmp_path, "gh-pages") is None  # not a repository
    git(tmp_path, "init", "--quiet", "--initial-branch", "main")
    (tmp_path / "index.html").write_text("unversioned site")
    git(tmp_path, "add", "--all")
    git(tmp_path, "commit", "--quiet", "--message", "site")
    assert read_published(tmp_path, "gh-pages") is None  # no such branch
    assert read_published(tmp_path, "main") is None  # a branch, but no versions.json


def test_the_previous_edition_follows_version_order(published: Path) -> None:
    editions = read_published(published, "gh-pages")
    assert editions is not None
    assert [e.version for e in editions.editions] == ["2026.1", "2026.2"]
    assert editions.names() == ["2026.1", "2026.2", "latest"]
    previous = editions.previous("2026.2")
    assert previous is not None and previous.version == "2026.1"
    assert editions.previous("2026.1") is None
    newest = editions.previous(None)
    assert newest is not None and newest.version == "2026.2"
