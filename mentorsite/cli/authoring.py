"""Starting a program and drafting records: `init`, `new`, `import`, `schema`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mentorsite.cli.base import CONFIG_OPTION, DATE, DAY, _running_engine, _usable_config, main
from mentorsite.model.diagnostics import summarize
from mentorsite.model.plurals import plural
from mentorsite.model.records import (
    MAX_EVERY,
    MINUTES_IN_A_DAY,
    SLUG_PATTERN,
    Cadence,
    Person,
)
from mentorsite.model.schemas import SCHEMAS_FOLDER, write_schemas

if TYPE_CHECKING:  # what drafts, imports and starts programs is imported by the command that uses it
    from jinja2 import Environment

    from mentorsite.authoring.drafts import Draft
    from mentorsite.authoring.importing import ImportPlan
    from mentorsite.model.record_sets import PairRecords

# Starting and writing records --------------------------------------------------------


@main.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.option("--name", "site_name", default="Our Mentoring Handbook", show_default=True,
              help="The handbook's title (site_name).")
@click.option("--git", "start_git", is_flag=True,
              help="Also start a git repository there: every file in a first commit, by git's own user.")
@click.option("--pair", "pair_id", metavar="ID",
              help="Start the repository of one pair instead: its records at the root, as in a program.")
@click.option("--handbook", metavar="URL_OR_PATH",
              help="With --pair: the program's published handbook (a web address, or a built handbook's "
                   "folder), which the pair's records are checked against.")
@click.option("--mentor", metavar="NAME", help="With --pair: the mentor's name [default: a placeholder].")
@click.option("--mentee", metavar="NAME", help="With --pair: the mentee's name [default: a placeholder].")
def init(directory: Path, site_name: str, start_git: bool, pair_id: str | None, handbook: str | None,
         mentor: str | None, mentee: str | None) -> None:
    """Start a program in DIRECTORY: mkdocs.yml, a starter handbook, a sample pair, schemas.

    With --pair, start one pair's repository instead: pair.yml at its root, mentorsite-pair.yml
    naming the published handbook, schemas, a pre-commit hook and ci/check.sh.
    """
    if pair_id is not None:
        from mentorsite.cli.inside_pair import init_pair  # noqa: PLC0415

        return init_pair(directory, pair_id, handbook, mentor, mentee, start_git)
    if handbook is not None or mentor is not None or mentee is not None:
        raise click.UsageError("--handbook, --mentor and --mentee start a pair's repository: give --pair too")
    from mentorsite.authoring.starter import (  # noqa: PLC0415
        RepositoryError,
        check_repository_can_start,
        start_repository,
        starter_files,
    )
    from mentorsite.pages.rendering import create_environment  # noqa: PLC0415

    if directory.exists() and any(directory.iterdir()):
        raise click.ClickException(f"{directory} is not empty; init starts a program in a new or "
                                   "empty folder")
    if start_git:
        try:
            check_repository_can_start(Path.cwd())
        except RepositoryError as error:
            raise click.ClickException(str(error)) from None
    files = starter_files(directory, create_environment(), date.today(), site_name)
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    guidelines = sum(1 for path in files if path.parent.name == "guidelines")
    click.echo(f"Started a mentoring program in {directory}: {len(files)} files, a handbook of "
               f"{guidelines} guidelines and one sample pair.")
    if start_git:
        try:
            start_repository(directory)
        except RepositoryError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"Started a git repository in {directory} with every file in a first commit.")
    click.echo(f"Next: cd {directory} && mentorsite build   (or mentorsite serve)")


class Workspace:
    """Where `new` finds the program: its content folder, schemas, templates and records."""

    def __init__(self, config_file: Path):
        from mentorsite.authoring.drafts import DraftPlace  # noqa: PLC0415
        from mentorsite.pages.rendering import create_environment  # noqa: PLC0415
        from mentorsite.site.commands import settings_and_places  # noqa: PLC0415 - loads MkDocs

        with _running_engine():
            self.settings, _, self.places = settings_and_places(_usable_config(config_file))
        self.root = self.settings.root
        self.place = DraftPlace(self.settings.content_dir, self.root / SCHEMAS_FOLDER, Path.cwd())
        from mentorsite.session.opening import refused_to_templates  # noqa: PLC0415

        self.environment: Environment = create_environment(self.settings.templates_dir,
                                                           refused=refused_to_templates(self.places))

    def pair(self, pair_id: str) -> PairRecords:
        """The pair's records, checked as a build checks them (the program session); a clear error
        when the pair is unknown or its records have errors."""
        from mentorsite.checking.references import describe_unknown  # noqa: PLC0415
        from mentorsite.session.opening import SessionError, open_session  # noqa: PLC0415

        try:
            session = open_session(self.settings, self.places, version=None, seal=False,
                                   shown_from=Path.cwd())
        except SessionError as error:
            raise click.ClickException(str(error)) from None
        checked = session.checked
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

    def draft_for(self, pair_id: str | None, make: Callable[..., Draft], *arguments: object) -> None:
        """Write the record ``make`` drafts from the pair's records and ``arguments``."""
        if pair_id is None:
            raise click.UsageError("Missing argument 'PAIR'.")
        self.refuse_source_pair(pair_id, f"run `mentorsite new {make.__name__.removeprefix('draft_')}` there")
        records = self.pair(pair_id)
        self.write(lambda: make(self.environment, self.place, records, *arguments))

    def refuse_source_pair(self, pair_id: str, then: str) -> None:
        """A pair of pair_sources keeps its records in its own repository, never in the program's."""
        from mentorsite.reading.source_pairs import source_pair_folder  # noqa: PLC0415

        folder = source_pair_folder(self.places, pair_id)
        if folder is not None:
            where = self.shown(folder)
            raise click.ClickException(f"pair {pair_id} is kept in its own repository at {where}; {then}")

    def write(self, make: Callable[[], Draft]) -> None:
        """Write the draft ``make()`` returns, never over an existing file."""
        from mentorsite.authoring.drafts import DraftError  # noqa: PLC0415

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


