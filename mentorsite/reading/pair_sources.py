"""Pairs kept in repositories of their own, gathered into a program by its ``pair_sources`` setting.

Each entry is a folder pattern relative to mkdocs.yml (checkouts or submodules, such as
``pairs/*``) or a git remote (``{git: REMOTE}``), which `mentorsite pairs sync` clones into
``pair-sources/`` beside mkdocs.yml, a folder git is told to ignore. Every folder found must
be a pair repository (``reading.pair_repository``); the loader reads it as a pair folder of
the program, under the same rules (``reading.loading``).

A folder that cannot be read (missing, not synced, not updated by the last sync) still stands
for its pair: the pair is not built, so its last portfolio is kept and its review edition
withdrawn, while the other pairs build.
"""

from __future__ import annotations

import glob
import json
import os
import re
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from mentorsite.files.failures import shown
from mentorsite.files.output import PRIVATE_FILE, ignored_by_git
from mentorsite.model.diagnostics import Diagnostic, Severity
from mentorsite.reading.problems import problem

CHECKOUTS_FOLDER = "pair-sources"
"""Where `mentorsite pairs sync` keeps the checkouts of the git entries, beside mkdocs.yml."""
LAST_SEEN = ".last-seen.json"  # in CHECKOUTS_FOLDER: each source folder's pair, by entry key, as last read
NOT_UPDATED = ".not-updated-"  # + a checkout's name, in CHECKOUTS_FOLDER: why the last sync left it as it was
CHECKOUT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
GLOB_CHARACTERS = re.compile(r"[*?\[]")
PRIVATE_NAME = "a pair source"  # its folders among the places no handbook page or template may read
# An address's userinfo: from '://' to the last '@' before the path (a password may hold '@').
_USERINFO = re.compile(r"(://)[^/\s]*@")


@dataclass(frozen=True)
class PairSource:
    """One entry of ``pair_sources``: a folder pattern, or a git remote with its checkout's name."""

    pattern: str | None = None
    git: str | None = None
    branch: str | None = None
    name: str | None = None
    """The checkout's folder name in ``pair-sources/`` (a git entry): given, or the remote's last part."""

    @property
    def label(self) -> str:
        """The entry as messages show it: the pattern, or the remote without its credentials."""
        return self.pattern if self.pattern is not None else f"git {without_password(self.git or '')}"

    @property
    def key(self) -> str:
        """The entry as ``LAST_SEEN`` names it: the pattern, or its checkout's folder (never the remote)."""
        return self.pattern if self.pattern is not None else f"{CHECKOUTS_FOLDER}/{self.name}"


@dataclass(frozen=True)
class SourceFolder:
    """A folder a ``pair_sources`` entry names: read as one pair's folder, unless ``problem`` says why not."""

    source: PairSource
    path: Path
    """Absolute, as named (not resolved)."""
    problem: str | None = None
    remembered: str | None = None
    """The pair id read from this folder before (``LAST_SEEN``): its pair's while it cannot be read."""


def without_password(text: str) -> str:
    """``text`` with the credentials of any address in it hidden: the whole userinfo (``https://***@host/``).

    A token alone (``https://TOKEN@host/``) is a secret as a password is. The name in the
    short form ``name@host:path`` is no secret (ssh keys are the credential there): it is kept.
    """
    return _USERINFO.sub(r"\1***@", text)


def without_credentials(remote: str) -> str:
    """``remote`` with its userinfo taken out: two addresses of one repository compare equal."""
    return _USERINFO.sub(r"\1", remote.strip())


def checkout_name(remote: str) -> str:
    """The checkout folder a remote gets by default: its last path part, without ``.git``; '' if none.

    An address with no path (``https://host/``) has none: its host is no pair's name.
    """
    path = urlsplit(remote).path if "://" in remote else remote.split(":", 1)[-1] if ":" in remote else remote
    last = re.split(r"[/\\]", path.rstrip("/"))[-1]
    return last.removesuffix(".git")


