"""`mentorsite build` skips the handbook when nothing it is built from changed, and only then.

The handbook's stamp holds a digest of its inputs and of the site as built; any change to
either, a build with warnings, a plugin not known to read only the pages, or an interrupted
build means the handbook is built again. What a skipping build leaves is byte for byte what
a whole build (``--no-cache``) makes.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.programs import write_files
from tests.test_resealing import pair_prefix, sealed_bytes, site_of

SKIPPED = "the handbook is unchanged since the last build; not built again"
EPOCH = {"SOURCE_DATE_EPOCH": "1767225600"}  # 2026-01-01: the sitemap's dates and gzip header the same
STAMP = Path("site-private/.stamps/handbook")
SESSION = "content/pairs/ana-ben/sessions/2026-02-03.md"


def outputs(folder: Path) -> dict[str, bytes]:
    """Every file the build wrote (the site and the private outputs), but the stamps and caches."""
    found = {}
    for top in ("site", "site-private"):
        for path in sorted((folder / top).rglob("*")):
            relative = path.relative_to(folder).as_posix()
            if path.is_file() and "/.stamps/" not in relative and "/.cache" not in relative:
                found[relative] = path.read_bytes()
    return found


def build(cli: Cli, folder: Path, *arguments: str, **variables: str) -> str:
    result = cli(folder, "build", *arguments, **{**EPOCH, **variables})
    assert result.returncode == 0, result.stderr
    return result.stderr


@pytest.fixture
def built(program_dir: Path, cli: Cli) -> Path:
    """The base program built once (warning-free, so its handbook is stamped)."""
    assert SKIPPED not in build(cli, program_dir)
    assert (program_dir / STAMP).is_file()
    return program_dir


def test_an_unchanged_rebuild_skips_the_handbook_and_leaves_what_a_whole_build_makes(built: Path, cli: Cli) -> None:
    log = build(cli, built)
    assert SKIPPED in log
    assert "built 0 portfolios (pair and review editions), 1 up to date" in log
    fast = outputs(built)
    assert any(name.startswith("site/guidelines/") for name in fast)
    assert SKIPPED not in build(cli, built, "--no-cache")
    assert outputs(built) == fast
    assert (built / STAMP).stat().st_mode & 0o077 == 0  # private


def _edit(path: str, old: str, new: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        target = folder / path
        target.write_text(target.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
        assert old != new
    return edit


def _add(path: str, text: str) -> Callable[[Path], None]:
    def add(folder: Path) -> None:
        write_files(folder, {path: text})
    return add


CHANGES = {
    "a guideline": _edit("content/handbook/guidelines/clear-goals.md", "a direction.", "a clear direction."),
    "a docs_dir asset": _add("content/handbook/assets/note.txt", "A file the handbook serves as it is.\n"),
    "mkdocs.yml": _edit("mkdocs.yml", "site_name: Test Handbook", "site_name: The Test Handbook"),
    "a plugin added": _edit("mkdocs.yml", "  - search\n", "  - search\n  - tags\n"),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_change_to_what_the_handbook_is_built_from_builds_it_again(built: Path, cli: Cli, change: str) -> None:
    CHANGES[change](built)
    assert SKIPPED not in build(cli, built)
    if change == "a plugin added":  # a plugin not known to read only the pages: never skipped
        assert SKIPPED not in build(cli, built)
        assert not (built / STAMP).exists()
    else:
        assert SKIPPED in build(cli, built)


def test_a_page_that_includes_a_file_from_elsewhere_is_always_built_again(program_dir: Path, cli: Cli) -> None:
    _edit("mkdocs.yml", "  - pymdownx.tasklist\n",
          "  - pymdownx.tasklist\n  - pymdownx.snippets:\n      base_path: [snippets]\n")(program_dir)
    _edit("mkdocs.yml", "  - mentorsite\n",
          "  - mentorsite:\n      private_extensions_left_out: [pymdownx.snippets]\n")(program_dir)
    write_files(program_dir, {"snippets/note.md": "First words.\n",
                              "content/handbook/notes.md": "# Notes\n\n--8<-- \"note.md\"\n"})
    assert "WARNING" not in build(cli, program_dir)  # it would be stamped, but for the extension
    write_files(program_dir, {"snippets/note.md": "Second words.\n"})  # outside every folder digested
    assert SKIPPED not in build(cli, program_dir)
    assert "Second words." in (program_dir / "site/notes/index.html").read_text(encoding="utf-8")


def test_a_theme_override_edited_builds_the_handbook_again(program_dir: Path, cli: Cli) -> None:
    write_files(program_dir, {"overrides/main.html": '{% extends "base.html" %}\n'})
    _edit("mkdocs.yml", "  name: material\n", "  name: material\n  custom_dir: overrides\n")(program_dir)
    build(cli, program_dir)
    assert SKIPPED in build(cli, program_dir)
    write_files(program_dir, {"overrides/main.html": '{% extends "base.html" %}\n{% block footer %}{% endblock %}\n'})
    assert SKIPPED not in build(cli, program_dir)
    assert "md-footer" not in (program_dir / "site/index.html").read_text(encoding="utf-8")


def test_as_of_from_the_environment_changed_builds_the_handbook_again(program_dir: Path, cli: Cli) -> None:
    _edit("mkdocs.yml", "  - mentorsite\n", "  - mentorsite:\n      as_of: !ENV [AS_OF, 2026-03-01]\n")(program_dir)
    build(cli, program_dir, AS_OF="2026-03-01")
    assert SKIPPED in build(cli, program_dir, AS_OF="2026-03-01")
    assert SKIPPED not in build(cli, program_dir, AS_OF="2026-03-02")


def test_the_deploy_branch_moving_builds_the_handbook_again(built: Path, cli: Cli) -> None:
    def git(*arguments: str) -> None:
        subprocess.run(["git", "-c", "user.name=Owner", "-c", "user.email=owner@program.test", *arguments],
                       cwd=built, check=True, capture_output=True)

    git("init", "--quiet", "--initial-branch", "main")
    git("commit", "--quiet", "--allow-empty", "--message", "Program")
    build(cli, built)
    assert SKIPPED in build(cli, built)
    git("checkout", "--quiet", "--orphan", "gh-pages")
    write_files(built, {"versions.json": "[]\n"})
    git("add", "versions.json")
    git("commit", "--quiet", "--message", "Published")  # what a publish does to the deploy branch
    git("checkout", "--quiet", "main")
    assert SKIPPED not in build(cli, built)
    assert SKIPPED in build(cli, built)


def test_an_edited_session_skips_the_handbook_and_builds_that_pair_only(built: Path, cli: Cli) -> None:
    shutil.copytree(built / "content/pairs/ana-ben", built / "content/pairs/cy-dee")
    assert "built 1 portfolio (pair and review editions), 1 up to date" in build(cli, built)
    session = built / SESSION
    session.write_text(session.read_text(encoding="utf-8") + "\nOne more line after the meeting.\n",
                       encoding="utf-8")
    log = build(cli, built)
    assert SKIPPED in log
    assert "built 1 portfolio (pair and review editions), 1 up to date" in log


@pytest.mark.parametrize("how", ["deleted", "edited"])
def test_a_site_file_changed_by_hand_builds_the_handbook_again(built: Path, cli: Cli, how: str) -> None:
    page = built / "site/index.html"
    whole = page.read_bytes()
    if how == "deleted":
        page.unlink()
    else:
        page.write_bytes(whole.replace(b"</body>", b"<p>added by hand</p></body>"))
    assert SKIPPED not in build(cli, built)
    assert page.read_bytes() == whole


def test_a_build_with_a_warning_writes_no_stamp(program_dir: Path, cli: Cli) -> None:
    write_files(program_dir, {"content/handbook/notes.md": "# Notes\n\nSee [the missing page](missing.md).\n"})
    for _ in range(2):
        log = build(cli, program_dir)
        assert SKIPPED not in log and "missing.md" in log
        assert not (program_dir / STAMP).exists()
    strict = cli(program_dir, "build", "--strict", **EPOCH)
    assert strict.returncode != 0 and SKIPPED not in strict.stderr


def test_a_pair_record_warning_is_printed_again_by_a_build_that_skips_the_handbook(program_dir: Path,
                                                                                  cli: Cli) -> None:
    write_files(program_dir, {"content/pairs/ana-ben/closing.md": "---\ndate: 2026-04-01\noutcome: [x]\n---\n"})
    said = "warning[unknown-key] outcome: unknown key; did you mean 'outcomes'?"
    assert said in build(cli, program_dir)
    again = build(cli, program_dir)
    assert SKIPPED in again and said in again
    strict = cli(program_dir, "build", "--strict", **EPOCH)
    assert strict.returncode == 1 and "1 pair not built (warnings count as errors with --strict)" in strict.stderr


def test_strict_takes_the_fast_path_after_a_build_without_warnings(built: Path, cli: Cli) -> None:
    assert SKIPPED in build(cli, built, "--strict")


def test_an_interrupted_handbook_build_leaves_no_stamp(built: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    import mkdocs.commands.build

    seen = []

    def interrupted(config: object) -> None:
        seen.append((built / STAMP).exists())
        raise KeyboardInterrupt

    (built / "site/index.html").unlink()  # so that the handbook is built
    monkeypatch.setattr(mkdocs.commands.build, "build", interrupted)
    assert cli(built, "build", **EPOCH).returncode != 0
    assert seen == [False]  # removed before the build started
    monkeypatch.undo()
    assert SKIPPED not in build(cli, built)


def test_no_cache_never_skips_the_handbook(built: Path, cli: Cli) -> None:
    assert SKIPPED not in build(cli, built, "--no-cache")
    assert SKIPPED in build(cli, built)


def test_sealed_folders_in_the_site_stay_right_after_a_build_that_skips_the_handbook(tmp_path: Path) -> None:
    from mentorsite.vault.sealing import open_site
    from tests.test_encryption import PASSPHRASES, encrypted_program, run

    _, folder = encrypted_program(tmp_path)
    assert run(folder, "build", **EPOCH).returncode == 0
    first = sealed_bytes(folder)
    again = run(folder, "build", **EPOCH)
    assert again.returncode == 0 and SKIPPED in again.stderr, again.stderr
    assert sealed_bytes(folder) == first
    session = sorted((folder / "content/pairs/ana-ben/sessions").glob("*.md"))[0]
    session.write_text(session.read_text(encoding="utf-8") + "\nOne more line after the meeting.\n",
                       encoding="utf-8")
    edited = run(folder, "build", **EPOCH)
    assert edited.returncode == 0 and SKIPPED in edited.stderr, edited.stderr
    third = sealed_bytes(folder)
    assert site_of(third, pair_prefix("cy-dee")) == site_of(first, pair_prefix("cy-dee"))
    assert site_of(third, pair_prefix("ana-ben")) != site_of(first, pair_prefix("ana-ben"))
    opened = open_site(folder / "site/portfolios" / pair_prefix("ana-ben"), PASSPHRASES["ana-ben"])
    assert any(b"One more line after the meeting." in data for data in opened.values())
