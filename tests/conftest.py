from __future__ import annotations

from pathlib import Path

import pytest

from tests.editions import publish_two_editions
from tests.programs import BASE_PROGRAM, write_files


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true",
                     help="Rewrite expected outputs from what the code produces now.")


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