class PairWorkspace(Workspace):
    """Where `new` writes in a pair's own repository: at its root, from the bundled record templates."""

    def __init__(self, folder: Path):  # the program's settings are not read: there is no program here
        from mentorsite.authoring.pair_starter import pair_place  # noqa: PLC0415
        from mentorsite.pages.rendering import create_environment  # noqa: PLC0415

        self.folder, self.root = folder, folder.absolute()
        self.place = pair_place(self.root, Path.cwd())
        self.environment = create_environment()

    def pair(self, pair_id: str | None) -> PairRecords:
        """The pair's records, checked (the handbook is not read for this); an error when they have errors."""
        from mentorsite.checking.single_pair import check_pair_repository  # noqa: PLC0415

        checked = check_pair_repository(self.folder, fetch=False)
        own = checked.config.pair if checked.config else None
        if pair_id is not None and own is not None and pair_id != own:
            raise click.ClickException(f"this is the repository of the pair {own}, not of {pair_id}; "
                                       "leave the pair out, or run the command in the program")
        if checked.records is None or checked.errors:
            for diagnostic in checked.errors:
                click.echo(str(diagnostic), err=True)
            raise click.ClickException("the pair's records have errors; fix them first")
        return checked.records

    def draft_for(self, pair_id: str | None, make: Callable[..., Draft], *arguments: object) -> None:
        records = self.pair(pair_id)
        self.write(lambda: make(self.environment, self.place, records, *arguments))


def _workspace(config_file: Path, pair_id: str | None) -> Workspace:
    """The program's, or the pair repository's when the command runs in one (PAIR may be left out there)."""
    from mentorsite.cli.inside_pair import pair_repository_of  # noqa: PLC0415

    folder = pair_repository_of(config_file)
    return PairWorkspace(folder) if folder is not None else Workspace(config_file)


def _day(value: datetime | None) -> date:
    return value.date() if value else date.today()


