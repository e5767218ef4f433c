"""The commands inside a pair's own repository: `init --pair`, `check`, `new` and `serve` there.

A folder is a pair's repository when it holds ``mentorsite-pair.yml``. `check`, `new` and
`serve` work there when run in it (with no mkdocs.yml there), or with ``-f`` naming the pair's
``mentorsite-pair.yml``. This module adds no command of its own: the commands call it (`new`
writes through ``cli.authoring.PairWorkspace``).
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from mentorsite.checking.single_pair import CheckedPairRepository

PAIR_CONFIG = "mentorsite-pair.yml"  # the same as mentorsite.reading.pair_repository's, without importing it


def pair_repository_of(config_file: Path) -> Path | None:
    """The pair repository a command is pointed at, or None when it is pointed at a program.

    ``-f`` naming a pair's configuration points at its folder; otherwise a folder with no
    mkdocs.yml where the configuration is, and with a pair's configuration, is one. Run
    without ``-f`` in a folder of a pair's repository (such as ``sessions/``), the folders
    above are looked at up to a program's folder or the top of a git repository.
    """
    from mentorsite.reading.pair_repository import is_pair_repository  # noqa: PLC0415

    if config_file.name == PAIR_CONFIG:
        return config_file.parent if is_pair_repository(config_file.parent) else None
    if config_file.exists():
        return None
    if config_file.parent != Path():
        return config_file.parent if is_pair_repository(config_file.parent) else None
    start = Path.cwd()
    for folder in (start, *start.parents):  # run in a folder of the repository, such as sessions/
        if is_pair_repository(folder):
            return config_file.parent if folder == start else folder
        if (folder / config_file.name).exists() or (folder / ".git").exists():
            return None  # a program's folder, or the top of a repository that is no pair's
    return None


def init_pair(directory: Path, pair_id: str, handbook: str | None, mentor: str | None, mentee: str | None,
              start_git: bool) -> None:
    """Start the pair repository of ``pair_id`` in ``directory`` (new or empty)."""
    from mentorsite.authoring.drafts import DraftError  # noqa: PLC0415
    from mentorsite.authoring.pair_starter import (  # noqa: PLC0415
        MENTEE_PLACEHOLDER,
        MENTOR_PLACEHOLDER,
        pair_repository_files,
    )
    from mentorsite.authoring.starter import RepositoryError, start_repository  # noqa: PLC0415
    from mentorsite.files.failures import describe  # noqa: PLC0415
    from mentorsite.model.records import SLUG_PATTERN, Person  # noqa: PLC0415
    from mentorsite.pages.rendering import create_environment  # noqa: PLC0415
    from mentorsite.reading.pair_repository import RESERVED_PAIR_IDS  # noqa: PLC0415
    from mentorsite.reading.web_fetch import address_problem  # noqa: PLC0415

    if not SLUG_PATTERN.fullmatch(pair_id) or pair_id in RESERVED_PAIR_IDS:
        raise click.BadParameter(f"expected a pair id of a-z, 0-9 and single '-' (like 'lena-marcus'), "
                                 f"other than {', '.join(RESERVED_PAIR_IDS)}, got '{pair_id}'",
                                 param_hint="'--pair'")
    refused = address_problem(handbook) if handbook is not None else None
    if refused is not None:
        raise click.BadParameter(refused[1], param_hint="'--handbook'")
    if directory.exists() and any(directory.iterdir()):
        raise click.ClickException(f"{directory} is not empty; init starts a pair's repository in a new or "
                                   "empty folder")
    if start_git and shutil.which("git") is None:
        raise click.ClickException("git is not installed (or not on PATH); install it, or run init without "
                                   "--git")
    people = Person(name=mentor or MENTOR_PLACEHOLDER), Person(name=mentee or MENTEE_PLACEHOLDER)
    try:
        files = pair_repository_files(directory, create_environment(), pair_id, handbook, *people,
                                      date.today())
    except DraftError as error:
        raise click.ClickException(str(error)) from None
    existed = directory.exists()
    try:
        for path, text in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            if path.suffix == ".sh":
                path.chmod(0o755)
        if start_git:  # git's user is asked in the new repository: its own settings, not those of the cwd
            start_repository(directory)
    except (RepositoryError, OSError) as error:
        _remove_started(directory, existed)  # never a half-made repository
        said = str(error) if isinstance(error, RepositoryError) else describe(error)
        raise click.ClickException(said) from None
    click.echo(f"Started the repository of the pair {pair_id} in {directory}: {len(files)} files.")
    if mentor is None or mentee is None:
        click.echo("Write the mentor's and the mentee's names into pair.yml.")
    if handbook is None:
        click.echo(f"Name the program's published handbook in {PAIR_CONFIG} (handbook:), so that the "
                   "guidelines the records name are checked.")
    if start_git:
        click.echo(f"Started a git repository in {directory} with every file in a first commit.")
    click.echo(f"Next: cd {directory} && mentorsite new agreement   (then mentorsite check)")


def _remove_started(directory: Path, existed: bool) -> None:
    """Remove what init wrote into ``directory`` (new, or empty before), and the folder if it made it."""
    if not existed:
        shutil.rmtree(directory, ignore_errors=True)
        return
    for child in directory.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def check_pair(folder: Path, output_format: str, practices: bool) -> None:
    """`mentorsite check` in a pair's repository: print every problem, exit 1 if any is an error."""
    from mentorsite.checking.single_pair import check_pair_repository  # noqa: PLC0415
    from mentorsite.model.diagnostics import summarize  # noqa: PLC0415

    if practices:
        raise click.UsageError("--practices needs the program's handbook and records; run it in the program")
    checked = check_pair_repository(folder)
    _say_where_the_handbook_came_from(checked)
    if output_format == "json":
        click.echo(json.dumps([asdict(d) for d in checked.diagnostics], indent=2))
    else:
        for diagnostic in checked.diagnostics:
            click.echo(str(diagnostic))
        click.echo(f"{summarize(checked.diagnostics)}.", err=True)
    sys.exit(1 if checked.errors else 0)


