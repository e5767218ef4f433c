"""The pages of a pair's portfolio, one edition at a time, as Markdown values.

Everything here starts from ``select_edition``: the records an edition may hold are chosen
first, and the dashboard, charts, pages and navigation are computed from those alone.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from typing import Any, TypeVar
from urllib.parse import quote

from jinja2 import Environment

from mentorsite.insights.measures import Overview, cadence_report, overview
from mentorsite.insights.practices import CHECKS, cadence_grace
from mentorsite.insights.scorecards import VERDICT_LABELS, PracticeSettings, scorecard
from mentorsite.insights.verdicts import Evidence
from mentorsite.model.editions import Edition, select_edition
from mentorsite.model.page_table import PORTFOLIO_PAGES
from mentorsite.model.record_sets import Handbook, PairRecords
from mentorsite.model.records import ActionOwner, Goal, MarkdownRecord, Pair, Person, Session
from mentorsite.pages.bodies import body_markdown
from mentorsite.pages.charts import Chart, goals_chart, sessions_chart
from mentorsite.pages.rendering import NavItem, RenderedPage, anchor, render_page
from mentorsite.pages.wording import WORDING

BodyT = TypeVar("BodyT", bound=MarkdownRecord)

STATUS_LABELS = {"proposed": "Proposed", "active": "Active", "paused": "Paused",
                 "completed": "Completed", "closed-early": "Closed early"}


@dataclass(frozen=True)
class PortfolioSettings:
    """What a portfolio needs beyond the records: the date of its figures, where the handbook is."""

    as_of: date
    handbook_url: str = "/{version}/"
    default_version: str = "latest"
    directory_urls: bool = True
    standalone: bool = False
    """True for a portfolio on its own (a preview or an export): no link up to the reviewer index."""
    practices: PracticeSettings = field(default_factory=PracticeSettings)
    """The thresholds of the practice checks on the scorecard."""


@dataclass(frozen=True)
class HandbookLinks:
    """Links into the handbook edition a pair follows."""

    handbook: Handbook
    base_url: str
    version: str
    directory_urls: bool

    def url(self, guideline_id: str) -> str:
        page = f"{guideline_id}/" if self.directory_urls else f"{guideline_id}.html"
        return f"{self.base_url}guidelines/{page}"

    def page(self, path: str) -> str:
        return f"{self.base_url}{path}/" if self.directory_urls else f"{self.base_url}{path}.html"

    def cited(self, guideline_ids: Iterable[str]) -> list[tuple[str, str]]:
        """(title, url) of each named guideline the handbook has, in the order given."""
        found = (self.handbook.guideline(i) for i in dict.fromkeys(guideline_ids))
        return [(g.title, self.url(g.id)) for g in found if g is not None]


def handbook_links(handbook: Handbook, pair: Pair, settings: PortfolioSettings) -> HandbookLinks:
    version = pair.handbook_version or settings.default_version
    base = settings.handbook_url.replace("{version}", quote(version, safe=""))
    return HandbookLinks(handbook, base if base.endswith("/") else f"{base}/", version,
                         settings.directory_urls)


@dataclass(frozen=True)
class Portfolio:
    """One edition of a pair's portfolio: its pages, its navigation and its site name."""

    pair_id: str
    edition: Edition
    site_name: str
    pages: tuple[RenderedPage, ...]
    nav: tuple[NavItem, ...]


@dataclass(frozen=True)
class ReviewEntry:
    """A pair as the reviewer site's index lists it, from its review edition only."""

    pair_id: str
    mentor: str
    mentee: str
    status: str
    start: str
    end: str | None
    planned_end: str | None
    summary: str


def pair_names(pair: Pair) -> str:
    return f"{pair.mentee.name} and {pair.mentor.name}"


def session_title(session: Session) -> str:
    """'2026-11-05 · First meeting' for sessions/2026-11-05-first-meeting.md."""
    topic = session.id[len("YYYY-MM-DD-"):].replace("-", " ")
    return f"{session.date} · {topic.capitalize()}" if topic else str(session.date)


