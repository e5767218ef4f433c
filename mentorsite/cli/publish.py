"""Publishing handbook editions: `publish`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from mentorsite.cli.base import CONFIG_OPTION, _running_engine, _usable_config, main

if TYPE_CHECKING:
    from mentorsite.session.settings import Settings
    from mentorsite.site.sealed_publishing import PortfoliosTarget

# Publishing --------------------------------------------------------------------------


@main.command()
@click.argument("version")
@click.option("--alias", "aliases", multiple=True, metavar="NAME",
              help="Also publish under this name (a copy), e.g. latest; repeatable.")
@CONFIG_OPTION
@click.option("--branch", default="gh-pages", show_default=True, help="The branch editions are published to.")
@click.option("--no-default", is_flag=True, help="Leave the edition the site root redirects to as it is.")
@click.option("--push", is_flag=True, help="Push the branch to origin afterwards.")
@click.option("--portfolios-to", metavar="BRANCH_OR_FOLDER",
              help="With encryption: publish the sealed portfolios here, for a host name of their own, "
                   "instead of in the branch's portfolios folder: a branch (at its root), or a folder (a "
                   "path starting with / ./ or ../), whose pairs and review folders are replaced.")
@click.option("-v", "--verbose", is_flag=True, help="Also show the output of the build, mike and git.")
def publish(version: str, aliases: tuple[str, ...], config_file: Path, branch: str, no_default: bool,
            push: bool, portfolios_to: str | None, verbose: bool) -> None:
    """Publish the handbook as edition VERSION with mike (the root redirects to the first alias).

    With encryption enabled, the sealed portfolios and reviewer site are published too, in
    the branch's portfolios folder beside the editions (the one they had there is replaced).
    --portfolios-to puts them on their own instead (set handbook_url to the handbook's
    address then, so that their links reach it). Needs the program in a git repository with
    at least one commit (and a remote named origin for --push); what is missing is said in
    one line. Publishing an edition again as it is changes nothing.
    """
    from mentorsite.site.commands import settings_of  # noqa: PLC0415 - loads MkDocs
    from mentorsite.site.publishing import PublishError, publish_edition  # noqa: PLC0415

    def shown(output: str) -> None:
        if verbose and output.strip():
            click.echo(output.rstrip("\n"), err=True)

    with _running_engine():
        # Each edition's build reads it again, once it is known to be usable.
        settings = settings_of(_usable_config(config_file))
    if settings.engine == "zensical":
        click.echo("Note: the plugin's engine is zensical; editions are built and published with MkDocs "
                   "(publishing with Zensical is not supported yet)", err=True)
    sealed_dir = settings.sealed_dir() if settings.encryption.enabled else None
    target = _portfolios_target(settings, portfolios_to) if portfolios_to is not None else None
    if sealed_dir is not None and target is None and not sealed_dir.resolve().is_relative_to(
            settings.folders.site_dir.resolve()):
        # Set apart for a host name of their own: the build's check of the handbook's scripts
        # (encryption.shared_origin) did not run, so they are not put on the handbook's.
        raise click.ClickException(
            "cannot publish the portfolios beside the editions: encryption.output_dir is outside site_dir, "
            "for a host name of their own; name where they go with --portfolios-to BRANCH_OR_FOLDER, or "
            "leave output_dir unset to publish them in the deploy branch's portfolios folder")
    try:
        changed = publish_edition(config_file, version, list(aliases), branch=branch,
                                  set_default=not no_default, push=push, sealed_dir=sealed_dir,
                                  portfolios_to=target, shown=shown)
    except PublishError as error:
        for line in error.details:
            click.echo(line, err=True)
        raise click.ClickException(str(error)) from None
    named = f" as {', '.join(aliases)}" if aliases else ""
    if changed:
        click.echo(f"Published edition {version}{named} on {branch}.")
    else:
        click.echo(f"Edition {version}{named} is already published as it is on {branch}.")
    if target is not None and changed:
        click.echo(f"Published the sealed portfolios {'on' if target.branch else 'into'} {portfolios_to}.")
    if push:
        pushed = f"{branch} and {target.branch}" if target is not None and target.branch else branch
        click.echo(f"Pushed {pushed} to origin.")


def _portfolios_target(settings: Settings, value: str) -> PortfoliosTarget:
    """``--portfolios-to``: where the sealed portfolios go; refused when nothing is sealed, or
    when the folder is the program's or one of its own."""
    from mentorsite.site.sealed_publishing import portfolios_target, refused_folder  # noqa: PLC0415

    if not settings.encryption.enabled:
        raise click.ClickException("--portfolios-to publishes the sealed portfolios, and encryption is "
                                   "not enabled: enable it (encryption: enabled: true), or leave it out")
    target = portfolios_target(value)
    kept_apart = [("private_dir", settings.private_dir), *settings.public_folders()]
    why = refused_folder(target.folder, settings.root, kept_apart) if target.folder is not None else None
    if why:
        raise click.ClickException(f"cannot publish the portfolios into {value}: {why}")
    if settings.handbook_url.startswith("/") and not settings.handbook_url.startswith("//"):
        click.echo(f"Warning: the portfolios link to the handbook at {settings.handbook_url} on their "
                   "own host name; set handbook_url to the handbook's address (https://HOST/{version}/) "
                   "so that their links reach it.", err=True)
    return target
