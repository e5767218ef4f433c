"""The build benchmark: synthetic programs built cold, again unchanged, after one edit, in parallel,
at a larger scale, and the same portfolios built the naive way (one `mkdocs build` per pair).

Every figure comes from real builds run as separate processes on this machine, in one
run, so ratios compare like with like. Nothing here is timed in the test suite.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from mentorsite.dev.synthetic import AS_OF, ProgramSize, write_program

OUTPUTS = ("site", "site-private", ".cache")
PHASE = re.compile(r"built (\d+) portfolios? .*?(?:, (\d+) up to date)? in \S+ in ([\d.]+) seconds")


@dataclass
class Run:
    """One build: wall time, the largest process's peak memory, the portfolio phase as logged."""

    seconds: float
    peak_mib: float
    built: int = 0
    fresh: int = 0
    phase_seconds: float = 0.0
    pages_written: int = 0
    pairs_written: list[str] = field(default_factory=list)


def measure(command: list[str], cwd: Path) -> tuple[float, float, str]:
    """Run ``command``; its wall time, peak RSS in MiB (its largest process) and its log.

    Raises RuntimeError with the log when the command fails.
    """
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=environment, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    assert process.stdout is not None
    output = process.stdout.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{output[-4000:]}")
    return seconds, usage.ru_maxrss / 1024, output


def build(program: Path, jobs: int, *options: str, clean: bool = False) -> Run:
    """`mentorsite build` of ``program``, with the pages it wrote (by modification time)."""
    if clean:
        for name in OUTPUTS:
            shutil.rmtree(program / name, ignore_errors=True)
    before = _page_versions(program / "site-private")
    command = [sys.executable, "-m", "mentorsite", "build", "--jobs", str(jobs), *options]
    seconds, peak, log = measure(command, program)
    run = Run(seconds, peak)
    found = PHASE.search(log)
    if found:
        run.built, run.fresh, run.phase_seconds = int(found[1]), int(found[2] or 0), float(found[3])
    after = _page_versions(program / "site-private")
    written = [path for path, stamp in after.items() if before.get(path) != stamp]
    portfolio_pages = [p for p in written if p.parts[0] in ("pairs", "review") and len(p.parts) > 2]
    run.pages_written = len(portfolio_pages)
    run.pairs_written = sorted({p.parts[1] for p in portfolio_pages})
    return run


def _page_versions(folder: Path) -> dict[Path, tuple[int, int]]:
    """Each HTML page under ``folder`` with its modification time and inode (a swapped-in file is new)."""
    if not folder.is_dir():
        return {}
    found = {}
    for page in folder.rglob("*.html"):
        status = page.stat()
        found[page.relative_to(folder)] = (status.st_mtime_ns, status.st_ino)
    return found


def count_pages(program: Path) -> tuple[int, int]:
    """HTML pages of the handbook and of the private sites (portfolios, reviewer index, report)."""
    return (sum(1 for _ in (program / "site").rglob("*.html")),
            sum(1 for _ in (program / "site-private").rglob("*.html")))


def edit_one_session(program: Path, pair_id: str) -> Path:
    """Append a sentence to the pair's first session notes, as a mentee would."""
    session = sorted((program / "content" / "pairs" / pair_id / "sessions").glob("*.md"))[0]
    with session.open("a", encoding="utf-8") as handle:
        handle.write("\nAdded after the meeting: one more idea to try before next time.\n")
    return session


NAIVE_CONFIG = """\
site_name: {name}
docs_dir: docs
site_dir: site
use_directory_urls: false
theme:
  name: material
  font: false
plugins:
  - search
markdown_extensions: [admonition, attr_list, md_in_html, tables, toc]
"""


def write_naive_sites(program: Path, target: Path) -> list[Path]:
    """For each pair, a plain MkDocs project holding the Markdown of both its editions.

    The pages are the ones mentorsite renders, written as files, so the naive builds
    turn the same Markdown into the same theme's HTML, one `mkdocs build` per pair.
    """
    from mentorsite.checking.program import read_program  # noqa: PLC0415
    from mentorsite.model.editions import EDITIONS  # noqa: PLC0415 - only for the naive comparison
    from mentorsite.pages.portfolio import PortfolioSettings, render_portfolio  # noqa: PLC0415
    from mentorsite.pages.rendering import create_environment  # noqa: PLC0415

    checked = read_program(program / "content", program)
    environment = create_environment()
    settings = PortfolioSettings(AS_OF)
    projects = []
    for records in checked.program.pairs:
        project = target / records.pair.id
        for edition in EDITIONS:
            portfolio = render_portfolio(records, edition, checked.program.handbook, settings, environment)
            for page in portfolio.pages:
                path = project / "docs" / edition / page.uri
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(page.markdown, encoding="utf-8")
        (project / "mkdocs.yml").write_text(NAIVE_CONFIG.format(name=records.pair.id), encoding="utf-8")
        projects.append(project)
    return projects


def naive_build(projects: list[Path]) -> tuple[float, float, int]:
    """One `mkdocs build` per project, one after another: total seconds, peak MiB, pages built."""
    total, peak = 0.0, 0.0
    for project in projects:
        seconds, mib, _ = measure([sys.executable, "-m", "mkdocs", "build", "-q"], project)
        total += seconds
        peak = max(peak, mib)
    pages = sum(1 for project in projects for _ in (project / "site").rglob("*.html"))
    return total, peak, pages


