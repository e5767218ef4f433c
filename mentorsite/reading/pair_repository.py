"""A pair's own repository: one pair's records at its root, and the file that says so.

A repository that holds ``mentorsite-pair.yml`` is one pair's: its records are laid out as a
pair folder of a program (``pair.yml``, ``agreement.md``, ``goals/``, ``sessions/``,
``checkins/``, ``closing.md``), so moving a pair between the two is a copy. The file names
the pair's id (its folder name in a program) and where the program's published handbook is,
for the checks of guideline ids and handbook editions.
"""

from __future__ import annotations

import difflib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from mentorsite.files.failures import reason
from mentorsite.model.diagnostics import Diagnostic, Severity
from mentorsite.model.fields import SLUG_PATTERN, describe_value
from mentorsite.model.page_table import SITE_FILES
from mentorsite.reading.problems import problem
from mentorsite.reading.sources import read_yaml
from mentorsite.reading.web_fetch import address_problem

PAIR_CONFIG = "mentorsite-pair.yml"
# What a pair's repository holds besides its records (files starting with a dot are never read):
# not records, so not "unknown files" there.
PAIR_REPOSITORY_FILES = (PAIR_CONFIG, "ci", "schemas", "site", "README.md")
PAIR_CONFIG_KEYS = ("pair", "handbook")
MAX_CONFIG_BYTES = 64 * 1024  # two short values: far more is a mistake
# The folders the reviewer site keeps beside the pairs' review editions: no pair may be named so.
RESERVED_PAIR_IDS = tuple(name.removesuffix("/") for name in SITE_FILES if name.endswith("/"))


@dataclass(frozen=True)
class PairRepositoryConfig:
    """What ``mentorsite-pair.yml`` says: the pair's id and where the published handbook is."""

    pair: str
    """The pair's id, the same as its folder name in a program."""
    handbook: str | None
    """The published handbook, as written: a web address, or a path to a built or published handbook."""
    path: Path
    """The configuration file."""


def is_pair_repository(folder: Path) -> bool:
    """Whether ``folder`` holds a pair's configuration file, as a plain file (a link does not count)."""
    try:
        return stat.S_ISREG((folder / PAIR_CONFIG).lstat().st_mode)
    except OSError:
        return False


def read_pair_config(path: Path) -> tuple[PairRepositoryConfig | None, list[Diagnostic]]:
    """The configuration at ``path``, or None and why not; each problem at its line and column."""
    shown = path.as_posix()
    try:  # opened without blocking and checked to be a plain file: a pipe in its place cannot hang a check
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(handle, "rb") as file:
            if not stat.S_ISREG(os.fstat(handle).st_mode):
                return None, [problem(shown, (1, 1), "unreadable", "expected a plain file, got another kind")]
            raw = file.read(MAX_CONFIG_BYTES + 1)
    except OSError as error:
        return None, [problem(shown, (1, 1), "unreadable", f"cannot be read: {reason(error)}")]
    if len(raw) > MAX_CONFIG_BYTES:
        message = f"expected at most {MAX_CONFIG_BYTES // 1024} KiB (a pair's id and a handbook), got more"
        return None, [problem(shown, (1, 1), "too-large", message)]
    document = read_yaml(raw, shown)
    diagnostics = list(document.diagnostics)
    data = document.data
    if data is None:
        return None, diagnostics
    for key in data:
        if key not in PAIR_CONFIG_KEYS:
            close = difflib.get_close_matches(key, PAIR_CONFIG_KEYS, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else f"expected {' or '.join(PAIR_CONFIG_KEYS)}"
            diagnostics.append(problem(shown, document.positions.keys.get((key,), (1, 1)), "unknown-key",
                                       f"unknown setting; {hint}", key, Severity.WARNING))
    pair = data.get("pair")
    pair_at = document.positions.of_value(("pair",)) if "pair" in data else (1, 1)
    if "pair" not in data:
        diagnostics.append(problem(shown, (1, 1), "missing-field",
                                   "expected 'pair: <pair-id>', the pair's id (its folder name in a program)",
                                   "pair"))
    elif not isinstance(pair, str) or not SLUG_PATTERN.fullmatch(pair):
        diagnostics.append(problem(shown, pair_at, "invalid-id", "expected a pair id of lowercase letters, "
                                   "digits and single hyphens, such as 'lena-marcus', "
                                   f"got {describe_value(pair)}", "pair"))
    elif pair in RESERVED_PAIR_IDS:
        names = " or ".join(repr(name) for name in RESERVED_PAIR_IDS)
        diagnostics.append(problem(shown, pair_at, "reserved-id", f"expected a pair id other than {names}, "
                                   f"which the reviewer site uses for its own files, got '{pair}'", "pair"))
    handbook = data.get("handbook")
    if handbook is not None and (not isinstance(handbook, str) or not handbook.strip()):
        diagnostics.append(problem(shown, document.positions.of_value(("handbook",)), "wrong-type",
                                   "expected the published handbook's web address or a path to a built "
                                   f"handbook, got {describe_value(handbook)}", "handbook"))
        handbook = None
    elif isinstance(handbook, str) and (refused := address_problem(handbook.strip())) is not None:
        at = document.positions.of_value(("handbook",))
        diagnostics.append(problem(shown, at, refused[0], refused[1], "handbook"))
        handbook = None
    if any(d.is_error for d in diagnostics) or not isinstance(pair, str):
        return None, diagnostics
    written = handbook.strip() if isinstance(handbook, str) else None
    return PairRepositoryConfig(pair, written, path), diagnostics

