"""The `mentorsite` command: a thin edge over the library, turning results into exit codes."""

from __future__ import annotations

import errno
import json
import logging
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from jinja2 import Environment

from mentorsite import __version__
from mentorsite.authoring.drafts import (
    Draft,
    DraftError,
    DraftPlace,
    draft_agreement,
    draft_checkin,
    draft_closing,
    draft_goal,
    draft_pair,
    draft_session,
)
from mentorsite.authoring.starter import starter_files
from mentorsite.checking.program import read_program
from mentorsite.checking.references import describe_unknown
from mentorsite.files.failures import BUILD_OUTPUTS, as_os_error, describe
from mentorsite.insights.scorecards import PracticeSettings, practice_findings
from mentorsite.model.diagnostics import sort_diagnostics, summarize
from mentorsite.model.editions import Edition
from mentorsite.model.records import (
    EARLIEST_DATE,
    LATEST_DATE,
    MAX_EVERY,
    MINUTES_IN_A_DAY,
    SLUG_PATTERN,
    Cadence,
    PairRecords,
    Person,
)
from mentorsite.model.schemas import SCHEMAS_FOLDER, write_schemas
from mentorsite.pages.rendering import create_environment
from mentorsite.reading.caching import RecordCache
from mentorsite.reading.config_file import ConfigFileError, load_config_file
from mentorsite.site.publishing import PublishedError, read_published

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

    from mentorsite.site.plugin import MentorsitePlugin

DEFAULT_CONFIG = "mkdocs.yml"


class _Day(click.DateTime):
    """A day YYYY-MM-DD within the dates a record may hold."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        converted = super().convert(value, param, ctx)
        if not EARLIEST_DATE <= converted.date() <= LATEST_DATE:
            shown = converted.date()
            self.fail(f"expected a date from {EARLIEST_DATE} to {LATEST_DATE}, got {shown}", param, ctx)
        return converted


DAY = _Day(formats=["%Y-%m-%d"])
DATE = "YYYY-MM-DD"


def _plugin_settings(config_file: Path, optional: bool = False) -> dict[str, object]:
    """The mentorsite plugin's settings in mkdocs.yml (empty without the plugin, or without the file if
    ``optional``)."""
    if optional and not config_file.exists():
        return {}
    plugin = _loaded_config(config_file).plugins.get("mentorsite")
    return dict(plugin.config) if plugin is not None else {}


@cache
def _loaded_config(config_file: Path) -> MkDocsConfig:
    """mkdocs.yml, loaded once per command."""
    return _load_config(config_file)


def _load_config(config_file: Path, strict: bool | None = None) -> MkDocsConfig:
    """mkdocs.yml, read within bounds, then loaded by MkDocs; every problem a located message.

    The preview and the export load it the same way (``mentorsite.reading.config_file``).
    """
    from mkdocs.config import load_config  # noqa: PLC0415 - only when a config is used
    from mkdocs.exceptions import Abort, ConfigurationError  # noqa: PLC0415

    from mentorsite.site.preview import plugin_settings  # noqa: PLC0415
    from mentorsite.vault.crypto import ITERATIONS  # noqa: PLC0415

    return load_config_file(config_file, lambda path: load_config(path, strict=strict),
                            (Abort, ConfigurationError), plugin_settings, ITERATIONS)


def _record_cache(config_file: Path) -> RecordCache | None:
    """The build's cache of parsed records, when mkdocs.yml lists the plugin with its cache on."""
    loaded = _loaded_config(config_file)
    if loaded.plugins.get("mentorsite") is None:
        return None
    from mkdocs.exceptions import PluginError  # noqa: PLC0415

    from mentorsite.site.plugin import MentorsitePlugin  # noqa: PLC0415

    try:
        return MentorsitePlugin.of(loaded).record_cache(loaded)
    except PluginError as error:
        raise click.ClickException(str(error)) from None


def _editions(config_file: Path, settings: dict[str, object]) -> list[str] | None:
    """Published handbook editions and aliases, when the deploy branch exists."""
    try:
        branch = str(settings.get("deploy_branch", "gh-pages"))
        published = read_published(config_file.resolve().parent, branch)
    except PublishedError as error:
        raise click.ClickException(str(error)) from None
    return published.names() if published else None


PROGRAM_ROOT = "mentorsite.program_root"  # in the context's meta: the folder paths in messages are shown from


