"""Pairs kept in repositories of their own, gathered by the ``pair_sources`` setting and `pairs sync`.

A program whose three pairs are in three pair repositories (made by `init --pair`, pushed to
local bare remotes) builds the same bytes whether its pairs are checkouts (`pairs/*`), git
entries synced into pair-sources/, or folders under content/pairs/. A source that cannot be
read keeps its pair's last portfolio and fails the build at the end; a folder that is no pair
repository, a pair twice, a source among the program's own private places or a link out of a
pair repository are each refused.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.programs import BASE_PROGRAM, MKDOCS_YML, write_files

PAIR_IDS = ("ana-ben", "cleo-dan", "eva-finn")
EPOCH = "1795262400"  # 2026-11-21: every figure that depends on today, fixed
GIT_USER = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.org", "GIT_COMMITTER_NAME": "Test",
            "GIT_COMMITTER_EMAIL": "test@example.org", "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_SYSTEM": os.devnull}
HANDBOOK = {path: text for path, text in BASE_PROGRAM.items() if path.startswith("content/handbook/")}


def pair_records(pair_id: str) -> dict[str, str]:
    """The example pair's records (relative to its folder), with people named after ``pair_id``."""
    mentee, mentor = (name.capitalize() for name in pair_id.split("-"))
    prefix = "content/pairs/ana-ben/"
    return {path.removeprefix(prefix): text.replace("Ana Silva", f"{mentee} Silva").replace("Ben Adler",
                                                                                           f"{mentor} Adler")
            for path, text in BASE_PROGRAM.items() if path.startswith(prefix)}


def program(folder: Path, sources: str | None = None, *, pairs: tuple[str, ...] = ()) -> Path:
    """A program with the handbook of the example, ``pairs`` under content/pairs/ and ``sources``."""
    config = MKDOCS_YML if sources is None else MKDOCS_YML.replace(
        "  - mentorsite\n", f"  - mentorsite:\n      pair_sources: {sources}\n")
    files: dict[str, str | bytes] = {"mkdocs.yml": config, **HANDBOOK}
    for pair_id in pairs:
        files.update({f"content/pairs/{pair_id}/{path}": text for path, text in pair_records(pair_id).items()})
    write_files(folder, files)
    (folder / "content/pairs").mkdir(parents=True, exist_ok=True)
    return folder


def git(folder: Path, *arguments: str) -> str:
    done = subprocess.run(["git", "-C", str(folder), *arguments], capture_output=True, text=True, check=True,
                          env={**os.environ, **GIT_USER})
    return done.stdout


