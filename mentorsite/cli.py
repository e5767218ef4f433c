"""The `mentorsite` command: a thin edge over the library, turning results into exit codes."""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import asdict
from pathlib import Path

import click

from mentorsite import __version__
from mentorsite.diagnostics import summarize
from mentorsite.program import read_program
from mentorsite.publishing import read_published

DEFAULT_CONFIG = "mkdocs.yml"


def _plugin_settings(config_file: Path) -> dict[str, object]:
    """The mentorsite plugin's settings in mkdocs.yml (empty without a config or the plugin)."""
    if not config_file.is_file():
        return {}
    from mkdocs.config import load_config  # noqa: PLC0415 - only when a config is used

    plugin = load_config(str(config_file)).plugins.get("mentorsite")
    return dict(plugin.config) if plugin is not None else {}


def _editions(config_file: Path, settings: dict[str, object]) -> list[str] | None:
    """Published handbook editions and aliases, when the deploy branch exists."""
    published = read_published(config_file.resolve().parent, str(settings.get("deploy_branch", "gh-pages")))
    return published.names() if published else None


@click.group()
@click.version_option(__version__, prog_name="mentorsite")
def main() -> None:
    """Build the handbook and portfolios of a mentoring program from its records."""


@main.command()
@click.option("-f", "--config-file", type=click.Path(path_type=Path), default=DEFAULT_CONFIG,
              show_default=True, help="The program's mkdocs.yml.")
@click.option("--content", type=click.Path(path_type=Path, file_okay=False),
              help="The content folder, instead of the one mkdocs.yml names.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Plain lines, or a JSON list for tools.")
def check(config_file: Path, content: Path | None, output_format: str) -> None:
    """Print every problem in the records; exit 1 if any is an error."""
    settings = _plugin_settings(config_file)
    content_dir = content or config_file.parent / str(settings.get("content_dir", "content"))
    checked = read_program(content_dir, Path.cwd(), editions=_editions(config_file, settings))
    if output_format == "json":
        click.echo(json.dumps([asdict(d) for d in checked.diagnostics], indent=2))
    else:
        for diagnostic in checked.diagnostics:
            click.echo(str(diagnostic))
        click.echo(f"{summarize(checked.diagnostics)}.", err=True)
    sys.exit(1 if checked.errors else 0)


@main.command()
@click.option("-f", "--config-file", type=click.Path(path_type=Path, dir_okay=False), default=DEFAULT_CONFIG,
              show_default=True, help="The program's mkdocs.yml.")
@click.option("--pair", "pair_id", metavar="ID", help="Build only this pair's portfolio (both editions).")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
def build(config_file: Path, pair_id: str | None, strict: bool) -> None:
    """Build the handbook into the site folder, then the portfolios and the reviewer site."""
    from mkdocs.commands.build import build as build_site  # noqa: PLC0415
    from mkdocs.config import load_config  # noqa: PLC0415
    from mkdocs.exceptions import Abort, ConfigurationError, PluginError  # noqa: PLC0415

    from mentorsite.plugin import MentorsitePlugin  # noqa: PLC0415

    logging.basicConfig(format="%(levelname)-7s -  %(message)s", level=logging.INFO)
    try:
        config = load_config(str(config_file), strict=strict or None)
        if pair_id is None:
            build_site(config)
            return
        plugin = config.plugins.get("mentorsite")
        if not isinstance(plugin, MentorsitePlugin):
            raise click.ClickException(f"{config_file} does not list the mentorsite plugin")
        config = config.plugins.on_config(config)
        plugin.build_portfolios(config, only=pair_id)
    except (Abort, ConfigurationError, PluginError) as error:
        raise click.ClickException(str(error)) from None


@main.command()
@click.argument("version")
@click.option("--alias", "aliases", multiple=True, metavar="NAME",
              help="Also publish under this name (a copy), e.g. latest; repeatable.")
@click.option("-f", "--config-file", type=click.Path(path_type=Path, dir_okay=False), default=DEFAULT_CONFIG,
              show_default=True, help="The program's mkdocs.yml.")
@click.option("--branch", default="gh-pages", show_default=True, help="The branch editions are published to.")
@click.option("--no-default", is_flag=True, help="Leave the edition the site root redirects to as it is.")
@click.option("--push", is_flag=True, help="Push the branch to origin afterwards.")
def publish(version: str, aliases: tuple[str, ...], config_file: Path, branch: str, no_default: bool,
            push: bool) -> None:
    """Publish the handbook as edition VERSION with mike (the root redirects to the first alias)."""
    import subprocess  # noqa: PLC0415

    from mentorsite.publishing import publish_edition  # noqa: PLC0415

    try:
        publish_edition(config_file, version, list(aliases), branch=branch, set_default=not no_default,
                        push=push)
    except subprocess.CalledProcessError as error:
        command = " ".join(error.cmd[3:])
        message = f"publishing failed: mike {command} exited with {error.returncode}"
        raise click.ClickException(message) from None
    named = f" as {', '.join(aliases)}" if aliases else ""
    click.echo(f"Published edition {version}{named} on {branch}.")