def _remember_program(context: click.Context, parameter: click.Parameter, value: Path) -> Path:
    context.meta[PROGRAM_ROOT] = Path(value).absolute().parent
    return value


CONFIG_OPTION = click.option("-f", "--config-file", type=click.Path(path_type=Path, dir_okay=False),
                             default=DEFAULT_CONFIG, show_default=True, help="The program's mkdocs.yml.",
                             callback=_remember_program)


@contextmanager
def _running_mkdocs() -> Iterator[None]:
    """Show MkDocs' log, and turn its errors into a message and exit code 1."""
    from mkdocs.exceptions import Abort, ConfigurationError, PluginError  # noqa: PLC0415

    logging.basicConfig(format="%(levelname)-7s -  %(message)s", level=logging.INFO)
    try:
        yield
    except (Abort, ConfigurationError, PluginError) as error:
        raise click.ClickException(str(error)) from None


def _edition(name: str) -> Edition:
    return "review" if name == "review" else "pair"


DEBUG_VARIABLE = "MENTORSITE_DEBUG"
INTERNAL_ERROR = 70  # EX_SOFTWARE: a bug in mentorsite, not in the program or the machine
INTERRUPTED = 130  # 128 + SIGINT, as shells report a command stopped by Ctrl-C
SWAPPING = frozenset({"build", "export", "new"})  # commands whose outputs appear whole or not at all
# What each command writes, for a fault that names no file (a full disk while a page is written).
WRITING = {"build": BUILD_OUTPUTS, "export": "the export's zip", "new": "the new record",
           "schema": "the schemas", "init": "the new program", "publish": "the deploy branch",
           "keys": "the keys file or the encrypted portfolios", "bench": "the benchmark's folder"}


class InternalError(click.ClickException):
    """An exception nobody expected: a bug in mentorsite, told as one line."""

    exit_code = INTERNAL_ERROR


class Commands(click.Group):
    """The command group: whatever a command fails on ends in a message and an exit code.

    A fault of the machine (an OSError) is one line with the path and a hint (exit 1), as are
    MkDocs' refusals and a mkdocs.yml that cannot be used; Ctrl-C is "stopped" (exit 130); any
    other exception is an internal error (exit 70). ``--debug`` (or MENTORSITE_DEBUG=1) shows
    the traceback instead.
    """

    def invoke(self, ctx: click.Context) -> Any:
        _loaded_config.cache_clear()  # each command reads mkdocs.yml afresh, also when run in-process
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.Abort):
            raise
        except click.ClickException as error:
            if type(error).__module__.split(".")[0] == "mkdocs":  # Abort, ConfigurationError, PluginError
                raise click.ClickException(error.format_message().strip()) from None
            raise
        except (Exception, KeyboardInterrupt) as error:
            if _debugging(ctx):
                raise
            raise _message_of(error, ctx.meta.get(PROGRAM_ROOT), ctx.invoked_subcommand in SWAPPING,
                              WRITING.get(ctx.invoked_subcommand or "")) from None


def _debugging(context: click.Context) -> bool:
    import os  # noqa: PLC0415

    return bool(context.params.get("debug")) or os.environ.get(DEBUG_VARIABLE, "") not in {"", "0"}


def _message_of(error: BaseException, root: Path | None, kept: bool,
                where: str | None = None) -> click.ClickException | click.exceptions.Exit:
    """The message (and exit code) a command ends with when it fails on ``error``.

    ``kept``: the command writes its outputs beside the previous ones and swaps them in whole.
    ``where``: what the command writes, named when the error names no file.
    """
    import errno  # noqa: PLC0415

    error = as_os_error(error)
    if isinstance(error, KeyboardInterrupt):
        click.echo("stopped", err=True)
        return click.exceptions.Exit(INTERRUPTED)
    if isinstance(error, OSError) and error.errno == errno.EPIPE:
        return click.exceptions.Exit(1)  # the reader of the output went away: nothing to tell it
    if isinstance(error, OSError):
        return click.ClickException(describe(error, root, kept, where))
    if isinstance(error, ConfigFileError):
        return click.ClickException(str(error))
    # Only the kind of error: its text may quote a record, and this line reaches build logs.
    return InternalError(f"mentorsite: internal error ({type(error).__name__}); this is a bug in "
                         f"mentorsite: run again with --debug to see where it happened")