def _say_where_the_handbook_came_from(checked: CheckedPairRepository) -> None:
    handbook = checked.handbook
    if handbook is not None and handbook.usable and handbook.fetched_at is not None:
        now = "could not be used now" if handbook.answered else "could not be reached"
        click.echo(f"The handbook at {handbook.location} {now} ({handbook.reason}); checked against the copy "
                   f"fetched {handbook.fetched_at}.", err=True)


@contextmanager
def program_around(config_file: Path, pair_id: str | None) -> Iterator[tuple[Path, str | None]]:
    """For `serve`: in a pair's repository, a program around it (in a private scratch folder) and
    the pair's id, for as long as the preview runs; elsewhere, ``config_file`` and ``pair_id`` as given.

    The portfolio links to the published handbook that ``mentorsite-pair.yml`` names.
    """
    folder = pair_repository_of(config_file)
    if folder is None:
        yield config_file, pair_id
        return
    from mentorsite.authoring.pair_starter import preview_program  # noqa: PLC0415
    from mentorsite.checking.single_pair import version_named  # noqa: PLC0415
    from mentorsite.reading.handbook_fetch import CACHE_FOLDER, read_handbook  # noqa: PLC0415
    from mentorsite.reading.pair_repository import read_pair_config  # noqa: PLC0415

    config, problems = read_pair_config(folder / PAIR_CONFIG)
    if config is None:
        for diagnostic in problems:
            click.echo(str(diagnostic), err=True)
        raise click.ClickException(f"{PAIR_CONFIG} has errors; fix them first")
    if pair_id is not None and pair_id != config.pair:
        raise click.ClickException(f"this is the repository of the pair {config.pair}, not of {pair_id}")
    handbook = None
    if config.handbook is not None:
        handbook = read_handbook(config.handbook, folder, version_named(folder), folder / CACHE_FOLDER)
        if not handbook.usable:
            now = "could not be reached" if not handbook.reachable else "cannot be used"
            click.echo(f"The handbook at {handbook.location} {now} ({handbook.reason}); the preview names no "
                       "guidelines.", err=True)
    with tempfile.TemporaryDirectory(prefix="mentorsite-pair-preview-") as scratch:
        yield preview_program(Path(scratch), folder, config.pair, handbook), config.pair
