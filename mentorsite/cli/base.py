"""The command group and what every command shares: options, messages, exit codes."""

from __future__ import annotations

import errno
import logging
from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from functools import cache
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mentorsite import __version__
from mentorsite.files.failures import BUILD_OUTPUTS, WorkerLostError, as_os_error, describe

if TYPE_CHECKING:
    from mentorsite.model.editions import Edition
    from mentorsite.session.settings import Settings

DEFAULT_CONFIG = "mkdocs.yml"


class _Day(click.DateTime):
    """A day YYYY-MM-DD within the dates a record may hold."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from mentorsite.model.records import EARLIEST_DATE, LATEST_DATE  # noqa: PLC0415 - loads the records' types

        converted = super().convert(value, param, ctx)
        if not EARLIEST_DATE <= converted.date() <= LATEST_DATE:
            shown = converted.date()
            self.fail(f"expected a date from {EARLIEST_DATE} to {LATEST_DATE}, got {shown}", param, ctx)
        return converted


DAY = _Day(formats=["%Y-%m-%d"])
DATE = "YYYY-MM-DD"


@cache
def _loaded_config(config_file: Path) -> Any:
    """mkdocs.yml, loaded once per command."""
    return _load_config(config_file)


def _usable_config(config_file: Path) -> Any:
    """mkdocs.yml loaded, and the plugin's settings usable: every problem with them at its line
    (an error, in the engine's voice: run it inside ``_running_engine``)."""
    from mentorsite.site.commands import settings_of  # noqa: PLC0415 - loads MkDocs

    config = _loaded_config(config_file)
    settings_of(config)
    return config


def _load_config(config_file: Path, strict: bool | None = None) -> Any:
    """mkdocs.yml, read within bounds, then loaded by the engine; every problem a located message.

    The preview and the export load it the same way (``mentorsite.reading.config_file``).
    """
    from mentorsite.site.commands import load  # noqa: PLC0415 - only when a config is used

    return load(config_file, strict)


PROGRAM_ROOT = "mentorsite.program_root"  # in the context's meta: the folder paths in messages are shown from


def _remember_program(context: click.Context, parameter: click.Parameter, value: Path) -> Path:
    context.meta[PROGRAM_ROOT] = Path(value).absolute().parent
    return value


CONFIG_OPTION = click.option("-f", "--config-file", type=click.Path(path_type=Path, dir_okay=False),
                             default=DEFAULT_CONFIG, show_default=True, help="The program's mkdocs.yml.",
                             callback=_remember_program)


@contextmanager
def _running_engine() -> Iterator[None]:
    """Show the engine's log, and turn its refusals into a message and exit code 1."""
    from mentorsite.site.commands import EngineError, engine_errors  # noqa: PLC0415 - loads MkDocs

    logging.basicConfig(format="%(levelname)-7s -  %(message)s", level=logging.INFO)
    try:
        with engine_errors():
            yield
    except EngineError as error:
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
           "keys": "the keys file or the encrypted portfolios", "bench": "the benchmark's folder",
           "pairs": "the pair sources' checkouts"}


class InternalError(click.ClickException):
    """An exception nobody expected: a bug in mentorsite, told as one line."""

    exit_code = INTERNAL_ERROR


# The module of this package that holds each command: a command's module is imported when it
# is first named, so `mentorsite check` loads neither what `new` drafts with nor MkDocs for its help.
COMMAND_MODULES = {"init": "authoring", "new": "authoring", "import": "authoring", "schema": "authoring",
                   "check": "building", "build": "building", "bench": "building", "serve": "building",
                   "export": "building", "keys": "keys", "publish": "publish", "pairs": "syncing"}


