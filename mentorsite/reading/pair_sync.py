"""`mentorsite pairs sync`: the checkouts of a program's git pair sources, cloned or brought up to date.

Git runs with the credentials it already has and never asks for one (no one is there to
answer on a build machine); no address's credentials reach a message. A checkout with work
of its own is never touched, unless `pairs sync --reset` is asked to take the remote's state
over it (as when a pair rewrote its history to take out something shared by mistake).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from mentorsite.files.failures import reason
from mentorsite.files.output import ignored_by_git
from mentorsite.reading.pair_sources import (
    CHECKOUTS_FOLDER,
    NOT_UPDATED,
    PairSource,
    checkouts_dir,
    without_credentials,
    without_password,
    write_private,
)

# No prompt for a name or a passphrase: a build machine has no one to answer it.
GIT_ENVIRONMENT = {"GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "", "SSH_ASKPASS": "", "LC_ALL": "C"}
GIT_TIMEOUT = 300  # seconds: a remote that does not answer is a sync that fails, not one that hangs

@dataclass(frozen=True)
class SyncOutcome:
    """What `pairs sync` did with one git entry: ``done`` (cloned, updated, up to date) or why not."""

    source: PairSource
    folder: Path
    done: str | None
    failure: str | None = None


def sync(entries: list[PairSource] | tuple[PairSource, ...], root: Path,
         environ: Mapping[str, str] | None = None, reset: frozenset[str] = frozenset()) -> list[SyncOutcome]:
    """Clone or update the checkout of every git entry, with the credentials git already has.

    A checkout with changes or commits of its own is left as it is (and counts as not
    updated), unless its name is in ``reset``: then it takes the remote's state, and what was
    discarded is said. One that holds another remote is left as it is. Why an entry failed is
    written beside its checkout, so that builds until the next good sync treat its pair as
    unreachable.
    """
    checkouts = checkouts_dir(root)
    environment = {**(os.environ if environ is None else environ), **GIT_ENVIRONMENT}
    outcomes = []
    for entry in entries:
        if entry.git is None:
            continue
        folder = checkouts / str(entry.name)
        try:
            checkouts.mkdir(exist_ok=True)
            ignored_by_git(checkouts)
            if folder.exists():
                done = _update(entry, folder, environment, reset=entry.name in reset)
            else:
                done = _clone(entry, folder, environment)
            failure = None
        except SyncError as error:
            done, failure = None, without_password(str(error))
        except OSError as error:
            done, failure = None, reason(error)
        marker = checkouts / (NOT_UPDATED + folder.name)
        try:
            if failure is None:
                marker.unlink(missing_ok=True)
            elif folder.is_dir():  # a checkout never made needs no marker: it is missing
                write_private(marker, failure + "\n")
        except OSError:
            pass
        outcomes.append(SyncOutcome(entry, folder, done, failure))
    return outcomes


class SyncError(Exception):
    """Why one entry could not be synced, in git's words (without any credentials)."""


def _git(arguments: list[str], environment: Mapping[str, str], folder: Path | None = None) -> str:
    command = ["git", "-c", "protocol.ext.allow=never", "-c", "core.hooksPath=/dev/null",
               *(["-C", str(folder)] if folder is not None else []), *arguments]
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=dict(environment),
                              stdin=subprocess.DEVNULL, timeout=GIT_TIMEOUT, check=False)
    except FileNotFoundError:
        raise SyncError("git is not installed (or not on PATH)") from None
    except subprocess.TimeoutExpired:
        raise SyncError(f"git did not finish within {GIT_TIMEOUT} seconds") from None
    if done.returncode != 0:
        lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
        said = next((line for line in lines if line.startswith(("fatal:", "error:"))),
                    lines[-1] if lines else "")
        said = said.removeprefix("fatal: ").removeprefix("error: ")
        raise SyncError(said or f"git {arguments[0]} failed")
    return done.stdout.strip()


UNREACHABLE = "; run `mentorsite pairs sync` again once the remote can be reached"


def _clone(entry: PairSource, folder: Path, environment: Mapping[str, str]) -> str:
    branch = ["--branch", entry.branch] if entry.branch else []
    try:
        _git(["clone", "--quiet", "--no-recurse-submodules", *branch, "--", str(entry.git), str(folder)],
             environment)
    except SyncError as error:
        raise SyncError(f"{error}{UNREACHABLE}") from None
    return f"cloned at {_git(['rev-parse', '--short', 'HEAD'], environment, folder)}"


def _update(entry: PairSource, folder: Path, environment: Mapping[str, str], *, reset: bool = False) -> str:
    if folder.is_symlink() or not (folder / ".git").exists():
        raise SyncError(f"{folder.name} in {CHECKOUTS_FOLDER}/ is not a git checkout; move it away and "
                           "sync again")
    remote = _git(["config", "--get", "remote.origin.url"], environment, folder)
    if without_credentials(remote) != without_credentials(str(entry.git)):
        raise SyncError(f"the checkout holds another remote ({without_password(remote)}); move it away "
                        "and sync again")
    if remote != entry.git:  # the same repository, other credentials (a token renewed): take the new ones
        _git(["remote", "set-url", "origin", "--", str(entry.git)], environment, folder)
    changed = _git(["status", "--porcelain", "--untracked-files=normal"], environment, folder).splitlines()
    again = f"`mentorsite pairs sync --reset {entry.name}`"
    if changed and not reset:
        raise SyncError(f"the checkout has changes of its own; it is left as it is (commit them in the "
                        f"pair's repository, or discard them with {again})")
    before = _git(["rev-parse", "HEAD"], environment, folder)
    try:
        _git(["fetch", "--quiet", "--no-recurse-submodules", "origin", "--", entry.branch or "HEAD"],
             environment, folder)
    except SyncError as error:
        raise SyncError(f"{error}{UNREACHABLE}") from None
    fetched = _git(["rev-parse", "FETCH_HEAD"], environment, folder)
    if fetched == before and not changed:
        return f"up to date at {before[:7]}"
    own = int(_git(["rev-list", "--count", f"{fetched}..{before}"], environment, folder))
    if own and not reset:
        raise SyncError(f"the checkout has {_count(own, 'commit')} the remote does not have; it is left as "
                        f"it is (if the remote's history was rewritten on purpose, {again} takes it and "
                        "discards them)")
    _git(["reset", "--quiet", "--hard", fetched], environment, folder)
    if changed:
        _git(["clean", "--quiet", "-d", "--force"], environment, folder)
    discarded = [_count(own, "commit")] * bool(own) + [_count(len(changed), "changed file")] * bool(changed)
    said = f", discarding {' and '.join(discarded)} of its own" if discarded else ""
    return f"{'reset' if discarded else 'updated'} to {fetched[:7]}{said}"


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}{'' if number == 1 else 's'}"
