"""The record model: one typed class per record of the content contract.

Pure data and field rules; no I/O. The field rules raise errors whose type is a stable
mentorsite code (``bad-date``, ``unsafe-id``) so that validation can report them as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ISO_DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")


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
    if not SLUG_PATTERN.match(value):
        raise PydanticCustomError(
            "unsafe-id",
            "expected a lowercase id of a-z, 0-9 and single '-' (like 'clear-goals'), got '{value}'",
            {"value": value},
        )
    return value


def parse_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not ISO_DATE_PATTERN.match(value):
        raise PydanticCustomError(
            "bad-date", "expected a date YYYY-MM-DD, got {got}", {"got": describe_value(value)}
        )
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise PydanticCustomError(
            "bad-date",
            "expected a real date, got '{value}' ({reason})",
            {"value": value, "reason": str(error)},
        ) from None


Slug = Annotated[str, BeforeValidator(parse_slug)]
IsoDate = Annotated[date, BeforeValidator(parse_date), Field(json_schema_extra={"format": "date"})]
Text = Annotated[str, Field(min_length=1)]
Visibility = Literal["pair", "review"]
Owner = Literal["mentor", "mentee", "both"]
Audience = Literal["mentor", "mentee", "both", "program"]


class Model(BaseModel):
    """Base of every record part: strict types, frozen, unknown keys left to validation."""

    model_config = ConfigDict(strict=True, frozen=True, extra="ignore")


class Record(Model):
    """A record file. ``path`` and ``body`` come from the loader, not from the file's fields."""

    path: SkipJsonSchema[str] = ""


class MarkdownRecord(Record):
    body: SkipJsonSchema[str] = ""
    body_line: SkipJsonSchema[int] = 1


# The guideline -----------------------------------------------------------------------


class Source(Model):
    title: Text
    url: str | None = None


class Guideline(MarkdownRecord):
    """One best practice of the handbook, written by the program owners."""

    id: Slug
    title: Text
    audience: list[Audience] = Field(min_length=1)
    topic: Text
    summary: Text
    order: int = 100
    tags: list[str] = []
    sources: list[Source] = []
    related: list[Slug] = []
    checks: list[Slug] = []

    def is_for(self, reader: Literal["mentor", "mentee", "program"]) -> bool:
        """True when this guideline speaks to ``reader`` ('both' means mentors and mentees)."""
        if reader == "program":
            return "program" in self.audience
        return reader in self.audience or "both" in self.audience


# The pair ----------------------------------------------------------------------------


class Person(Model):
    name: Text
    role: str | None = None


class Pair(Record):
    """pair.yml: who the pair is and where the relationship stands."""

    id: Slug
    mentor: Person
    mentee: Person
    start: IsoDate
    status: Literal["proposed", "active", "paused", "completed", "closed-early"]
    program: str | None = None
    cohort: str | None = None
    planned_end: IsoDate | None = None
    end: IsoDate | None = None
    handbook_version: str | None = None
    reviewers: list[str] = []
    summary: str | None = None


class Cadence(Model):
    every: int = Field(gt=0)
    unit: Literal["days", "weeks", "months"]


class Expectations(Model):
    mentor: list[str] = []
    mentee: list[str] = []


class Signatures(Model):
    mentor: IsoDate | None = None
    mentee: IsoDate | None = None


class Agreement(MarkdownRecord):
    """What the pair agreed on at the start: cadence, channels, confidentiality, goals."""

    cadence: Cadence
    channels: list[str] = Field(min_length=1)
    confidentiality: Text
    goals: list[Slug] = []
    session_minutes: int | None = Field(default=None, gt=0)
    boundaries: list[str] = []
    expectations: Expectations = Expectations()
    midpoint_review: IsoDate | None = None
    exit: str | None = None
    signed: Signatures = Signatures()
    guidelines: list[Slug] = []
    visibility: Visibility = "review"


class Milestone(Model):
    title: Text
    due: IsoDate | None = None
    done: bool = False


class Progress(Model):
    date: IsoDate
    percent: int = Field(ge=0, le=100)
    note: str | None = None


class Goal(MarkdownRecord):
    """A goal of the mentee, ideally specific, measurable, achievable, relevant, time-bound."""

    id: Slug
    title: Text
    status: Literal["planned", "in-progress", "achieved", "dropped"]
    specific: str | None = None
    measurable: str | None = None
    achievable: str | None = None
    relevant: str | None = None
    due: IsoDate | None = None
    milestones: list[Milestone] = []
    progress: list[Progress] = []
    guidelines: list[Slug] = []
    visibility: Visibility = "review"


class Action(Model):
    task: Text
    owner: Owner
    due: IsoDate | None = None
    done: bool = False


class Feedback(Model):
    mentor: str | None = None
    mentee: str | None = None


class Session(MarkdownRecord):
    """Notes of one meeting; private to the pair unless shared."""

    id: Slug
    date: IsoDate
    minutes: int | None = Field(default=None, gt=0)
    format: Literal["in-person", "video", "phone", "chat", "email", "other"] | None = None
    agenda: list[str] = []
    goals: list[Slug] = []
    actions: list[Action] = []
    feedback: Feedback = Feedback()
    guidelines: list[Slug] = []
    visibility: Visibility = "pair"


Score = Annotated[int, Field(ge=1, le=5)]


class Checkin(MarkdownRecord):
    """A periodic assessment of the relationship, such as the mid-point review."""

    id: Slug
    date: IsoDate
    scores: dict[str, Score] = {}
    fit: Literal["continue", "adjust", "re-pair"] | None = None
    guidelines: list[Slug] = []
    visibility: Visibility = "pair"


class Closing(MarkdownRecord):
    """The closing reflection: what was achieved, what comes next, thanks."""

    date: IsoDate
    outcomes: list[str] = []
    next_steps: list[str] = []
    future_contact: str | None = None
    guidelines: list[Slug] = []
    visibility: Visibility = "review"


RECORD_TYPES: dict[str, type[Record]] = {
    "guideline": Guideline,
    "pair": Pair,
    "agreement": Agreement,
    "goal": Goal,
    "session": Session,
    "checkin": Checkin,
    "closing": Closing,
}


def public_fields(record_type: type[Record]) -> list[str]:
    """The keys a person may write in a record of this type."""
    internal = set(MarkdownRecord.model_fields)
    return [name for name in record_type.model_fields if name not in internal]


# Aggregates ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Handbook:
    guidelines: tuple[Guideline, ...] = ()
    landing_markdown: str | None = None

    def guideline(self, guideline_id: str) -> Guideline | None:
        return next((g for g in self.guidelines if g.id == guideline_id), None)


@dataclass(frozen=True)
class PairRecords:
    pair: Pair
    agreement: Agreement | None = None
    goals: tuple[Goal, ...] = ()
    sessions: tuple[Session, ...] = ()
    checkins: tuple[Checkin, ...] = ()
    closing: Closing | None = None


@dataclass(frozen=True)
class Program:
    handbook: Handbook = field(default_factory=Handbook)
    pairs: tuple[PairRecords, ...] = ()