class LazyCommands(MutableMapping[str, click.Command]):
    """The command group's commands, each module of the package imported when one of its commands
    is first looked up (``COMMAND_MODULES``).

    Listing them (``mentorsite --help``, the reference) or naming one not in that table imports
    every module of the package. They are listed module by module, in the order of the modules'
    names, and in each module in the order it adds them, whichever was imported first.
    """

    def __init__(self, package: str, modules: Mapping[str, str]):
        self.package = package
        self.modules = dict(modules)
        self.loaded: dict[str, click.Command] = {}
        self.complete = False

    def module_names(self) -> list[str]:
        import pkgutil  # noqa: PLC0415

        folders = import_module(self.package).__path__
        return sorted(found.name for found in pkgutil.iter_modules(folders) if found.name != "base")

    def load_all(self) -> None:
        if not self.complete:
            self.complete = True
            for name in self.module_names():
                import_module(f"{self.package}.{name}")

    def __getitem__(self, name: str) -> click.Command:
        if name not in self.loaded and name in self.modules:
            import_module(f"{self.package}.{self.modules[name]}")
        if name not in self.loaded:
            self.load_all()
        return self.loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self.loaded[name] = command

    def __delitem__(self, name: str) -> None:
        del self.loaded[name]

    def __iter__(self) -> Iterator[str]:
        self.load_all()
        order = {f"{self.package}.{name}": rank for rank, name in enumerate(self.module_names())}
        names = list(self.loaded)
        return iter(sorted(names, key=lambda name: order.get(
            getattr(self.loaded[name].callback, "__module__", ""), len(order))))

    def __len__(self) -> int:
        self.load_all()
        return len(self.loaded)


class Commands(click.Group):
    """The command group: whatever a command fails on ends in a message and an exit code.

    A fault of the machine (an OSError) is one line with the path and a hint (exit 1), as are
    MkDocs' refusals and a mkdocs.yml that cannot be used; Ctrl-C is "stopped" (exit 130); any
    other exception is an internal error (exit 70). ``--debug`` (or MENTORSITE_DEBUG=1) shows
    the traceback instead. Its commands are imported as they are named (``LazyCommands``).
    """

    def __init__(self, *arguments: Any, **options: Any) -> None:
        super().__init__(*arguments, **options)
        lazy = LazyCommands(__package__ or "mentorsite.cli", COMMAND_MODULES)
        lazy.update(self.commands)
        self.commands = lazy

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


WORKER_LOST = ("every site is as it was or complete: run the build again, with fewer --jobs to use less "
               "memory")


def _message_of(error: BaseException, root: Path | None, kept: bool,
                where: str | None = None) -> click.ClickException | click.exceptions.Exit:
    """The message (and exit code) a command ends with when it fails on ``error``.

    ``kept``: the command writes its outputs beside the previous ones and swaps them in whole.
    ``where``: what the command writes, named when the error names no file.
    """

    from mentorsite.reading.config_file import ConfigFileError  # noqa: PLC0415

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
    if isinstance(error, WorkerLostError):  # the system stopped a worker (out of memory, for one)
        return click.ClickException(f"mentorsite: {error}; {WORKER_LOST}")
    # Only the kind of error: its text may quote a record, and this line reaches build logs.
    return InternalError(f"mentorsite: internal error ({type(error).__name__}); this is a bug in "
                         f"mentorsite: run again with --debug to see where it happened")


@click.group(cls=Commands)
@click.version_option(__version__, prog_name="mentorsite")
@click.option("--debug", is_flag=True,
              help=f"Show the traceback of an unexpected error instead of a line (also {DEBUG_VARIABLE}=1).")
def main(debug: bool) -> None:
    """Build the handbook and portfolios of a mentoring program from its records."""
    _started()


_OWNED = False  # this process runs one command, then ends (``run``)


def owns_process() -> bool:
    """Whether the command runs in a process of its own, which ends with it (``run``), rather than
    inside another program (a test, a tool that calls ``main``)."""
    return _OWNED


