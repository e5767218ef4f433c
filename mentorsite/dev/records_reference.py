"""docs/records.md, written from the record model itself.

A table per record type and per part of a record: each field's type, whether it is required
(or what it is when left out) and its description, the field's docstring in
``mentorsite.model.records``. The types are read from the JSON Schemas, so the page says what
editors check. Run ``python -m mentorsite.dev.records_reference`` after changing a record (the
tests compare the committed page with what this writes).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel

from mentorsite.dev.reference_pages import write_page
from mentorsite.model.records import ID_IS_NAME, RECORD_TYPES, SLUG_PATTERN, Model, Record, public_fields

REFERENCE = Path("docs/records.md")
FILES = {
    "guideline": "content/handbook/guidelines/ID.md",
    "pair": "content/pairs/PAIR/pair.yml",
    "agreement": "content/pairs/PAIR/agreement.md",
    "goal": "content/pairs/PAIR/goals/ID.md",
    "session": "content/pairs/PAIR/sessions/DATE.md",
    "checkin": "content/pairs/PAIR/checkins/DATE.md",
    "closing": "content/pairs/PAIR/closing.md",
}
"""Where each record type's files are, in the example layout (``content_dir`` moves ``content/``)."""
TITLES = {"checkin": "Check-in"}
"""A record type's heading, where it is not its name capitalised."""

INTRODUCTION = """\
# Records

Every field of every record, written from the record model (`mentorsite/model/records.py`)
by `python -m mentorsite.dev.records_reference`, so it cannot drift from what `mentorsite
check` and the JSON Schemas (`mentorsite schema`) accept. The README shows an example of
each record.

Markdown records are YAML front matter between `---` lines, then a Markdown body; `pair.yml`
is plain YAML. Dates are `YYYY-MM-DD`. Ids are lowercase, of `a-z`, `0-9` and single `-`.
A key the table does not list is reported as unknown, with the nearest known key.
"""


def reference() -> str:
    """The whole page."""
    sections = [INTRODUCTION]
    for kind, record_type in RECORD_TYPES.items():
        sections.append(record_section(kind, record_type))
    sections.append("## Parts of records\n\nThe mappings the records above hold, each with its own fields.\n")
    for part, places in parts().items():
        owners = {owner: [f"`{name}`" for other, name in places if other == owner] for owner, _ in places}
        where = "; ".join(f"{owner}'s {' and '.join(names)}" for owner, names in owners.items())
        sections.append(f"### {part.__name__}\n\nIn {where}.\n\n{table(part, list(part.model_fields))}")
    return "\n".join(sections)


def record_section(kind: str, record_type: type[Record]) -> str:
    file = FILES[kind]
    about = (record_type.__doc__ or "").strip().splitlines()[0].removeprefix(f"{Path(file).name}: ")
    title = TITLES.get(kind, kind.capitalize())
    fields = table(record_type, public_fields(record_type))
    return f"## {title}\n\n`{file}`: {about[:1].upper()}{about[1:]}\n\n{fields}"


def table(model: type[BaseModel], names: list[str]) -> str:
    schema = model.model_json_schema(mode="validation")
    rows = ["| Field | Type | Required or default | Description |", "|---|---|---|---|"]
    for name in names:
        field = model.model_fields[name]
        cells = [f"`{name}`", type_of(schema["properties"][name]), presence(model, name),
                 field.description or ""]
        rows.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(rows) + "\n"


def type_of(schema: dict[str, Any]) -> str:
    """A field's type in words, from its JSON Schema."""
    if "anyOf" in schema:
        return " or ".join(type_of(option) for option in schema["anyOf"] if option.get("type") != "null")
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})"
    if "enum" in schema:
        return "one of " + _choices(schema["enum"])
    kind = schema.get("type")
    if kind == "array":
        items = schema["items"]
        if "enum" in items:
            return ("one or more of " if schema.get("minItems") else "any of ") + _choices(items["enum"])
        least = ", at least one" if schema.get("minItems") else ""
        return f"list of {_plural(type_of(items))}{least}"
    if kind == "object":
        return f"mapping of names to {_plural(type_of(schema['additionalProperties']))}"
    if kind == "integer":
        return "number" + _bounds(schema)
    if kind == "boolean":
        return "`true` or `false`"
    if schema.get("format") == "date":
        return "date"
    if schema.get("pattern") == SLUG_PATTERN.pattern:
        return "id"
    return "text"


def _choices(values: list[str]) -> str:
    shown = [f"`{value}`" for value in values]
    return ", ".join(shown[:-1]) + f" or {shown[-1]}" if len(shown) > 1 else shown[0]


def _plural(kind: str) -> str:
    """``text`` as ``texts``, ``number from 1 to 5`` as ``numbers from 1 to 5``; a link to a part as it is."""
    word, space, rest = kind.partition(" ")
    return kind if word.startswith("[") else f"{word}s{space}{rest}"


def _bounds(schema: dict[str, Any]) -> str:
    low, high = schema.get("minimum"), schema.get("maximum")
    if "exclusiveMinimum" in schema:
        low = schema["exclusiveMinimum"] + 1  # whole numbers: more than 0 is from 1
    if low is not None and high is not None:
        return f" from {low} to {high}"
    if low is not None:
        return f" of at least {low}"
    return f" of at most {high}" if high is not None else ""


def presence(model: type[BaseModel], name: str) -> str:
    """Required, or what a field is when a record leaves it out."""
    if name == "id" and issubclass(model, Record):
        named = ID_IS_NAME.get(model)
        return f"{named}; one written must be the same" if named else "the file name"
    field = model.model_fields[name]
    if field.is_required():
        return "required"
    default = field.get_default()
    if default in (None, [], {}) or (isinstance(default, BaseModel) and not any(dict(default).values())):
        return "optional"
    shown = str(default).lower() if isinstance(default, bool) else default
    return f"`{shown}`"


def parts() -> dict[type[Model], list[tuple[str, str]]]:
    """Each model a record holds (in the order they are first met), with the fields that hold it."""
    found: dict[type[Model], list[tuple[str, str]]] = {}
    for kind, record_type in RECORD_TYPES.items():
        for owner, name, part in _held(record_type, public_fields(record_type), f"{_article(kind)} {kind}"):
            found.setdefault(part, []).append((owner, name))
    return found


def _held(model: type[BaseModel], names: list[str], owner: str) -> Iterator[tuple[str, str, type[Model]]]:
    for name in names:
        for part in _models_in(model.model_fields[name].annotation):
            yield owner, name, part
            yield from _held(part, list(part.model_fields), f"{_article(part.__name__)} {part.__name__}")


def _article(noun: str) -> str:
    return "an" if noun[0].lower() in "aeiou" else "a"


def _models_in(annotation: Any) -> Iterator[type[Model]]:
    if isinstance(annotation, type) and issubclass(annotation, Model):
        yield annotation
        return
    for argument in get_args(annotation):
        yield from _models_in(argument)


def main(argv: list[str] | None = None) -> int:
    """Write the reference (into the path given, else docs/records.md)."""
    return write_page(reference, REFERENCE, argv)


if __name__ == "__main__":
    raise SystemExit(main())
