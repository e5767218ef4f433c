"""The JSON Schemas: generated from the model, and agreeing with `mentorsite check` on every file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from mentorsite.model.schemas import SCHEMAS_FOLDER, record_schema, schema_hint, schema_texts
from mentorsite.reading.sources import Document, read_markdown, read_yaml
from tests.test_corpus import CASES, CORPUS

ROOT = Path(__file__).parent.parent
# Codes of problems that lie within one file's fields: a schema can say these.
SCHEMA_CODES = {"missing-field", "wrong-type", "bad-value", "unknown-key", "bad-date", "unsafe-id", "out-of-range"}
FROM_FILE_NAME = "(the id comes from the file or folder name"


def kind_of(relative: str) -> str | None:
    parts = relative.split("/")
    if parts[:3] == ["content", "handbook", "guidelines"]:
        return "guideline"
    if parts[:2] != ["content", "pairs"] or len(parts) < 4:
        return None
    by_name = {"pair.yml": "pair", "agreement.md": "agreement", "closing.md": "closing"}
    by_folder = {"goals": "goal", "sessions": "session", "checkins": "checkin"}
    return by_name.get(parts[3]) if len(parts) == 4 else by_folder.get(parts[3])


def read(path: Path, relative: str) -> Document:
    reader = read_yaml if relative.endswith(".yml") else read_markdown
    return reader(path.read_bytes(), relative)


def schema_errors(kind: str, data: Any) -> list[str]:
    validator = Draft202012Validator(record_schema(kind), format_checker=FormatChecker())
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]


def test_every_schema_is_a_valid_json_schema() -> None:
    for name, text in schema_texts().items():
        Draft202012Validator.check_schema(json.loads(text))
        assert name.endswith(".schema.json")


def test_committed_schemas_match_the_model(update_goldens: bool) -> None:
    """schemas/ in this repository is what `mentorsite schema` writes (regenerate with --update-goldens)."""
    folder = ROOT / SCHEMAS_FOLDER
    if update_goldens:
        for name, text in schema_texts().items():
            (folder / name).write_text(text, encoding="utf-8")
    assert {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.json")} == schema_texts()


def test_every_record_of_the_example_program_is_valid() -> None:
    checked = 0
    for path in sorted((ROOT / "content").rglob("*")):
        relative = path.relative_to(ROOT).as_posix()
        kind = kind_of(relative)
        if kind is None or not path.is_file():
            continue
        document = read(path, relative)
        assert document.diagnostics == []
        assert schema_errors(kind, document.data) == [], relative
        checked += 1
    assert checked > 60


@pytest.mark.parametrize("name", CASES)
def test_schema_rejects_what_check_finds_within_a_file(name: str) -> None:
    """Each corpus file is rejected by its schema exactly when `check` finds a problem a schema can express."""
    case = CORPUS / name
    expected = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    for path in sorted(case.rglob("*")):
        relative = path.relative_to(case).as_posix()
        kind = kind_of(relative)
        if kind is None or not path.is_file():
            continue
        document = read(path, relative)
        if document.diagnostics or document.data is None:
            continue  # not YAML, or not a mapping: the editor's YAML support flags it already
        expressible = [line for line in expected if line.startswith(f"{relative}:")
                       and line.split("[", 1)[1].split("]", 1)[0] in SCHEMA_CODES and FROM_FILE_NAME not in line]
        errors = schema_errors(kind, document.data)
        assert bool(errors) == bool(expressible), (relative, errors, expressible)


def test_ids_may_be_left_out_but_must_be_slugs_when_written() -> None:
    goal = {"title": "Speak up", "status": "planned"}
    assert schema_errors("goal", goal) == []
    assert schema_errors("goal", {**goal, "id": "Speak Up"}) == [
        "id: 'Speak Up' does not match '^[a-z0-9]+(?:-[a-z0-9]+)*$'"]
    assert schema_errors("goal", {**goal, "stauts": "planned"}) == [
        ": Additional properties are not allowed ('stauts' was unexpected)"]


def test_schemas_describe_fields_for_editors() -> None:
    session = record_schema("session")
    assert session["title"] == "mentorsite session record"
    assert session["properties"]["date"]["description"] == "The day of the meeting; the file name starts with it."
    assert session["required"] == ["date"]
    assert record_schema("agreement")["required"] == ["cadence", "channels", "confidentiality"]


def test_schema_hint_is_relative_to_the_record(tmp_path: Path) -> None:
    record = tmp_path / "content/pairs/ana-ben/sessions/2026-01-05.md"
    assert schema_hint(record, tmp_path / "schemas", "session") == (
        "# yaml-language-server: $schema=../../../../schemas/session.schema.json")
