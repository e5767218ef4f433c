"""Publishing a handbook edition onto the deploy branch with mike (reading it: ``reading.deploy_branch``).

Before mike runs, what it needs is checked and each lack told in one plain line: git itself,
a repository, a first commit, and for a push the remote. Mike's and git's own output is kept
and handed to ``shown`` (the command prints it only when asked), so that a refusal reads the
same whichever tool met it first.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from contextlib import chdir, nullcontext
from pathlib import Path

from mentorsite.site.sealed_publishing import (
    BRANCH_FOLDER,
    PortfoliosTarget,
    build_sealed,
    held_through_editions,
    sealed_files,
    write_folder,
)

REMOTE = "origin"
ROOT_404 = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Page not found</title>
<style>
body{{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;line-height:1.5}}
</style>
</head>
<body>
<h1>Page not found</h1>
<p>This page is not in the handbook. It may have moved in a newer edition.</p>
<p><a href="{target}/">Go to the current edition of the handbook</a>.</p>
</body>
</html>
"""
VERBOSE_HINT = "run again with -v to see git's output"
# What git says when a remote refuses a push, and what to do about each.
BEHIND = ("non-fast-forward", "fetch first", "[rejected]")
DENIED = ("Authentication failed", "Permission denied", "could not read Username", "403", "401",
          "access denied", "not authorized")


class PublishError(Exception):
    """A publish that cannot go on: one line saying what is missing and what to do.

    ``details``: the build's own messages, when it was the build that failed.
    """

    def __init__(self, message: str, details: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.details = details


def _git(folder: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *arguments], cwd=folder, capture_output=True, text=True, check=False)


def check_preconditions(folder: Path, *, push: bool, remote: str = REMOTE) -> None:
    """Raise ``PublishError`` for the first thing mike would fail on in ``folder``, if any."""
    if shutil.which("git") is None:
        raise PublishError("cannot publish: git is not installed (or not on PATH); editions are "
                           "published onto a git branch")
    if _git(folder, "rev-parse", "--git-dir").returncode != 0:
        raise PublishError(f"cannot publish: {folder} is not in a git repository; start one "
                           "with `git init` and a first commit, or start the program with "
                           "`mentorsite init DIR --git`")
    if _git(folder, "rev-parse", "--verify", "--quiet", "HEAD^{commit}").returncode != 0:
        raise PublishError("cannot publish: the repository has no commit yet; an edition is "
                           "published from a commit: commit the program first "
                           "(git add -A && git commit -m 'Start the program')")
    if push and _git(folder, "remote", "get-url", remote).returncode != 0:
        raise PublishError(f"cannot push: the repository has no remote named '{remote}'; add it with "
                           f"`git remote add {remote} URL`, or publish without --push")


def _tip(folder: Path, branch: str) -> str:
    return _git(folder, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}").stdout.strip()


