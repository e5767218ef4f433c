"""How long a record's name may be: every name and path the build derives from it must fit.

A pair's id names its folders in the private output, and the build writes longer names
around it: scratch folders while a site is built, the old copy while it is swapped, the
withdrawn copy, stamps, export zips. A goal's, session's or guideline's id names its page.
The file system refuses a name longer than NAME_MAX bytes and a path of PATH_MAX bytes or
more; ``check`` measures each record's name against both before any build, so that no
build stops half way on a name it cannot write.

The forms below are those of the writers (``files.output``, ``site.builder``, ``site.preview``); tests
build a program whose names are exactly at the limits, so a longer form added to a writer
and not here makes them fail. A form is a text in which ``{id}`` stands for the name.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mentorsite.files.output import EXPORTS, NEW_MARK, OLD_MARK, PAIRS, REVIEW, SCRATCH_MARK
from mentorsite.model.editions import EDITIONS
from mentorsite.model.plurals import plural

NAME_MAX = 255  # bytes in one name, when the file system does not say
PATH_MAX = 4096  # bytes in one path with its closing NUL, when the file system does not say
ID = "{id}"
PROCESS_ID = "{pid}"  # the old and the withdrawn copy of a site are named with the build's process id
RANDOM_PART = "{random}"  # the letters tempfile adds to a scratch folder's or file's prefix
# What the two stand for at their longest: a 32-bit pid_t, and as many letters as tempfile adds.
FILLERS = {PROCESS_ID: "9" * len(str(2**31 - 1)),
           RANDOM_PART: "x" * len(Path(tempfile.mktemp(prefix="", dir=os.curdir)).name)}
EXPORT_FOLDER = "mentorsite-export-"  # the prefix of the temporary folder `mentorsite export` builds in
STAMP_PREFIXES = ("pair-", "shared-", "sealed-")  # stamps named after a pair (site.stamps.Stamps)
INDEX_PAGE = "index.html"
SUMMARY_FILE = "summary.json"  # beside each review edition (site.stamps.SUMMARY_FILE)


def site_folder_forms(name: str = ID) -> list[str]:
    """The names a site folder goes by: its own, built beside its place, swapped out, withdrawn."""
    return [name, f"{SCRATCH_MARK}{name}-{RANDOM_PART}", f"{NEW_MARK}{name}.{RANDOM_PART}",
            f"{OLD_MARK}{name}.{PROCESS_ID}", f"{SCRATCH_MARK}withdrawn-{name}-{PROCESS_ID}"]


def export_forms() -> list[str]:
    """The zips `mentorsite export` writes for a pair, and the scratch files they are written as."""
    zips = [f"{ID}-{edition}.zip" for edition in EDITIONS]
    return zips + [f"{SCRATCH_MARK}{name}-{RANDOM_PART}" for name in zips]


def pair_forms() -> list[str]:
    """Every name the build and the export derive from a pair's id."""
    return [*site_folder_forms(), *export_forms(), *(prefix + ID for prefix in STAMP_PREFIXES)]


def page_forms() -> list[str]:
    """The names a page is written under: a folder holding index.html, or a file."""
    return [ID, f"{ID}.html"]


def size(text: str) -> int:
    """Bytes of a name or a form (at its longest) as the file system stores it."""
    for placeholder, filler in FILLERS.items():
        text = text.replace(placeholder, filler)
    return len(os.fsencode(text))


def shown(form: str) -> str:
    """A form as a message shows it: '.mentorsite-withdrawn-<id>-<pid>'."""
    return form.replace(ID, "<id>").replace(PROCESS_ID, "<pid>").replace(RANDOM_PART, "XXXXXXXX")


def longest(forms: list[str], name: str = ID) -> str:
    return max((form.replace(ID, name) for form in forms), key=size)


def file_system_limit(folder: Path, name: str, fallback: int) -> int:
    """``os.pathconf`` of the folder or its nearest existing parent, else ``fallback``."""
    existing = next((f for f in [folder, *folder.parents] if f.is_dir()), Path(os.curdir))
    try:
        found = os.pathconf(existing, name)
    except (OSError, ValueError):
        return fallback
    return found if found > 0 else fallback


@dataclass(frozen=True)
class Limit:
    """The most bytes a name may have, and the derived name or path that sets it."""

    most: int
    form: str
    reason: str

    def describe(self, kind: str, name: str) -> str | None:
        """The message for a name past this limit (None when it fits)."""
        if size(name) <= self.most:
            return None
        over = size(name) - self.most
        what = "path" if "/" in self.form else "name"
        return (f"expected a {kind} of at most {self.most} bytes, got {size(name)}: the build derives the "
                f"{what} '{shown(self.form)}' from it, and {self.reason}; shorten it by "
                f"{plural(over, 'byte')}")


@dataclass(frozen=True)
class NameLimits:
    """The limits of the file systems the private output and the handbook are written to."""

    private_dir: Path
    site_dir: Path
    name_max: int = NAME_MAX
    path_max: int = PATH_MAX

    @classmethod
    def of(cls, private_dir: Path, site_dir: Path) -> NameLimits:
        """The limits read from the file systems of both outputs (or of their nearest parents)."""
        private_dir, site_dir = private_dir.absolute(), site_dir.absolute()
        folders = (private_dir, site_dir)
        return cls(private_dir, site_dir,
                   min(file_system_limit(folder, "PC_NAME_MAX", NAME_MAX) for folder in folders),
                   min(file_system_limit(folder, "PC_PATH_MAX", PATH_MAX) for folder in folders))

    def pair_id(self) -> Limit:
        """How long a pair's id may be: the names derived from it, and the paths of its files."""
        site = f"{self.private_dir}/{longest([PAIRS, REVIEW])}/{longest(site_folder_forms())}"
        paths = [f"{site}/{SUMMARY_FILE}", f"{self.private_dir}/{EXPORTS}/{longest(export_forms())}"]
        return self._limit(pair_forms(), paths)

    def page_id(self, folder: str, pair_id: str | None) -> Limit:
        """How long the id of a page in ``folder`` of a pair's portfolio (None: the handbook) may be."""
        page = f"{folder}/{ID}/{INDEX_PAGE}" if folder else f"{ID}/{INDEX_PAGE}"
        if pair_id is None:
            handbook = longest(site_folder_forms(self.site_dir.name))
            return self._limit(page_forms(), [f"{self.site_dir.parent}/{handbook}/{page}"])
        site = longest(site_folder_forms(), pair_id)
        export = f"{tempfile.gettempdir()}/{EXPORT_FOLDER}{RANDOM_PART}/{longest(site_folder_forms('site'))}"
        return self._limit(page_forms(), [f"{self.private_dir}/{longest([PAIRS, REVIEW])}/{site}/{page}",
                                          f"{Path(export).absolute()}/{page}"])

    def _limit(self, names: list[str], paths: list[str]) -> Limit:
        """The largest name for which every derived name and path fits."""
        form = longest(names)
        found = [Limit(self.name_max - size(form.replace(ID, "")), form,
                       f"the file system takes at most {self.name_max} bytes in one name")]
        for path in paths:
            found.append(Limit(self.path_max - 1 - size(path.replace(ID, "")), path,
                               f"the file system takes paths of fewer than {self.path_max} bytes"))
        return min(found, key=lambda limit: limit.most)