@pytest.fixture
def remotes(tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """A bare remote for each of three pair repositories made by `init --pair`, holding the example's records."""
    for name, value in GIT_USER.items():
        monkeypatch.setenv(name, value)
    made = {}
    for pair_id in PAIR_IDS:
        repository = tmp_path / "repositories" / pair_id
        mentee, mentor = (name.capitalize() for name in pair_id.split("-"))
        started = cli(tmp_path, "init", "--pair", pair_id, "--git", "--mentor", f"{mentor} Adler", "--mentee",
                      f"{mentee} Silva", "--handbook", "https://handbook.invalid/", str(repository))
        assert started.returncode == 0, started.stderr + started.stdout
        (repository / "pair.yml").unlink()  # the example's records in place of the starter's
        write_files(repository, dict(pair_records(pair_id)))
        git(repository, "add", "-A")
        git(repository, "commit", "-q", "-m", "The pair's records")
        made[pair_id] = tmp_path / "remotes" / f"{pair_id}.git"
        git(tmp_path, "clone", "-q", "--bare", str(repository), str(made[pair_id]))
    return made


def build(cli: Cli, folder: Path) -> str:
    result = cli(folder, "build", SOURCE_DATE_EPOCH=EPOCH)
    assert result.returncode == 0, result.stderr
    return result.stderr


def git_sources(remotes: dict[str, Path]) -> str:
    return "[" + ", ".join(f"{{git: '{remote.as_uri()}'}}" for remote in remotes.values()) + "]"


def assert_same_outputs(left: Path, right: Path) -> None:
    """The same files with the same bytes, but the handbook's stamp: a digest of mkdocs.yml, which differs."""
    for folder in ("site", "site-private"):
        files = [sorted(p.relative_to(top / folder) for p in (top / folder).rglob("*") if p.is_file()
                        and p.relative_to(top / folder).as_posix() != ".stamps/handbook") for top in (left, right)]
        assert files[0] == files[1]
        assert [str(p) for p in files[0] if not filecmp.cmp(left / folder / p, right / folder / p, shallow=False)] == []


def test_three_pair_repositories_build_byte_identical_to_one_repository(tmp_path: Path, cli: Cli,
                                                                        remotes: dict[str, Path]) -> None:
    single = program(tmp_path / "single", pairs=PAIR_IDS)
    build(cli, single)
    checkouts = program(tmp_path / "checkouts", "['pairs/*']")
    for pair_id, remote in remotes.items():
        git(tmp_path, "clone", "-q", str(remote), str(checkouts / "pairs" / pair_id))
    build(cli, checkouts)
    synced = program(tmp_path / "synced", git_sources(remotes))
    result = cli(synced, "pairs", "sync")
    assert result.returncode == 0, result.stderr
    assert [line.split(": ")[1].split(" at ")[0] for line in result.stdout.splitlines()] == ["cloned"] * 3
    assert (synced / "pair-sources/.gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    build(cli, synced)
    for pair_id in PAIR_IDS:
        assert (single / "site-private/pairs" / pair_id / "index.html").is_file()
    assert (single / "site-private/report/index.html").is_file()
    assert_same_outputs(single, checkouts)
    assert_same_outputs(single, synced)
    again = cli(synced, "pairs", "sync")
    assert again.returncode == 0, again.stderr
    assert all(": up to date at " in line for line in again.stdout.splitlines()), again.stdout


def test_sync_brings_a_checkout_up_to_date_and_leaves_one_with_changes(tmp_path: Path, cli: Cli,
                                                                       remotes: dict[str, Path]) -> None:
    synced = program(tmp_path / "synced", git_sources(remotes))
    assert cli(synced, "pairs", "sync").returncode == 0
    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", str(remotes["ana-ben"]), str(work))
    write_files(work, {"sessions/2026-02-17.md": "---\ndate: 2026-02-17\nagenda: [Talk]\n---\n"})
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "A session")
    git(work, "push", "-q", "origin", "HEAD")
    (synced / "pair-sources/cleo-dan/closing.md").write_text("changed here\n", encoding="utf-8")
    result = cli(synced, "pairs", "sync")
    assert result.returncode == 1
    assert "pair-sources/ana-ben: updated to " in result.stdout
    assert (synced / "pair-sources/ana-ben/sessions/2026-02-17.md").is_file()
    assert "pair-sources/cleo-dan: not updated: the checkout has changes of its own" in result.stderr
    assert (synced / "pair-sources/cleo-dan/closing.md").read_text(encoding="utf-8") == "changed here\n"


def test_a_missing_source_keeps_its_pairs_last_portfolio_and_fails_the_build_at_the_end(
        tmp_path: Path, cli: Cli, remotes: dict[str, Path]) -> None:
    synced = program(tmp_path / "synced", git_sources(remotes))
    assert cli(synced, "pairs", "sync").returncode == 0
    build(cli, synced)
    portfolio = synced / "site-private/pairs/cleo-dan/index.html"
    before = portfolio.read_bytes()
    remotes["cleo-dan"].rename(tmp_path / "remotes/moved.git")  # the remote cannot be reached
    result = cli(synced, "pairs", "sync")
    assert result.returncode == 1
    assert "pair-sources/cleo-dan: not updated: " in result.stderr
    assert "1 of 3 pair sources not updated" in result.stderr
    built = cli(synced, "build", SOURCE_DATE_EPOCH=EPOCH)
    assert built.returncode == 1
    assert (f"pair-sources/cleo-dan:1:1: error[unreadable-source] pair source git {remotes['cleo-dan'].as_uri()}: "
            "pair-sources/cleo-dan was not updated by the last `mentorsite pairs sync`") in built.stderr
    assert "mentorsite: 1 pair not built, their previous pair editions kept: cleo-dan" in built.stderr
    assert portfolio.read_bytes() == before
    assert not (synced / "site-private/review/cleo-dan").exists()  # fail closed: its sharing may have changed
    for pair_id in ("ana-ben", "eva-finn"):
        assert (synced / "site-private/review" / pair_id / "index.html").is_file()
    # A checkout gone altogether stands for its pair all the same.
    shutil.rmtree(synced / "pair-sources/cleo-dan")
    gone = cli(synced, "build", SOURCE_DATE_EPOCH=EPOCH)
    assert gone.returncode == 1
    assert "pair-sources/cleo-dan is not there yet: run `mentorsite pairs sync`" in gone.stderr
    assert portfolio.read_bytes() == before


def test_a_checkout_gone_from_a_pattern_keeps_its_pair_until_sync_forgets_it(tmp_path: Path, cli: Cli,
                                                                              remotes: dict[str, Path]) -> None:
    checkouts = program(tmp_path / "checkouts", "['pairs/*']")
    for pair_id, remote in remotes.items():
        git(tmp_path, "clone", "-q", str(remote), str(checkouts / "pairs" / f"repo-{pair_id}"))
    build(cli, checkouts)
    portfolio = checkouts / "site-private/pairs/eva-finn/index.html"
    shutil.rmtree(checkouts / "pairs/repo-eva-finn")
    result = cli(checkouts, "build", SOURCE_DATE_EPOCH=EPOCH)
    assert result.returncode == 1
    assert "pairs/repo-eva-finn:1:1: error[unreadable-source] pair source pairs/*: pairs/repo-eva-finn is gone" in result.stderr
    assert "1 pair not built, their previous pair editions kept: eva-finn" in result.stderr
    assert portfolio.is_file()
    forgot = cli(checkouts, "pairs", "sync")
    assert "pairs/repo-eva-finn: gone, so pair eva-finn is forgotten" in forgot.stdout
    build(cli, checkouts)
    assert not portfolio.exists()


def test_a_pair_twice_is_built_at_neither_place_and_the_rest_of_the_program_builds(tmp_path: Path,
                                                                                  cli: Cli) -> None:
    folder = program(tmp_path / "program", "['pairs/*']", pairs=("ana-ben",))
    write_files(folder / "pairs/cleo-dan", {**pair_records("cleo-dan"), "mentorsite-pair.yml": "pair: cleo-dan\n"})
    build(cli, folder)
    portfolio = folder / "site-private/pairs/ana-ben/index.html"
    before = portfolio.read_bytes()
    write_files(folder / "pairs/copy", {**pair_records("ana-ben"), "mentorsite-pair.yml": "pair: ana-ben\n"})
    result = cli(folder, "build", SOURCE_DATE_EPOCH=EPOCH)
    assert result.returncode == 1
    assert ("pairs/copy/mentorsite-pair.yml:1:7: error[duplicate-pair] pair 'ana-ben' is also at content/pairs/ana-ben; "
            "expected each pair once, so it is built at neither place") in result.stderr
    assert ("content/pairs/ana-ben:1:1: error[duplicate-pair] pair 'ana-ben' is also at pairs/copy/mentorsite-pair.yml"
            in result.stderr)
    assert "the site was not built" not in result.stderr  # one pair repository cannot stop the handbook
    assert "1 pair not built, their previous pair editions kept: ana-ben" in result.stderr
    assert portfolio.read_bytes() == before
    assert not (folder / "site-private/review/ana-ben").exists()
    assert (folder / "site-private/review/cleo-dan/index.html").is_file()
    assert (folder / "site/index.html").is_file()


def test_a_pair_moved_back_into_the_content_is_not_blocked_by_its_old_folder(tmp_path: Path, cli: Cli) -> None:
    folder = program(tmp_path / "program", "['pairs/*']")
    write_files(folder / "pairs/repo-eva-finn", {**pair_records("eva-finn"), "mentorsite-pair.yml": "pair: eva-finn\n"})
    build(cli, folder)
    shutil.move(folder / "pairs/repo-eva-finn", folder / "content/pairs/eva-finn")
    (folder / "content/pairs/eva-finn/mentorsite-pair.yml").unlink()
    result = cli(folder, "build", SOURCE_DATE_EPOCH=EPOCH)
    assert result.returncode == 0, result.stderr
    assert "pairs/repo-eva-finn:1:1: warning[unreadable-source] pair source pairs/*: pairs/repo-eva-finn is gone" \
        in result.stderr
    assert "duplicate-pair" not in result.stderr
    assert (folder / "site-private/pairs/eva-finn/index.html").is_file()


def test_a_folder_that_is_no_pair_repository_is_refused_and_the_others_build(tmp_path: Path, cli: Cli) -> None:
    folder = program(tmp_path / "program", "['pairs/*']", pairs=("ana-ben", "cleo-dan"))
    write_files(folder / "pairs/eva-finn", dict(pair_records("eva-finn")))  # no mentorsite-pair.yml
    (folder / "pairs/empty").mkdir()  # a submodule not checked out
    result = cli(folder, "build", SOURCE_DATE_EPOCH=EPOCH)
    assert result.returncode == 1
    assert ("pairs/eva-finn:1:1: error[unreadable-source] pair source pairs/*: pairs/eva-finn has no mentorsite-pair.yml, so it "
            "is not a pair's repository") in result.stderr
    assert "`git submodule update --init`" in result.stderr
    assert "2 pairs not built, their previous pair editions kept: empty, eva-finn" in result.stderr
    for pair_id in ("ana-ben", "cleo-dan"):
        assert (folder / "site-private/pairs" / pair_id / "index.html").is_file()
    assert not (folder / "site-private/pairs/eva-finn").exists()


def test_no_source_may_be_the_programs_own_private_places_or_link_out(tmp_path: Path, cli: Cli) -> None:
    keys = tmp_path / "keys.yml"
    keys.write_text("pairs: {}\n", encoding="utf-8")
    folder = program(tmp_path / "program", "['pairs/*', '.cache/*', 'content/pairs']")
    planted: dict[str, str | bytes] = {"mentorsite-pair.yml": "pair: planted\n", **pair_records("ana-ben")}
    write_files(folder / ".cache/mentorsite", planted)  # a pattern reaching the record cache
    write_files(folder / "site-private", planted)
    write_files(folder / "pairs/ana-ben", {**pair_records("ana-ben"), "mentorsite-pair.yml": "pair: ana-ben\n"})
    (folder / "pairs/into-private").symlink_to(folder / "site-private")
    (folder / "pairs/onto-ana-ben").symlink_to(folder / "pairs/ana-ben")
    (folder / "pairs/ana-ben/sessions/2026-02-10.md").symlink_to(keys)
    write_files(folder / "pairs/cleo-dan", {**pair_records("cleo-dan"), "mentorsite-pair.yml": "pair: cleo-dan\n"})
    (folder / "pairs/ana-ben/goals/other.md").symlink_to(folder / "pairs/cleo-dan/goals/speaking.md")
    result = cli(folder, "check")
    assert result.returncode == 1
    out = result.stdout
    assert "pair source .cache/*: .cache/mentorsite is inside cache_dir" in out
    assert "pair source content/pairs: content/pairs is inside content_dir" in out
    assert "pairs/into-private is inside private_dir" in out
    assert "pairs/onto-ana-ben is, holds or is inside pairs/ana-ben, another pair source" in out
    assert "pairs/ana-ben:" not in out  # the folder the link leads to is read, as in content/pairs/
    assert ("pairs/ana-ben/sessions/2026-02-10.md:1:1: error[outside-pair] is a link to a place outside its pair's folder; "
            "it is not read") in out
    assert "pairs/ana-ben/goals/other.md:1:1: error[outside-pair] is a link to a place outside its pair's folder" in out
    assert "planted" not in out  # nothing in the private places was read


def test_pair_sources_entries_are_checked_at_their_line(tmp_path: Path, cli: Cli) -> None:
    entries = ["'nothing/*'", "{git: ''}", "{git: x/a.git, nam: a}", "{git: 'https://name:secret@127.0.0.1:9/a.git'}",
               "{git: b/a.git}", "{git: 'https://h/'}", "'/etc'", "'*/../*'"]
    folder = program(tmp_path / "program", "[" + ", ".join(entries) + "]")
    (folder / "pairs").mkdir()
    line = next(number for number, text in enumerate((folder / "mkdocs.yml").read_text(encoding="utf-8").splitlines(), 1)
                if "pair_sources" in text)
    text = (folder / "mkdocs.yml").read_text(encoding="utf-8").splitlines()[line - 1]

    def at(index: int) -> str:
        return f"mkdocs.yml:{line}:{text.index(entries[index]) + 1}: error[bad-setting] pair_sources: "

    result = cli(folder, "check")
    assert result.returncode == 1
    assert "'nothing/*' matches no folder, so it adds no pair" in result.stdout
    assert at(1) + "expected {git: REMOTE}, the address git clones the pair's repository from" in result.stdout
    assert at(2) + "unknown key nam in a git entry" in result.stdout
    assert at(4) + "two git entries have the checkout name 'a'" in result.stdout
    assert at(5) + "https://h/ names no repository to name the checkout after; give it one with 'name:'" in result.stdout
    assert "/etc:1:1: error[unreadable-source] pair source /etc: /etc has no mentorsite-pair.yml" in result.stdout
    assert "another pair source" not in result.stdout  # pairs/../pairs and pairs are one folder, not two
    assert "secret" not in result.stdout + result.stderr
    synced = cli(folder, "pairs", "sync")
    assert synced.returncode == 1
    assert "the site was not built" not in synced.stderr
    assert "in the plugin's settings; nothing was synced" in synced.stderr


def test_a_check_writes_nothing_and_a_folder_only_a_check_saw_holds_no_pair(tmp_path: Path, cli: Cli) -> None:
    folder = program(tmp_path / "program", "['pairs/*']")
    write_files(folder / "pairs/repo-eva-finn", {**pair_records("eva-finn"), "mentorsite-pair.yml": "pair: eva-finn\n"})
    assert cli(folder, "check").returncode == 0
    assert not (folder / "pair-sources").exists()
    shutil.rmtree(folder / "pairs/repo-eva-finn")
    write_files(folder / "pairs/cleo-dan", {**pair_records("cleo-dan"), "mentorsite-pair.yml": "pair: cleo-dan\n"})
    result = cli(folder, "build", SOURCE_DATE_EPOCH=EPOCH)
    assert result.returncode == 0, result.stderr
    assert "is gone" not in result.stderr


def test_a_pair_repository_moved_into_the_content_keeps_its_files_and_its_id(tmp_path: Path, cli: Cli) -> None:
    folder = program(tmp_path / "program", pairs=("ana-ben", "cleo-dan"))
    write_files(folder / "content/pairs", {"ana-ben/mentorsite-pair.yml": "pair: ana-ben\n", "ana-ben/README.md": "Ours\n",
                                           "cleo-dan/mentorsite-pair.yml": "pair: someone-else\n"})
    result = cli(folder, "check")
    assert result.returncode == 1
    assert "unknown" not in result.stdout, result.stdout
    assert ("content/pairs/cleo-dan/mentorsite-pair.yml:1:7: error[id-mismatch] expected pair: cleo-dan, the folder's "
            "name in content/pairs/, got 'someone-else'") in result.stdout
    assert "1 error and 0 warnings" in result.stderr


def test_sync_says_why_a_remote_failed_without_its_password(tmp_path: Path, cli: Cli) -> None:
    folder = program(tmp_path / "program", "[{git: 'https://name:secret@127.0.0.1:9/pair.git'}]")
    result = cli(folder, "pairs", "sync")
    assert result.returncode == 1
    assert "pair-sources/pair: not updated: " in result.stderr
    assert "secret" not in result.stdout + result.stderr
    checked = cli(folder, "check")
    assert "pair-sources/pair is not there yet: run `mentorsite pairs sync` to clone " \
           "https://***@127.0.0.1:9/pair.git" in checked.stdout
    assert "secret" not in checked.stdout + checked.stderr


SNIPPETS = "  - pymdownx.tasklist\n  - pymdownx.snippets:\n      base_path: ['.']\n"


def test_old_checkouts_and_remembered_folders_stay_private_whatever_the_entries_say(tmp_path: Path,
                                                                                    cli: Cli) -> None:
    folder = program(tmp_path / "program", "[]", pairs=("ana-ben",))
    config = folder / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("  - pymdownx.tasklist\n", SNIPPETS),
                      encoding="utf-8")
    included = ["pair-sources/lm/agreement.md", "pair-sources/.last-seen.json", "pairs/old/closing.md"]
    write_files(folder, {
        "pair-sources/lm/agreement.md": "Lena's agreement\n",  # a checkout whose entry was taken out
        "pair-sources/.last-seen.json": '{"pairs/*": {"pairs/old": "old-pair"}}\n',
        "pairs/old/closing.md": "Old closing\n",  # a folder a pattern matched once
        "content/handbook/leak.md": "# Leak\n\n" + "".join(f'--8<-- "{path}"\n\n' for path in included)})
    result = cli(folder, "check")
    assert result.returncode == 1
    for path in included:
        assert f"got '{path}', which reaches a pair source" in result.stdout, result.stdout
    built = cli(folder, "build", SOURCE_DATE_EPOCH=EPOCH)
    assert built.returncode == 1
    leak = folder / "site/leak/index.html"
    assert not leak.exists() or "Lena" not in leak.read_text(encoding="utf-8")