def _started() -> None:
    """The command is about to run: what start-up made (modules, the command line) is frozen out of
    the cycle collector's passes, which ``run`` held back meanwhile, and collection resumes."""
    import gc  # noqa: PLC0415

    if _OWNED and not gc.isenabled():
        gc.freeze()
        gc.enable()

def _shown(path: Path) -> str:
    """A path relative to the working folder when it is inside it."""
    resolved = path.resolve()
    return str(resolved.relative_to(Path.cwd())) if resolved.is_relative_to(Path.cwd()) else str(path)


@contextmanager
def _holding_build_lock(settings: Settings, doing: str, *, wait: bool = False) -> Iterator[None]:
    """The program's build lock for a command that writes its outputs; a clear message when it is held."""
    from mentorsite.files.locking import LockError, LockHeldError  # noqa: PLC0415
    from mentorsite.site.commands import lock as take_lock  # noqa: PLC0415
    from mentorsite.site.program_builds import LOCK_HINT, ROTATE_HINT  # noqa: PLC0415

    def waiting(busy: LockHeldError) -> None:
        click.echo(f"{busy}; waiting for it to end (Ctrl-C stops waiting)", err=True)

    try:
        lock = take_lock(settings, wait=wait, waiting=waiting)
    except LockHeldError as busy:
        hint = LOCK_HINT if doing == "build" else ROTATE_HINT
        raise click.ClickException(f"cannot {doing}: {busy}; {hint}") from None
    except LockError as error:
        raise click.ClickException(f"cannot {doing}: {error}") from None
    try:
        yield
    finally:
        lock.release()


def run() -> None:
    """The `mentorsite` command as the system runs it: the command, then a quick exit.

    Start-up (the command line, the command's modules) runs without the cycle collector, whose
    passes would walk every object it makes, for garbage it does not make (see ``_started``).
    Once the command has returned, its files are written and closed; what is left is the
    interpreter's own teardown, which frees every object the build made one by one (about a
    tenth of a second after reading a program of 200 pairs). This ends the process as it
    would end, without that: the exit handlers run (logging's, and any a library
    registered), both streams are flushed, then the process exits with the command's code.
    A process with another thread still running, run with ``python -i``, or under a tracer
    or profiler (a debugger, coverage, ``python -m cProfile``, which write their results as
    the interpreter exits), exits the usual way. In-process callers use ``main``, which
    raises SystemExit as every click command does.
    """
    import atexit  # noqa: PLC0415
    import gc  # noqa: PLC0415
    import os  # noqa: PLC0415
    import sys  # noqa: PLC0415
    import threading  # noqa: PLC0415

    global _OWNED  # noqa: PLW0603 - set once, by the process's own entry point
    _OWNED = True
    gc.disable()  # start-up makes many objects that live as long as the process, and no garbage
    try:
        main()
    except SystemExit as ended:
        if threading.active_count() > 1 or sys.flags.inspect or _watched():
            gc.enable()  # the process goes on (python -i) or ends the usual way: as it would be
            raise
        code = _exit_code(ended.code)
    else:  # not reached: a click command in standalone mode always ends in SystemExit
        code = 0
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        if stream is None:  # started with that descriptor closed: nothing to flush
            continue
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away, or a stream closed already
            code = code or 120  # a command that succeeded exits 120, as the interpreter does then
    os._exit(code)


def _watched() -> bool:
    """Whether a tracer or profiler watches this process (it writes its results at the usual exit)."""
    import sys  # noqa: PLC0415

    if sys.gettrace() is not None or sys.getprofile() is not None:
        return True
    monitoring = getattr(sys, "monitoring", None)  # Python 3.12 and later
    return monitoring is not None and any(monitoring.get_tool(tool) is not None for tool in range(6))


def _exit_code(code: object) -> int:
    """The exit status the interpreter gives ``SystemExit(code)``: a number as it is, nothing as 0,
    anything else written to standard error and 1."""
    import sys  # noqa: PLC0415

    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1
