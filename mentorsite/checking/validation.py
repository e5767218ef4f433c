"""Field checks: parsed documents to typed records, every problem as a Diagnostic.

Pydantic does the type checking; this module turns its findings into located messages in
one voice ("expected X, got Y") with stable codes, and adds what a schema cannot say:
unknown keys with a suggestion, ids taken from file names, file naming rules.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Collection
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from mentorsite.model.diagnostics import Diagnostic, Severity
from mentorsite.model.page_table import RECORD_PAGES, free_id, reserved_ids
from mentorsite.model.records import (
    ID_IS_NAME,
    SLUG_PATTERN,
    Model,
    Record,
    describe_value,
    public_fields,
)
from mentorsite.reading.positions import Location, field_name
from mentorsite.reading.problems import problem
from mentorsite.reading.sources import Document

RecordType = TypeVar("RecordType", bound=Record)

_EXPECTED_BY_TYPE_ERROR = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping (key: value lines)",
    "model_type": "a mapping (key: value lines)",
    "model_attributes_type": "a mapping (key: value lines)",
}


def validate_record(record_type: type[RecordType], document: Document, default_id: str | None = None,
                    taken: Collection[str] = ()) -> tuple[RecordType | None, list[Diagnostic]]:
    """Check ``document`` against ``record_type``; the record is None if any field is wrong.

    ``taken`` are the ids of the other records of its kind, so that a refused id's hint
    names one that is free.
    """
    record, diagnostics = check_fields(record_type, document, default_id)
    refused = refuse_reserved_id(record_type, document, default_id, taken)
    return (None if refused else record), diagnostics + refused


def check_fields(record_type: type[RecordType], document: Document,
                 default_id: str | None = None) -> tuple[RecordType | None, list[Diagnostic]]:
    """The field checks of ``validate_record``: they depend on the file alone, so they may be cached."""
    data = dict(document.data or {})
    diagnostics = list(_unknown_keys(record_type, data, (), document))
    takes_id = "id" in record_type.model_fields
    if takes_id and "id" not in data and default_id is not None:
        data["id"] = default_id
    internal = {"path": document.path, "body": document.body, "body_line": document.body_line}
    known = {key: value for key, value in data.items() if key in record_type.model_fields}
    claimed = _claimed_id(record_type, document, default_id)
    try:
        record = record_type.model_validate({**known, **internal})
    except ValidationError as error:
        id_from_name = takes_id and "id" not in (document.data or {})
        diagnostics += [_field_problem(detail, document, id_from_name) for detail in error.errors()]
        return None, diagnostics + claimed
    return (None if claimed else record), diagnostics + claimed


def _claimed_id(record_type: type[Record], document: Document, name: str | None) -> list[Diagnostic]:
    """An ``id`` that differs from the folder or file name the record's id must be."""
    declared = (document.data or {}).get("id")
    if (record_type not in ID_IS_NAME or name is None or not isinstance(declared, str)
            or declared == name or not SLUG_PATTERN.fullmatch(declared)):
        return []  # no id written, the right one, or one the field check reports as it is
    message = f"expected id '{name}' ({ID_IS_NAME[record_type]}), got '{declared}'"
    return [problem(document.path, document.positions.of_value(("id",)), "id-mismatch", message, "id")]


def refuse_reserved_id(record_type: type[Record], document: Document, default_id: str | None,
                       taken: Collection[str] = ()) -> list[Diagnostic]:
    """An id whose page would be one the site already has (``reserved_ids``), with a free one to use."""
    written = (document.data or {}).get("id")
    record_id = written if "id" in (document.data or {}) else default_id
    reserved = reserved_ids(record_type)
    if not isinstance(record_id, str) or record_id not in reserved:
        return []
    kind = RECORD_PAGES[record_type][0]
    hint = free_id(record_id, kind, {*taken, *reserved})
    message = f"expected a {kind} id other than '{record_id}', which {reserved[record_id]}, got '{record_id}'"
    if written is None:
        message += f" (from the file name); did you mean '{hint}' (rename the file or set 'id')?"
        where = (1, 1)
    else:
        message += f"; did you mean '{hint}'?"
        where = document.positions.of_value(("id",))
    return [problem(document.path, where, "reserved-id", message, "id")]


def _field_problem(detail: ErrorDetails, document: Document, id_from_name: bool) -> Diagnostic:
    location: Location = tuple(part for part in detail["loc"] if part != "[key]")
    code, message = _describe_error(detail)
    if detail["type"] == "missing":
        position = document.positions.of_value(location[:-1])
    else:
        position = document.positions.of_value(location)
    if location == ("id",) and id_from_name:
        position = (1, 1)
        message += " (the id comes from the file or folder name; rename it or set 'id')"
    return problem(document.path, position, code, message, field_name(location))


