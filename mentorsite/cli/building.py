"""Checking and building: `check`, `build`, `bench`, `serve`, `export`."""

from __future__ import annotations

import errno
import json
import sys
from contextlib import nullcontext
from dataclasses import asdict, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mentorsite.cli.base import (
    CONFIG_OPTION,
    _edition,
    _holding_build_lock,
    _load_config,
    _loaded_config,
    _running_engine,
    _shown,
    _usable_config,
    main,
    owns_process,
)

if TYPE_CHECKING:  # each command imports what it uses when it runs: a command's help loads none of it
    from mentorsite.checking.program import CheckedProgram
    from mentorsite.model.diagnostics import Diagnostic
    from mentorsite.session.settings import Settings

# Checking and building ---------------------------------------------------------------


@main.command()
@CONFIG_OPTION
@click.option("--content", type=click.Path(path_type=Path, file_okay=False),
              help="The content folder, instead of the one mkdocs.yml names.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Plain lines, or a JSON list for tools.")
@click.option("--practices", is_flag=True,
              help="Also report, as warnings, where a pair's records fall short of the practice checks the "
                   "handbook's guidelines name.")
def check(config_file: Path, content: Path | None, output_format: str, practices: bool) -> None:
    """Print every problem in the records; exit 1 if any is an error.

    In a pair's own repository (mentorsite-pair.yml, and no mkdocs.yml), that pair's records,
    and the guidelines and handbook edition they name against the published handbook.
    """
    from mentorsite.cli.inside_pair import check_pair, pair_repository_of  # noqa: PLC0415

    pair_folder = pair_repository_of(config_file) if content is None else None
    if pair_folder is not None:
        return check_pair(pair_folder, output_format, practices)
    from mentorsite.insights.scorecards import PracticeSettings, practice_findings  # noqa: PLC0415
    from mentorsite.model.diagnostics import sort_diagnostics, summarize  # noqa: PLC0415

    with _running_engine():
        checked, settings, diagnostics = _checked_program(config_file, content)
    diagnostics = [*diagnostics, *checked.diagnostics]
    if practices:
        as_of = settings.as_of if settings is not None else _as_of(None)
        thresholds = settings.practices if settings is not None else PracticeSettings()
        diagnostics += practice_findings(checked, thresholds, as_of)
        click.echo(f"Practice checks as of {as_of}.", err=True)
    diagnostics = sort_diagnostics(diagnostics)
    if output_format == "json":
        click.echo(json.dumps([asdict(d) for d in diagnostics], indent=2))
    else:
        for diagnostic in diagnostics:
            click.echo(str(diagnostic))
        click.echo(f"{summarize(diagnostics)}.", err=True)
    sys.exit(1 if any(d.is_error for d in diagnostics) else 0)


def _checked_program(config_file: Path, content: Path | None) -> tuple[
        CheckedProgram, Settings | None, list[Diagnostic]]:
    """The program checked as a build checks it, with the settings' problems (each at its line).

    With ``content`` (another content folder), the records there are checked with the
    settings of mkdocs.yml, if there is one, and the plugin's default places beside them.
    """
    from mentorsite.checking.program import read_program  # noqa: PLC0415
    from mentorsite.reading.loading import ProgramPlaces  # noqa: PLC0415
    from mentorsite.session.opening import SessionError, open_session  # noqa: PLC0415
    from mentorsite.site.commands import options_of, settings_and_places  # noqa: PLC0415 - loads MkDocs

    config = _loaded_config(config_file) if content is None or config_file.exists() else None
    if config is None or options_of(config) is None:
        content_dir = content or config_file.parent / "content"
        editions = _editions(config_file) if config is not None else None
        return read_program(content_dir, Path.cwd(), editions=editions), None, []
    settings, problems, places = settings_and_places(config)
    if content is not None:
        settings = replace(settings, content_dir=content.resolve(), cache=False)
        places = ProgramPlaces.defaults(content)
    elif any(d.is_error for d in problems):
        settings = replace(settings, cache=False)  # nothing is written for a program that cannot be built
    try:
        session = open_session(settings, places, version=None, seal=False, shown_from=Path.cwd())
    except SessionError as error:
        raise click.ClickException(str(error)) from None
    return session.checked, settings, problems


def _editions(config_file: Path) -> list[str] | None:
    """Published handbook editions and aliases, when the deploy branch exists."""
    from mentorsite.reading.deploy_branch import PublishedError, read_published  # noqa: PLC0415

    try:
        published = read_published(config_file.resolve().parent, "gh-pages")
    except PublishedError as error:
        raise click.ClickException(str(error)) from None
    return published.names() if published else None


def _as_of(setting: object) -> date:
    from mentorsite.session.settings import resolve_as_of  # noqa: PLC0415

    try:
        return resolve_as_of(setting if isinstance(setting, str | date) else None)
    except ValueError as error:
        raise click.ClickException(f"as_of: {error}") from None


