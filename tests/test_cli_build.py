"""`mentorsite build` progress and --jobs, `export` and `serve --pair`: outputs and exit codes.

Run in-process (the ``cli`` fixture), but for the progress bar, which needs a terminal, and the
previews, which are servers: those run in a process of their own, as a user runs them.
"""

from __future__ import annotations

import filecmp
import os
import pty
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.programs import copy_example, write_files
from tests.serving import answers, fetch, free_port, serve, serving_url, wait_for

EXAMPLE_PAIRS = ["lena-marcus", "noor-james", "priya-tomas", "sofia-david"]


def test_build_prints_a_line_per_portfolio_when_not_on_a_terminal(tmp_path: Path, cli: Cli) -> None:
    program = copy_example(tmp_path / "program")
    result = cli(program, "build")
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("portfolio ")]
    # Pairs are built by one worker per processor, so they finish in any order.
    assert [line.split(":")[0] for line in lines] == [f"portfolio {n}/4" for n in range(1, 5)]
    assert sorted(line.split(": ")[1] for line in lines) == [f"{pair} built" for pair in EXAMPLE_PAIRS]
    again = cli(program, "build")
    assert not [line for line in again.stderr.splitlines() if line.startswith("portfolio ")]
    assert "built 0 portfolios (pair and review editions), 4 up to date" in again.stderr


def test_build_shows_a_progress_bar_on_a_terminal(program_dir: Path) -> None:
    controller, terminal = pty.openpty()
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "COLUMNS": "100"}
    process = subprocess.run([sys.executable, "-m", "mentorsite", "build"], cwd=program_dir, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=terminal, env=environment, check=False)
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    assert process.returncode == 0
    text = shown.decode()
    assert re.search(r"Portfolios  \[#+\]  1/1", text), text
    assert "portfolio 1/1" not in text


def test_jobs_build_the_same_portfolios_in_worker_processes(tmp_path: Path, cli: Cli) -> None:
    sequential = copy_example(tmp_path / "one")
    parallel = copy_example(tmp_path / "two")
    assert cli(sequential, "build", "--jobs", "1", SOURCE_DATE_EPOCH="1795262400").returncode == 0
    result = cli(parallel, "build", "--jobs", "2", SOURCE_DATE_EPOCH="1795262400")
    assert result.returncode == 0, result.stderr
    # Workers finish in any order; each pair is reported once, counted 1 to 4.
    lines = [line.split(": ", 1) for line in result.stderr.splitlines() if line.startswith("portfolio ")]
    assert [count for count, _ in lines] == [f"portfolio {n}/4" for n in range(1, 5)]
    assert sorted(outcome for _, outcome in lines) == [f"{pair} built" for pair in EXAMPLE_PAIRS]
    assert_same_tree(sequential / "site-private", parallel / "site-private")


def assert_same_tree(left: Path, right: Path) -> None:
    left_files = sorted(p.relative_to(left) for p in left.rglob("*") if p.is_file())
    right_files = sorted(p.relative_to(right) for p in right.rglob("*") if p.is_file())
    assert left_files == right_files
    different = [str(p) for p in left_files if not filecmp.cmp(left / p, right / p, shallow=False)]
    assert different == []


def test_jobs_keep_a_broken_pair_out_and_fail(tmp_path: Path, cli: Cli) -> None:
    program = copy_example(tmp_path / "program")
    write_files(program, {"content/pairs/priya-tomas/goals/broken.md": "---\ntitle: Broken\n---\n"})
    result = cli(program, "build", "--jobs", "2")
    assert result.returncode == 1
    assert "portfolio" in result.stderr and "priya-tomas not built, previous pair edition kept" in result.stderr
    assert "mentorsite: 1 pair not built, their previous pair editions kept: priya-tomas\n" in result.stderr
    assert (program / "site-private/pairs/lena-marcus/index.html").is_file()


@pytest.fixture
def static_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "served"
    root.mkdir()
    for url in serve(root):
        yield url, root


LOCAL_LINK = re.compile(r'(?:href|src)="(?!https?:|#|data:|mailto:|/)([^"#?]+)')


def test_export_writes_the_same_zip_each_time(program_dir: Path, cli: Cli) -> None:
    result = cli(program_dir, "export", "ana-ben", "--edition", "review", "-o", "out/ana.zip")
    assert result.returncode == 0, result.stderr
    count = int(re.search(r"review edition of ana-ben, (\d+) files", result.stdout).group(1))  # type: ignore[union-attr]
    archive = program_dir / "out/ana.zip"
    with zipfile.ZipFile(archive) as opened:
        names = opened.namelist()
    assert len(names) == count
    assert all(name.startswith("ana-ben-review/") for name in names)
    assert "search/search_index.json" in " ".join(names)
    again = cli(program_dir, "export", "ana-ben", "--edition", "review", "-o", "out/again.zip")
    assert again.returncode == 0
    assert archive.read_bytes() == (program_dir / "out/again.zip").read_bytes()


@pytest.mark.slow
def test_export_writes_a_zip_that_works_unzipped_and_served(program_dir: Path, cli: Cli,
                                                           static_server: tuple[str, Path]) -> None:
    base, served = static_server
    result = cli(program_dir, "export", "ana-ben", "--edition", "review", "-o", "out/ana.zip")
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(program_dir / "out/ana.zip") as opened:
        opened.extractall(served)
    pages = list((served / "ana-ben-review").rglob("*.html"))
    assert len(pages) >= 5
    broken = []
    for page in pages:
        relative = page.relative_to(served).as_posix()
        html = fetch(base + relative)
        assert "Content-Security-Policy" in html, relative
        for link in LOCAL_LINK.findall(html):
            target = (page.parent / link).resolve()
            if not answers(base + target.relative_to(served.resolve()).as_posix()):
                broken.append(f"{relative} -> {link}")
    assert broken == []