def render_portfolio(records: PairRecords, edition: Edition, handbook: Handbook,
                     settings: PortfolioSettings, environment: Environment) -> Portfolio:
    """Every page of one edition of a pair's portfolio, in a stable order."""
    shown = _nested(select_edition(records, edition))
    figures = overview(shown, settings.as_of)
    # Shared sessions are a selection, not the record of every meeting: measuring them
    # against the cadence would report meetings as missed that were only kept private. The
    # pair edition counts meetings with the grace the cadence-kept check is given, so that
    # the dashboard, the charts and the scorecard show one figure.
    grace = cadence_grace(settings.practices.thresholds("cadence-kept"))
    cadence = None if edition == "review" else cadence_report(shown, settings.as_of, grace)
    figures = replace(figures, cadence=cadence)
    shared = _shared_context(shown, edition, figures, handbook_links(handbook, records.pair, settings))
    shared["standalone"] = settings.standalone
    card = shared["scorecard"] = scorecard(shown, handbook, settings.as_of, settings.practices,
                                           shared_only=edition == "review")
    render: Callable[..., RenderedPage] = partial(render_page, environment, shared)
    uri = {name: page.uri for name, page in PORTFOLIO_PAGES.items()}  # the one table of page names
    pages = [render(uri["overview"], "portfolio/overview.md.j2")]
    nav: list[NavItem] = [{"Overview": uri["overview"]}]
    if card.rows:
        pages.append(render(uri["practices"], "portfolio/practices.md.j2"))
        nav.append({"Practices": uri["practices"]})
    if shown.agreement:
        pages.append(render(uri["agreement"], "portfolio/agreement.md.j2", agreement=shown.agreement))
        nav.append({"Agreement": uri["agreement"]})
    if shown.goals:
        pages.append(render(uri["goals"], "portfolio/goals.md.j2"))
        goal_page = PORTFOLIO_PAGES["goal"].of
        for progress in figures.goals:
            goal = progress.goal
            pages.append(render(goal_page(goal.id), "portfolio/goal.md.j2", goal=goal, progress=progress,
                                sessions=_sessions_on(shown, goal),
                                chart=goals_chart([progress], shown.pair.start, settings.as_of)))
        nav.append({"Goals": [uri["goals"], *(goal_page(g.id) for g in shown.goals)]})
    if shown.sessions:
        pages.append(render(uri["sessions"], "portfolio/sessions.md.j2"))
        session_page = PORTFOLIO_PAGES["session"].of
        for session in shown.sessions:
            pages.append(render(session_page(session.id), "portfolio/session.md.j2", session=session))
        nav.append({"Sessions": [uri["sessions"], *(session_page(s.id) for s in shown.sessions)]})
    if shown.checkins:
        pages.append(render(uri["checkins"], "portfolio/checkins.md.j2"))
        nav.append({"Check-ins": uri["checkins"]})
    if shown.closing:
        pages.append(render(uri["closing"], "portfolio/closing.md.j2", closing=shown.closing))
        nav.append({"Closing": uri["closing"]})
    # The theme writes the site name and page titles into the page as HTML, outside the
    # cleaned content: text from the records is escaped there.
    site_name = html.escape(f"{WORDING[edition].site_prefix}: {pair_names(records.pair)}")
    return Portfolio(records.pair.id, edition, site_name, tuple(pages),
                     tuple(nav))


BODY_LEVELS = 2
"""How much deeper a record body's headings go: the pages show a body under a section heading
(``## Notes``, a check-in's ``## date``), below the page's one H1."""


def _nested(shown: PairRecords) -> PairRecords:
    """The records with their bodies rendered as GFM, headings nested under the pages' own
    (see BODY_LEVELS and ``mentorsite.pages.bodies``)."""
    def nested(record: BodyT) -> BodyT:
        body = body_markdown(record.body, BODY_LEVELS, record.path)
        return record if body == record.body else record.model_copy(update={"body": body})

    return replace(shown, agreement=shown.agreement and nested(shown.agreement),
                   goals=tuple(map(nested, shown.goals)), sessions=tuple(map(nested, shown.sessions)),
                   checkins=tuple(map(nested, shown.checkins)),
                   closing=shown.closing and nested(shown.closing))


