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
@click.option("-v", "--verbose", is_flag=True, help="Also show the output of the build, mike and git.")
def publish(version: str, aliases: tuple[str, ...], config_file: Path, branch: str, no_default: bool,
            push: bool, verbose: bool) -> None:
    """Publish the handbook as edition VERSION with mike (the root redirects to the first alias).

    Needs the program in a git repository with at least one commit (and a remote named origin
    for --push); what is missing is said in one line. Publishing an edition again as it is
    changes nothing.
    """
    from mentorsite.site.publishing import PublishError, publish_edition  # noqa: PLC0415

    def shown(output: str) -> None:
        if verbose and output.strip():
            click.echo(output.rstrip("\n"), err=True)

    with _running_engine():
        _usable_config(config_file)  # each edition's build reads it again, once it is known to be usable
    try:
        changed = publish_edition(config_file, version, list(aliases), branch=branch,
                                  set_default=not no_default, push=push, shown=shown)
    except PublishError as error:
        for line in error.details:
            click.echo(line, err=True)
        raise click.ClickException(str(error)) from None
    named = f" as {', '.join(aliases)}" if aliases else ""
    if changed:
        click.echo(f"Published edition {version}{named} on {branch}.")
    else:
        click.echo(f"Edition {version}{named} is already published as it is on {branch}.")
    if push:
        click.echo(f"Pushed {branch} to origin.")
