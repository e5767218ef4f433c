"""JSON Schemas of the record types, generated from the record model so they cannot drift.

Editors with a YAML language server use them to check and complete records as you type.
A schema says what the model says about one file: field names, types, allowed values,
ranges, date and id formats, and that unknown keys are not allowed. What needs more than
one file (references, duplicate ids, file names) is left to ``mentorsite check``.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from mentorsite.model.records import RECORD_TYPES

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMAS_FOLDER = "schemas"
HINT_PREFIX = "# yaml-language-server: $schema="


def record_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of one record type (a key of ``RECORD_TYPES``)."""
    schema = RECORD_TYPES[kind].model_json_schema(mode="validation")
    _close_objects(schema)
    # Every id defaults to the file or folder name, so a file need not write it.
    schema["required"] = [name for name in schema.get("required", []) if name != "id"]
    description = schema.pop("description", "")
    schema.pop("title", None)
    return {"$schema": SCHEMA_DIALECT, "title": f"mentorsite {kind} record",
            "description": description, **schema}


def _close_objects(schema: object) -> None:
    """Every record part lists all its keys, so a misspelt key is flagged as you type."""
    if isinstance(schema, dict):
        if "properties" in schema:
            schema["additionalProperties"] = False
        for value in schema.values():
            _close_objects(value)
    elif isinstance(schema, list):
        for item in schema:
            _close_objects(item)


def schema_file_name(kind: str) -> str:
    return f"{kind}.schema.json"


def schema_texts() -> dict[str, str]:
    """Each schema's file name and text, in a stable form that diffs well."""
    return {schema_file_name(kind): json.dumps(record_schema(kind), indent=2, sort_keys=False) + "\n"
            for kind in RECORD_TYPES}


def write_schemas(folder: Path) -> list[Path]:
    """Write every schema into ``folder``; returns the files written (unchanged ones too)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in schema_texts().items():
        target = folder / name
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            _write_whole(target, text)
        written.append(target)
    return written


def _write_whole(target: Path, text: str) -> None:
    """``text`` into ``target`` beside it first: a full disk leaves the earlier file as it was."""
    handle, scratch = tempfile.mkstemp(prefix=f".{target.name}-", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        Path(scratch).chmod(0o644)  # a schema is public, like the files around it
        Path(scratch).replace(target)
    finally:
        Path(scratch).unlink(missing_ok=True)


def schema_hint(record_file: Path, schemas_dir: Path, kind: str) -> str:
    """The comment that points a YAML language server from ``record_file`` to its schema."""
    relative = os.path.relpath(schemas_dir / schema_file_name(kind), record_file.parent)
    return HINT_PREFIX + Path(relative).as_posix()
