"""The record model: one typed class per record of the content contract.

Pure data and field rules; no I/O. The field rules raise errors whose type is a stable
mentorsite code (``bad-date``, ``unsafe-id``) so that validation can report them as they are.
A program's records together are in ``record_sets``; the pages they get, in ``page_table``.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ISO_DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# The dates a record may hold: far enough either way for any program, and far enough inside
# what Python's dates can hold that adding a cadence, a window or a year never overflows.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)
MINUTES_IN_A_DAY = 24 * 60
MAX_EVERY = 366  # the most units between meetings a cadence may name


def describe_value(value: object) -> str:
    """Name a parsed YAML value the way a person reading the file would."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return f"{'true' if value else 'false'} (a yes/no value)"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"'{value}'" if value else "an empty text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def parse_slug(value: Any) -> str:
    if not isinstance(value, str):
        raise PydanticCustomError(
            "wrong-type", "expected an id (text), got {got}", {"got": describe_value(value)}
        )
    if not SLUG_PATTERN.fullmatch(value):  # fullmatch: '$' would let a closing newline through
        raise PydanticCustomError(
            "unsafe-id",
            "expected a lowercase id of a-z, 0-9 and single '-' (like 'clear-goals'), got '{value}'",
            {"value": value},
        )
    return value


def parse_date(value: Any) -> date:
    if isinstance(value, date):
        return _within_range(value)
    if not isinstance(value, str) or not ISO_DATE_PATTERN.match(value):
        raise PydanticCustomError(
            "bad-date", "expected a date YYYY-MM-DD, got {got}", {"got": describe_value(value)}
        )
    try:
        parsed = date.fromisoformat(value)
    except ValueError as error:
        raise PydanticCustomError(
            "bad-date",
            "expected a real date, got '{value}' ({reason})",
            {"value": value, "reason": str(error)},
        ) from None
    return _within_range(parsed)


def _within_range(value: date) -> date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise PydanticCustomError(
            "bad-date", "expected a date from {earliest} to {latest}, got {value}",
            {"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat(),
             "value": value.isoformat()},
        )
    return value


Slug = Annotated[str, BeforeValidator(parse_slug), Field(json_schema_extra={"pattern": SLUG_PATTERN.pattern})]
IsoDate = Annotated[date, BeforeValidator(parse_date), Field(json_schema_extra={"format": "date"})]
Text = Annotated[str, Field(min_length=1)]
Visibility = Literal["pair", "review"]
Owner = Literal["mentor", "mentee", "both"]
Audience = Literal["mentor", "mentee", "both", "program"]


class Model(BaseModel):
    """Base of every record part: strict types, frozen, unknown keys left to validation."""

    # Field docstrings become descriptions in the JSON Schemas, shown by editors on hover.
    model_config = ConfigDict(strict=True, frozen=True, extra="ignore", use_attribute_docstrings=True)


class Record(Model):
    """A record file. ``path`` and ``body`` come from the loader, not from the file's fields."""

    path: SkipJsonSchema[str] = ""
    """Where the record was read from; set by the loader, never written in a record."""


class MarkdownRecord(Record):
    body: SkipJsonSchema[str] = ""
    """The Markdown after the front matter; set by the loader."""
    body_line: SkipJsonSchema[int] = 1
    """The line of the file the body starts on, for messages about it."""


# The guideline -----------------------------------------------------------------------


class Source(Model):
    title: Text
    """The title of the article, book or talk."""
    url: str | None = None
    """A link to the source, when it can be read online."""


# The practice checks a guideline may name in ``checks`` (the practices module runs them).
CHECK_NAMES = ("agreement-signed", "cadence-defined", "cadence-kept", "goals-smart", "goals-time-bound",
               "agenda-prepared", "actions-followed-up", "two-way-feedback", "midpoint-review-held",
               "closing-held")


class Guideline(MarkdownRecord):
    """One best practice of the handbook, written by the program owners."""

    id: Slug
    """The guideline's id; defaults to the file name."""
    title: Text
    """A short imperative title, such as 'Set clear goals'."""
    audience: list[Audience] = Field(min_length=1)
    """Who the guideline speaks to: mentor, mentee, both, or program (those who run the program)."""
    topic: Text
    """The handbook section this guideline belongs to."""
    summary: Text
    """One sentence for indexes and checklists."""
    order: int = 100
    """Position within the topic; lower comes first."""
    tags: list[str] = []
    """Keywords, shown on the guideline's page as the theme shows tags."""
    sources: list[Source] = []
    """The articles, books or talks the practice comes from."""
    related: list[Slug] = []
    """Ids of other guidelines to read with this one."""
    # Editors offer the names; an unknown one is reported by the program checks, with a suggestion.
    checks: list[Slug] = Field(default=[],
                               json_schema_extra={"items": {"type": "string", "enum": list(CHECK_NAMES)}})
    """Names of the practice checks that show whether a pair follows this guideline."""

    def is_for(self, reader: Literal["mentor", "mentee", "program"]) -> bool:
        """True when this guideline speaks to ``reader`` ('both' means mentors and mentees)."""
        if reader == "program":
            return "program" in self.audience
        return reader in self.audience or "both" in self.audience