def private_mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_no_token_of_a_remote_reaches_a_message_or_a_file_others_may_read(tmp_path: Path, cli: Cli,
                                                                          remotes: dict[str, Path]) -> None:
    old, new = "https://ghp_OLDTOKEN@127.0.0.1:9/ana-ben.git", "https://ghp_NEWTOKEN@127.0.0.1:9/ana-ben.git"
    folder = program(tmp_path / "program", f"[{{git: '{new}'}}, {{git: !ENV PAIR_REMOTE, name: lm}}, "
                                           "{git: 'https://user:p@ss@127.0.0.1:9/x.git'}]")
    checkout = folder / "pair-sources/ana-ben"
    git(tmp_path, "clone", "-q", str(remotes["ana-ben"]), str(checkout))
    git(checkout, "remote", "set-url", "origin", old)
    environment = {"SOURCE_DATE_EPOCH": EPOCH, "PAIR_REMOTE": "https://ghp_ENVTOKEN@127.0.0.1:9/lm.git"}
    said = []
    built = cli(folder, "build", **environment)
    said.append(built.stdout + built.stderr)
    assert "pair-sources/lm is not there yet: run `mentorsite pairs sync` to clone https://***@127.0.0.1:9/lm.git" \
        in built.stderr
    assert "https://***@127.0.0.1:9/x.git" in built.stderr
    memory = folder / "pair-sources/.last-seen.json"
    assert "pair-sources/ana-ben" in memory.read_text(encoding="utf-8")
    assert private_mode(memory) == 0o600
    synced = cli(folder, "pairs", "sync", **environment)
    said.append(synced.stdout + synced.stderr)
    assert synced.returncode == 1
    assert git(checkout, "config", "--get", "remote.origin.url").strip() == new  # the same remote, a new token
    marker = folder / "pair-sources/.not-updated-ana-ben"
    assert private_mode(marker) == 0o600
    git(checkout, "remote", "set-url", "origin", "https://ghp_OLDTOKEN@127.0.0.1:9/other.git")
    other = cli(folder, "pairs", "sync", **environment)
    said.append(other.stdout + other.stderr)
    assert "the checkout holds another remote (https://***@127.0.0.1:9/other.git)" in other.stderr
    checked = cli(folder, "check", **environment)
    said.append(checked.stdout + checked.stderr)
    files = [path.read_text(encoding="utf-8") for path in (folder / "pair-sources").iterdir() if path.is_file()]
    for text in [*said, *files]:
        assert "TOKEN" not in text
        assert "ss@" not in text


