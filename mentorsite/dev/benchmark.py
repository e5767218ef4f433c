"""The build benchmark: synthetic programs built cold, again unchanged, after one edit, in parallel,
at a larger scale, side by side with plain MkDocs, and the same portfolios built the naive way
(one `mkdocs build` per pair).

Every figure comes from real builds run as separate processes on this machine, in one
run, so ratios compare like with like. Nothing here is timed in the test suite.
"""

from __future__ import annotations

import compileall
import filecmp
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import time as day_time
from pathlib import Path

from mentorsite.dev.phases import TIMED, Phases, breakdown, read_marks, table
from mentorsite.dev.plain_sites import write_naive_sites, write_plain_handbook
from mentorsite.dev.preview_timing import time_preview
from mentorsite.dev.synthetic import AS_OF, ProgramSize, write_program

OUTPUTS = ("site", "site-private", ".cache")
COMPARED = ("site", "site-private")
PHASE = re.compile(r"built (\d+) portfolios? .*?(?:, (\d+) up to date)? in \S+ in ([\d.]+) seconds")
# Every build dated by the as-of day, so that two builds of the same records write the same bytes.
EPOCH = str(int(datetime.combine(AS_OF, day_time(), UTC).timestamp()))
WIDTH = 40


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
    phases: Phases | None = None


@dataclass
class SideBySide:
    """Rebuilds of a program and plain MkDocs builds of as many pages, one after the other, ``runs`` times."""

    unchanged: list[Run]
    edited: list[Run]
    plain: list[float]
    plain_cold: float
    plain_pages: int


def environment() -> dict[str, str]:
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": EPOCH}


def measure(command: list[str], cwd: Path) -> tuple[float, float, str]:
    """Run ``command``; its wall time, peak RSS in MiB (its largest process) and its log.

    Raises RuntimeError with the log when the command fails.
    """
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=cwd, env=environment(), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    assert process.stdout is not None
    output = process.stdout.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{output[-4000:]}")
    return seconds, usage.ru_maxrss / 1024, output


def build(program: Path, jobs: int, *options: str, clean: bool = False) -> Run:
    """`mentorsite build` of ``program``, with its phases and the pages it wrote (by modification time)."""
    if clean:
        for name in OUTPUTS:
            shutil.rmtree(program / name, ignore_errors=True)
    before = _page_versions(program / "site-private")
    marks = program.parent / f"{program.name}.phases"
    marks.unlink(missing_ok=True)
    command = [sys.executable, "-c", TIMED, str(marks), "build", "--jobs", str(jobs), *options]
    launched = time.monotonic()
    seconds, peak, log = measure(command, program)
    run = Run(seconds, peak, phases=breakdown(launched, launched + seconds, read_marks(marks)))
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


def plain_build(project: Path) -> float:
    """Seconds of a plain `mkdocs build` of ``project``."""
    seconds, _, _ = measure([sys.executable, "-m", "mkdocs", "build", "-q"], project)
    return seconds


def naive_build(projects: list[Path]) -> tuple[float, float, int]:
    """One `mkdocs build` per project, one after another: total seconds, peak MiB, pages built."""
    total, peak = 0.0, 0.0
    for project in projects:
        seconds, mib, _ = measure([sys.executable, "-m", "mkdocs", "build", "-q"], project)
        total += seconds
        peak = max(peak, mib)
    pages = sum(1 for project in projects for _ in (project / "site").rglob("*.html"))
    return total, peak, pages


def different_files(first: Path, second: Path) -> tuple[int, list[str]]:
    """Every file of ``COMPARED`` under both folders, byte for byte: how many, and those not the same
    (or in one only)."""
    def files(root: Path) -> set[str]:
        return {path.relative_to(root).as_posix() for name in COMPARED if (root / name).is_dir()
                for path in (root / name).rglob("*") if path.is_file()}

    ours, theirs = files(first), files(second)
    differ = sorted(ours ^ theirs) + sorted(
        name for name in ours & theirs if not filecmp.cmp(first / name, second / name, shallow=False))
    return len(ours | theirs), differ


