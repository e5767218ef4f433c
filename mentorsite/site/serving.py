"""`mkdocs serve` of the handbook: built from what is good, its problems on every page, never stuck.

A guideline file with an error shows its last good record (or, with none, a page saying it
could not be read). Any other error in the handbook, and any about what a page reads or
leads to, stops the build as `mkdocs build` does: a page built despite it could show a
private file. Pair records' problems are never listed (they quote private text).
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable
from pathlib import Path

from mkdocs.exceptions import Abort, MkDocsException

from mentorsite.checking.pointers import scan
from mentorsite.checking.program import CheckedProgram
from mentorsite.model.diagnostics import Diagnostic
from mentorsite.model.record_sets import Handbook
from mentorsite.model.records import Guideline
from mentorsite.pages.banners import failure_banner, problems_banner, stamp_pages, with_banner
from mentorsite.pages.rendering import RenderedPage
from mentorsite.reading.loading import GUIDELINES_FOLDER, PAIRS_FOLDER
from mentorsite.session.settings import Settings
from mentorsite.site.mkdocs_program import log
from mentorsite.site.program_builds import stop_on

# Problems of what a handbook page or setting reads or leads to: while serving, they stop the
# build as they do `mkdocs build`, since a page built despite them could show a private file.
GUARDED_CODES = frozenset({"include-private", "link-into-pairs", "into-pairs", "into-private",
                           "setting-private", "include", "link-outside-pair"})
PAGE_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
UNBUILT_HANDBOOK = "# The handbook\n\nThe handbook could not be built; the problems are listed above.\n"
UNREAD_GUIDELINE = "# {name}\n\nThis guideline could not be read; the problems are listed above.\n"


class ServedHandbook:
    """What the preview of the handbook keeps between rebuilds: the banner's problems, the last good
    record of each guideline file, and the guideline files that have none."""

    def __init__(self) -> None:
        self.banner_problems: list[Diagnostic] = []
        self.good_guidelines: dict[str, Guideline] = {}
        self.unread: list[str] = []

    def handbook(self, checked: CheckedProgram, settings: Settings,
                 settings_problems: list[Diagnostic]) -> Handbook:
        """The handbook from what is good; its problems are kept for the pages' banner."""
        pairs = _shown(settings.content_dir / PAIRS_FOLDER, settings.root)
        handbook_problems = [d for d in checked.handbook_problems()
                             if d.path != pairs and not d.path.startswith(f"{pairs}/")]
        self.banner_problems = [*handbook_problems, *settings_problems]
        guidelines = _shown(settings.content_dir / GUIDELINES_FOLDER, settings.root)
        broken = {d.path for d in handbook_problems if d.is_error and d.path.startswith(f"{guidelines}/")}
        held = [d for d in handbook_problems
                if d.is_error and (d.path not in broken or d.code in GUARDED_CODES)]
        stop_on(held, strict=False)
        current = [g for g in checked.program.handbook.guidelines if g.path not in broken]
        taken = {g.id for g in current}
        kept = [self.good_guidelines[path] for path in sorted(broken) if path in self.good_guidelines
                and self.good_guidelines[path].id not in taken and not includes(self.good_guidelines[path])]
        self.good_guidelines = {g.path: g for g in [*current, *kept]}
        self.unread = sorted(path for path in broken if path not in self.good_guidelines)
        served = sorted([*current, *kept], key=lambda g: (g.order, g.title, g.id))
        return dataclasses.replace(checked.program.handbook, guidelines=tuple(served))

    def unread_pages(self, handbook: Handbook) -> list[RenderedPage]:
        """A page in place of each guideline that could not be read and has no good record."""
        taken = {g.id for g in handbook.guidelines}
        names = [Path(path).stem for path in self.unread]
        return [RenderedPage(f"guidelines/{name}.md", UNREAD_GUIDELINE.format(name=name))
                for name in names if PAGE_NAME.fullmatch(name) and name not in taken]

    def failed_template(self, problem: Diagnostic, pages: list[RenderedPage],
                        handbook: Handbook) -> list[RenderedPage]:
        """The pages of the last good build stay (a page saying why, if none), but those that
        include a file: what they include is checked only as records name it now."""
        self.banner_problems.append(problem)
        kept = [page for page in pages if not includes(page.markdown)]
        if not kept and handbook.landing_markdown is None:
            kept = [RenderedPage("index.md", UNBUILT_HANDBOOK)]
        return kept

    def with_banner(self, output: str) -> str:
        """A page with the problems listed at its top, when there are any."""
        if not self.banner_problems:
            return output
        stale = any(d.is_error and d.path.endswith(".md") for d in self.banner_problems)
        shown = problems_banner(self.banner_problems, "the handbook", stale=stale)
        return with_banner(output.encode("utf-8"), shown).decode("utf-8")

    def guarded(self, builder: Callable[[], None], site_dir: Path) -> Callable[[], None]:
        """A rebuild that never leaves the browser waiting.

        MkDocs' server holds every page request until a rebuild succeeds. When one fails, the
        last good build in ``site_dir`` is served instead, each page with a banner saying why
        (and the problems that stopped it); the next good build reloads the pages without it.
        """
        def rebuild() -> None:
            self.banner_problems = []
            try:
                builder()
            except Exception as error:  # whatever failed, the browser must not wait for a fix
                why = failure_reason(error)
                log.error(f"the handbook could not be rebuilt: {why}; the preview shows "
                          "the last good build until it is fixed")
                log.debug("the failed rebuild", exc_info=True)
                stamp_pages(site_dir, failure_banner("the handbook", why, self.banner_problems))
        return rebuild


def includes(record: Guideline | str) -> bool:
    """Whether any text of a record (or a page) includes a file: its last good version is not served then.

    What it includes is checked only as the current records name it, and the current record
    is the broken one.
    """
    def texts(value: object) -> list[str]:
        if isinstance(value, str):
            return [value]
        items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
        return [text for item in items for text in texts(item)]
    value = record if isinstance(record, str) else record.model_dump()
    found = (item for text in texts(value) for item in scan(text, jinja=True))
    return any(item.kind != "link" for item in found)


def failure_reason(error: Exception) -> str:
    """What a failed rebuild says in the browser: the message of MkDocs or of a plugin, else only its kind.

    Any other error's text could hold anything, so it stays in the terminal. MkDocs stops on a
    plugin's error with an error of its own ("Aborted with a BuildError!"): the plugin's says more.
    """
    while isinstance(error, Abort) and isinstance(error.__context__, MkDocsException):
        error = error.__context__
    if isinstance(error, MkDocsException) and str(error):
        return str(error).removeprefix("mentorsite: ").removesuffix("; the site was not built")
    return f"an unexpected {type(error).__name__}; the message is in the terminal"


def _shown(path: Path, root: Path) -> str:
    """``path`` as messages show it: relative to the program's folder."""
    return Path(os.path.relpath(path, root)).as_posix()
