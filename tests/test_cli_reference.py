"""docs/cli.md is the help of every command, generated from the CLI itself.

Regenerate with `pytest tests/test_cli_reference.py --update-goldens` after changing a command.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click

from mentorsite.cli import main

REFERENCE = Path(__file__).parent.parent / "docs/cli.md"
WIDTH = 100
INTRODUCTION = """\
# Command line reference

Every `mentorsite` command and its options, as `mentorsite COMMAND --help` prints them.
This page is generated from the command line itself (`tests/test_cli_reference.py`), so it
cannot drift from it. `mkdocs build` and `mkdocs serve` also work, with the plugin listed
in `mkdocs.yml`.
"""


def commands(group: click.Group, parent: click.Context) -> Iterator[tuple[str, click.Context]]:
    for name in sorted(group.commands, key=list(group.commands).index):
        command = group.commands[name]
        context = command.make_context(name, [], parent=parent, resilient_parsing=True)
        yield context.command_path, context
        if isinstance(command, click.Group):
            yield from commands(command, context)


def reference() -> str:
    root = main.make_context("mentorsite", [], resilient_parsing=True, terminal_width=WIDTH, max_content_width=WIDTH)
    sections = [INTRODUCTION, f"## mentorsite\n\n```text\n{main.get_help(root)}\n```\n"]
    for path, context in commands(main, root):
        sections.append(f"## {path}\n\n```text\n{context.command.get_help(context)}\n```\n")
    return "\n".join(sections)


def command_paths() -> list[str]:
    root = main.make_context("mentorsite", [], resilient_parsing=True)
    return [path for path, _ in commands(main, root)]


def test_reference_is_generated_from_the_cli(update_goldens: bool) -> None:
    if update_goldens:
        REFERENCE.write_text(reference(), encoding="utf-8")
    assert REFERENCE.read_text(encoding="utf-8") == reference()


def test_every_command_has_a_section_and_a_help_text() -> None:
    paths = command_paths()
    assert {"mentorsite init", "mentorsite new session", "mentorsite export", "mentorsite serve"} <= set(paths)
    text = REFERENCE.read_text(encoding="utf-8")
    for path in paths:
        assert f"\n## {path}\n" in text, path
    root = main.make_context("mentorsite", [], resilient_parsing=True)
    for path, context in commands(main, root):
        assert context.command.help, path
