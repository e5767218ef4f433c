"""`mentorsite bench` on a tiny program: every figure is printed, and what it says was built is true.

No time is asserted here (shared machines make timings flaky); the figures themselves are
in the README, from a run of the full benchmark. The fast tests check how the figures are
worked out: the phases from a build's marks, the tables, the comparison of outputs.
"""

from __future__ import annotations

import importlib
import re
import sys
import types
from pathlib import Path

import pytest

from mentorsite.checking.program import read_program
from mentorsite.dev import phases
from mentorsite.dev.benchmark import Run, different_files, median_run
from mentorsite.dev.phases import Mark, Phases, breakdown, read_marks, table
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


def test_a_whole_build_is_split_into_its_phases() -> None:
    # Launched at 100; records read 100.5-100.75; portfolios 102-103.5, the report 103-103.25; exit at 104.
    marks = [Mark("reading", 100.5, 100.75), Mark("report", 103.0, 103.25), Mark("portfolios", 102.0, 103.5)]
    assert breakdown(100.0, 104.0, marks) == Phases(startup=0.5, reading=0.25, handbook=1.25, portfolios=1.25,
                                                   report=0.25, rest=0.5, total=4.0)


def test_the_handbook_s_stamp_counts_as_the_handbook() -> None:
    # The stamp made and compared before the records are read, recorded after the portfolios.
    marks = [Mark("handbook", 100.5, 100.75), Mark("reading", 101.0, 101.25), Mark("portfolios", 101.5, 102.0),
             Mark("handbook", 102.25, 102.5)]
    assert breakdown(100.0, 103.0, marks) == Phases(startup=0.5, reading=0.25, handbook=0.75, portfolios=0.5,
                                                   report=0.0, rest=1.0, total=3.0)


def test_a_build_of_portfolios_only_has_no_handbook_and_one_without_marks_is_all_start_up() -> None:
    only = breakdown(10.0, 12.0, [Mark("reading", 10.5, 11.0), Mark("portfolios", 11.0, 11.75)])
    assert (only.handbook, only.portfolios, only.report, only.rest) == (0.0, 0.75, 0.0, 0.25)
    assert breakdown(10.0, 12.0, []) == Phases(2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0)


def test_marks_are_read_back_as_written(tmp_path: Path) -> None:
    (tmp_path / "marks").write_text('["reading", 1.5, 2.0]\n["portfolios", 3.0, 4.25]\n', encoding="utf-8")
    assert read_marks(tmp_path / "marks") == [Mark("reading", 1.5, 2.0), Mark("portfolios", 3.0, 4.25)]
    assert read_marks(tmp_path / "none") == []


def test_a_breakdown_has_a_row_per_phase_a_column_per_run_and_the_median() -> None:
    runs = [Phases(1, 2, 3, 4, 5, 6, 21), Phases(9, 2, 1, 0, 0, 0, 12), Phases(2, 2, 2, 2, 2, 2, 12)]
    lines = table("rebuild", runs, 30)
    assert lines[0] == "rebuild"
    assert lines[1] == "  start-up (until the build begins)    1.00    9.00    2.00    2.00"
    assert [line.split()[-1] for line in lines[1:]] == ["2.00", "2.00", "2.00", "2.00", "2.00", "2.00", "12.00"]
    assert [label for label, _ in phases.LABELS][-1] == "total" and len(lines) == 1 + len(phases.LABELS)


def test_the_median_run_is_the_middle_one_by_wall_time() -> None:
    runs = [Run(3.0, 1.0), Run(1.0, 1.0), Run(2.0, 1.0)]
    assert median_run(runs) is runs[2]
    assert median_run(runs[:2]) is runs[1]  # of two, the faster


def test_outputs_are_compared_byte_for_byte_and_every_file_counts(tmp_path: Path) -> None:
    for side in ("one", "two"):
        for name, text in {"site/index.html": "page", "site-private/pairs/a/index.html": "pair",
                           "site/sitemap.xml.gz": "zip", ".cache/records": side}.items():
            (tmp_path / side / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / side / name).write_text(text, encoding="utf-8")
    assert different_files(tmp_path / "one", tmp_path / "two") == (3, [])  # the cache is not an output
    (tmp_path / "two" / "site" / "sitemap.xml.gz").write_bytes(b"zap")
    (tmp_path / "two" / "site-private" / "report.html").write_text("new", encoding="utf-8")
    assert different_files(tmp_path / "one", tmp_path / "two") == (
        4, ["site-private/report.html", "site/sitemap.xml.gz"])


def test_every_phase_begins_where_the_build_has_it() -> None:
    for _, module_name, name in phases.NOTED:
        owner_name, _, attribute = name.rpartition(".")
        module = importlib.import_module(module_name)
        owner = getattr(module, owner_name) if owner_name else module
        assert callable(getattr(owner, attribute)), f"{module_name}.{name}"