class BarProgress:
    """A progress bar of the portfolios, for a terminal."""

    def __init__(self) -> None:
        self.bar: Any = None

    def start(self, total: int) -> None:
        self.bar = click.progressbar(length=total, label="Portfolios", file=sys.stderr, show_pos=True,
                                     item_show_func=lambda item: item)
        self.bar.__enter__()

    def advance(self, pair_id: str, outcome: str) -> None:
        self.bar.update(1, pair_id if outcome == "built" else f"{pair_id} ({outcome})")

    def finish(self) -> None:
        self.bar.__exit__(None, None, None)


class LineProgress:
    """A plain line per portfolio, for logs."""

    def __init__(self) -> None:
        self.total = self.done = 0

    def start(self, total: int) -> None:
        self.total = total

    def advance(self, pair_id: str, outcome: str) -> None:
        self.done += 1
        if outcome == "up to date":
            return  # one line per portfolio built or kept, not per portfolio left as it was
        shown = "built" if outcome == "built" else "not built, previous pair edition kept"
        click.echo(f"portfolio {self.done}/{self.total}: {pair_id} {shown}", err=True)

    def finish(self) -> None:
        pass


def _shard(context: click.Context, parameter: click.Parameter, value: str | None) -> Any:
    from mentorsite.site.commands import parse_shard  # noqa: PLC0415 - loads MkDocs

    if value is None:
        return None
    try:
        return parse_shard(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@main.command()
@CONFIG_OPTION
@click.option("--pair", "pair_id", metavar="ID", help="Build only this pair's portfolio (both editions).")
@click.option("--shard", metavar="K/N", callback=_shard,
              help="Build only the portfolios of share K of N of the pairs (a stable split by pair id), for "
                   "one machine of N; a later whole build adds the handbook, reviewer index and report.")
@click.option("-j", "--jobs", type=click.IntRange(min=0),
              help="Worker processes for the portfolios; 0 means one per processor [default: the "
                   "plugin's jobs option, else one per processor].")
@click.option("--no-cache", is_flag=True,
              help="Read every record and build every portfolio, as if nothing had been built before.")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("--wait", is_flag=True,
              help="When another build of the program is running, wait for it to end instead of stopping.")
@click.option("--engine", type=click.Choice(["mkdocs", "zensical"]),
              help="What builds the handbook's pages [default: the plugin's engine option, else mkdocs]; "
                   "the portfolios, reviewer site and report are built by mentorsite either way.")
def build(config_file: Path, pair_id: str | None, shard: Any, jobs: int | None, no_cache: bool,
          strict: bool, wait: bool, engine: str | None) -> None:
    """Build the handbook into the site folder, then the portfolios, the reviewer site and the report.

    A portfolio whose records, templates and settings are unchanged since it was last built
    is not built again; nor is a record file read again whose bytes are unchanged. One
    build of a program runs at a time; the site is swapped in whole when it is complete.
    """
    from mentorsite.reading.caching import held_for_the_process, paused_gc  # noqa: PLC0415

    if pair_id is not None and shard is not None:
        raise click.UsageError("give --pair or --shard, not both")
    with _running_engine(), held_for_the_process() if owns_process() else nullcontext():
        with paused_gc(hold=True):  # the modules and the configuration live as long as the build
            from mentorsite.site import commands  # noqa: PLC0415 - loads MkDocs

            config = _load_config(config_file, strict=strict or None)
        commands.set_options(config, jobs=jobs, cache=False if no_cache else None, engine=engine)
        settings = commands.settings_of(config)
        progress = BarProgress() if sys.stderr.isatty() else LineProgress()
        with _holding_build_lock(settings, "build", wait=wait):
            if pair_id is None and shard is None and settings.engine == "zensical":
                from mentorsite.site.zensical_build import build_with_zensical  # noqa: PLC0415

                build_with_zensical(config, progress=progress)
            else:
                commands.build(config, pair_id=pair_id, shard=shard, progress=progress)


@main.command()
@click.option("--pairs", type=click.IntRange(min=1), default=60, show_default=True,
              help="Pairs in the synthetic program.")
@click.option("--sessions", type=click.IntRange(min=1), default=12, show_default=True,
              help="Session notes per pair.")
@click.option("--guidelines", type=click.IntRange(min=1), default=100, show_default=True,
              help="Guidelines in its handbook.")
@click.option("-j", "--jobs", type=click.IntRange(min=1),
              help="Worker processes [default: one per processor].")
@click.option("--scale", type=click.IntRange(min=0), default=200, show_default=True,
              help="Also measure a program of this many pairs (its rebuilds side by side with plain MkDocs "
                   "too), to see how time and memory grow; 0 to skip.")
@click.option("--runs", type=click.IntRange(min=1), default=3, show_default=True,
              help="Times each rebuild is measured; the median is compared.")
@click.option("--naive/--no-naive", default=True, show_default=True,
              help="Also build the same portfolios the naive way: one `mkdocs build` per pair (of the "
                   "larger program, unless --scale is 0).")
@click.option("--workdir", type=click.Path(path_type=Path, file_okay=False),
              help="Where to write the programs [default: a temporary folder, removed afterwards].")
def bench(pairs: int, sessions: int, guidelines: int, jobs: int | None, scale: int, runs: int, naive: bool,
          workdir: Path | None) -> None:
    """Measure builds of a synthetic program: cold, unchanged, one edit, parallel, preview, plain MkDocs,
    naive, larger."""
    import os  # noqa: PLC0415
    import tempfile  # noqa: PLC0415

    from mentorsite.dev.benchmark import run_benchmark  # noqa: PLC0415
    from mentorsite.dev.synthetic import ProgramSize  # noqa: PLC0415

    size = ProgramSize(pairs, sessions, guidelines)
    workers = jobs or os.cpu_count() or 1
    try:
        if workdir is not None:
            run_benchmark(workdir, size, jobs=workers, scale=scale or None, naive=naive, runs=runs)
        else:
            with tempfile.TemporaryDirectory(prefix="mentorsite-bench-") as folder:
                run_benchmark(Path(folder), size, jobs=workers, scale=scale or None, naive=naive, runs=runs)
    except RuntimeError as error:
        raise click.ClickException(str(error)) from None


EDITION_OPTION = click.option("--edition", type=click.Choice(["pair", "review"]), default="pair",
                              show_default=True, help="The pair's own edition, or what reviewers see.")


@main.command()
@CONFIG_OPTION
@click.option("--pair", "pair_id", metavar="ID",
              help="Preview this pair's portfolio instead of the handbook.")
@EDITION_OPTION
@click.option("-a", "--dev-addr", default="127.0.0.1:8000", show_default=True, metavar="IP:PORT",
              help="Where to serve.")
@click.option("-o", "--open", "open_in_browser", is_flag=True, help="Open the preview in a browser.")
def serve(config_file: Path, pair_id: str | None, edition: str, dev_addr: str, open_in_browser: bool) -> None:
    """Preview the handbook, or one pair's portfolio, rebuilt and reloaded when a record changes.

    In a pair's own repository, that pair's portfolio, linking to the published handbook.
    """
    from mentorsite.cli.inside_pair import program_around  # noqa: PLC0415
    from mentorsite.site.commands import serve_handbook  # noqa: PLC0415 - loads MkDocs
    from mentorsite.site.preview import serve_pair  # noqa: PLC0415

    host, _, port = dev_addr.rpartition(":")
    if not host or not port.isdigit():
        raise click.BadParameter(f"expected IP:PORT, got '{dev_addr}'", param_hint="'--dev-addr'")
    if not 0 < int(port) < 65536:
        raise click.BadParameter(f"expected a port from 1 to 65535, got {port}", param_hint="'--dev-addr'")
    with _running_engine(), program_around(config_file, pair_id) as (program_file, shown_pair):
        try:
            if shown_pair is None:
                _usable_config(program_file)  # MkDocs reads it again, once it is known to be usable
                serve_handbook(program_file, dev_addr, open_in_browser)
            else:
                serve_pair(program_file, shown_pair, _edition(edition), host, int(port), open_in_browser)
        except OSError as error:
            if error.errno not in (errno.EADDRINUSE, errno.EADDRNOTAVAIL):
                raise  # a fault of a file: told with its path
            why = "the address is in use" if error.errno == errno.EADDRINUSE else \
                "this machine has no such address"
            raise click.ClickException(f"cannot serve on {dev_addr}: {why}; choose another with -a") from None


@main.command()
@click.argument("pair_id", metavar="PAIR")
@EDITION_OPTION
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="The zip file to write [default: exports/PAIR-EDITION.zip in the private folder].")
@CONFIG_OPTION
def export(pair_id: str, edition: str, output: Path | None, config_file: Path) -> None:
    """Write one pair's portfolio as a zip that works when unzipped and served.

    The zip is readable by you only; a warning says when git would track it where it is.
    """
    from mentorsite.site.preview import export_pair  # noqa: PLC0415

    with _running_engine():
        written = export_pair(config_file, pair_id, _edition(edition), output)
    shown = _shown(written.path)
    click.echo(f"Wrote {shown}: the {edition} edition of {pair_id}, {written.files} files.")
    if written.tracked:
        click.echo(f"Warning: expected the export where git ignores it, got {shown}, which git would track "
                   "(one 'git add' commits a private portfolio): ignore it in .gitignore, or write it "
                   "elsewhere with -o", err=True)


