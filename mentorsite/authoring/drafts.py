"""New records from templates: what `mentorsite new` and `mentorsite init` write.

Pure functions from what the pair has recorded so far to the text of a new record; the
caller writes it. Each draft is checked against the record model before it is returned,
so a template (bundled or a program's own) that yields an invalid record is caught.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from jinja2 import Environment

from mentorsite.checking.validation import validate_record
from mentorsite.insights.measures import DAYS_PER_UNIT, ActionItem, action_items
from mentorsite.model.diagnostics import Diagnostic
from mentorsite.model.fields import slugify
from mentorsite.model.record_sets import PairRecords
from mentorsite.model.records import RECORD_TYPES, Cadence, Goal, Person, Record, Session, owner_name
from mentorsite.model.schemas import schema_hint
from mentorsite.pages.rendering import TemplateFailure, render_page
from mentorsite.reading.loading import PAIRS_FOLDER
from mentorsite.reading.sources import read_markdown, read_yaml

DEFAULT_CADENCE = Cadence(every=2, unit="weeks")


@dataclass(frozen=True)
class Draft:
    """A record about to be written: where, what kind, and its text."""

    path: Path
    kind: str
    text: str


@dataclass(frozen=True)
class DraftPlace:
    """Where drafts go: the content folder, the schemas folder, and the root messages start from."""

    content_dir: Path
    schemas_dir: Path
    root: Path

    def pair_folder(self, pair_id: str) -> Path:
        return self.content_dir / PAIRS_FOLDER / pair_id


class DraftError(ValueError):
    """A draft that cannot be written as asked; the message says why."""


def add_cadence(start: date, cadence: Cadence, times: int) -> date:
    """``start`` plus ``times`` intervals; months are calendar months (31 Jan + 1 month = 28/29 Feb)."""
    if cadence.unit == "months":
        month_index = start.month - 1 + cadence.every * times
        year, month = start.year + month_index // 12, month_index % 12 + 1
        return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
    return start + timedelta(days=cadence.every * DAYS_PER_UNIT[cadence.unit] * times)


def _render(environment: Environment, place: DraftPlace, path: Path, kind: str, **context: object) -> Draft:
    hint = schema_hint(path, place.schemas_dir, kind)
    try:
        text = render_page(environment, {}, path.name, f"records/{kind}.j2", hint=hint, **context).markdown
    except TemplateFailure as failure:  # a program's own template: located, not a traceback
        raise DraftError(str(failure.diagnostic)) from None
    draft = Draft(path, kind, text)
    _, problems = parse_draft(draft, place.root)
    if any(problem.is_error for problem in problems):
        raise DraftError(f"the template records/{kind}.j2 gave an invalid record:\n"
                         + "\n".join(str(problem) for problem in problems))
    return draft


def parse_draft(draft: Draft, root: Path) -> tuple[Record | None, list[Diagnostic]]:
    """The draft as a record, and the problems `mentorsite check` would find in its own fields."""
    display = draft.path.relative_to(root).as_posix() if draft.path.is_relative_to(root) else str(draft.path)
    reader = read_yaml if draft.path.suffix == ".yml" else read_markdown
    document = reader(draft.text.encode("utf-8"), display)
    if document.diagnostics:
        return None, document.diagnostics
    default_id = draft.path.parent.name if draft.kind == "pair" else draft.path.stem
    return validate_record(RECORD_TYPES[draft.kind], document, default_id)


def draft_pair(environment: Environment, place: DraftPlace, pair_id: str, mentor: Person, mentee: Person,
               start: date, *, status: str = "proposed", cohort: str | None = None,
               planned_end: date | None = None) -> Draft:
    """pair.yml of a new pair (proposed until the agreement is made, unless told otherwise)."""
    path = place.pair_folder(pair_id) / "pair.yml"
    return _render(environment, place, path, "pair", mentor=mentor, mentee=mentee, start=start,
                   status=status, cohort=cohort, planned_end=planned_end)


def draft_agreement(environment: Environment, place: DraftPlace, records: PairRecords,
                    cadence: Cadence = DEFAULT_CADENCE, minutes: int = 60) -> Draft:
    """An agreement to fill in together at the first meeting, with the pair's goals listed."""
    path = place.pair_folder(records.pair.id) / "agreement.md"
    midpoint = None
    if records.pair.planned_end:
        midpoint = records.pair.start + (records.pair.planned_end - records.pair.start) / 2
    return _render(environment, place, path, "agreement", cadence=cadence, minutes=minutes,
                   goals=[goal.id for goal in records.goals], midpoint=midpoint)