def _describe_error(detail: ErrorDetails) -> tuple[str, str]:
    kind = detail["type"]
    context: dict[str, Any] = dict(detail.get("ctx") or {})
    got = describe_value(detail.get("input"))
    if kind == "missing":
        return "missing-field", "required field is missing"
    if kind in _EXPECTED_BY_TYPE_ERROR:
        return "wrong-type", f"expected {_EXPECTED_BY_TYPE_ERROR[kind]}, got {got}"
    if kind == "literal_error":
        message = f"expected one of {context['expected']}, got {got}"
        given = detail.get("input")
        allowed = re.findall(r"'([^']*)'", str(context["expected"]))
        close = (_synonym(given, allowed) or next(iter(difflib.get_close_matches(given, allowed, n=1)), None)
                 if isinstance(given, str) else None)
        return "bad-value", message + (f"; did you mean '{close}'?" if close else "")
    if kind == "too_short":
        return "missing-field", "expected at least one item, got an empty list"
    if kind == "string_too_short":
        return "missing-field", "expected some text, got an empty text"
    bounds = {"greater_than": "greater than", "greater_than_equal": "of at least",
              "less_than": "less than", "less_than_equal": "of at most"}
    if kind in bounds:
        limit = next(iter(context.values()))
        return "out-of-range", f"expected a number {bounds[kind]} {limit}, got {got}"
    if kind in {"wrong-type", "bad-date", "unsafe-id", "bad-url"}:  # raised by the model's own field rules
        return kind, detail["msg"]
    return "invalid", detail["msg"]


def _unknown_keys(model: type[BaseModel], data: object, location: Location,
                  document: Document) -> list[Diagnostic]:
    """Warn about keys the model does not know, at any depth, with a 'did you mean'."""
    if not isinstance(data, dict):
        return []
    allowed = public_fields(model) if issubclass(model, Record) else list(model.model_fields)
    found: list[Diagnostic] = []
    for key, value in data.items():
        if key not in allowed:
            found.append(_unknown_key(key, allowed, (*location, key), document))
            continue
        nested = _nested_model(model.model_fields[key].annotation)
        if nested is None:
            continue
        items = enumerate(value) if isinstance(value, list) else [(None, value)]
        for index, item in items:
            where = (*location, key) if index is None else (*location, key, index)
            found += _unknown_keys(nested, item, where, document)
    return found


def _unknown_key(key: str, allowed: list[str], location: Location, document: Document) -> Diagnostic:
    return problem(document.path, document.positions.of_key(location), "unknown-key",
                   f"unknown key; {suggest(key, allowed)}", field_name(location), Severity.WARNING)


# Words other programs use for the roles mentorsite names (a value, or a key of pair.yml):
# "did you mean" offers the role when it is one of the names allowed there.
ROLE_SYNONYMS = {
    "mentee": ("student", "learner", "mentoree", "protege", "protégé", "apprentice", "trainee", "intern",
               "contributor", "participant", "fellow", "scholar"),
    "mentor": ("advisor", "adviser", "coach", "tutor", "teacher", "supervisor", "guide", "instructor",
               "primary-mentor", "primary mentor", "lead-mentor", "lead mentor"),
    "both": ("all", "everyone", "everybody", "each", "either", "pair", "the pair", "mentor and mentee",
             "mentee and mentor", "mentor-and-mentee", "us", "we"),
    "program": ("organizer", "organiser", "organizers", "organisers", "admin", "admins", "administrator",
                "coordinator", "coordinators", "staff", "owner", "owners", "program owner", "program owners",
                "programme", "organization", "organisation", "org"),
}
_SYNONYM_OF = {word: role for role, words in ROLE_SYNONYMS.items() for word in words}


def _synonym(value: str, allowed: Collection[str]) -> str | None:
    """The role ``value`` is another word for, when that role is allowed ("Students" is 'mentee')."""
    word = " ".join(value.strip().lower().replace("_", " ").split())
    for candidate in (word, word.replace(" ", "-"), word.removesuffix("s"), word.removesuffix("es")):
        role = _SYNONYM_OF.get(candidate) or (candidate if candidate in ROLE_SYNONYMS else None)
        if role in allowed and role != value:
            return role
    return None


def suggest(value: str, allowed: list[str]) -> str:
    """"did you mean 'x'?" for a close name or another word for it, else the whole list allowed."""
    close = [role] if (role := _synonym(value, allowed)) else difflib.get_close_matches(value, allowed, n=1,
                                                                                         cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else f"expected one of: {', '.join(allowed)}"


def _nested_model(annotation: object) -> type[Model] | None:
    """The record part inside a field type such as ``Person``, ``list[Action]`` or ``X | None``."""
    if isinstance(annotation, type) and issubclass(annotation, Model):
        return annotation
    if typing.get_origin(annotation) in (list, typing.Union, types.UnionType, typing.Annotated):
        for argument in typing.get_args(annotation):
            found = _nested_model(argument)
            if found is not None:
                return found
    return None
