"""The record model: one typed class per record of the content contract, named here.

The classes live by what they are about: the field rules and base classes in ``fields``, the
handbook's guideline in ``guidelines``, a pair and its agreement and goals in ``pairs``,
sessions, check-ins and the closing in ``meetings``. Every name is importable from here too.
A program's records together are in ``record_sets``; the pages they get, in ``page_table``.
"""

from __future__ import annotations

from mentorsite.model.fields import (
    EARLIEST_DATE,
    ISO_DATE_PATTERN,
    LATEST_DATE,
    MAX_EVERY,
    MINUTES_IN_A_DAY,
    SLUG_PATTERN,
    WEB_ADDRESS_PATTERN,
    Audience,
    IsoDate,
    Link,
    MarkdownRecord,
    Model,
    Record,
    Slug,
    Text,
    Visibility,
    WebAddress,
    describe_value,
    parse_date,
    parse_slug,
    parse_web_address,
)
from mentorsite.model.guidelines import CHECK_NAMES, Guideline, Licence, Source
from mentorsite.model.meetings import (
    Action,
    ActionOwner,
    Checkin,
    Closing,
    Feedback,
    Owner,
    Score,
    Session,
    owner_name,
)
from mentorsite.model.pairs import (
    Agreement,
    Cadence,
    Expectations,
    Goal,
    Milestone,
    Pair,
    Person,
    Progress,
    Signatures,
)

__all__ = ["CHECK_NAMES", "EARLIEST_DATE", "ID_IS_NAME", "ISO_DATE_PATTERN", "LATEST_DATE", "MAX_EVERY",
           "MINUTES_IN_A_DAY", "RECORD_TYPES", "SLUG_PATTERN", "WEB_ADDRESS_PATTERN", "Action", "ActionOwner",
           "Agreement", "Audience", "Cadence", "Checkin", "Closing", "Expectations", "Feedback", "Goal",
           "Guideline", "IsoDate", "Licence", "Link", "MarkdownRecord", "Milestone", "Model", "Owner", "Pair",
           "Person", "Progress", "Record", "Score", "Session", "Signatures", "Slug", "Source", "Text",
           "Visibility", "WebAddress", "describe_value", "owner_name", "parse_date", "parse_slug",
           "parse_web_address", "public_fields"]


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
