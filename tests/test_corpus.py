"""The bad-input corpus: every case pins the exact diagnostics, lines and columns included.

Each folder under tests/corpus/ holds files laid over the base program (tests/programs.py),
an optional ``delete.txt`` (paths to remove) and ``expected.txt``. Regenerate the expected
files with ``pytest tests/test_corpus.py --update-goldens`` and review the diff.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mentorsite.checking.program import read_program

CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())


def lay_case(case: Path, program_dir: Path) -> None:
    for source in sorted(case.rglob("*")):
        relative = source.relative_to(case)
        if source.is_dir() or relative.name in ("expected.txt", "delete.txt"):
            continue
        target = program_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    deletions = case / "delete.txt"
    if deletions.exists():
        for line in deletions.read_text().split():
            target = program_dir / line
            shutil.rmtree(target) if target.is_dir() else target.unlink()


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 25


def test_base_program_is_clean(program_dir: Path) -> None:
    assert read_program(program_dir / "content", program_dir).diagnostics == []


@pytest.mark.parametrize("name", CASES)
def test_case(name: str, program_dir: Path, update_goldens: bool) -> None:
    case = CORPUS / name
    lay_case(case, program_dir)
    checked = read_program(program_dir / "content", program_dir)
    produced = "".join(f"{diagnostic}\n" for diagnostic in checked.diagnostics)
    expected_file = case / "expected.txt"
    if update_goldens:
        expected_file.write_text(produced, encoding="utf-8")
    assert produced, "every corpus case must produce at least one diagnostic"
    assert produced == expected_file.read_text(encoding="utf-8")
