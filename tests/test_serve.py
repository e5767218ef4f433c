"""`mkdocs serve` rebuilds when a record under content/ changes, guideline or pair."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.serving import fetch, free_port, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture
def server(program_dir: Path) -> Iterator[tuple[str, Path]]:
    port = free_port()
    log = program_dir / "serve.log"
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    with log.open("w") as output:
        process = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"],
                                   cwd=program_dir, stdout=output, stderr=subprocess.STDOUT, env=environment)
    try:
        yield f"http://127.0.0.1:{port}/", log
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_serve_rebuilds_when_a_guideline_or_a_pair_record_changes(program_dir: Path,
                                                                  server: tuple[str, Path]) -> None:
    base, log = server
    page = base + "guidelines/clear-goals/"
    assert wait_for(lambda: "Set clear goals" in fetch(page)), log.read_text()

    guideline = program_dir / "content/handbook/guidelines/clear-goals.md"
    guideline.write_text(guideline.read_text().replace("title: Set clear goals", "title: Agree sharp goals"))
    assert wait_for(lambda: "Agree sharp goals" in fetch(page)), log.read_text()

    session = program_dir / "content/pairs/ana-ben/sessions/2026-02-03.md"
    session.write_text(session.read_text().replace("date: 2026-02-03", "date: 2026-02-31"))
    expected = "sessions/2026-02-03.md:2:7: error[bad-date] date: expected a real date, got '2026-02-31'"
    assert wait_for(lambda: expected in log.read_text()), log.read_text()