def test_the_phases_are_noted_also_where_a_module_took_the_function_by_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source, user = types.ModuleType("mentorsite.dev._source"), types.ModuleType("mentorsite.dev._user")
    source.read = user.read = lambda: "read"  # type: ignore[attr-defined]
    for module in (source, user):
        monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(phases, "NOTED", (("reading", "mentorsite.dev._source", "read"),))
    monkeypatch.setattr(phases, "NOTED_IF_PRESENT", (("handbook", "mentorsite.dev._source", "gone"),
                                                     ("handbook", "mentorsite.dev._nowhere", "stamp")))
    phases.install(tmp_path / "marks")  # what the build does not have, if it may lack it, is left
    assert (source.read(), user.read()) == ("read", "read")  # type: ignore[attr-defined]
    assert [mark.phase for mark in read_marks(tmp_path / "marks")] == ["reading", "reading"]


def test_a_phase_the_build_no_longer_has_is_said(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(phases, "NOTED", (("report", "mentorsite.site.builder", "_Build.gone"),))
    monkeypatch.setattr(phases, "NOTED_IF_PRESENT", ())
    with pytest.raises(RuntimeError, match=r"mentorsite.site.builder has no _Build.gone any more"):
        phases.install(tmp_path / "marks")


SIDE_BY_SIDE = re.compile(r"(?m)^(\d+) pairs, side by side, seconds +run 1 +run 2 +median\n"
                          r"rebuild, nothing changed\n((?:  .+\n){7})rebuild, one session edited\n((?:  .+\n){7})"
                          r"plain MkDocs build, (\d+) pages +[\d.]+ +[\d.]+ +[\d.]+  \(first build [\d.]+ s; "
                          r"the handbook has (\d+) pages\)\n"
                          r"\1 pairs: rebuild unchanged / plain MkDocs build: [\d.]+x \(target: at most 1.0x\)\n"
                          r"\1 pairs: rebuild after one edit / plain MkDocs build: [\d.]+x \(target: at most 1.5x\)\n"
                          r"\1 pairs: portfolio pages written: 0 with nothing changed, 11 after one edit "
                          r"\(pairs: (pair-\d+)\)\n"
                          r"preview \(`serve --pair pair-0001`\), from an edit of a session to its page served "
                          r"with it: [\d.]+ s \(median of [\d.]+, [\d.]+\)\n")
PHASE_ROW = re.compile(r"  (start-up|reading|handbook|portfolios|report|the rest|total)\b.*?( +[\d.]+){3}")


@pytest.mark.slow  # it serves the preview
def test_bench_prints_every_figure_of_real_builds(tmp_path: Path) -> None:
    result = mentorsite(tmp_path, "bench", "--pairs", "3", "--sessions", "2", "--guidelines", "4",
                        "--scale", "5", "--runs", "2", "--workdir", str(tmp_path / "work"))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "mentorsite benchmark: 3 pairs x 2 sessions, 4 guidelines" in out
    assert "rebuilds: the median of 2 runs" in out
    assert re.search(r"cold \(--jobs \d+\)\s+[\d.]+\s+[\d.]+\s+\d+  3 built, 0 up to date; 54 pages written", out)
    assert re.search(r"cold, no caches \(--no-cache\)\s+.*  3 built, 0 up to date; 54 pages written", out)
    assert re.search(r"no change\s+[\d.]+\s+[\d.]+\s+\d+  0 built, 3 up to date; 0 pages written", out)
    # The pair edition's 11 pages of the 18 a pair has: a synthetic pair shares no session, so an edit
    # of one leaves every page of its review edition as it was.
    assert re.search(r"one session edited \(pair-0002\)\s+.*  1 built, 2 up to date; 11 pages written", out)
    assert re.search(r"same, --pair pair-0001\s+.*  1 built, 0 up to date; 11 pages written", out)
    assert "one session edited: pairs written: pair-0002;" in out
    assert re.search(r"outputs identical with and without caches: yes \(\d{3,} files\)", out)
    found = list(SIDE_BY_SIDE.finditer(out))
    assert [(match[1], match[6]) for match in found] == [("3", "pair-0002"), ("5", "pair-0003")]
    for match in found:
        rows = (match[2] + match[3]).splitlines()
        assert all(PHASE_ROW.fullmatch(row) for row in rows), rows
        assert match[4] == match[5]  # plain MkDocs builds as many pages as the handbook has
    # The naive way once, at the larger size, where the cold build is compared with it.
    assert re.findall(r"naive \(one `mkdocs build` per pair, (\d+) in a row\): [\d.]+ s for \d+ pages", out) == ["5"]
    assert out.index("growth 5/3 pairs") < out.index("cold build / naive: ")
    assert out.count("cold build / naive: ") == 1
    # In two parts (two runs), each after a cold build, each cold build against its own part.
    parts = re.search(r"in 2 parts, each after a cold build \(([\d.]+), ([\d.]+) s\): cold build / naive "
                      r"([\d.]+), ([\d.]+)\ncold build / naive: ([\d.]+) \(the median;", out)
    assert parts, out
    assert float(parts[5]) == pytest.approx((float(parts[3]) + float(parts[4])) / 2, abs=0.0011)
    assert re.search(r"scale: 5 pairs x 2 sessions, 4 guidelines: cold [\d.]+ s", out)
    assert re.search(r"growth 5/3 pairs = 1.7x pairs: [\d.]+x time, [\d.]+x peak memory", out)