def test_a_pair_of_pair_sources_gets_no_records_in_the_programs_content(tmp_path: Path, cli: Cli) -> None:
    folder = program(tmp_path / "program", "['repos/*']", pairs=("ana-ben",))
    write_files(folder / "repos/lm", {**pair_records("lena-marcus"), "mentorsite-pair.yml": "pair: lena-marcus\n"})
    for command in (["session"], ["closing"], ["goal", "Speak"], ["checkin"],
                    ["agreement"]):
        result = cli(folder, "new", command[0], "lena-marcus", *command[1:])
        assert result.returncode == 1, command
        assert (f"pair lena-marcus is kept in its own repository at repos/lm; run `mentorsite new {command[0]}` there"
                in result.stderr), result.stderr
    made = cli(folder, "new", "pair", "lena-marcus", "--mentor", "Marcus", "--mentee", "Lena")
    assert made.returncode == 1
    assert "pair lena-marcus is kept in its own repository at repos/lm" in made.stderr
    assert not (folder / "content/pairs/lena-marcus").exists()


def test_a_source_folder_git_would_take_into_the_programs_repository_is_a_warning(tmp_path: Path, cli: Cli,
                                                                                  monkeypatch: pytest.MonkeyPatch
                                                                                  ) -> None:
    for name, value in GIT_USER.items():
        monkeypatch.setenv(name, value)
    folder = program(tmp_path / "program", "['repos/*']", pairs=("ana-ben",))
    for pair_id in ("lena-marcus", "cleo-dan"):
        write_files(folder / "repos" / pair_id, {**pair_records(pair_id), "mentorsite-pair.yml": f"pair: {pair_id}\n"})
    git(folder, "init", "-q")
    warning = "warning[source-not-ignored] is a pair source inside the program's git work tree"
    result = cli(folder, "check")
    assert f"repos/lena-marcus:1:1: {warning}" in result.stdout
    assert f"repos/cleo-dan:1:1: {warning}" in result.stdout
    git(folder / "repos/cleo-dan", "init", "-q")
    git(folder / "repos/cleo-dan", "add", "-A")
    git(folder / "repos/cleo-dan", "commit", "-q", "-m", "records")
    head = git(folder / "repos/cleo-dan", "rev-parse", "HEAD").strip()
    git(folder, "update-index", "--add", "--cacheinfo", f"160000,{head},repos/cleo-dan")  # a submodule
    (folder / ".gitignore").write_text("repos/lena-marcus/\n", encoding="utf-8")
    quiet = cli(folder, "check")
    assert "source-not-ignored" not in quiet.stdout, quiet.stdout
    shutil.rmtree(folder / ".git")
    assert "source-not-ignored" not in cli(folder, "check").stdout


