"""The handbook's record: one guideline, with where it comes from and under which licence."""

# Every class here is a pydantic model (``fields.Model``), which copies a list default for each
# record; the linter sees that only where a class subclasses BaseModel itself.
# ruff: noqa: RUF012

from __future__ import annotations

from typing import Literal

from pydantic import Field

from mentorsite.model.fields import Audience, MarkdownRecord, Model, Slug, Text, WebAddress


class Source(Model):
    title: Text
    """The title of the article, book or talk."""
    url: str | None = None
    """A link to the source, when it can be read online."""


class Licence(Model):
    name: Text
    """The licence's name, such as 'CC BY-SA 4.0'."""
    url: WebAddress | None = None
    """Where the licence's text can be read, starting with https:// or http://."""
    attribution: str | None = None
    """Who wrote the text and where it comes from, as the licence asks it to be credited."""


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
    """One sentence for indexes, and for the checklists when there is no `checklist`."""
    checklist: list[Text] = []
    """The guideline's lines on the checklist pages, each a thing to do; without it, the summary."""
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
    licence: Licence | None = None
    """This guideline's licence and attribution, where they differ from the handbook's `licence` option."""

    def is_for(self, reader: Literal["mentor", "mentee", "program"]) -> bool:
        """True when this guideline speaks to ``reader`` ('both' means mentors and mentees)."""
        if reader == "program":
            return "program" in self.audience
        return reader in self.audience or "both" in self.audience

    def checklist_lines(self) -> list[str]:
        """What the checklist pages say for this guideline: its checklist, else its summary."""
        return list(self.checklist) or [self.summary]