def report(text: str = "") -> None:
    """A line of the benchmark's figures (standard output)."""
    print(text, flush=True)


def note(text: str) -> None:
    """What the benchmark is doing now (standard error)."""
    print(f"... {text}", file=sys.stderr, flush=True)


def run_benchmark(workdir: Path, size: ProgramSize, *, jobs: int, scale: int | None, naive: bool) -> None:
    """The whole benchmark in ``workdir``, printing its figures as they come."""
    program = workdir / "program"
    shutil.rmtree(program, ignore_errors=True)
    program.mkdir(parents=True)
    pair_ids = write_program(program, size)
    report(f"mentorsite benchmark: {size.label}; {os.cpu_count()} processors; jobs {jobs}")
    report(f"Python {sys.version.split()[0]}; as of {AS_OF}; each figure is one build in a new process")
    report()

    note(f"cold build with --jobs {jobs}")
    cold = build(program, jobs, clean=True)
    handbook_pages, private_pages = count_pages(program)
    pages = handbook_pages + private_pages
    note("no-change rebuild")
    unchanged = build(program, jobs)
    edited_pair = pair_ids[len(pair_ids) // 2]
    edit_one_session(program, edited_pair)
    note(f"rebuild after editing one session of {edited_pair}")
    edited = build(program, jobs)
    alone_pair = pair_ids[0]
    edit_one_session(program, alone_pair)
    note(f"`build --pair {alone_pair}` after editing one of its sessions")
    alone = build(program, jobs, "--pair", alone_pair)
    note("cold build with --jobs 1")
    serial = build(program, 1, clean=True)

    width = 36
    report(f"{'build':<{width}} {'wall s':>8} {'portfolio s':>12} {'peak MiB':>9}  portfolios")
    rows = [(f"cold (--jobs {jobs})", cold), ("cold (--jobs 1)", serial), ("no change", unchanged),
            (f"one session edited ({edited_pair})", edited), (f"same, --pair {alone_pair}", alone)]
    for label, run in rows:
        written = f"{run.built} built, {run.fresh} up to date; {run.pages_written} pages written"
        figures = f"{run.seconds:>8.2f} {run.phase_seconds:>12.2f} {run.peak_mib:>9.0f}"
        report(f"{label:<{width}} {figures}  {written}")
    report()
    report(f"pages: {handbook_pages} handbook + {private_pages} private (portfolios, reviewer index, report)"
           f" = {pages}; {pages / cold.seconds:.0f} pages/s cold with --jobs {jobs}")
    report(f"no-change rebuild: {unchanged.pages_written} portfolio pages written, "
           f"{unchanged.seconds:.2f} s in all ({unchanged.phase_seconds:.2f} s for the portfolios)")
    report(f"one session edited: pairs written: {', '.join(edited.pairs_written) or 'none'}; "
           f"{edited.seconds:.2f} s in all ({edited.phase_seconds:.2f} s for the portfolios); "
           f"with --pair (no handbook, no report): {alone.seconds:.2f} s")
    report(f"--jobs {jobs} vs --jobs 1: {serial.phase_seconds / max(cold.phase_seconds, 1e-9):.2f}x faster "
           f"(portfolio phase {serial.phase_seconds:.2f} s -> {cold.phase_seconds:.2f} s; "
           f"whole build {serial.seconds / cold.seconds:.2f}x)")

    if naive:
        _naive(program, workdir / "naive", cold)
    if scale:
        _scale(program, ProgramSize(scale, size.sessions, size.guidelines), jobs, cold)
    else:
        report("scale: skipped (--scale 0)")


def _naive(program: Path, folder: Path, cold: Run) -> None:
    """The same portfolios, one `mkdocs build` per pair, against the cold build."""
    projects = write_naive_sites(program, folder)
    note(f"naive: one mkdocs build per pair, {len(projects)} of them")
    naive_seconds, naive_peak, naive_pages = naive_build(projects)
    report(f"naive (one `mkdocs build` per pair, {len(projects)} in a row): {naive_seconds:.2f} s for "
           f"{naive_pages} pages, peak {naive_peak:.0f} MiB")
    report(f"cold build / naive: {cold.seconds / naive_seconds:.3f} "
           f"(mentorsite builds the handbook too; portfolio phase alone: "
           f"{cold.phase_seconds / naive_seconds:.3f})")
    shutil.rmtree(folder, ignore_errors=True)


def _scale(program: Path, large: ProgramSize, jobs: int, cold: Run) -> None:
    """A cold build of a larger program, against the cold build of the first one."""
    pairs = max(cold.built + cold.fresh, 1)
    shutil.rmtree(program, ignore_errors=True)
    program.mkdir(parents=True)
    write_program(program, large)
    note(f"cold build of {large.label} with --jobs {jobs}")
    big = build(program, jobs, clean=True)
    report(f"scale: {large.label}: cold {big.seconds:.2f} s ({big.phase_seconds:.2f} s portfolios), "
           f"peak {big.peak_mib:.0f} MiB")
    report(f"growth {large.pairs}/{pairs} pairs = {large.pairs / pairs:.1f}x pairs: "
           f"{big.seconds / cold.seconds:.2f}x time, {big.peak_mib / cold.peak_mib:.2f}x peak memory")