def _shared_context(shown: PairRecords, edition: Edition, figures: Overview,
                    links: HandbookLinks) -> dict[str, Any]:
    pair = shown.pair

    def person(owner: ActionOwner) -> str:
        if isinstance(owner, Person):  # someone besides the two: named as the record names them
            return f"{owner.name} ({owner.role})" if owner.role else owner.name
        if owner == "both":
            return f"both ({pair.mentee.name} and {pair.mentor.name})"
        return f"{getattr(pair, owner).name} ({owner})"

    goals = {g.id: g for g in shown.goals}
    sessions = {s.id: s for s in shown.sessions}

    def evidence_label(evidence: Evidence) -> str:
        if evidence.kind == "session":
            return session_title(sessions[evidence.record_id])
        if evidence.kind == "goal":
            return f"Goal: {goals[evidence.record_id].title}"
        return EVIDENCE_LABELS[evidence.kind].format(date=evidence.date)

    return {
        "records": shown, "pair": pair, "edition": edition, "wording": WORDING[edition],
        "names": pair_names(pair), "overview": figures, "as_of": figures.as_of, "handbook": links,
        "status_label": STATUS_LABELS[pair.status], "person": person, "session_title": session_title,
        "goal_title": lambda goal_id: goals[goal_id].title,
        "charts": _charts(shown, figures, edition),
        "verdict_label": VERDICT_LABELS.__getitem__, "evidence_page": evidence_page,
        "evidence_label": evidence_label, "check_title": lambda name: CHECKS[name].title,
    }


EVIDENCE_LABELS = {"pair": "Overview", "agreement": "Agreement", "closing": "Closing reflection",
                   "checkin": "Check-in of {date}"}


# The page each kind of evidence is on, from the table of the portfolio's pages.
EVIDENCE_PAGES = {kind: PORTFOLIO_PAGES[page].uri for kind, page in {
    "pair": "overview", "agreement": "agreement", "closing": "closing", "goal": "goal", "session": "session",
    "checkin": "checkins"}.items()}


def evidence_page(evidence: Evidence) -> str:
    """The portfolio page a piece of evidence is on (a check-in: its heading on the check-ins page)."""
    page = EVIDENCE_PAGES[evidence.kind].format(id=evidence.record_id)
    return f"{page}#{anchor(str(evidence.date))}" if evidence.kind == "checkin" else page


def _charts(shown: PairRecords, figures: Overview, edition: Edition) -> dict[str, Chart | None]:
    without_cadence = WORDING[edition].without_cadence
    return {"sessions": sessions_chart(shown, figures.cadence, figures.as_of, without_cadence),
            "goals": goals_chart(figures.goals, shown.pair.start, figures.as_of)}


def _sessions_on(records: PairRecords, goal: Goal) -> list[Session]:
    return [s for s in records.sessions if goal.id in s.goals]


def review_entry(records: PairRecords) -> ReviewEntry:
    """The reviewer index's line for a pair, computed from its review edition alone."""
    shown = select_edition(records, "review")
    pair = shown.pair
    return ReviewEntry(pair.id, pair.mentor.name, pair.mentee.name, STATUS_LABELS[pair.status],
                       str(pair.start), str(pair.end) if pair.end else None,
                       str(pair.planned_end) if pair.planned_end else None,
                       pair.summary or _goals_summary(shown.goals))


def _goals_summary(goals: tuple[Goal, ...]) -> str:
    if not goals:
        return "No goals shared."
    listed = "; ".join(f"{g.title} ({g.status.replace('-', ' ')})" for g in goals)
    return f"Goals: {listed}."


def render_review_index(entries: Iterable[ReviewEntry], environment: Environment) -> list[RenderedPage]:
    """The reviewer site's own page: every pair with its status, dates and summary."""
    shared = {"entries": sorted(entries, key=lambda e: e.pair_id)}
    return [render_page(environment, shared, "index.md", "review/index.md.j2")]
