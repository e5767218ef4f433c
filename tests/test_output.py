"""Sites are swapped in whole: a failed build leaves the previous site and no scratch behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from mentorsite.files.output import link_files, remove_scratch, replace_directory, scratch_beside


def test_a_finished_site_replaces_the_old_one_whole(tmp_path: Path) -> None:
    target = tmp_path / "site"
    (target / "old").mkdir(parents=True)
    with scratch_beside(target) as building:
        (building / "index.html").write_text("new")
        replace_directory(building, target)
    assert sorted(p.name for p in target.iterdir()) == ["index.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_failed_build_keeps_the_previous_site_and_cleans_up(tmp_path: Path) -> None:
    target = tmp_path / "site"
    target.mkdir()
    (target / "index.html").write_text("previous")
    with pytest.raises(RuntimeError), scratch_beside(target) as building:
        (building / "index.html").write_text("half")
        raise RuntimeError("the build failed half way")
    assert (target / "index.html").read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_shared_files_are_linked_and_a_site_file_wins(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    (shared / "assets").mkdir(parents=True)
    (shared / "assets/app.js").write_text("theme")
    (shared / "favicon.png").write_text("theme icon")
    site = tmp_path / "site"
    site.mkdir()
    (site / "favicon.png").write_text("own icon")
    link_files(shared, [Path("assets/app.js"), Path("favicon.png")], site)
    assert (site / "assets/app.js").stat().st_ino == (shared / "assets/app.js").stat().st_ino
    assert (site / "favicon.png").read_text() == "own icon"


def test_scratch_left_by_a_killed_build_is_removed(tmp_path: Path) -> None:
    (tmp_path / ".mentorsite-site-abc").mkdir()
    (tmp_path / "site").mkdir()
    remove_scratch([tmp_path, tmp_path / "missing"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
