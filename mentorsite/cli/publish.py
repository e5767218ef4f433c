"""Publishing handbook editions: `publish`."""

from __future__ import annotations

from pathlib import Path

import click

from mentorsite.cli.base import CONFIG_OPTION, _running_engine, _usable_config, main

# Publishing --------------------------------------------------------------------------


@main.command()
@click.argument("version")
@click.option("--alias", "aliases", multiple=True, metavar="NAME",
              help="Also publish under this name (a copy), e.g. latest; repeatable.")
@CONFIG_OPTION
@click.option("--branch", default="gh-pages", show_default=True, help="The branch editions are published to.")
@click.option("--no-default", is_flag=True, help="Leave the edition the site root redirects to as it is.")
@click.option("--push", is_flag=True, help="Push the branch to origin afterwards.")
def publish(version: str, aliases: tuple[str, ...], config_file: Path, branch: str, no_default: bool,
            push: bool) -> None:
    """Publish the handbook as edition VERSION with mike (the root redirects to the first alias)."""
    import subprocess  # noqa: PLC0415

    from mentorsite.site.publishing import publish_edition  # noqa: PLC0415

    with _running_engine():
        _usable_config(config_file)  # each edition's build reads it again, once it is known to be usable
    try:
        publish_edition(config_file, version, list(aliases), branch=branch, set_default=not no_default,
                        push=push)
    except subprocess.CalledProcessError as error:
        command = " ".join(error.cmd[3:])
        message = f"publishing failed: mike {command} exited with {error.returncode}"
        raise click.ClickException(message) from None
    named = f" as {', '.join(aliases)}" if aliases else ""
    click.echo(f"Published edition {version}{named} on {branch}.")