def entry_position(text: str, index: int) -> tuple[int, int] | None:
    """Where entry ``index`` of ``pair_sources`` starts in mkdocs.yml's ``text`` (line, column), or None."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError):
        return None
    top = node.value if isinstance(node, yaml.MappingNode) else []
    plugins = next((value for key, value in top if key.value == "plugins"), None)
    for item in plugins.value if isinstance(plugins, yaml.SequenceNode) else []:
        options = next((value for key, value in item.value if key.value == "mentorsite"), None) \
            if isinstance(item, yaml.MappingNode) else None
        listed = next((value for key, value in options.value if key.value == "pair_sources"), None) \
            if isinstance(options, yaml.MappingNode) else None
        if isinstance(listed, yaml.SequenceNode) and index < len(listed.value):
            mark = listed.value[index].start_mark
            return mark.line + 1, mark.column + 1
    return None


def read_entries(value: object) -> tuple[list[PairSource], list[tuple[int | None, str]]]:
    """The entries of the ``pair_sources`` setting, and the problems: (the entry's index or None, message)."""
    if value is None:
        return [], []
    if not isinstance(value, list):
        kind = type(value).__name__
        return [], [(None, f"expected a list of folder patterns and {{git: ...}} entries, got {kind}")]
    entries: list[PairSource] = []
    problems: list[tuple[int | None, str]] = []
    named: dict[str, int] = {}
    for index, item in enumerate(value):
        if isinstance(item, str) and item.strip():
            entries.append(PairSource(pattern=item.strip()))
        elif isinstance(item, Mapping):
            entry, why = _git_entry(item)
            if why is not None:
                problems.append((index, why))
            elif entry is not None and entry.name in named:
                problems.append((index, f"two git entries have the checkout name '{entry.name}'; give one "
                                        "another 'name:'"))
            elif entry is not None:
                named[str(entry.name)] = index
                entries.append(entry)
        else:
            got = repr(item) if not isinstance(item, str) else "''"
            problems.append((index, f"expected a folder pattern (such as 'pairs/*') or {{git: REMOTE}}, "
                                    f"got {got}"))
    return entries, problems


def _git_entry(item: Mapping[object, object]) -> tuple[PairSource | None, str | None]:
    unknown = sorted(str(key) for key in item if key not in ("git", "branch", "name"))
    if unknown:
        return None, f"unknown key {', '.join(unknown)} in a git entry; expected git, branch and name"
    remote, branch, name = item.get("git"), item.get("branch"), item.get("name")
    if not isinstance(remote, str) or not remote.strip():
        return None, "expected {git: REMOTE}, the address git clones the pair's repository from"
    shown = without_password(remote)
    if remote.startswith("-") or (branch is not None and (not isinstance(branch, str) or not branch
                                                          or branch.startswith("-"))):
        return None, f"expected a remote and a branch name that do not start with '-', for {shown}"
    chosen = name if name is not None else checkout_name(remote.strip())
    if chosen == "" and name is None:
        return None, f"{shown} names no repository to name the checkout after; give it one with 'name:'"
    if not isinstance(chosen, str) or not CHECKOUT_NAME.fullmatch(chosen):
        return None, (f"expected a checkout name of letters, digits, '.', '_' and '-' for {shown}, got "
                      f"{chosen!r}; give one with 'name:'")
    chosen_branch = branch if isinstance(branch, str) else None
    return PairSource(git=remote.strip(), branch=chosen_branch, name=chosen), None


def checkouts_dir(root: Path) -> Path:
    return root / CHECKOUTS_FOLDER


def source_folders(entries: list[PairSource] | tuple[PairSource, ...], root: Path) -> list[SourceFolder]:
    """Every folder the entries name, in their order, each with why it cannot be read (or None).

    A pattern is matched against folders only, relative to ``root`` (mkdocs.yml's folder);
    names starting with '.' are left out, as a shell leaves them. A pattern that matches
    nothing yields nothing here (``unmatched`` tells it); a folder named without a pattern
    character, or a git entry's checkout, that is missing is a folder with its problem, so
    that its pair keeps its place; and so is a folder a pattern matched before (``LAST_SEEN``)
    that it matches no more, until `mentorsite pairs sync` forgets it.
    """
    found: list[SourceFolder] = []
    checkouts = checkouts_dir(root)
    memory = last_seen(root)
    for entry in entries:
        seen = memory.get(entry.key, {})
        before = len(found)
        if entry.pattern is not None:
            named = root / entry.pattern
            if not GLOB_CHARACTERS.search(entry.pattern):
                why = None if named.is_dir() else "is missing (a pair_sources folder in mkdocs.yml)"
                found.append(SourceFolder(entry, Path(os.path.normpath(named.absolute())), why))
                continue
            matches = _matches(root, entry.pattern)
            gone = sorted({root / key for key in seen} - set(matches))
            found += [SourceFolder(entry, match) for match in matches]
            why = ("is gone (it held a pair at an earlier build; if the pair left the program, `mentorsite "
                   "pairs sync` forgets it)")
            found += [SourceFolder(entry, folder, why) for folder in gone]
        else:
            folder = checkouts / str(entry.name)
            found.append(SourceFolder(entry, folder, _checkout_problem(folder, entry)))
        found[before:] = [replace(one, remembered=seen.get(folder_key(one.path, root)))
                          for one in found[before:]]
    return found


def folder_key(folder: Path, root: Path) -> str:
    """A source folder as ``LAST_SEEN`` names it: relative to the program when inside it."""
    return shown(folder, root)


def last_seen(root: Path) -> dict[str, dict[str, str]]:
    """What each entry's folders held when last read: pair ids by folder, by entry (``PairSource.key``)."""
    try:
        found = json.loads((checkouts_dir(root) / LAST_SEEN).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(found, dict):
        return {}
    return {str(label): {str(k): str(v) for k, v in folders.items()} for label, folders in found.items()
            if isinstance(folders, dict)}


def remember(root: Path, memory: dict[str, dict[str, str]]) -> None:
    """Write ``LAST_SEEN`` when it changes, in a folder git ignores (one that cannot be written is let be)."""
    if memory == last_seen(root):
        return
    folder = checkouts_dir(root)
    try:
        folder.mkdir(exist_ok=True)
        ignored_by_git(folder)
        write_private(folder / LAST_SEEN, json.dumps(memory, indent=1, sort_keys=True) + "\n")
    except OSError:
        pass


def remembered_folders(root: Path) -> list[Path]:
    """Every folder ``LAST_SEEN`` remembers, whatever entry matched it: private while it is remembered."""
    return sorted({Path(os.path.normpath((root / key).absolute())) for folders in last_seen(root).values()
                   for key in folders})


def write_private(path: Path, text: str) -> None:
    """Write ``text`` whole into ``path``, readable by its owner only (it names pairs and folders)."""
    temporary = path.with_name(f"{path.name}.{os.getpid()}")
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, PRIVATE_FILE)
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        file.write(text)
    temporary.replace(path)


def forget_gone(entries: list[PairSource] | tuple[PairSource, ...], root: Path) -> list[tuple[str, str]]:
    """Forget the remembered folders of pattern entries that are gone; the (folder, pair id) of each."""
    memory, forgotten = last_seen(root), []
    for entry in entries:
        folders = memory.get(entry.key, {})
        for key in sorted(folders) if entry.pattern is not None else []:
            if not (root / key).is_dir():
                forgotten.append((key, folders.pop(key)))
    remember(root, {label: folders for label, folders in memory.items() if folders})
    return forgotten


def unmatched(entries: list[PairSource] | tuple[PairSource, ...], root: Path) -> list[PairSource]:
    """The pattern entries that match no folder."""
    return [entry for entry in entries if entry.pattern is not None and GLOB_CHARACTERS.search(entry.pattern)
            and not _matches(root, entry.pattern)]


def _matches(root: Path, pattern: str) -> list[Path]:
    """The folders ``pattern`` matches, relative to ``root``, absolute (with '..' taken out) and sorted."""
    found = glob.glob(pattern, root_dir=root)  # noqa: PTH207 - Path.glob takes no pattern leading out of root
    # Two spellings of one folder ('a/../b' and 'b/../b') are one folder, not two sources.
    return sorted({Path(os.path.normpath((root / one).absolute())) for one in found if (root / one).is_dir()})


def _checkout_problem(folder: Path, entry: PairSource) -> str | None:
    if not folder.is_dir():
        return (f"is not there yet: run `mentorsite pairs sync` to clone {entry.label.removeprefix('git ')}")
    marker = folder.parent / (NOT_UPDATED + folder.name)
    try:
        why = marker.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None
    return f"was not updated by the last `mentorsite pairs sync`: {why}"


def not_ignored(folders: tuple[SourceFolder, ...], root: Path,
                display: Callable[[Path], str]) -> list[Diagnostic]:
    """A warning for each readable source folder in the program's git work tree that git would take in.

    Neither ignored nor a submodule, a pair repository there shows in `git status`, and
    `git add -A` would put the pair's records into the program's repository. Without git, or
    outside a work tree, there is nothing to warn of.
    """
    readable = [folder.path for folder in folders if folder.problem is None and folder.path.is_dir()]
    top = _git_lines(root, ["rev-parse", "--show-toplevel"]) if readable else None
    if not top:
        return []
    work_tree = Path(os.path.realpath(top[0]))
    inside = [path for path in readable if Path(os.path.realpath(path)).is_relative_to(work_tree)]
    names = [os.path.realpath(path) for path in inside]
    if not names:
        return []
    ignored = set(_git_lines(root, ["check-ignore", "--stdin"], "\n".join(names) + "\n") or [])
    staged = _git_lines(root, ["ls-files", "--stage", "--full-name", "--", *names]) or []
    links = {line.split("\t", 1)[-1] for line in staged if line.startswith("160000 ")}
    found = []
    for path, name in zip(inside, names, strict=True):
        relative = Path(name).relative_to(work_tree).as_posix()
        if name in ignored or relative in links:
            continue
        shown_path = display(path)
        found.append(problem(shown_path, (1, 1), "source-not-ignored", (
            f"is a pair source inside the program's git work tree that git neither ignores nor keeps as a "
            f"submodule: `git add -A` would put the pair's records into the program's repository; add "
            f"{relative}/ to .gitignore (or make it a submodule)"), severity=Severity.WARNING))
    return found


def _git_lines(folder: Path, arguments: list[str], given: str | None = None) -> list[str] | None:
    """What git prints, line by line, run in ``folder``; None when git fails or is not there."""
    try:
        done = subprocess.run(["git", "-C", str(folder), *arguments], input=given, capture_output=True,
                              text=True, timeout=60, check=False,
                              env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"})
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode not in (0, 1):  # check-ignore says 1 when nothing is ignored
        return None
    return [line for line in done.stdout.splitlines() if line]
