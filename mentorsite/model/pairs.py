"""A pair's own records: who they are (pair.yml), what they agreed, and the mentee's goals."""

# Every class here is a pydantic model (``fields.Model``), which copies a list default for each
# record; the linter sees that only where a class subclasses BaseModel itself.
# ruff: noqa: RUF012

from __future__ import annotations

from typing import Literal

from pydantic import Field

from mentorsite.model.fields import (
    MAX_EVERY,
    MINUTES_IN_A_DAY,
    IsoDate,
    MarkdownRecord,
    Model,
    Record,
    Slug,
    Text,
    Visibility,
)


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
    co_mentors: list[Person] = []
    """Other mentors of the mentee, such as a secondary mentor: each with name and optional role."""
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