@click.group(cls=Commands)
@click.version_option(__version__, prog_name="mentorsite")
@click.option("--debug", is_flag=True,
              help=f"Show the traceback of an unexpected error instead of a line (also {DEBUG_VARIABLE}=1).")
def main(debug: bool) -> None:
    """Build the handbook and portfolios of a mentoring program from its records."""


# Starting and writing records --------------------------------------------------------


@main.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.option("--name", "site_name", default="Our Mentoring Handbook", show_default=True,
              help="The handbook's title (site_name).")
def init(directory: Path, site_name: str) -> None:
    """Start a program in DIRECTORY: mkdocs.yml, a starter handbook, a sample pair, schemas."""
    if directory.exists() and any(directory.iterdir()):
        raise click.ClickException(f"{directory} is not empty; init starts a program in a new or "
                                   "empty folder")
    files = starter_files(directory, create_environment(), date.today(), site_name)
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    guidelines = sum(1 for path in files if path.parent.name == "guidelines")
    click.echo(f"Started a mentoring program in {directory}: {len(files)} files, a handbook of "
               f"{guidelines} guidelines and one sample pair.")
    click.echo(f"Next: cd {directory} && mentorsite build   (or mentorsite serve)")


class Workspace:
    """Where `new` finds the program: its content folder, schemas, templates and records."""

    def __init__(self, config_file: Path):
        settings = _plugin_settings(config_file)
        self.root = config_file.resolve().parent
        content = self.root / str(settings.get("content_dir", "content"))
        self.place = DraftPlace(content, self.root / SCHEMAS_FOLDER, Path.cwd())
        templates = self.root / str(settings.get("templates_dir", "templates"))
        self.environment: Environment = create_environment(templates)

    def pair(self, pair_id: str) -> PairRecords:
        """The pair's records; a clear error when the pair is unknown or its records have errors."""
        checked = read_program(self.place.content_dir, Path.cwd())
        if pair_id not in checked.pair_folders:
            where = f"in {self.shown(self.place.content_dir / 'pairs')}"
            raise click.ClickException(describe_unknown("pair", pair_id, sorted(checked.pair_folders), where))
        records = checked.pair_records(pair_id)
        errors = [d for d in checked.pair_problems(pair_id) if d.is_error]
        if records is None or errors:
            for diagnostic in errors:
                click.echo(str(diagnostic), err=True)
            raise click.ClickException(f"the records of {pair_id} have errors; fix them first")
        return records

    def draft_for(self, pair_id: str, make: Callable[..., Draft], *arguments: object) -> None:
        """Write the record ``make`` drafts from the pair's records and ``arguments``."""
        records = self.pair(pair_id)
        self.write(lambda: make(self.environment, self.place, records, *arguments))

    def write(self, make: Callable[[], Draft]) -> None:
        """Write the draft ``make()`` returns, never over an existing file."""
        try:
            draft = make()
        except DraftError as error:
            raise click.ClickException(str(error)) from None
        shown = self.shown(draft.path)
        if draft.path.exists():
            raise click.ClickException(f"{shown} exists; it was left as it is")
        draft.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            file = draft.path.open("x", encoding="utf-8")
        except FileExistsError:
            raise click.ClickException(f"{shown} exists; it was left as it is") from None
        try:
            with file:
                file.write(draft.text)
        except BaseException:
            draft.path.unlink(missing_ok=True)  # never half a record: a full disk leaves none
            raise
        click.echo(f"Wrote {shown}")
        if not self.place.schemas_dir.is_dir():
            click.echo("Tip: run `mentorsite schema` so that your editor checks the file as you type.",
                       err=True)

    def shown(self, path: Path) -> str:
        return path.relative_to(Path.cwd()).as_posix() if path.is_relative_to(Path.cwd()) else str(path)


def _day(value: datetime | None) -> date:
    return value.date() if value else date.today()


@main.group()
def new() -> None:
    """Write a new record from its template, ready to fill in."""


@new.command("pair")
@click.argument("pair_id", metavar="PAIR")
@click.option("--mentor", required=True, metavar="NAME", help="The mentor's name.")
@click.option("--mentee", required=True, metavar="NAME", help="The mentee's name.")
@click.option("--mentor-role", metavar="ROLE", help="The mentor's role or job title.")
@click.option("--mentee-role", metavar="ROLE", help="The mentee's role or job title.")
@click.option("--start", type=DAY, metavar=DATE,
              help="The first day of the mentoring [default: today].")
