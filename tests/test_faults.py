"""Faults and hostile input (issue 17): a hostile file is a located error for that file alone.

YAML aliases that refer to themselves, aliases that multiply ("billion laughs") and deep
nesting used to stop every check and build with a traceback or run out of memory; now each
is bounded and reported at its place, and every other file and pair is still checked.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mentorsite.program import read_program
from tests.programs import BASE_PROGRAM, write_files

LAUGHS = "".join(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n"
                 for previous, name in zip("abcdefgh", "bcdefghi", strict=True))
HOSTILE = {
    "an alias that refers to itself": (
        "mentor: &m {name: Ben, self: *m}\nmentee: {name: Ana}\nstart: 2026-01-05\nstatus: active\n",
        "1:9: error[too-large] expected a value, got an alias that refers to itself; write the value out"),
    "aliases that multiply": (
        'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + LAUGHS,
        "2:4: error[too-large] expected at most 100 uses of aliases in one record, got more"),
    "nested brackets": (
        "mentor: " + "[" * 5000 + "]" * 5000 + "\n",
        "1:1: error[too-deep] expected at most 50 levels of nesting, got too many to read"),
    "nested mappings": (
        "mentor: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n",
        "1:1: error[too-deep] expected at most 50 levels of nesting, got too many to read"),
    "nesting just past the bound": (
        "mentor: " + "[" * 60 + "]" * 60 + "\n",
        "1:58: error[too-large] expected at most 50 levels of nesting, got more"),
}
OTHER_PAIR = {
    "content/pairs/cy-dee/pair.yml": "mentor: {name: Cy Moss}\nmentee: {name: Dee Ray}\nstart: 2026-01-05\n"
                                     "status: proposed\nsumary: a typo the check still finds\n",
}


@pytest.mark.parametrize("case", HOSTILE, ids=list(HOSTILE))
def test_a_hostile_pair_file_is_an_error_for_that_file_alone(tmp_path: Path, case: str) -> None:
    text, message = HOSTILE[case]
    folder = write_files(tmp_path, {**BASE_PROGRAM, **OTHER_PAIR, "content/pairs/ana-ben/pair.yml": text})
    checked = read_program(folder / "content", folder)
    shown = [str(d) for d in checked.diagnostics]
    assert f"content/pairs/ana-ben/pair.yml:{message}" in shown
    assert any(line.startswith("content/pairs/cy-dee/pair.yml:5:1: warning[unknown-key]") for line in shown)
    assert checked.pair_records("cy-dee") is not None  # the other pair is read and checked
    assert checked.handbook_problems() == []


def test_a_hostile_front_matter_is_an_error_at_its_line(tmp_path: Path) -> None:
    session = "---\ndate: 2026-02-03\nagenda: &x [a, *x]\n---\n\nNotes.\n"
    folder = write_files(tmp_path, {**BASE_PROGRAM, "content/pairs/ana-ben/sessions/2026-02-03.md": session})
    shown = [str(d) for d in read_program(folder / "content", folder).diagnostics]
    assert ("content/pairs/ana-ben/sessions/2026-02-03.md:3:9: error[too-large] expected a value, "
            "got an alias that refers to itself; write the value out") in shown


def test_aliases_within_the_bounds_are_read() -> None:
    from mentorsite.sources import read_yaml

    document = read_yaml(b"mentor: &person {name: Ben}\nreviewers: [*person, *person]\n", "pair.yml")
    assert document.diagnostics == []
    assert document.data == {"mentor": {"name": "Ben"}, "reviewers": [{"name": "Ben"}, {"name": "Ben"}]}


def mentorsite(program: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(Path(__file__).parent.parent)}
    return subprocess.run([sys.executable, "-m", "mentorsite", *arguments], cwd=program, env=environment,
                          capture_output=True, text=True, check=False)


@pytest.mark.parametrize("command", [("check",), ("build",)], ids=["check", "build"])
def test_a_date_that_does_not_exist_in_mkdocs_yml_is_a_located_message(tmp_path: Path,
                                                                         command: tuple[str, ...]) -> None:
    config = BASE_PROGRAM["mkdocs.yml"].replace("  - mentorsite\n", "  - mentorsite:\n      as_of: 2026-13-01\n")
    folder = write_files(tmp_path, {**BASE_PROGRAM, "mkdocs.yml": config})
    result = mentorsite(folder, *command)
    assert result.returncode == 1
    assert result.stderr == ("Error: mkdocs.yml:8:14: error[bad-date] expected a date that exists (YYYY-MM-DD), "
                             "got '2026-13-01'\n")
    assert not (folder / "site").exists()
