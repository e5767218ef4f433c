"""Where each page of a portfolio and of the handbook is written, and the ids that would land on one.

A record with a page of its own (a goal, a session, a guideline) may not take an id whose
page would be written where another page, or a file of the site, is.
"""

from __future__ import annotations

import functools
from collections.abc import Collection
from dataclasses import dataclass

from mentorsite.model.records import Goal, Guideline, Record, Session


@dataclass(frozen=True)
class PortfolioPage:
    """A page of the portfolio: its Markdown path (``{id}`` for a record's own) and what it shows."""

    uri: str
    shows: str

    def of(self, record_id: str) -> str:
        return self.uri.replace("{id}", record_id)


# Every page the portfolio generates: ``render_portfolio`` writes these and no others, and
# an id whose page would land on one of them (or on a file of the site) is refused.
PORTFOLIO_PAGES: dict[str, PortfolioPage] = {
    "overview": PortfolioPage("index.md", "the overview"),
    "practices": PortfolioPage("practices.md", "the practice scorecard"),
    "agreement": PortfolioPage("agreement.md", "the agreement"),
    "goals": PortfolioPage("goals/index.md", "the list of goals"),
    "goal": PortfolioPage("goals/{id}.md", "a goal"),
    "sessions": PortfolioPage("sessions/index.md", "the list of sessions"),
    "session": PortfolioPage("sessions/{id}.md", "a session"),
    "checkins": PortfolioPage("checkins.md", "the list of check-ins"),
    "closing": PortfolioPage("closing.md", "the closing reflection"),
}
# What else a built site holds (the theme's files, the search index, the site map, the
# review summary): a page, or the folder of a page, may not be one of these either. The
# folders among them are also where a pair's review edition may not be in the reviewer site.
SITE_FILES = ("404.html", "sitemap.xml", "sitemap.xml.gz", "summary.json", "assets/", "search/")
# A guideline's page in the handbook (the handbook's other pages are outside its folder).
HANDBOOK_PAGES: dict[str, PortfolioPage] = {"guideline": PortfolioPage("guidelines/{id}.md", "a guideline")}
# The records that have a page each: the name of that page, and the table it is in.
RECORD_PAGES: dict[type[Record], tuple[str, dict[str, PortfolioPage]]] = {
    Goal: ("goal", PORTFOLIO_PAGES), Session: ("session", PORTFOLIO_PAGES),
    Guideline: ("guideline", HANDBOOK_PAGES)}
_INDEX = "index"


def page_files(uri: str) -> set[str]:
    """Where a Markdown page is written, with directory URLs or without (as MkDocs names it)."""
    folder, _, name = uri.rpartition("/")
    stem = name.removesuffix(".md")
    inside = f"{folder}/" if folder else ""
    if stem == _INDEX:
        return {f"{inside}{_INDEX}.html"}
    return {f"{inside}{stem}/{_INDEX}.html", f"{inside}{stem}.html"}


def reserved_ids(record_type: type[Record], pages: dict[str, PortfolioPage] | None = None) -> dict[str, str]:
    """The ids a record of this type may not have, each with what has that page already.

    ``index`` is refused everywhere: MkDocs makes a page named index the page of its folder.
    Any other id is refused whose page would be written where another page of ``pages``
    (default: the portfolio's) or a file of the site is. They are worked out once for each table
    (every record read asks for them).
    """
    if record_type not in RECORD_PAGES:
        return {}
    name, table = RECORD_PAGES[record_type]
    return dict(_reserved_ids(name, tuple((table if pages is None else pages).items())))


@functools.cache
def _reserved_ids(name: str, table: tuple[tuple[str, PortfolioPage], ...]) -> dict[str, str]:
    pages = dict(table)
    own = pages[name]
    others = {page.uri: page for page in pages.values() if page.uri != own.uri}
    taken = {file: f"{page.shows} uses for its page" for page in others.values()
             for file in page_files(page.uri)}
    taken |= {file.rstrip("/"): "the site uses for its own files" for file in SITE_FILES}
    index_page = others.get(own.of(_INDEX))
    found = {_INDEX: f"{index_page.shows} uses for its page" if index_page
             else "names the page of its folder"}
    candidates = {part.removesuffix(".md").removesuffix(".html") for written in [*others, *taken]
                  for part in written.split("/")}
    for candidate in sorted(candidates - {_INDEX}):
        files = page_files(own.of(candidate))
        folders = {file.rpartition("/")[0] for file in files}
        clash = next((taken[f] for f in sorted(files | folders) if f in taken), None)
        if clash:
            found[candidate] = clash
    return found


def free_id(reserved: str, kind: str, taken: Collection[str]) -> str:
    """An id like ``reserved`` that no record has taken: 'index-goal', else 'index-goal-2'..."""
    base = f"{reserved}-{kind}"
    return next(c for c in (base, *(f"{base}-{n}" for n in range(2, len(taken) + 3))) if c not in taken)
