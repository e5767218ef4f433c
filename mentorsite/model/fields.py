"""What every record is made of: the field rules, the base classes, and the small parts many hold.

Pure data and field rules; no I/O. The field rules raise errors whose type is a stable
mentorsite code (``bad-date``, ``unsafe-id``, ``bad-url``) so that validation can report them
as they are. The records themselves are in ``guidelines``, ``pairs`` and ``meetings``;
``records`` names them all.
"""

from __future__ import annotations

import re
import unicodedata
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
# A web address a reader may follow: http or https, a host, and nothing a Markdown link or an
# HTML attribute would read as its end (spaces, quotes, angle brackets, backslashes).
WEB_ADDRESS_PATTERN = re.compile(r"^https?://[^\s\x00-\x1f\x7f/?#<>\"'\\`{}|^]+[^\s\x00-\x1f\x7f<>\"'\\`{}|^]*$")


def describe_value(value: object) -> str:
    """Name a parsed YAML value the way a person reading the file would."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return f"{'true' if value else 'false'} (a yes/no value)"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):  # control characters escaped: a line break or an escape could fake a message
        shown = "".join(c.encode("unicode_escape").decode() if unicodedata.category(c) == "Cc" else c
                        for c in value)
        return f"'{shown}'" if value else "an empty text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def slugify(text: str) -> str:
    """An id from a title: 'Run user interviews!' becomes 'run-user-interviews'."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


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


def parse_web_address(value: Any) -> str:
    """A link's address: http or https only, so that a page shows it as a link and nothing else.

    Not a path: a record's pages move between editions and sealed copies, so a relative path
    would lead somewhere else in each; another page of the portfolio is named by its record.
    """
    if not isinstance(value, str):
        raise PydanticCustomError(
            "wrong-type", "expected a web address (text), got {got}", {"got": describe_value(value)}
        )
    if not WEB_ADDRESS_PATTERN.fullmatch(value):
        raise PydanticCustomError(
            "bad-url",
            "expected a web address starting with https:// or http://, with no spaces, quotes or "
            "angle brackets, got {got}",
            {"got": describe_value(value)},
        )
    return value


Slug = Annotated[str, BeforeValidator(parse_slug), Field(json_schema_extra={"pattern": SLUG_PATTERN.pattern})]
IsoDate = Annotated[date, BeforeValidator(parse_date), Field(json_schema_extra={"format": "date"})]
Text = Annotated[str, Field(min_length=1)]
WebAddress = Annotated[str, BeforeValidator(parse_web_address),
                       Field(json_schema_extra={"pattern": WEB_ADDRESS_PATTERN.pattern, "format": "uri"})]
Visibility = Literal["pair", "review"]
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


class Link(Model):
    title: Text
    """What the link leads to, such as 'Recording' or 'Issue 42'."""
    url: WebAddress
    """The web address, starting with https:// or http://."""