def test_export_review_edition_leaves_out_private_records(program_dir: Path, cli: Cli) -> None:
    write_files(program_dir, {"content/pairs/ana-ben/sessions/2026-02-03.md":
                              "---\ndate: 2026-02-03\n---\n\nPRIVATE-NOTE-MARKER\n"})
    for edition, expected in (("pair", True), ("review", False)):
        result = cli(program_dir, "export", "ana-ben", "--edition", edition)
        assert result.returncode == 0, result.stderr
        # by default into the private folder, which git ignores, readable by its owner only
        assert result.stdout.startswith(f"Wrote site-private/exports/ana-ben-{edition}.zip: the {edition} "
                                        "edition of ana-ben")
        with zipfile.ZipFile(program_dir / f"site-private/exports/ana-ben-{edition}.zip") as opened:
            found = any(b"PRIVATE-NOTE-MARKER" in opened.read(name) for name in opened.namelist())
        assert found is expected, edition


def test_export_refuses_the_public_site_and_pairs_with_errors(program_dir: Path, cli: Cli) -> None:
    into_site = cli(program_dir, "export", "ana-ben", "-o", "site/ana.zip")
    assert into_site.returncode == 1
    assert into_site.stderr.endswith(
        f"Error: mentorsite: the export (site/ana.zip) must not go into site_dir ({program_dir.resolve()}/site): "
        "a portfolio is private\n")
    unknown = cli(program_dir, "export", "ana-bne")
    assert unknown.stderr.endswith("Error: no pair 'ana-bne' in content/pairs; did you mean 'ana-ben'?\n")
    write_files(program_dir, {"content/pairs/ana-ben/goals/speaking.md": "---\ntitle: Speak\n---\n"})
    broken = cli(program_dir, "export", "ana-ben")
    assert broken.returncode == 1
    assert "speaking.md:2:1: error[missing-field] status: required field is missing" in broken.stderr
    assert broken.stderr.endswith("Error: mentorsite: 1 error and 0 warnings in the records of ana-ben; "
                                  "not exported\n")
    assert not (program_dir / "ana-ben-pair.zip").exists()


@pytest.mark.slow
def test_serve_pair_previews_the_portfolio_and_rebuilds_on_change(program_dir: Path) -> None:
    port = free_port()
    log = program_dir / "serve.log"
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    with log.open("w") as output:
        process = subprocess.Popen([sys.executable, "-m", "mentorsite", "serve", "--pair", "ana-ben",
                                    "--dev-addr", f"127.0.0.1:{port}"], cwd=program_dir, stdout=output,
                                   stderr=subprocess.STDOUT, env=environment)
    try:
        assert wait_for(lambda: serving_url(log) is not None), log.read_text()
        page = f"{serving_url(log)}sessions/2026-02-03.html"  # under the path the preview printed
        assert wait_for(lambda: "First session." in fetch(page)), log.read_text()
        assert "livereload" in fetch(page)
        assert fetch(f"http://127.0.0.1:{port}/sessions/2026-02-03.html") == ""  # not without it
        session = program_dir / "content/pairs/ana-ben/sessions/2026-02-03.md"
        session.write_text(session.read_text().replace("First session.", "Rewritten notes."))
        assert wait_for(lambda: "Rewritten notes." in fetch(page)), log.read_text()
        write_files(program_dir, {"content/pairs/ana-ben/goals/speaking.md": "---\ntitle: Speak\n---\n"})
        assert wait_for(lambda: "the preview shows the last good build" in log.read_text()), log.read_text()
        assert "Rewritten notes." in fetch(page)
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.mark.slow
def test_serve_without_pair_previews_the_handbook(program_dir: Path) -> None:
    port = free_port()
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    process = subprocess.Popen([sys.executable, "-m", "mentorsite", "serve", "--dev-addr", f"127.0.0.1:{port}"],
                               cwd=program_dir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment)
    try:
        assert wait_for(lambda: "Set clear goals" in fetch(f"http://127.0.0.1:{port}/guidelines/clear-goals/"))
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_build_and_export_need_the_plugin_in_mkdocs_yml(program_dir: Path, cli: Cli) -> None:
    config = program_dir / "mkdocs.yml"
    config.write_text(config.read_text().replace("  - mentorsite\n", ""))
    expected = f"Error: {config.resolve()} does not list the mentorsite plugin\n"
    for arguments in (("build",), ("export", "ana-ben")):
        result = cli(program_dir, *arguments)
        assert (result.returncode, result.stderr[-len(expected):]) == (1, expected), arguments


def test_serve_names_an_unknown_pair_and_a_bad_address(program_dir: Path, cli: Cli) -> None:
    unknown = cli(program_dir, "serve", "--pair", "ana-bne")
    assert (unknown.returncode, unknown.stderr.splitlines()[-1]) == (
        1, "Error: no pair 'ana-bne' in content/pairs; did you mean 'ana-ben'?")
    address = cli(program_dir, "serve", "--dev-addr", "8000")
    assert address.returncode == 2
    assert address.stderr.endswith("Error: Invalid value for '--dev-addr': expected IP:PORT, got '8000'\n")
    # A pair whose records have errors is served, with them listed: tests/test_serve_errors.py.