# The pair ----------------------------------------------------------------------------


class Person(Model):
    name: Text
    """The person's name as the portfolio shows it."""
    role: str | None = None
    """The person's job title or role."""


class Pair(Record):
    """pair.yml: who the pair is and where the relationship stands."""

    id: Slug
    """The pair's id; defaults to the folder name."""
    mentor: Person
    """The mentor: name and optional role."""
    mentee: Person
    """The mentee: name and optional role."""
    start: IsoDate
    """The day the mentoring started."""
    status: Literal["proposed", "active", "paused", "completed", "closed-early"]
    """Where the relationship stands; proposed until the pair has made its agreement."""
    program: str | None = None
    """The program the pair belongs to, where an organisation runs several."""
    cohort: str | None = None
    """The group of pairs that started together, such as '2026-spring'."""
    planned_end: IsoDate | None = None
    """The day the pair agreed to end the mentoring."""
    end: IsoDate | None = None
    """The day the relationship actually ended."""
    handbook_version: str | None = None
    """The published handbook edition the pair follows, such as '2026.2' or 'latest'."""
    reviewers: list[str] = []
    """The people who review the pair's portfolio."""
    summary: str | None = None
    """One line for the reviewer index; without it, the index lists the pair's shared goals."""


class Cadence(Model):
    every: int = Field(gt=0, le=MAX_EVERY)
    """How many units apart the meetings are."""
    unit: Literal["days", "weeks", "months"]
    """What the number counts: days, weeks or months."""

    def describe(self) -> str:
        """How often, as the pages and the practice checks say it: 'every week', 'every 2 weeks'."""
        if self.every == 1:
            return f"every {self.unit.removesuffix('s')}"
        return f"every {self.every} {self.unit}"


class Expectations(Model):
    mentor: list[str] = []
    """What the mentee can expect from the mentor."""
    mentee: list[str] = []
    """What the mentor can expect from the mentee."""


class Signatures(Model):
    mentor: IsoDate | None = None
    """The day the mentor signed."""
    mentee: IsoDate | None = None
    """The day the mentee signed."""


class Agreement(MarkdownRecord):
    """What the pair agreed on at the start: cadence, channels, confidentiality, goals."""

    cadence: Cadence
    """How often the pair meets, such as {every: 2, unit: weeks}."""
    channels: list[str] = Field(min_length=1)
    """How the pair meets and keeps in touch, such as video call or chat."""
    confidentiality: Text
    """What stays between the two of you, and what is shared."""
    goals: list[Slug] = []
    """Ids of the goals the pair agreed on."""
    session_minutes: int | None = Field(default=None, gt=0, le=MINUTES_IN_A_DAY)
    """The usual length of a meeting, in minutes."""
    boundaries: list[str] = []
    """Topics or times that are off limits."""
    expectations: Expectations = Expectations()
    """What each side can expect of the other."""
    midpoint_review: IsoDate | None = None
    """The day of the mid-point review; without it, the mid-point is half way to the planned end."""
    exit: str | None = None
    """How either side can end the relationship without blame."""
    signed: Signatures = Signatures()
    """When each side signed."""
    guidelines: list[Slug] = []
    """Ids of handbook guidelines this record draws on."""
    visibility: Visibility = "review"
    """pair (only in the pair's portfolio) or review (also shown to reviewers)."""


class Milestone(Model):
    title: Text
    """A step on the way to the goal."""
    due: IsoDate | None = None
    """When the step is due."""
    done: bool = False
    """Whether the step is done."""


class Progress(Model):
    date: IsoDate
    """The day of this progress note."""
    percent: int = Field(ge=0, le=100)
    """How far along the goal is, 0 to 100."""
    note: str | None = None
    """What changed since the note before."""


