"""The README tells the truth: its commands exist, its record examples are valid, its tables match."""

from __future__ import annotations

import re
from pathlib import Path

from mentorsite.checking.program import read_program
from mentorsite.site.plugin import MentorsiteConfig
from tests.programs import BASE_PROGRAM, write_files
from tests.test_cli_reference import command_paths

REPOSITORY = Path(__file__).parent.parent
README = (REPOSITORY / "README.md").read_text(encoding="utf-8")
EXAMPLE = re.compile(r"^### .*?: `(content/[^`]+)`\n.*?```(?:markdown|yaml)\n(.*?)```", re.MULTILINE | re.DOTALL)


def test_readme_opens_with_the_two_commands_and_ci_runs_the_test_one() -> None:
    first_block = README.split("```sh\n", 1)[1].split("```", 1)[0]
    assert [line.split("#")[0].strip() for line in first_block.splitlines()] == ["make build", "make test"]
    makefile = (REPOSITORY / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^build:", makefile, re.MULTILINE) and re.search(r"^test:", makefile, re.MULTILINE)
    assert "make test" in (REPOSITORY / ".ci/run").read_text(encoding="utf-8")


def test_every_record_type_has_an_example() -> None:
    paths = [path for path, _ in EXAMPLE.findall(README)]
    kinds = {"guidelines/", "pair.yml", "agreement.md", "goals/", "sessions/", "checkins/", "closing.md"}
    assert all(any(kind in path for path in paths) for kind in kinds), paths


def test_record_examples_are_valid(tmp_path: Path) -> None:
    examples = dict(EXAMPLE.findall(README))
    program = write_files(tmp_path, {**BASE_PROGRAM, **examples})
    checked = read_program(program / "content", program)
    assert [str(d) for d in checked.diagnostics] == []
    assert {g.id for g in checked.program.handbook.guidelines} >= {"active-listening"}


def test_plugin_options_table_matches_the_plugin() -> None:
    documented = set(re.findall(r"^\| `(\w+)` \| ", README.split("## Plugin options", 1)[1], re.MULTILINE))
    assert documented == {name for name, _ in MentorsiteConfig._schema}


def test_every_command_is_in_the_commands_table() -> None:
    table = README.split("## Commands\n", 1)[1].split("\n\n", 2)[0]
    for path in command_paths():
        if path != "mentorsite new":
            assert f"| `{path} " in table or f"| `{path}`" in table, path
