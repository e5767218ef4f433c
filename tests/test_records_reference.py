"""docs/records.md is every field of every record, written from the record model.

Regenerate with `python -m mentorsite.dev.records_reference` after changing a record.
"""

from __future__ import annotations

import re
from pathlib import Path

from mentorsite.dev.records_reference import FILES, REFERENCE, TITLES, parts, reference
from mentorsite.model import records
from mentorsite.model.records import RECORD_TYPES, Model, Record, public_fields

ROOT = Path(__file__).parent.parent
HEADING = re.compile(r"^#{2,3} (.+)$", re.MULTILINE)


def tables(text: str) -> dict[str, dict[str, list[str]]]:
    """Each section of the page that has a table: its heading, and each row's field with its other cells."""
    found: dict[str, dict[str, list[str]]] = {}
    marks = list(HEADING.finditer(text))
    for mark, following in zip(marks, [*marks[1:], None], strict=True):
        body = text[mark.end():following.start() if following else len(text)]
        rows = [line.strip("|").split(" | ") for line in body.splitlines() if line.startswith("| `")]
        if rows:
            found[mark.group(1)] = {cells[0].strip(" `"): [cell.strip() for cell in cells[1:]] for cells in rows}
    return found


def test_the_committed_page_is_what_the_generator_writes(update_goldens: bool) -> None:
    page = ROOT / REFERENCE
    if update_goldens:
        page.write_text(reference(), encoding="utf-8")
    assert page.read_text(encoding="utf-8") == reference()


def test_every_record_type_and_every_part_has_a_table_of_all_its_fields() -> None:
    found = tables((ROOT / REFERENCE).read_text(encoding="utf-8"))
    expected = {TITLES.get(kind, kind.capitalize()): public_fields(record_type)
                for kind, record_type in RECORD_TYPES.items()}
    expected |= {part.__name__: list(part.model_fields) for part in parts()}
    assert {heading: list(rows) for heading, rows in found.items()} == expected
    assert all(len(cells) == 3 and all(cells) for rows in found.values() for cells in rows.values())


def test_every_part_a_record_can_hold_is_on_the_page() -> None:
    defined = {value for value in vars(records).values() if isinstance(value, type) and issubclass(value, Model)
               and not issubclass(value, Record) and value is not Model}
    assert set(parts()) == defined


def test_every_field_has_a_description_of_one_line() -> None:
    models = [value for value in vars(records).values() if isinstance(value, type) and issubclass(value, Model)]
    missing = [f"{model.__name__}.{name}" for model in models for name, field in model.model_fields.items()
               if not field.description or "\n" in field.description]
    assert missing == []


def test_the_files_named_are_where_the_example_program_has_its_records() -> None:
    for kind, pattern in FILES.items():
        assert sorted(ROOT.glob(re.sub(r"ID|PAIR|DATE", "*", pattern))), kind
