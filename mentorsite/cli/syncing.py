"""Pairs kept in repositories of their own: `pairs sync`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from mentorsite.cli.base import CONFIG_OPTION, _holding_build_lock, _load_config, _running_engine, main


@main.group()
def pairs() -> None:
    """Pairs kept in repositories of their own (the pair_sources setting)."""


@pairs.command("sync")
@click.option("--reset", "reset", multiple=True, metavar="NAME",
              help="Take the remote's state for the checkout pair-sources/NAME, discarding its own commits "
                   "and changes (as after a pair rewrote its history); says what it discarded. Repeatable.")
@CONFIG_OPTION
def pairs_sync(reset: tuple[str, ...], config_file: Path) -> None:
    """Clone or update the git entries of pair_sources into pair-sources/; exit 1 if one could not be.

    Git uses the credentials it already has and never asks for one. A checkout with changes
    or commits of its own is left as it is, unless named by --reset. Until a sync brings a
    pair up to date, builds keep its last portfolio and withdraw its review edition. A folder
    a pattern matched before and matches no more is forgotten: a build no longer keeps its
    pair's portfolios for it.
    """
    from mentorsite.reading.pair_sources import CHECKOUTS_FOLDER, forget_gone  # noqa: PLC0415
    from mentorsite.reading.pair_sync import sync  # noqa: PLC0415
    from mentorsite.site import commands  # noqa: PLC0415 - loads MkDocs

    try:
        with _running_engine():
            settings = commands.settings_of(_load_config(config_file))
    except click.ClickException as error:  # no site is built here: say what was not done
        raise click.ClickException(error.message.replace("; the site was not built", "; nothing was synced")
                                   ) from None
    names = {entry.name for entry in settings.pair_sources if entry.git is not None}
    unknown = sorted(set(reset) - names)
    if unknown:
        known = ", ".join(sorted(str(name) for name in names)) or "none"
        raise click.UsageError(f"--reset {', '.join(unknown)}: no git entry of pair_sources has that "
                               f"checkout name (they are: {known})")
    with _holding_build_lock(settings, "sync the pair sources"):  # no build reads a checkout half updated
        outcomes = sync(settings.pair_sources, settings.root, reset=frozenset(reset))
        forgotten = forget_gone(settings.pair_sources, settings.root)
    for folder, pair_id in forgotten:
        click.echo(f"{folder}: gone, so pair {pair_id} is forgotten there; builds no longer keep its "
                   "portfolios for it")
    if not any(entry.git is not None for entry in settings.pair_sources):
        click.echo("pair_sources in mkdocs.yml names no git entry to clone or update.", err=True)
    for outcome in outcomes:
        where = f"{CHECKOUTS_FOLDER}/{outcome.folder.name}"
        if outcome.failure is None:
            click.echo(f"{where}: {outcome.done}")
        else:
            click.echo(f"{where}: not updated: {outcome.failure}", err=True)
    failed = [outcome for outcome in outcomes if outcome.failure is not None]
    if failed:
        click.echo(f"{len(failed)} of {len(outcomes)} pair sources not updated; builds keep their pairs' "
                   "last portfolios and withdraw their review editions until a sync succeeds.", err=True)
        sys.exit(1)
