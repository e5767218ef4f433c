"""`mentorsite bench` on a tiny program: every figure is printed, and what it says was built is true.

No time is asserted here (shared machines make timings flaky); the figures themselves are
in the README, from a run of the full benchmark.
"""

from __future__ import annotations

import re
from pathlib import Path

from mentorsite.checking.program import read_program
from mentorsite.dev.synthetic import ProgramSize, write_program
from tests.test_cli import mentorsite


def test_a_synthetic_program_is_valid_and_the_same_every_time(tmp_path: Path) -> None:
    size = ProgramSize(pairs=5, sessions=3, guidelines=8)
    pairs = write_program(tmp_path / "one", size)
    write_program(tmp_path / "two", size)
    checked = read_program(tmp_path / "one" / "content", tmp_path / "one")
    assert checked.diagnostics == []
    assert sorted(checked.pair_folders) == pairs
    assert all(len(records.sessions) == 3 for records in checked.program.pairs)
    assert len(checked.program.handbook.guidelines) == 8
    files = sorted(p.relative_to(tmp_path / "one") for p in (tmp_path / "one").rglob("*") if p.is_file())
    assert all((tmp_path / "one" / f).read_bytes() == (tmp_path / "two" / f).read_bytes() for f in files)


def test_bench_prints_every_figure_of_real_builds(tmp_path: Path) -> None:
    result = mentorsite(tmp_path, "bench", "--pairs", "3", "--sessions", "2", "--guidelines", "4",
                        "--scale", "5", "--workdir", str(tmp_path / "work"))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "mentorsite benchmark: 3 pairs x 2 sessions, 4 guidelines" in out
    assert re.search(r"cold \(--jobs \d+\)\s+[\d.]+\s+[\d.]+\s+\d+  3 built, 0 up to date; 54 pages written", out)
    assert re.search(r"no change\s+[\d.]+\s+[\d.]+\s+\d+  0 built, 3 up to date; 0 pages written", out)
    assert re.search(r"one session edited \(pair-0002\)\s+.*  1 built, 2 up to date; 18 pages written", out)
    assert re.search(r"same, --pair pair-0001\s+.*  1 built, 0 up to date; 18 pages written", out)
    assert "one session edited: pairs written: pair-0002;" in out
    assert re.search(r"naive \(one `mkdocs build` per pair, 3 in a row\): [\d.]+ s for \d+ pages", out)
    assert re.search(r"cold build / naive: [\d.]+", out)
    assert re.search(r"scale: 5 pairs x 2 sessions, 4 guidelines: cold [\d.]+ s", out)
    assert re.search(r"growth 5/3 pairs = 1.7x pairs: [\d.]+x time, [\d.]+x peak memory", out)