@click.option("--planned-end", type=DAY, metavar=DATE,
              help="The agreed last day.")
@click.option("--cohort", help="The cohort, such as 2026-spring.")
@CONFIG_OPTION
def new_pair(pair_id: str, mentor: str, mentee: str, mentor_role: str | None, mentee_role: str | None,
             start: datetime | None, planned_end: datetime | None, cohort: str | None,
             config_file: Path) -> None:
    """A pair folder with pair.yml (status proposed until the agreement is made)."""
    if not SLUG_PATTERN.match(pair_id):
        raise click.ClickException(f"expected a pair id of a-z, 0-9 and single '-' (like 'ana-ben'), "
                                   f"got '{pair_id}'")
    workspace = Workspace(config_file)
    if workspace.place.pair_folder(pair_id).exists():
        raise click.ClickException(f"{workspace.shown(workspace.place.pair_folder(pair_id))} exists already")
    people = Person(name=mentor, role=mentor_role), Person(name=mentee, role=mentee_role)
    end = planned_end.date() if planned_end else None
    workspace.write(lambda: draft_pair(workspace.environment, workspace.place, pair_id, *people, _day(start),
                                       cohort=cohort, planned_end=end))


@new.command("agreement")
@click.argument("pair_id", metavar="PAIR")
@click.option("--every", type=click.IntRange(min=1, max=MAX_EVERY), default=2, show_default=True,
              help="Meet every N units.")
@click.option("--unit", type=click.Choice(["days", "weeks", "months"]), default="weeks", show_default=True)
@click.option("--minutes", type=click.IntRange(min=1, max=MINUTES_IN_A_DAY), default=60, show_default=True,
              help="Length of a meeting.")
@CONFIG_OPTION
def new_agreement(pair_id: str, every: int, unit: str, minutes: int, config_file: Path) -> None:
    """The pair's agreement, to fill in and sign together at the first meeting."""
    cadence = Cadence.model_validate({"every": every, "unit": unit})
    Workspace(config_file).draft_for(pair_id, draft_agreement, cadence, minutes)


@new.command("goal")
@click.argument("pair_id", metavar="PAIR")
@click.argument("title")
@click.option("--due", type=DAY, metavar=DATE,
              help="When the goal should be reached.")
@CONFIG_OPTION
def new_goal(pair_id: str, title: str, due: datetime | None, config_file: Path) -> None:
    """A planned goal named after TITLE, with its SMART parts to fill in."""
    Workspace(config_file).draft_for(pair_id, draft_goal, title, due.date() if due else None)


@new.command("session")
@click.argument("pair_id", metavar="PAIR")
@click.option("--date", "when", type=DAY, metavar=DATE,
              help="The day of the meeting [default: today].")
@click.option("--topic", help="A few words for the file name, for a second meeting on one day.")
@CONFIG_OPTION
def new_session(pair_id: str, when: datetime | None, topic: str | None, config_file: Path) -> None:
    """Notes of a meeting, with an agenda of open actions and goals in progress.

    A pair's first session gets a first-meeting agenda instead: getting acquainted, goals,
    cadence, confidentiality, and the dates of the next three meetings.
    """
    Workspace(config_file).draft_for(pair_id, draft_session, _day(when), topic)


@new.command("checkin")
@click.argument("pair_id", metavar="PAIR")
@click.option("--date", "when", type=DAY, metavar=DATE,
              help="The day of the check-in [default: today].")
@CONFIG_OPTION
def new_checkin(pair_id: str, when: datetime | None, config_file: Path) -> None:
    """A check-in on how the relationship is going, with scores to give."""
    Workspace(config_file).draft_for(pair_id, draft_checkin, _day(when))


@new.command("closing")
@click.argument("pair_id", metavar="PAIR")
@click.option("--date", "when", type=DAY, metavar=DATE,
              help="The day of the closing conversation [default: today].")
@CONFIG_OPTION
def new_closing(pair_id: str, when: datetime | None, config_file: Path) -> None:
    """The closing reflection, with each goal listed to say what came of it."""
    Workspace(config_file).draft_for(pair_id, draft_closing, _day(when))


@main.command()
@click.option("-o", "--output", type=click.Path(path_type=Path, file_okay=False),
              help="Where to write them [default: schemas/ beside mkdocs.yml].")