@main.group()
def new() -> None:
    """Write a new record from its template, ready to fill in.

    In a pair's own repository (see `init --pair`), the record is written at its root, and PAIR
    may be left out.
    """


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
    workspace.refuse_source_pair(pair_id, "it is a pair of this program already (pair_sources in mkdocs.yml)")
    if workspace.place.pair_folder(pair_id).exists():
        raise click.ClickException(f"{workspace.shown(workspace.place.pair_folder(pair_id))} exists already")
    people = Person(name=mentor, role=mentor_role), Person(name=mentee, role=mentee_role)
    end = planned_end.date() if planned_end else None
    from mentorsite.authoring.drafts import draft_pair  # noqa: PLC0415

    workspace.write(lambda: draft_pair(workspace.environment, workspace.place, pair_id, *people, _day(start),
                                       cohort=cohort, planned_end=end))


@new.command("agreement")
@click.argument("pair_id", metavar="[PAIR]", required=False)
@click.option("--every", type=click.IntRange(min=1, max=MAX_EVERY), default=2, show_default=True,
              help="Meet every N units.")
@click.option("--unit", type=click.Choice(["days", "weeks", "months"]), default="weeks", show_default=True)
@click.option("--minutes", type=click.IntRange(min=1, max=MINUTES_IN_A_DAY), default=60, show_default=True,
              help="Length of a meeting.")
@CONFIG_OPTION
def new_agreement(pair_id: str | None, every: int, unit: str, minutes: int, config_file: Path) -> None:
    """The pair's agreement, to fill in and sign together at the first meeting."""
    from mentorsite.authoring.drafts import draft_agreement  # noqa: PLC0415

    cadence = Cadence.model_validate({"every": every, "unit": unit})
    _workspace(config_file, pair_id).draft_for(pair_id, draft_agreement, cadence, minutes)


@new.command("goal")
@click.argument("pair_id", metavar="[PAIR]")
@click.argument("title", metavar="TITLE", required=False)
@click.option("--due", type=DAY, metavar=DATE,
              help="When the goal should be reached.")
@CONFIG_OPTION
def new_goal(pair_id: str, title: str | None, due: datetime | None, config_file: Path) -> None:
    """A planned goal named after TITLE, with its SMART parts to fill in."""
    from mentorsite.authoring.drafts import draft_goal  # noqa: PLC0415

    named = pair_id if title is not None else None  # in a pair's repository the one argument is the title
    _workspace(config_file, named).draft_for(named, draft_goal, title or pair_id, due.date() if due else None)


@new.command("session")
@click.argument("pair_id", metavar="[PAIR]", required=False)
@click.option("--date", "when", type=DAY, metavar=DATE,
              help="The day of the meeting [default: today].")
@click.option("--topic", help="A few words for the file name, for a second meeting on one day.")
@CONFIG_OPTION
def new_session(pair_id: str | None, when: datetime | None, topic: str | None, config_file: Path) -> None:
    """Notes of a meeting, with an agenda of open actions and goals in progress.

    A pair's first session gets a first-meeting agenda instead: getting acquainted, goals,
    cadence, confidentiality, and the dates of the next three meetings.
    """
    from mentorsite.authoring.drafts import draft_session  # noqa: PLC0415

    _workspace(config_file, pair_id).draft_for(pair_id, draft_session, _day(when), topic)


@new.command("checkin")
@click.argument("pair_id", metavar="[PAIR]", required=False)
@click.option("--date", "when", type=DAY, metavar=DATE,
              help="The day of the check-in [default: today].")
@CONFIG_OPTION
def new_checkin(pair_id: str | None, when: datetime | None, config_file: Path) -> None:
    """A check-in on how the relationship is going, with scores to give."""
    from mentorsite.authoring.drafts import draft_checkin  # noqa: PLC0415

    _workspace(config_file, pair_id).draft_for(pair_id, draft_checkin, _day(when))


@new.command("closing")
@click.argument("pair_id", metavar="[PAIR]", required=False)
@click.option("--date", "when", type=DAY, metavar=DATE,
              help="The day of the closing conversation [default: today].")
@CONFIG_OPTION
def new_closing(pair_id: str | None, when: datetime | None, config_file: Path) -> None:
    """The closing reflection, with each goal listed to say what came of it."""
    from mentorsite.authoring.drafts import draft_closing  # noqa: PLC0415

    _workspace(config_file, pair_id).draft_for(pair_id, draft_closing, _day(when))


@main.command("import")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--audience", type=click.Choice(["both", "mentor", "mentee", "program"]), multiple=True,
              help="Who the pages speak to; repeat for several [default: both].")
