"""Where a build's time goes: `mentorsite build` run with the start and end of each phase noted.

The benchmark runs ``python -c TIMED MARKS build ...``: the command line, as `python -m
mentorsite` runs it, once the functions that begin and end the phases note their times in
MARKS. They are the session opened (the records read and checked, ``open_session``), the
portfolios built (``OpenProgram.build_portfolios``) and, within those, the program report;
and, where the build has them, the handbook's stamp made, compared and recorded (the
handbook not built again when nothing it is built from has changed).
The times are ``time.monotonic``, one clock for every process of the machine, so the
benchmark counts the start-up from its own launch of the process. Nothing else changes:
the build is the one `mentorsite build` runs.
"""

from __future__ import annotations

import functools
import importlib
import json
import os
import runpy
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TIMED = "from mentorsite.dev.phases import run; run()"
# Phase, module, and the function (or Class.method) whose call is that phase.
NOTED = (("reading", "mentorsite.session.opening", "open_session"),
         ("portfolios", "mentorsite.site.program_builds", "OpenProgram.build_portfolios"),
         ("report", "mentorsite.site.builder", "_Build.program_report"))
# Noted too when the build has them.
NOTED_IF_PRESENT = (("handbook", "mentorsite.site.handbook_stamp", "handbook_stamp"),
                    ("handbook", "mentorsite.site.handbook_stamp", "HandbookStamp.fresh"),
                    ("handbook", "mentorsite.site.handbook_stamp", "HandbookStamp.record"))
LABELS = (("startup", "start-up (until the build begins)"),
          ("reading", "reading (records read and checked)"),
          ("handbook", "handbook (stamp, MkDocs' build)"),
          ("portfolios", "portfolios"),
          ("report", "report"),
          ("rest", "the rest (site swapped in, exit)"),
          ("total", "total"))


@dataclass(frozen=True)
class Mark:
    """One call of a noted function: its phase, when it began and when it returned (monotonic)."""

    phase: str
    start: float
    end: float


@dataclass(frozen=True)
class Phases:
    """A build's wall time, in seconds, by phase; ``rest`` is what no phase holds."""

    startup: float
    reading: float
    handbook: float
    portfolios: float
    report: float
    rest: float
    total: float


def breakdown(launched: float, ended: float, marks: Sequence[Mark]) -> Phases:
    """The phases of a build launched and ended at these times (monotonic), from its marks.

    Start-up runs from the launch to the first mark. The handbook is its stamp's marks and
    the time from the end of the last reading before the portfolios to their start, when
    MkDocs builds its pages (none when no portfolio was built, and next to none in a build
    of portfolios only, which reads and then builds). The report is taken out of the
    portfolios that hold it.
    """
    def total(phase: str) -> float:
        return sum(mark.end - mark.start for mark in marks if mark.phase == phase)

    first = min((mark.start for mark in marks), default=ended)
    starts = [mark.start for mark in marks if mark.phase == "portfolios"]
    handbook = total("handbook")
    if starts:
        readings = [mark.end for mark in marks if mark.phase == "reading" and mark.end <= min(starts)]
        handbook += min(starts) - max(readings, default=min(starts))
    report = total("report")
    startup, reading, portfolios = first - launched, total("reading"), total("portfolios") - report
    rest = (ended - launched) - startup - reading - handbook - portfolios - report
    return Phases(startup, reading, handbook, portfolios, report, rest, ended - launched)


def read_marks(path: Path) -> list[Mark]:
    """The marks a timed build wrote (none if it wrote none)."""
    if not path.is_file():
        return []
    return [Mark(*json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line]


def table(title: str, runs: Sequence[Phases], width: int) -> list[str]:
    """Lines of a breakdown: a row per phase, a column per run, then the median of the runs."""
    lines = [title]
    for name, label in LABELS:
        figures = [getattr(run, name) for run in runs]
        columns = "".join(f"{figure:>8.2f}" for figure in figures)
        lines.append(f"  {label:<{width - 2}}{columns}{statistics.median(figures):>8.2f}")
    return lines


def install(marks: Path) -> None:
    """Wrap each noted function so that its calls, in this process only, are written to ``marks``.

    Raises RuntimeError when one is missing: the build has changed, and so must ``NOTED``.
    """
    main_process = os.getpid()

    def noted(phase: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def timed(*arguments: Any, **options: Any) -> Any:
            start = time.monotonic()
            try:
                return function(*arguments, **options)
            finally:
                if os.getpid() == main_process:  # a forked worker's calls are its own
                    with marks.open("a", encoding="utf-8") as handle:
                        handle.write(json.dumps([phase, start, time.monotonic()]) + "\n")
        return timed

    for phase, module_name, name in (*NOTED, *NOTED_IF_PRESENT):
        required = (phase, module_name, name) in NOTED
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            if required:
                raise
            continue
        owner_name, _, attribute = name.rpartition(".")
        owner = getattr(module, owner_name, None) if owner_name else module
        original = getattr(owner, attribute, None)
        if original is None and not required:
            continue
        if original is None:
            raise RuntimeError(f"mentorsite.dev.phases: {module_name} has no {name} any more; "
                               "say in NOTED where the build's phases begin now")
        timed = noted(phase, original)
        setattr(owner, attribute, timed)
        if not owner_name:  # also where modules loaded already took the function by its name
            for loaded in list(sys.modules.values()):
                if getattr(loaded, "__name__", "").startswith("mentorsite.") and \
                        getattr(loaded, attribute, None) is original:
                    setattr(loaded, attribute, timed)


def run() -> None:
    """``python -c TIMED MARKS ARGUMENTS...``: the command line with ARGUMENTS, its phases noted in MARKS."""
    marks = Path(sys.argv.pop(1))
    install(marks)
    runpy.run_module("mentorsite", run_name="__main__", alter_sys=True)