def draft_goal(environment: Environment, place: DraftPlace, records: PairRecords, title: str,
               due: date | None = None) -> Draft:
    """A planned goal with its SMART parts to fill in."""
    goal_id = slugify(title)
    if not goal_id:
        raise DraftError(f"expected a title with letters or digits, got '{title}'")
    path = place.pair_folder(records.pair.id) / "goals" / f"{goal_id}.md"
    return _render(environment, place, path, "goal", title=title, due=due)


def draft_session(environment: Environment, place: DraftPlace, records: PairRecords, when: date,
                  topic: str | None = None) -> Draft:
    """Notes of a meeting on ``when``, with an agenda prepared from the pair's records.

    A pair's first session gets a first-meeting agenda (including the dates of the next three
    meetings at the agreed cadence); later ones list the open actions and the goals in progress.
    An item that repeats text from a private record (``visibility: pair``) is marked as such,
    under a note above the agenda, so that a pair that later shares this session knows what
    it would share.
    """
    topic_slug = slugify(topic or "")
    name = when.isoformat() + (f"-{topic_slug}" if topic_slug else "")
    path = place.pair_folder(records.pair.id) / "sessions" / f"{name}.md"
    agreement = records.agreement
    cadence = agreement.cadence if agreement else DEFAULT_CADENCE
    earlier = tuple(session for session in records.sessions if session.date < when)
    open_actions = [item for item in action_items(earlier) if not item.done]
    in_progress = [goal for goal in records.goals if goal.status == "in-progress"]
    action_marks = [_private_mark(_private_sessions(item, earlier)) for item in open_actions]
    goal_marks = _goal_marks(in_progress)
    marked = sum(1 for mark in [*action_marks, *goal_marks.values()] if mark)
    return _render(environment, place, path, "session", date=when, first=not earlier,
                   next_meetings=[add_cadence(when, cadence, times) for times in (1, 2, 3)],
                   minutes=agreement.session_minutes if agreement else None,
                   open_actions=[_describe_action(item, when) for item in open_actions],
                   goals=in_progress, action_marks=action_marks, goal_marks=goal_marks,
                   private_note=_private_note(marked))


def _private_sessions(item: ActionItem, sessions: tuple[Session, ...]) -> list[Session]:
    """The private sessions among those that name the action ``item`` stands for."""
    naming = {mention.session_id for mention in item.history}
    return [session for session in sessions if session.visibility != "review" and session.id in naming]


def _goal_marks(goals: list[Goal] | tuple[Goal, ...]) -> dict[str, str]:
    return {goal.id: _private_mark([goal] if goal.visibility != "review" else []) for goal in goals}


def _private_mark(sources: list[Session] | list[Goal]) -> str:
    """A comment at the end of an agenda line naming the private records its text comes from."""
    if not sources:
        return ""
    folder = "sessions" if isinstance(sources[0], Session) else "goals"
    names = [f"{folder}/{Path(record.path).name or record.id + '.md'}" for record in sources]
    return f"    # private: from {', '.join(names)}"


def _private_note(marked: int) -> str:
    """Comment lines above the agenda when some of its items come from private records."""
    if not marked:
        return ""
    items, them = ("The agenda item", "it") if marked == 1 else (f"The {marked} agenda items", "them")
    repeat = "repeats" if marked == 1 else "repeat"
    lines = [f"{items} marked 'private' {repeat} text from records only the two of you see",
             "(visibility: pair). Before you set this session's visibility to review, remove or",
             f"reword {them}: reviewers would read {them} here."]
    return "".join(f"# {line}\n" for line in lines)


def _describe_action(item: ActionItem, when: date) -> str:
    due = f", due {item.due.isoformat()}" if item.due else ""
    overdue = ", overdue" if item.is_overdue(when) else ""
    return f"Follow up: {item.task} ({owner_name(item.owner)}{due}{overdue})"


def draft_checkin(environment: Environment, place: DraftPlace, records: PairRecords, when: date) -> Draft:
    """A check-in on ``when`` with the usual scores to give."""
    path = place.pair_folder(records.pair.id) / "checkins" / f"{when.isoformat()}.md"
    return _render(environment, place, path, "checkin", date=when)


def draft_closing(environment: Environment, place: DraftPlace, records: PairRecords, when: date) -> Draft:
    """The closing reflection, prompting an outcome per goal (private goals marked as such)."""
    path = place.pair_folder(records.pair.id) / "closing.md"
    goal_marks = _goal_marks(records.goals)
    marked = sum(1 for mark in goal_marks.values() if mark)
    note = ""
    if marked:
        which = "The goal marked 'private' is" if marked == 1 else f"The {marked} goals marked 'private' are"
        note = (f"# {which} seen only by the two of you (visibility: pair), but this closing is\n"
                "# shared with reviewers (visibility: review): what you copy into outcomes, they read.\n")
    return _render(environment, place, path, "closing", date=when, goals=records.goals, goal_marks=goal_marks,
                   private_note=note)