class Goal(MarkdownRecord):
    """A goal of the mentee, ideally specific, measurable, achievable, relevant, time-bound."""

    id: Slug
    """The goal's id; defaults to the file name."""
    title: Text
    """The goal in a few words."""
    status: Literal["planned", "in-progress", "achieved", "dropped"]
    """Where the goal stands: planned, in-progress, achieved or dropped."""
    specific: str | None = None
    """What exactly will be different."""
    measurable: str | None = None
    """How you will know it happened."""
    achievable: str | None = None
    """Why it is within reach."""
    relevant: str | None = None
    """Why it matters to the mentee."""
    due: IsoDate | None = None
    """When it should be done: makes the goal time-bound."""
    milestones: list[Milestone] = []
    """Steps on the way, each with title, due and done."""
    progress: list[Progress] = []
    """Progress over time, each with date, percent and note."""
    guidelines: list[Slug] = []
    """Ids of handbook guidelines this record draws on."""
    visibility: Visibility = "review"
    """pair (only in the pair's portfolio) or review (also shown to reviewers)."""


class Action(Model):
    id: Slug | None = None
    """A name for the action, unique in the pair, that a later session's action can carry."""
    task: Text
    """What is to be done."""
    owner: Owner
    """Who does it: mentor, mentee or both."""
    due: IsoDate | None = None
    """When it is due."""
    done: bool = False
    """Whether it is done."""
    carries: Slug | None = None
    """The id of an earlier session's action that this one continues (carried over)."""


class Feedback(Model):
    mentor: str | None = None
    """The mentor's view of the meeting."""
    mentee: str | None = None
    """The mentee's view of the meeting."""


class Session(MarkdownRecord):
    """Notes of one meeting; private to the pair unless shared."""

    id: Slug
    """The session's id; defaults to the file name."""
    date: IsoDate
    """The day of the meeting; the file name starts with it."""
    minutes: int | None = Field(default=None, gt=0, le=MINUTES_IN_A_DAY)
    """How long the meeting took, in minutes."""
    format: Literal["in-person", "video", "phone", "chat", "email", "other"] | None = None
    """How the pair met: in person, by video, phone, chat or email, or another way."""
    agenda: list[str] = []
    """What you planned to talk about."""
    goals: list[Slug] = []
    """Ids of the goals the meeting worked on."""
    actions: list[Action] = []
    """What each side agreed to do next."""
    feedback: Feedback = Feedback()
    """How the meeting went, from each side."""
    guidelines: list[Slug] = []
    """Ids of handbook guidelines this record draws on."""
    visibility: Visibility = "pair"
    """pair (only in the pair's portfolio) or review (also shown to reviewers)."""


Score = Annotated[int, Field(ge=1, le=5)]


class Checkin(MarkdownRecord):
    """A periodic assessment of the relationship, such as the mid-point review."""

    id: Slug
    """The check-in's id; defaults to the file name."""
    date: IsoDate
    """The day of the check-in; the file name is this date."""
    scores: dict[str, Score] = {}
    """Scores from 1 to 5, by name, such as trust or progress."""
    fit: Literal["continue", "adjust", "re-pair"] | None = None
    """Whether the pairing works: continue as it is, adjust how the pair works, or re-pair."""
    guidelines: list[Slug] = []
    """Ids of handbook guidelines this record draws on."""
    visibility: Visibility = "pair"
    """pair (only in the pair's portfolio) or review (also shown to reviewers)."""


class Closing(MarkdownRecord):
    """The closing reflection: what was achieved, what comes next, thanks."""

    date: IsoDate
    """The day of the closing conversation."""
    outcomes: list[str] = []
    """What the mentoring achieved."""
    next_steps: list[str] = []
    """What the mentee does next."""
    future_contact: str | None = None
    """Whether and how you stay in touch."""
    guidelines: list[Slug] = []
    """Ids of handbook guidelines this record draws on."""
    visibility: Visibility = "review"
    """pair (only in the pair's portfolio) or review (also shown to reviewers)."""


RECORD_TYPES: dict[str, type[Record]] = {
    "guideline": Guideline,
    "pair": Pair,
    "agreement": Agreement,
    "goal": Goal,
    "session": Session,
    "checkin": Checkin,
    "closing": Closing,
}


# Records whose id is where they are: an ``id`` written in them must be that name. A pair's
# id names its output folders, its review entry and its passphrase, so another folder must
# not be able to claim it; a session's or check-in's names its page, and its file name
# carries its date.
ID_IS_NAME: dict[type[Record], str] = {Pair: "the folder name", Session: "the file name",
                                       Checkin: "the file name"}


def public_fields(record_type: type[Record]) -> list[str]:
    """The keys a person may write in a record of this type."""
    internal = set(MarkdownRecord.model_fields)
    return [name for name in record_type.model_fields if name not in internal]
