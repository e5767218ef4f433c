"""docs/threat-model.md names the test of every mitigation: each name must be a test that exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

TESTS = Path(__file__).parent
MODEL = (TESTS.parent / "docs" / "threat-model.md").read_text(encoding="utf-8")
FAULTS = (TESTS.parent / "docs" / "faults.md").read_text(encoding="utf-8")


def named_tests(text: str) -> list[tuple[str, str]]:
    """(file, test) of every `file.py::test_name`, and of every `::test_name` after it in the same row."""
    found = []
    for row in text.splitlines():
        current = ""
        for span in re.findall(r"`([^`]+)`", row):
            named = re.fullmatch(r"(test_\w+\.py)?(?:::(\w+))?(?:\[.*\])?", span)
            if named is None or not any(named.groups()):
                continue
            current = named.group(1) or current
            if named.group(2):
                assert current, f"{span} names no file in: {row}"
                found.append((current, named.group(2)))
    return found


def defined(module: str) -> set[str]:
    tree = ast.parse((TESTS / module).read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}


def test_every_row_of_the_paths_tables_names_a_test() -> None:
    rows = [line for line in MODEL.splitlines() if re.match(r"\| \d+ \|", line)]
    assert len(rows) >= 40
    for row in rows:
        assert "test_" in row or "corpus" in row or "the rows of that table" in row, row


def test_every_test_the_threat_model_names_exists() -> None:
    names = named_tests(MODEL)
    assert len(names) >= 80
    missing = [f"{module}::{name}" for module, name in names if name not in defined(module)]
    assert missing == []


def test_every_corpus_case_the_threat_model_names_exists() -> None:
    cases = re.findall(r"corpus ((?:`[\w-]+`(?:, )?)+)", MODEL)
    named = [case for group in cases for case in re.findall(r"`([\w-]+)`", group)]
    assert named and all((TESTS / "corpus" / case).is_dir() for case in named), named


def test_every_test_the_faults_document_names_exists() -> None:
    names = named_tests(FAULTS.replace("`tests/", "`"))
    assert len(names) >= 20
    missing = [f"{module}::{name}" for module, name in names if name not in defined(module)]
    assert missing == []
