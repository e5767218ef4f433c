"""Each command imports what it uses: a command's help, `--version` and the plugin load no more.

Read from ``python -X importtime``, in a process of its own: a test of which modules are
imported, not of how long that takes.
"""

from __future__ import annotations

import os
import subprocess
import sys

import click
import pytest

from mentorsite.cli import main
from mentorsite.cli.base import COMMAND_MODULES

# Loaded only by the commands that use them (drafting, importing, building, encrypting, testing pages).
HEAVY = ("mentorsite.authoring", "mentorsite.checking", "mentorsite.site", "mentorsite.vault", "mentorsite.dev",
         "mentorsite.pages", "mentorsite.reading", "mentorsite.insights", "mkdocs", "material", "pymdownx",
         "markdown", "markdown_it", "emoji", "jinja2", "pydantic", "yaml", "cryptography", "nh3", "playwright")
# Not needed by a build (nor `mkdocs build`) that finds nothing changed, nor by any of its pages.
NOT_FOR_BUILDING = ("mentorsite.authoring", "mentorsite.dev", "mentorsite.site.preview", "mentorsite.site.publishing",
                    "mentorsite.site.sealed_publishing", "mentorsite.cli.authoring", "markdown_it", "emoji",
                    "playwright", "mike")


def imported(*arguments: str) -> set[str]:
    """The modules a new Python process imports to run ``arguments``."""
    result = subprocess.run([sys.executable, "-X", "importtime", *arguments], capture_output=True, text=True,
                            check=False, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [line for line in result.stderr.splitlines() if line.startswith("import time:")]
    modules = {line.rsplit("|", 1)[1].strip() for line in lines[1:]}
    assert "mentorsite" in modules  # the report was read
    return modules


def among(modules: set[str], packages: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == p or m.startswith(f"{p}.") for p in packages))


@pytest.mark.parametrize("arguments", [("--version",), ("check", "--help"), ("build", "--help"),
                                       ("serve", "--help"), ("keys", "list", "--help")],
                         ids=["version", "check-help", "build-help", "serve-help", "keys-list-help"])
def test_a_command_s_help_loads_no_library_it_runs_with(arguments: tuple[str, ...]) -> None:
    modules = imported("-m", "mentorsite", *arguments)
    assert among(modules, HEAVY) == []
    assert "mentorsite.cli.authoring" not in modules


def test_the_list_of_commands_loads_no_engine_and_no_drafting() -> None:
    """Every command module is loaded to list them; those that draft records name the records' types."""
    modules = imported("-m", "mentorsite", "--help")
    assert among(modules, tuple(p for p in HEAVY if p != "pydantic")) == []


def test_the_plugin_and_the_build_command_load_nothing_an_unchanged_build_does_not_use() -> None:
    """What MkDocs loads for the plugin, and `mentorsite build` before it builds: no drafting, no preview,
    no record-body parser (only a portfolio built now renders bodies)."""
    modules = imported("-c", "import mentorsite.cli.building, mentorsite.site.commands, mentorsite.site.plugin")
    assert among(modules, NOT_FOR_BUILDING) == []


def test_every_command_is_in_the_table_of_command_modules() -> None:
    """The table names the module of each command, so that naming one imports only that module."""
    found = {name: getattr(command.callback, "__module__", "") for name, command in main.commands.items()}
    assert found == {name: f"mentorsite.cli.{module}" for name, module in COMMAND_MODULES.items()}


def test_the_group_lists_every_command_with_its_short_help() -> None:
    context = click.Context(main, info_name="mentorsite", terminal_width=200)
    text = main.get_help(context)
    for name in COMMAND_MODULES:
        command = main.get_command(context, name)
        assert command is not None and f"  {name} " in text and command.get_short_help_str(200)[:30] in text