def median_run(runs: list[Run]) -> Run:
    """The run of median wall time (the lower middle one of an even number)."""
    return sorted(runs, key=lambda run: run.seconds)[(len(runs) - 1) // 2]


def report(text: str = "") -> None:
    """A line of the benchmark's figures (standard output)."""
    print(text, flush=True)


def note(text: str) -> None:
    """What the benchmark is doing now (standard error)."""
    print(f"... {text}", file=sys.stderr, flush=True)


def run_benchmark(workdir: Path, size: ProgramSize, *, jobs: int, scale: int | None, naive: bool,
                  runs: int = 3) -> None:
    """The whole benchmark in ``workdir``, printing its figures as they come.

    The naive way is built once, for the larger program when there is one (it takes a
    `mkdocs build` per pair; the cold build is compared with it at the larger size).
    """
    program = workdir / "program"
    report(f"mentorsite benchmark: {size.label}; {os.cpu_count()} processors; jobs {jobs}")
    report(f"Python {sys.version.split()[0]}; as of {AS_OF}; each figure is one build in a new process; "
           f"rebuilds: the median of {runs} runs")
    report(f"mentorsite's modules: {compiled_modules()}")
    report()
    cold = measure_program(program, workdir, size, jobs=jobs, runs=runs, naive=naive and not scale)
    if scale:
        _scale(program, workdir, ProgramSize(scale, size.sessions, size.guidelines), cold,
               jobs=jobs, runs=runs, naive=naive)
    else:
        report("scale: skipped (--scale 0)")


def compiled_modules() -> str:
    """mentorsite's modules compiled to bytecode first, as an installed wheel has them (and as
    MkDocs' are), so that no build of the benchmark compiles them again; what was done, in words.

    An environment that writes no bytecode (``PYTHONDONTWRITEBYTECODE``) still reads it, so
    without this every build of a source checkout would pay for compiling the package."""
    package = Path(__file__).resolve().parent.parent
    try:
        done = compileall.compile_dir(package, quiet=1, workers=1)
    except OSError as error:
        return f"not compiled to bytecode ({error.strerror}); each build compiles them"
    return "compiled to bytecode first, as an installed wheel has them" if done else (
        "not all compiled to bytecode; each build compiles what is not")


def measure_program(program: Path, workdir: Path, size: ProgramSize, *, jobs: int, runs: int,
                    naive: bool) -> Run:
    """Every figure of the program of ``size``; its cold build, which the larger one is compared with."""
    shutil.rmtree(program, ignore_errors=True)
    program.mkdir(parents=True)
    pair_ids = write_program(program, size)
    note(f"cold build with --jobs {jobs}")
    cold = build(program, jobs, clean=True)
    handbook_pages, private_pages = count_pages(program)
    pages = handbook_pages + private_pages
    edited_pair = pair_ids[len(pair_ids) // 2]
    compared = side_by_side(program, workdir / "plain", edited_pair, jobs=jobs, runs=runs)
    unchanged, edited = median_run(compared.unchanged), median_run(compared.edited)
    alone_pair = pair_ids[0]
    edit_one_session(program, alone_pair)
    note(f"`build --pair {alone_pair}` after editing one of its sessions")
    alone = build(program, jobs, "--pair", alone_pair)
    preview = _preview(program, alone_pair, runs)
    note("rebuild with the caches, then a build without them (--no-cache, outputs and caches removed)")
    build(program, jobs)
    held = workdir / "with-caches"
    shutil.rmtree(held, ignore_errors=True)
    held.mkdir()
    for name in COMPARED:
        (program / name).rename(held / name)
    uncached = build(program, jobs, "--no-cache", clean=True)
    compared_files, differ = different_files(held, program)
    shutil.rmtree(held)
    note("cold build with --jobs 1")
    serial = build(program, 1, clean=True)

    report(f"{'build':<{WIDTH}} {'wall s':>8} {'portfolio s':>12} {'peak MiB':>9}  portfolios")
    rows = [(f"cold (--jobs {jobs})", cold), ("cold (--jobs 1)", serial),
            ("cold, no caches (--no-cache)", uncached), ("no change", unchanged),
            (f"one session edited ({edited_pair})", edited), (f"same, --pair {alone_pair}", alone)]
    for label, run in rows:
        written = f"{run.built} built, {run.fresh} up to date; {run.pages_written} pages written"
        figures = f"{run.seconds:>8.2f} {run.phase_seconds:>12.2f} {run.peak_mib:>9.0f}"
        report(f"{label:<{WIDTH}} {figures}  {written}")
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
    report(f"outputs identical with and without caches: {'no' if differ else 'yes'} ({compared_files} files"
           f"{'; differ: ' + ', '.join(differ[:10]) if differ else ''})")
    report()
    _report_side_by_side(size.pairs, compared, handbook_pages)
    _report_preview(alone_pair, preview)
    if naive:
        _naive(program, workdir / "naive", cold, jobs=jobs, runs=runs)
    return cold


def side_by_side(program: Path, folder: Path, pair_id: str, *, jobs: int, runs: int) -> SideBySide:
    """``runs`` times in turn: a rebuild with nothing changed, a plain `mkdocs build` of the handbook's
    pages, and a rebuild after one of ``pair_id``'s sessions is edited."""
    shutil.rmtree(folder, ignore_errors=True)
    project = write_plain_handbook(program, folder)
    note("plain MkDocs: a first build of the handbook's pages")
    plain_cold = plain_build(project)
    compared = SideBySide([], [], [], plain_cold, sum(1 for _ in (project / "site").rglob("*.html")))
    for number in range(1, runs + 1):
        note(f"side by side, run {number} of {runs}: rebuild unchanged, plain MkDocs build, "
             f"rebuild after editing a session of {pair_id}")
        compared.unchanged.append(build(program, jobs))
        compared.plain.append(plain_build(project))
        edit_one_session(program, pair_id)
        compared.edited.append(build(program, jobs))
    shutil.rmtree(folder, ignore_errors=True)
    return compared


def _report_side_by_side(pairs: int, compared: SideBySide, handbook_pages: int) -> None:
    """The fixed cost of each rebuild by phase, the plain MkDocs builds, and their ratios."""
    heading = "".join(f"{f'run {number}':>8}" for number in range(1, len(compared.plain) + 1))
    report(f"{f'{pairs} pairs, side by side, seconds':<{WIDTH}}{heading}{'median':>8}")
    for title, runs in (("rebuild, nothing changed", compared.unchanged),
                        ("rebuild, one session edited", compared.edited)):
        for line in table(title, [run.phases for run in runs if run.phases is not None], WIDTH):
            report(line)
    plain = statistics.median(compared.plain)
    label = f"plain MkDocs build, {compared.plain_pages} pages"
    report(f"{label:<{WIDTH}}{''.join(f'{figure:>8.2f}' for figure in compared.plain)}{plain:>8.2f}"
           f"  (first build {compared.plain_cold:.2f} s; the handbook has {handbook_pages} pages)")
    unchanged = statistics.median(run.seconds for run in compared.unchanged)
    edited = statistics.median(run.seconds for run in compared.edited)
    report(f"{pairs} pairs: rebuild unchanged / plain MkDocs build: {unchanged / plain:.2f}x "
           "(target: at most 1.0x)")
    report(f"{pairs} pairs: rebuild after one edit / plain MkDocs build: {edited / plain:.2f}x "
           "(target: at most 1.5x)")
    still, changed = median_run(compared.unchanged), median_run(compared.edited)
    report(f"{pairs} pairs: portfolio pages written: {still.pages_written} with nothing changed, "
           f"{changed.pages_written} after one edit (pairs: {', '.join(changed.pairs_written) or 'none'})")


def _preview(program: Path, pair_id: str, runs: int) -> list[float]:
    note(f"`serve --pair {pair_id}`: {runs} edits of a session, each until its page is served with it")
    return time_preview(program, pair_id, runs, environment())


def _report_preview(pair_id: str, seconds: list[float]) -> None:
    figures = ", ".join(f"{figure:.2f}" for figure in seconds)
    report(f"preview (`serve --pair {pair_id}`), from an edit of a session to its page served with it: "
           f"{statistics.median(seconds):.2f} s (median of {figures})")


def _naive(program: Path, folder: Path, cold: Run, *, jobs: int, runs: int) -> None:
    """The same portfolios, one `mkdocs build` per pair, against the cold build.

    The naive builds run in ``runs`` parts, each right after a cold build of the program, and each
    cold build is compared with its own part scaled to every pair: a machine that slows down for
    a while moves both figures of a comparison alike. The median of the comparisons is the figure."""
    shutil.rmtree(folder, ignore_errors=True)
    projects = write_naive_sites(program, folder)
    note(f"naive: one mkdocs build per pair, {len(projects)} of them, in {runs} parts after cold builds")
    size = -(-len(projects) // runs)
    parts = [projects[first:first + size] for first in range(0, len(projects), size)]
    colds: list[Run] = []
    ratios: list[float] = []
    phase_ratios: list[float] = []
    naive_seconds, naive_peak, naive_pages = 0.0, 0.0, 0
    for number, part in enumerate(parts, start=1):
        note(f"cold build, then part {number} of {len(parts)} of the naive way ({len(part)} pairs)")
        colds.append(build(program, jobs, clean=True))
        seconds, peak, pages = naive_build(part)
        naive_seconds, naive_pages = naive_seconds + seconds, naive_pages + pages
        naive_peak = max(naive_peak, peak)
        whole = seconds * len(projects) / len(part)  # the naive way for every pair, at this part's pace
        ratios.append(colds[-1].seconds / whole)
        phase_ratios.append(colds[-1].phase_seconds / whole)
    report(f"naive (one `mkdocs build` per pair, {len(projects)} in a row): {naive_seconds:.2f} s for "
           f"{naive_pages} pages, peak {naive_peak:.0f} MiB")
    walls = ", ".join(f"{run.seconds:.2f}" for run in colds)
    each = ", ".join(f"{ratio:.3f}" for ratio in ratios)
    report(f"in {len(parts)} parts, each after a cold build ({walls} s): cold build / naive {each}")
    phase = statistics.median(phase_ratios)
    report(f"cold build / naive: {statistics.median(ratios):.3f} (the median; target: at most 0.25; "
           f"mentorsite builds the handbook too; portfolio phase alone: {phase:.3f}; "
           f"the cold build before and all the naive way: {cold.seconds / naive_seconds:.3f})")
    shutil.rmtree(folder, ignore_errors=True)


def _scale(program: Path, workdir: Path, large: ProgramSize, cold: Run, *, jobs: int, runs: int,
           naive: bool) -> None:
    """A larger program: its cold build against the first one's, side by side with plain MkDocs
    too, its preview, and the naive way."""
    pairs = max(cold.built + cold.fresh, 1)
    shutil.rmtree(program, ignore_errors=True)
    program.mkdir(parents=True)
    pair_ids = write_program(program, large)
    note(f"cold build of {large.label} with --jobs {jobs}")
    big = build(program, jobs, clean=True)
    handbook_pages, _ = count_pages(program)
    compared = side_by_side(program, workdir / "plain", pair_ids[len(pair_ids) // 2], jobs=jobs, runs=runs)
    preview = _preview(program, pair_ids[0], runs)
    report()
    report(f"scale: {large.label}: cold {big.seconds:.2f} s ({big.phase_seconds:.2f} s portfolios), "
           f"peak {big.peak_mib:.0f} MiB")
    report(f"growth {large.pairs}/{pairs} pairs = {large.pairs / pairs:.1f}x pairs: "
           f"{big.seconds / cold.seconds:.2f}x time, {big.peak_mib / cold.peak_mib:.2f}x peak memory")
    report()
    _report_side_by_side(large.pairs, compared, handbook_pages)
    _report_preview(pair_ids[0], preview)
    if naive:
        _naive(program, workdir / "naive", big, jobs=jobs, runs=runs)