@click.option("--topic", default="General", show_default=True,
              help="The topic of pages that name none and are not in a folder of SOURCE.")
@click.option("--source-url", metavar="URL", help="Where SOURCE is online: each guideline's source links "
              "there (URL/relative/path.md).")
@click.option("--dry-run", is_flag=True, help="Print what would be written, and write nothing.")
@CONFIG_OPTION
def import_pages(source: Path, audience: tuple[str, ...], topic: str, source_url: str | None, dry_run: bool,
                 config_file: Path) -> None:
    """Guidelines from another handbook: one per Markdown page under SOURCE.

    SOURCE is a folder (read with its subfolders) or one page. The front matter of Jekyll,
    Hugo, Docusaurus, MkDocs and GitBook pages gives each guideline its title, order, topic
    and summary; a page's topic is the one its front matter names, else its folder's, else
    --topic. No file is written over: a page imported before is named and left as it is.
    When a page cannot be read, nothing is written.
    """
    if not topic.strip():
        raise click.ClickException("expected a --topic with words in it, got an empty text")
    from mentorsite.authoring.importing import (  # noqa: PLC0415
        ImportOptions,
        ImportRefusedError,
        plan_import,
        write_pages,
    )
    from mentorsite.reading.loading import GUIDELINES_FOLDER  # noqa: PLC0415
    from mentorsite.session.opening import refused_to_templates  # noqa: PLC0415

    workspace = Workspace(config_file)
    folder = workspace.place.content_dir / GUIDELINES_FOLDER
    options = ImportOptions(audience or ("both",), " ".join(topic.split()), source_url)
    try:
        plan = plan_import(source, folder, workspace.place.schemas_dir, options, workspace.shown,
                           workspace.root, refused_to_templates(workspace.places))
    except ImportRefusedError as error:
        raise click.ClickException(str(error)) from None
    for diagnostic in plan.diagnostics:
        click.echo(str(diagnostic))
    if plan.has_errors:
        raise click.ClickException(f"nothing was imported: {summarize(plan.diagnostics)} in the pages of "
                                   f"{workspace.shown(source)}; fix the errors and run the import again")
    if not dry_run:
        write_pages(plan)
    _report_import(plan, workspace, folder, dry_run)


def _report_import(plan: ImportPlan, workspace: Workspace, folder: Path, dry_run: bool) -> None:
    """A line per page (source -> record, id, topic), the files left out, and what was done."""
    for page in plan.pages:
        done = f"id {page.id}, topic {page.topic}"
        if page.existing:
            done = "exists (imported before), left as it is"
        click.echo(f"{page.relative} -> {workspace.shown(page.path)}: {done}")
    for relative, reason in plan.skipped:
        click.echo(f"{relative}: skipped, {reason}")
    if plan.left_out:
        more = len(plan.left_out) - 5
        listed = ", ".join(plan.left_out[:5]) + (f" and {more} more" if more > 0 else "")
        one = len(plan.left_out) == 1
        what = "file that is not a Markdown page" if one else "files that are not Markdown pages"
        click.echo(f"Left out {len(plan.left_out)} {what}: {listed}")
    new = sum(1 for page in plan.pages if not page.existing)
    there = len(plan.pages) - new
    verb = "Would write" if dry_run else "Wrote"
    click.echo(f"{verb} {plural(new, 'guideline')} into {workspace.shown(folder)}; {there} imported before, "
               f"{len(plan.skipped)} skipped; {summarize(plan.diagnostics)}."
               + (" Dry run: nothing was written." if dry_run else ""))


@main.command()
@click.option("-o", "--output", type=click.Path(path_type=Path, file_okay=False),
              help="Where to write them [default: schemas/ beside mkdocs.yml].")
@CONFIG_OPTION
def schema(output: Path | None, config_file: Path) -> None:
    """Write a JSON Schema per record type, for editors with a YAML language server."""
    folder = output or config_file.resolve().parent / SCHEMAS_FOLDER
    written = write_schemas(folder)
    click.echo(f"Wrote {len(written)} schemas to {folder}: {', '.join(p.name for p in written)}")


