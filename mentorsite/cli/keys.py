"""The passphrases of the encrypted portfolios: `keys list`, `keys rotate`, `keys folder-secret`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from mentorsite.cli.base import (
    CONFIG_OPTION,
    _holding_build_lock,
    _load_config,
    _running_engine,
    _shown,
    main,
)

# Encrypted portfolios ----------------------------------------------------------------


@main.group()
def keys() -> None:
    """Passphrases of the encrypted portfolios: where each comes from, and changing one."""


def _keys_file_of(config_file: Path) -> Path:
    """The keys file of a program with encryption on, checked where it is, before the program is read."""
    from mentorsite.site.commands import keys_file_of  # noqa: PLC0415 - loads MkDocs

    return keys_file_of(config_file)


@keys.command("list")
@CONFIG_OPTION
def keys_list(config_file: Path) -> None:
    """Where each encrypted portfolio is and where its passphrase comes from (never the passphrase)."""
    with _running_engine():
        from mentorsite.site.commands import sealing_program  # noqa: PLC0415 - loads MkDocs

        program = sealing_program(config_file)
        encryption = program.session.encryption
        assert encryption is not None  # sealing_program refuses a program without encryption
        rows = [(pair_id, program.sealed_folder(pair_id), encryption.keyring.source(pair_id))
                for pair_id in sorted(program.session.checked.pair_folders)]
        rows.append(("(reviewers)", program.sealed_folder(None), encryption.keyring.source(None)))
    width = max(len(name) for name, _, _ in rows)
    for name, folder, source in rows:
        where = _shown(folder) if folder else "not encrypted: no passphrase"
        click.echo(f"{name:<{width}}  {where}  [passphrase: {source}]")




@keys.command("rotate")
@click.argument("pair_id", metavar="[PAIR]", required=False)
@click.option("--review", is_flag=True, help="Change the reviewer site's passphrase instead of a pair's.")
@click.option("--passphrase-stdin", "from_stdin", is_flag=True,
              help="Read the new passphrase from standard input instead of generating one.")
@CONFIG_OPTION
def keys_rotate(pair_id: str | None, review: bool, from_stdin: bool, config_file: Path) -> None:
    """Give PAIR a new passphrase in the keys file and re-encrypt its portfolio under it.

    The new passphrase is generated (or read from standard input) and written to the keys
    file, never printed; the portfolio moves to a new folder, and the old one is removed.
    """
    import os  # noqa: PLC0415

    from mentorsite.vault.keyring import add_folder_secret  # noqa: PLC0415
    from mentorsite.vault.passphrases import new_passphrase, passphrase_problem  # noqa: PLC0415

    if (pair_id is None) == (not review):
        raise click.UsageError("name a PAIR, or give --review for the reviewer site")
    passphrase = sys.stdin.readline().strip() if from_stdin else new_passphrase()
    weak = passphrase_problem(passphrase)
    if weak:
        raise click.ClickException(weak)
    from mentorsite.site import commands  # noqa: PLC0415 - loads MkDocs

    with _running_engine():
        settings = commands.settings_of(_load_config(config_file))
        with _holding_build_lock(settings, "rotate a passphrase"):
            added = add_folder_secret(_keys_file_of(config_file), os.environ)
            program = commands.sealing_program(config_file, replacing=(pair_id,))
            folder = program.rotate(pair_id, passphrase, whole=added)
    who = pair_id or "The reviewer site"
    keys_file = program.settings.keys_file()
    if added:
        click.echo(f"Added a folder secret to {keys_file}: every pair's encrypted portfolio moved "
                   "to a new folder, and the old folders were removed (mentorsite keys list shows them).")
    click.echo(f"{who}: new passphrase written to {keys_file}; encrypted again in {_shown(folder)}")


@keys.command("folder-secret")
@click.option("--replace", is_flag=True, help="Replace the keys file's folder secret (every folder moves).")
@CONFIG_OPTION
def keys_folder_secret(replace: bool, config_file: Path) -> None:
    """Write a new random folder secret into the keys file; it is never printed.

    The folder secret names the pairs' encrypted folders: without it, a folder name tests
    no passphrase guess. A new one moves every pair's encrypted portfolio to a new folder
    at the next build, which removes the old folders; tell each pair its new address.
    """
    import os  # noqa: PLC0415

    from mentorsite.vault.keyring import KeysError, has_folder_secret, write_folder_secret  # noqa: PLC0415
    from mentorsite.vault.passphrases import SECRET_VARIABLE, new_folder_secret  # noqa: PLC0415

    if os.environ.get(SECRET_VARIABLE):
        raise click.ClickException(f"the folder secret comes from the environment ({SECRET_VARIABLE}), which "
                                   "overrides the keys file; change it there")
    with _running_engine():
        keys_file = _keys_file_of(config_file)
    try:
        if has_folder_secret(keys_file, os.environ) and not replace:
            raise click.ClickException(f"the keys file ({keys_file}) has a folder secret already; --replace "
                                       "writes a new one, and every encrypted folder moves at the next build")
        write_folder_secret(keys_file, new_folder_secret())
    except KeysError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Wrote a new folder secret to {keys_file}. The next mentorsite build encrypts every pair's "
               "portfolio in a new folder and removes the old ones; mentorsite keys list shows the new ones.")


