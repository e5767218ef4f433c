"""What `mentorsite publish` says when something it needs is missing, in temporary git repositories.

Each precondition is one plain line with what to do, exit code 1 and no traceback; git's and
mike's own text shows only with -v; an edition published again as it is says so quietly.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.editions import ENV, VERSIONED, git
from tests.programs import BASE_PROGRAM, write_files

RAW = ("fatal:", "error:", "Traceback", "nothing changed in commit", "hint:", "mike deploy", "[rejected]")


def program(folder: Path, *, commit: bool = True) -> Path:
    write_files(folder, {**BASE_PROGRAM, "mkdocs.yml": VERSIONED, ".gitignore": "site/\nsite-private/\n"})
    if commit:
        git(folder, "init", "--quiet", "--initial-branch", "main")
        git(folder, "add", "--all")
        git(folder, "commit", "--quiet", "--message", "The program")
    return folder


def publish(folder: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    # The ceiling keeps git from finding a repository above the temporary folder.
    environment = {**ENV, "GIT_CEILING_DIRECTORIES": str(folder.parent)}
    return subprocess.run([sys.executable, "-m", "mentorsite", "publish", *arguments], cwd=folder, env=environment,
                          capture_output=True, text=True, check=False)


def refused(result: subprocess.CompletedProcess[str], message: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr == f"Error: {message}\n"
    assert not any(raw in result.stdout + result.stderr for raw in RAW)


def test_outside_git_says_how_to_start_a_repository(tmp_path: Path) -> None:
    folder = program(tmp_path / "program", commit=False)
    refused(publish(folder, "2026.1"), f"cannot publish: {folder} is not in a git repository; start one with "
            "`git init` and a first commit, or start the program with `mentorsite init DIR --git`")


def test_a_repository_without_a_commit_says_to_commit_first(tmp_path: Path) -> None:
    folder = program(tmp_path / "program", commit=False)
    git(folder, "init", "--quiet")
    refused(publish(folder, "2026.1"), "cannot publish: the repository has no commit yet; an edition is published "
            "from a commit: commit the program first (git add -A && git commit -m 'Start the program')")
    assert git(folder, "branch", "--list", "gh-pages") == ""


def test_push_without_the_remote_names_it_before_anything_is_built(tmp_path: Path) -> None:
    folder = program(tmp_path / "program")
    refused(publish(folder, "2026.1", "--push"), "cannot push: the repository has no remote named 'origin'; add it "
            "with `git remote add origin URL`, or publish without --push")
    assert git(folder, "branch", "--list", "gh-pages") == ""


def test_publishing_the_same_edition_again_is_one_quiet_line(tmp_path: Path) -> None:
    folder = program(tmp_path / "program")
    first = publish(folder, "2026.1", "--alias", "latest")
    assert first.returncode == 0, first.stderr
    assert first.stdout == "Published edition 2026.1 as latest on gh-pages.\n"
    tip = git(folder, "rev-parse", "gh-pages")
    again = publish(folder, "2026.1", "--alias", "latest")
    assert again.returncode == 0, again.stderr
    assert again.stdout == "Edition 2026.1 as latest is already published as it is on gh-pages.\n"
    assert not any(raw in again.stdout + again.stderr for raw in RAW)
    assert git(folder, "rev-parse", "gh-pages") == tip  # no empty commit either
    shown = publish(folder, "2026.1", "--alias", "latest", "-v")
    assert "nothing changed in commit" in shown.stderr  # mike's own words, when asked for


def test_a_refused_push_is_one_line_and_gits_text_only_with_verbose(tmp_path: Path) -> None:
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "--quiet", "--bare", str(origin))
    other = program(tmp_path / "other")  # someone else published first, from another history
    git(other, "remote", "add", "origin", str(origin))
    assert publish(other, "2025.9", "--push").returncode == 0
    folder = program(tmp_path / "program")
    git(folder, "remote", "add", "origin", str(origin))
    message = ("cannot push gh-pages to origin: it has commits the local gh-pages lacks; fetch them "
               "(git fetch origin gh-pages:gh-pages) and publish again; run again with -v to see git's output")
    result = publish(folder, "2026.1", "--push")
    assert result.returncode == 1
    assert result.stderr == f"Error: {message}\n"
    assert not any(raw in result.stdout + result.stderr for raw in RAW)
    verbose = publish(folder, "2026.1", "--push", "-v")
    assert verbose.returncode == 1
    assert "[rejected]" in verbose.stderr and verbose.stderr.endswith(f"Error: {message}\n")


def test_a_failed_build_shows_the_records_problems_and_one_line(tmp_path: Path) -> None:
    folder = program(tmp_path / "program", commit=False)
    write_files(folder, {"content/handbook/guidelines/untitled.md": "---\ntitle: Untitled\n---\n"})
    git(folder, "init", "--quiet")
    git(folder, "add", "--all")
    git(folder, "commit", "--quiet", "--message", "The program")
    result = publish(folder, "2026.1")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert "mentorsite: content/handbook/guidelines/untitled.md:2:1: error[missing-field] audience: required field " \
           "is missing" in lines
    assert lines[-1] == ("Error: publishing failed while building edition 2026.1; run again with -v to see the "
                         "build's output")
    assert not any(raw in result.stdout + result.stderr for raw in RAW)


# `init --git`: a program that can be published straight away -----------------------------


def init(folder: Path, environment: dict[str, str], *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mentorsite", "init", *arguments], cwd=folder, env=environment,
                          capture_output=True, text=True, check=False)


def test_init_with_git_commits_every_file_as_gits_user_and_publishes(tmp_path: Path) -> None:
    started = init(tmp_path, ENV, "program", "--git")
    assert started.returncode == 0, started.stderr
    assert "Started a git repository in program with every file in a first commit." in started.stdout
    folder = tmp_path / "program"
    assert git(folder, "log", "--format=%an <%ae>: %s") == "Program owner <owner@program.test>: Start the mentoring program\n"
    assert git(folder, "status", "--porcelain") == ""
    assert ".pre-commit-config.yaml" in git(folder, "ls-files").splitlines()
    published = publish(folder, "2026.1")
    assert published.returncode == 0, published.stderr
    assert published.stdout == "Published edition 2026.1 on gh-pages.\n"


def test_init_with_git_and_no_git_user_says_how_to_set_one_and_writes_nothing(tmp_path: Path) -> None:
    unknown = {key: value for key, value in ENV.items() if not key.startswith("GIT_") and key != "EMAIL"}
    unknown |= {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "GIT_CEILING_DIRECTORIES": str(tmp_path)}
    result = init(tmp_path, unknown, "program", "--git")
    assert result.returncode == 1
    assert result.stderr == ('Error: git has no user to make the first commit as; set one with git config --global '
                             'user.name "Your Name" and git config --global user.email you@example.org, then run '
                             "init again\n")
    assert not (tmp_path / "program").exists()


def test_init_with_git_and_no_git_says_so_and_writes_nothing(tmp_path: Path) -> None:
    result = init(tmp_path, {**ENV, "PATH": str(Path(sys.executable).parent)}, "program", "--git")
    assert result.returncode == 1
    assert result.stderr == "Error: git is not installed (or not on PATH); install it, or run init without --git\n"
    assert not (tmp_path / "program").exists()


def test_publishing_a_program_built_by_zensical_says_the_editions_are_built_with_mkdocs(tmp_path: Path) -> None:
    folder = tmp_path / "program"
    config = VERSIONED.replace("  - mentorsite\n", "  - mentorsite:\n      engine: zensical\n")
    assert config != VERSIONED
    write_files(folder, {**BASE_PROGRAM, "mkdocs.yml": config, ".gitignore": "site/\nsite-private/\n"})
    git(folder, "init", "--quiet", "--initial-branch", "main")
    git(folder, "add", "--all")
    git(folder, "commit", "--quiet", "--message", "The program")
    result = publish(folder, "2026.1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr.startswith("Note: the plugin's engine is zensical; editions are built and published "
                                    "with MkDocs (publishing with Zensical is not supported yet)\n")
    assert not any(raw in result.stdout + result.stderr for raw in RAW)
