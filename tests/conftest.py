from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.editions import publish_two_editions
from tests.programs import BASE_PROGRAM, write_files


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true",
                     help="Rewrite expected outputs from what the code produces now.")


# Fixtures that start a browser or serve a site over HTTP (by name: the fixtures named *_url do).
SLOW_FIXTURES = frozenset({"browser", "chromium", "static_server"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that starts a browser or a server must be marked slow, so that `make quick` leaves it out."""
    unmarked = [item.nodeid for item in items if item.get_closest_marker("slow") is None
                and any(name in SLOW_FIXTURES or name.endswith("_url") for name in getattr(item, "fixturenames", ()))]
    if unmarked:
        raise pytest.UsageError("expected @pytest.mark.slow on tests that start a browser or a server: "
                                + ", ".join(unmarked))


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


@pytest.fixture
def program_dir(tmp_path: Path) -> Path:
    """A small valid program (mkdocs.yml and content/) in a temporary folder."""
    return write_files(tmp_path / "program", dict(BASE_PROGRAM))


@pytest.fixture(scope="session")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A program whose handbook was published twice with mike (see tests/editions.py)."""
    return publish_two_editions(tmp_path_factory.mktemp("published"))


@dataclass(frozen=True)
class Ran:
    """How a command ended, named as a finished process's outcome is (``returncode``, ``stdout``, ``stderr``)."""

    returncode: int
    stdout: str
    stderr: str


class Cli:
    """The `mentorsite` command run in this process, in a folder, with extra environment variables.

    As a process would be: the working folder and the variables hold for one command only, the
    log reaches the command's own standard error, and any exception the command lets out fails
    the test with its traceback (a process would print it).
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.monkeypatch = monkeypatch

    def __call__(self, folder: Path, *arguments: str, stdin: str | None = None, **variables: str) -> Ran:
        from click.testing import CliRunner

        from mentorsite.cli import main

        environment = {"NO_MKDOCS_2_WARNING": "1", **variables}
        with self.monkeypatch.context() as patch, _loggers_restored():
            patch.chdir(folder)
            result = CliRunner().invoke(main, list(arguments), input=stdin, env=environment,
                                        prog_name="mentorsite", catch_exceptions=False)
        return Ran(result.exit_code, result.stdout, result.stderr)


@contextmanager
def _loggers_restored() -> Iterator[None]:
    """Every logger's handlers, filters and level as they were before a command ran.

    A command sets up its log output (a handler on the standard error it has) once per process;
    in-process it runs once per call, so what it adds is taken away after, and the root logger
    starts without handlers, as in a new process (the test runner's own come back afterwards).
    """
    def state(logger: logging.Logger) -> tuple[list[logging.Handler], list[object], int, bool, bool]:
        return logger.handlers[:], logger.filters[:], logger.level, logger.propagate, logger.disabled

    def loggers() -> list[logging.Logger]:
        named = logging.Logger.manager.loggerDict.values()
        return [logging.getLogger(), *(found for found in named if isinstance(found, logging.Logger))]

    before = {id(logger): state(logger) for logger in loggers()}
    logging.getLogger().handlers.clear()
    try:
        yield
    finally:
        for logger in loggers():
            if id(logger) not in before:  # made meanwhile, by a module imported: its level stays as set
                logger.handlers.clear()
                logger.filters.clear()
                continue
            handlers, filters, level, logger.propagate, logger.disabled = before[id(logger)]
            logger.handlers[:] = handlers
            logger.filters[:] = filters  # type: ignore[assignment]
            logger.setLevel(level)


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Cli:
    """Runs `mentorsite` in-process: ``cli(folder, "build", "--strict", SOURCE_DATE_EPOCH="0")``."""
    return Cli(monkeypatch)


@pytest.fixture(autouse=True)
def _plugins_made_afresh() -> Iterator[None]:
    """Each test's builds make their own plugin: MkDocs keeps a plugin with ``on_startup`` for the
    whole process (for `mkdocs serve`), so a test that started one for serving would hand it on."""
    yield
    defaults = sys.modules.get("mkdocs.config.defaults")
    if defaults is not None:
        defaults.MkDocsConfig.plugins.plugin_cache.clear()