@CONFIG_OPTION
def schema(output: Path | None, config_file: Path) -> None:
    """Write a JSON Schema per record type, for editors with a YAML language server."""
    folder = output or config_file.resolve().parent / SCHEMAS_FOLDER
    written = write_schemas(folder)
    click.echo(f"Wrote {len(written)} schemas to {folder}: {', '.join(p.name for p in written)}")


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
    """Print every problem in the records; exit 1 if any is an error."""
    settings = _plugin_settings(config_file, optional=content is not None)
    content_dir = content or config_file.parent / str(settings.get("content_dir", "content"))
    cache = _record_cache(config_file) if content is None else None
    loaded = _loaded_config(config_file) if content is None and settings else None
    places = None  # another content folder: the places of the plugin's defaults beside it
    if loaded is not None:
        from mentorsite.site.plugin import MentorsitePlugin  # noqa: PLC0415 - loads MkDocs

        places = MentorsitePlugin.of(loaded).program_places(loaded)  # the build's, with the keys file
    checked = read_program(content_dir, Path.cwd(), editions=_editions(config_file, settings), cache=cache,
                           places=places)
    diagnostics = list(checked.diagnostics)
    thresholds = PracticeSettings()
    if settings:
        from mentorsite.site.plugin import read_practices_setting, report_setting_problems  # noqa: PLC0415

        thresholds, problems = read_practices_setting(config_file, settings.get("practices"), Path.cwd())
        diagnostics += problems
        report = settings.get("report")
        min_pairs = report.get("min_pairs") if isinstance(report, Mapping) else None
        if isinstance(min_pairs, int):
            diagnostics += report_setting_problems(config_file, min_pairs, Path.cwd())
    if practices:
        as_of = _as_of(settings.get("as_of"))
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


