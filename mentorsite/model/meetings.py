"""What happens between the two: sessions with their actions, check-ins, and the closing."""

# Every class here is a pydantic model (``fields.Model``), which copies a list default for each
# record; the linter sees that only where a class subclasses BaseModel itself.
# ruff: noqa: RUF012

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from mentorsite.model.fields import (
    MINUTES_IN_A_DAY,
    IsoDate,
    Link,
    MarkdownRecord,
    Model,
    Slug,
    Text,
    Visibility,
)
from mentorsite.model.pairs import Person

Owner = Literal["mentor", "mentee", "both"]
ActionOwner = Owner | Person
"""Who does an action: one of the pair, both, or someone else, named ({name: ...})."""
OWNERS_EXPECTED = "'mentor', 'mentee' or 'both', or a person as {name: ...}"


def parse_owner(value: Any) -> Any:
    """A role as it is, a mapping as a Person: each problem at its own place (``owner.name``), not
    once for each kind of owner it is not."""
    if isinstance(value, Person) or value in ("mentor", "mentee", "both"):
        return value
    if isinstance(value, dict):
        return Person.model_validate(value)
    # A choice's own error type, so that the message offers the role a word stands for ('student').
    raise PydanticCustomError("literal_error", "expected one of {expected}", {"expected": OWNERS_EXPECTED})


def owner_name(owner: ActionOwner) -> str:
    """An owner in a sentence: the role, or the person's name."""
    return owner.name if isinstance(owner, Person) else owner


class Action(Model):
    id: Slug | None = None
    """A name for the action, unique in the pair, that a later session's action can carry."""
    task: Text
    """What is to be done."""
    owner: Annotated[ActionOwner, BeforeValidator(parse_owner)]
    """Who does it: mentor, mentee or both, or someone else as {name: ..., role: ...}."""
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
    attendees: list[Text] = []
    """Who took part, by name, when more than the two of you met (a group session)."""
    agenda: list[str] = []
    """What you planned to talk about."""
    goals: list[Slug] = []
    """Ids of the goals the meeting worked on."""
    actions: list[Action] = []
    """What each side agreed to do next."""
    feedback: Feedback = Feedback()
    """How the meeting went, from each side."""
    links: list[Link] = []
    """Links to what belongs with the meeting, such as its recording, an issue or earlier minutes."""
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