def test_sync_reset_takes_a_remote_whose_history_was_rewritten(tmp_path: Path, cli: Cli,
                                                              remotes: dict[str, Path]) -> None:
    folder = program(tmp_path / "program", f"[{{git: '{remotes['ana-ben'].as_uri()}'}}]")
    assert cli(folder, "pairs", "sync").returncode == 0
    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", str(remotes["ana-ben"]), str(work))
    (work / "agreement.md").write_text("---\ncadence: every 2 weeks\n---\n", encoding="utf-8")
    git(work, "commit", "-q", "-a", "--amend", "-m", "Shared by mistake, taken out")
    git(work, "push", "-q", "--force", "origin", "HEAD")
    refused = cli(folder, "pairs", "sync")
    assert refused.returncode == 1
    assert ("pair-sources/ana-ben: not updated: the checkout has 1 commit the remote does not have; it is left as "
            "it is (if the remote's history was rewritten on purpose, `mentorsite pairs sync --reset ana-ben` takes "
            "it and discards them)") in refused.stderr
    checked = cli(folder, "check")
    assert "was not updated by the last `mentorsite pairs sync`: the checkout has 1 commit" in checked.stdout
    assert "once the remote can be reached" not in checked.stdout
    reset = cli(folder, "pairs", "sync", "--reset", "ana-ben")
    assert reset.returncode == 0, reset.stderr
    assert "pair-sources/ana-ben: reset to " in reset.stdout
    assert ", discarding 1 commit of its own" in reset.stdout
    checkout = folder / "pair-sources/ana-ben"
    assert git(checkout, "rev-parse", "HEAD") == git(work, "rev-parse", "HEAD")
    assert not (folder / "pair-sources/.not-updated-ana-ben").exists()
    assert cli(folder, "pairs", "sync", "--reset", "nobody").returncode == 2