def _as_of(setting: object) -> date:
    from mentorsite.site.portfolios import resolve_as_of  # noqa: PLC0415 - loads MkDocs

    try:
        return resolve_as_of(setting if isinstance(setting, str | date) else None)
    except ValueError as error:
        shown = str(error) if str(error).startswith("expected") \
            else f"expected a date YYYY-MM-DD, got '{setting}'"
        raise click.ClickException(f"as_of: {shown}") from None


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
    from mentorsite.site.portfolios import Shard  # noqa: PLC0415 - loads MkDocs

    if value is None:
        return None
    try:
        return Shard.parse(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@contextmanager
def _holding_build_lock(plugin: MentorsitePlugin, config: MkDocsConfig, doing: str, *,
                        wait: bool = False) -> Iterator[None]:
    """The program's build lock for a command that writes its outputs; a clear message when it is held."""
    from mentorsite.files.locking import LockError, LockHeldError  # noqa: PLC0415
    from mentorsite.site.plugin import LOCK_HINT, ROTATE_HINT  # noqa: PLC0415

    def waiting(busy: LockHeldError) -> None:
        click.echo(f"{busy}; waiting for it to end (Ctrl-C stops waiting)", err=True)

    try:
        lock = plugin.take_build_lock(config, wait=wait, waiting=waiting)
    except LockHeldError as busy:
        hint = LOCK_HINT if doing == "build" else ROTATE_HINT
        raise click.ClickException(f"cannot {doing}: {busy}; {hint}") from None
    except LockError as error:
        raise click.ClickException(f"cannot {doing}: {error}") from None
    try:
        yield
    finally:
        lock.release()


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
def build(config_file: Path, pair_id: str | None, shard: Any, jobs: int | None, no_cache: bool,
          strict: bool, wait: bool) -> None:
    """Build the handbook into the site folder, then the portfolios, the reviewer site and the report.

    A portfolio whose records, templates and settings are unchanged since it was last built
    is not built again; nor is a record file read again whose bytes are unchanged. One
    build of a program runs at a time; the site is swapped in whole when it is complete.
    """
    from mkdocs.commands.build import build as build_site  # noqa: PLC0415

    from mentorsite.site.plugin import MentorsitePlugin  # noqa: PLC0415

    if pair_id is not None and shard is not None:
        raise click.UsageError("give --pair or --shard, not both")
    with _running_mkdocs():
        config = _load_config(config_file, strict=strict or None)
        plugin = MentorsitePlugin.of(config)
        if jobs is not None:
            plugin.config["jobs"] = jobs
        if no_cache:
            plugin.config["cache"] = False
        plugin.shard = shard
        plugin.progress = BarProgress() if sys.stderr.isatty() else LineProgress()
        with _holding_build_lock(plugin, config, "build", wait=wait):
            try:
                if pair_id is None and shard is None:
                    build_site(config)
                else:
                    plugin.build_portfolios(config.plugins.on_config(config), only=pair_id)
            finally:
                plugin.abandon_site()  # a build stopped by an interrupt: the previous site stays


@main.command()
@click.option("--pairs", type=click.IntRange(min=1), default=200, show_default=True,
              help="Pairs in the synthetic program.")
@click.option("--sessions", type=click.IntRange(min=1), default=12, show_default=True,
              help="Session notes per pair.")
@click.option("--guidelines", type=click.IntRange(min=1), default=100, show_default=True,
              help="Guidelines in its handbook.")
@click.option("-j", "--jobs", type=click.IntRange(min=1),
              help="Worker processes [default: one per processor].")
@click.option("--scale", type=click.IntRange(min=0), default=1000, show_default=True,
              help="Also build a program of this many pairs, to see how time and memory grow; 0 to skip.")
@click.option("--naive/--no-naive", default=True, show_default=True,
              help="Also build the same portfolios the naive way: one `mkdocs build` per pair.")
@click.option("--workdir", type=click.Path(path_type=Path, file_okay=False),
              help="Where to write the programs [default: a temporary folder, removed afterwards].")
def bench(pairs: int, sessions: int, guidelines: int, jobs: int | None, scale: int, naive: bool,
          workdir: Path | None) -> None:
    """Measure builds of a synthetic program: cold, unchanged, one edit, parallel, naive, larger."""
    import os  # noqa: PLC0415
    import tempfile  # noqa: PLC0415

    from mentorsite.dev.benchmark import run_benchmark  # noqa: PLC0415
    from mentorsite.dev.synthetic import ProgramSize  # noqa: PLC0415

    size = ProgramSize(pairs, sessions, guidelines)
    workers = jobs or os.cpu_count() or 1
    try:
        if workdir is not None:
            run_benchmark(workdir, size, jobs=workers, scale=scale or None, naive=naive)
        else:
            with tempfile.TemporaryDirectory(prefix="mentorsite-bench-") as folder:
                run_benchmark(Path(folder), size, jobs=workers, scale=scale or None, naive=naive)
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
    """Preview the handbook, or one pair's portfolio, rebuilt and reloaded when a record changes."""
    from mkdocs.commands.serve import serve as serve_site  # noqa: PLC0415

    from mentorsite.site.preview import serve_pair  # noqa: PLC0415

    host, _, port = dev_addr.rpartition(":")
    if not host or not port.isdigit():
        raise click.BadParameter(f"expected IP:PORT, got '{dev_addr}'", param_hint="'--dev-addr'")
    if not 0 < int(port) < 65536:
        raise click.BadParameter(f"expected a port from 1 to 65535, got {port}", param_hint="'--dev-addr'")
    with _running_mkdocs():
        try:
            if pair_id is None:
                _load_config(config_file)  # MkDocs reads it again, once it is known to be readable
                serve_site(config_file=str(config_file), dev_addr=dev_addr, open_in_browser=open_in_browser)
            else:
                serve_pair(config_file, pair_id, _edition(edition), host, int(port), open_in_browser)
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

    with _running_mkdocs():
        written = export_pair(config_file, pair_id, _edition(edition), output)
    shown = _shown(written.path)
    click.echo(f"Wrote {shown}: the {edition} edition of {pair_id}, {written.files} files.")
    if written.tracked:
        click.echo(f"Warning: expected the export where git ignores it, got {shown}, which git would track "
                   "(one 'git add' commits a private portfolio): ignore it in .gitignore, or write it "
                   "elsewhere with -o", err=True)


# Encrypted portfolios ----------------------------------------------------------------


@main.group()
def keys() -> None:
    """Passphrases of the encrypted portfolios: where each comes from, and changing one."""


def _loaded_plugin(config_file: Path, replacing: tuple[str | None, ...] = ()) -> tuple[
        MkDocsConfig, MentorsitePlugin]:
    """The program's configuration and plugin, read and checked; ``replacing``: the sites being rotated."""
    from mentorsite.site.plugin import MentorsitePlugin  # noqa: PLC0415

    config = _load_config(config_file)
    plugin = MentorsitePlugin.of(config)
    plugin.replacing = replacing
    config = config.plugins.on_config(config)
    plugin.require_encryption()
    return config, plugin


def _keys_file_of(config_file: Path) -> Path:
    """The keys file of a program with encryption on, checked where it is, before the program is read."""
    from mkdocs.exceptions import PluginError  # noqa: PLC0415

    from mentorsite.site.plugin import MentorsitePlugin  # noqa: PLC0415
    from mentorsite.vault.crypto import KEYS_FILE_VARIABLE, SECRET_VARIABLE  # noqa: PLC0415

    config = _load_config(config_file)
    plugin = MentorsitePlugin.of(config)
    if not plugin.config.encryption.enabled:
        plugin.require_encryption()
    keys_file = plugin.checked_keys_file(config) and plugin.keys_file(config, as_named=True)
    if keys_file is None:
        raise PluginError(f"mentorsite: expected a keys file (encryption.keys_file or {KEYS_FILE_VARIABLE}), "
                          f"got none; without one, set {SECRET_VARIABLE} in the environment instead")
    return keys_file


@keys.command("list")
@CONFIG_OPTION
def keys_list(config_file: Path) -> None:
    """Where each encrypted portfolio is and where its passphrase comes from (never the passphrase)."""
    with _running_mkdocs():
        _, plugin = _loaded_plugin(config_file)
        assert plugin.checked is not None and plugin.encryption is not None
        keyring = plugin.encryption.keyring
        rows = [(pair_id, plugin.sealed_folder(pair_id), keyring.source(pair_id))
                for pair_id in sorted(plugin.checked.pair_folders)]
        rows.append(("(reviewers)", plugin.sealed_folder(None), keyring.source(None)))
    width = max(len(name) for name, _, _ in rows)
    for name, folder, source in rows:
        where = _shown(folder) if folder else "not encrypted: no passphrase"
        click.echo(f"{name:<{width}}  {where}  [passphrase: {source}]")


def _shown(path: Path) -> str:
    """A path relative to the working folder when it is inside it."""
    resolved = path.resolve()
    return str(resolved.relative_to(Path.cwd())) if resolved.is_relative_to(Path.cwd()) else str(path)


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

    from mentorsite.vault.crypto import add_folder_secret, new_passphrase, passphrase_problem  # noqa: PLC0415

    if (pair_id is None) == (not review):
        raise click.UsageError("name a PAIR, or give --review for the reviewer site")
    passphrase = sys.stdin.readline().strip() if from_stdin else new_passphrase()
    weak = passphrase_problem(passphrase)
    if weak:
        raise click.ClickException(weak)
    from mentorsite.site.plugin import MentorsitePlugin  # noqa: PLC0415

    with _running_mkdocs():
        program = _load_config(config_file)
        with _holding_build_lock(MentorsitePlugin.of(program), program, "rotate a passphrase"):
            added = add_folder_secret(_keys_file_of(config_file), os.environ)
            config, plugin = _loaded_plugin(config_file, replacing=(pair_id,))
            folder = plugin.rotate(config, pair_id, passphrase, whole=added)
    who = pair_id or "The reviewer site"
    if added:
        click.echo(f"Added a folder secret to {plugin.keys_file()}: every pair's encrypted portfolio moved "
                   "to a new folder, and the old folders were removed (mentorsite keys list shows them).")
    click.echo(f"{who}: new passphrase written to {plugin.keys_file()}; encrypted again in {_shown(folder)}")


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

    from mentorsite.vault.crypto import (  # noqa: PLC0415
        SECRET_VARIABLE,
        KeysError,
        has_folder_secret,
        new_folder_secret,
        write_folder_secret,
    )

    if os.environ.get(SECRET_VARIABLE):
        raise click.ClickException(f"the folder secret comes from the environment ({SECRET_VARIABLE}), which "
                                   "overrides the keys file; change it there")
    with _running_mkdocs():
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

    with _running_mkdocs():
        _load_config(config_file)  # each edition's build reads it again, once it is known to be readable
    try:
        publish_edition(config_file, version, list(aliases), branch=branch, set_default=not no_default,
                        push=push)
    except subprocess.CalledProcessError as error:
        command = " ".join(error.cmd[3:])
        message = f"publishing failed: mike {command} exited with {error.returncode}"
        raise click.ClickException(message) from None
    named = f" as {', '.join(aliases)}" if aliases else ""
    click.echo(f"Published edition {version}{named} on {branch}.")