def publish_edition(config_file: Path, version: str, aliases: list[str], *, branch: str,
                    set_default: bool = True, push: bool = False, sealed_dir: Path | None = None,
                    portfolios_to: PortfoliosTarget | None = None,
                    shown: Callable[[str], None] = lambda output: None) -> bool:
    """Deploy the handbook as edition ``version`` with mike, aliases as copies; True if anything changed.

    The first alias (or the version) becomes the default the site root redirects to, and a
    404 page is written at the root of the branch, where no edition's own 404 page reaches.
    An edition published again as it is changes nothing (mike and the 404 page make no empty
    commit). With ``sealed_dir`` (encryption is enabled: its output_dir), the program is then
    built and its sealed sites replace the branch's ``portfolios/`` folder in that same commit,
    or go to ``portfolios_to`` (``sealed_publishing``). Raises ``PublishError`` when a
    precondition is missing, the build fails or the push is refused; mike's and git's output
    goes to ``shown``.
    """
    folder = config_file.resolve().parent
    check_preconditions(folder, push=push)
    own_branch = portfolios_to.branch if portfolios_to is not None else None
    if own_branch == branch:
        raise PublishError(f"cannot publish: --portfolios-to names the deploy branch {branch}; leave it out "
                           "to publish the portfolios there, in its portfolios folder")
    branches = [branch, *([own_branch] if own_branch else [])]
    before = [_tip(folder, name) for name in branches]
    # mike runs `mkdocs build`: the one installed beside this Python, whatever PATH says.
    environment = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent),
                                                          os.environ.get("PATH", "")])}
    default = aliases[0] if aliases else version
    with held_through_editions(sealed_dir, folder) if sealed_dir is not None else nullcontext():
        _run_mike(config_file, version, aliases, branch, default if set_default else None, environment, shown)
    beside = sealed_dir is not None and portfolios_to is None
    sealed: list[tuple[str, bytes]] = []
    if sealed_dir is not None:
        result = build_sealed(folder, config_file.resolve(), environment, shown)
        if result.returncode != 0:
            raise _failed("build", version, result.stdout + result.stderr)
        sealed = sealed_files(sealed_dir, prefix=f"{BRANCH_FOLDER}/" if beside else "")
    with chdir(folder):
        root = [("404.html", ROOT_404.format(target=default).encode())]
        # The portfolios folder replaced whole, or removed when they go elsewhere: nothing withdrawn stays.
        also = " and the sealed portfolios" if beside else ""
        message = f"Root 404 page for the handbook ({default}){also}"
        _commit(branch, message, root + (sealed if beside else []),
                removed=[BRANCH_FOLDER] if sealed_dir is not None else [])
        if own_branch:  # a branch of their own: only they, at its root, with no site generator of the host's
            _commit(own_branch, f"Sealed portfolios ({default})", [(".nojekyll", b""), *sealed], removed="*")
    written = portfolios_to is not None and portfolios_to.folder is not None and write_folder(
        sealed, portfolios_to.folder)
    changed = [_tip(folder, name) for name in branches] != before or written
    if push:
        for name in branches:
            _push(folder, REMOTE, name, shown)
    return changed


def _run_mike(config_file: Path, version: str, aliases: list[str], branch: str, default: str | None,
              environment: dict[str, str], shown: Callable[[str], None]) -> None:
    """``mike deploy``, then ``mike set-default`` unless ``default`` is None; a PublishError if one fails."""
    mike = [sys.executable, "-c", "import sys; from mike.driver import main; sys.exit(main())"]
    common = ["--config-file", str(config_file.resolve()), "--branch", branch]
    deploy = ["deploy", *common, "--alias-type", "copy", "--update-aliases", version, *aliases]
    steps = [deploy, ["set-default", *common, default]] if default is not None else [deploy]
    for step in steps:
        result = subprocess.run([*mike, *step], cwd=config_file.resolve().parent, env=environment,
                                capture_output=True, text=True, check=False)
        shown(result.stdout + result.stderr)
        if result.returncode != 0:
            raise _failed(step[0], version, result.stdout + result.stderr)


def _commit(branch: str, message: str, files: list[tuple[str, bytes]], removed: list[str] | str) -> None:
    """One commit on ``branch`` (in the current folder): ``removed`` deleted ("*": all), then ``files``.

    None when it would change nothing."""
    from mike import git_utils  # noqa: PLC0415 - mike's git writer, only when publishing

    try:
        with git_utils.Commit(branch, message) as commit:
            if removed:
                commit.delete_files(removed)
            for path, data in files:
                commit.add_file(git_utils.FileInfo(path, data))
    except git_utils.GitEmptyCommit:
        pass  # the same files are there already


def _failed(step: str, version: str, output: str) -> PublishError:
    """What a failed mike step ends in: the build's own messages (each record's problem at its
    line) and one line, never mike's or git's text."""
    said = [line.split(" -  ", 1)[-1].strip() for line in output.splitlines()]
    errors = tuple(line for line in said if line.startswith("mentorsite: "))
    doing = {"deploy": "building edition", "build": "building the sealed portfolios for edition"}.get(
        step, "setting the default edition to")
    return PublishError(f"publishing failed while {doing} {version}; run again with -v to see the "
                        "build's output", errors)


def _push(folder: Path, remote: str, branch: str, shown: Callable[[str], None]) -> None:
    result = _git(folder, "push", "--", remote, branch)
    shown(result.stdout + result.stderr)
    if result.returncode == 0:
        return
    said = result.stderr
    if any(mark in said for mark in BEHIND):
        why = (f"it has commits the local {branch} lacks; fetch them (git fetch {remote} {branch}:{branch}) "
               "and publish again")
    elif any(mark.lower() in said.lower() for mark in DENIED):
        why = "it did not accept the credentials; check your access to it"
    else:
        why = "git could not push"
    raise PublishError(f"cannot push {branch} to {remote}: {why}; {VERBOSE_HINT}")
