"""Attacks on the program report (issue 16, break 5): each test proves one way it gave a pair away.

A reader of the report is a program owner, or a member of a pair who knows that pair's own
records. The report must not let either learn a figure of one other pair: not from two of
its figures together (break 5: the mean and the median over three pairs), not from a tally
with a small group or with every pair in one group, not from a total one pair dominates,
and not from two builds that differ by one pair left out for its errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta
from functools import cache
from itertools import combinations_with_replacement
from pathlib import Path

import pytest

from mentorsite.insights.scorecards import PracticeSettings
from mentorsite.model.record_sets import Handbook, PairRecords
from mentorsite.model.records import Agreement, Pair, Session
from mentorsite.pages.program_report import program_report, render_report
from mentorsite.pages.rendering import create_environment
from tests.programs import copy_example
from tests.test_portfolios import mkdocs_build, site_files

AS_OF = date(2026, 6, 1)
START = date(2026, 1, 5)
ENVIRONMENT = create_environment()


def pair_records(number: int, sessions: int = 0, *, status: str = "active", signed: bool = True,
                 agendas: Iterable[bool] = (), agreement: bool = True) -> PairRecords:
    """A pair that started on START, with ``sessions`` sessions (one a day) and an agreement."""
    pair = Pair.model_validate({"id": f"pair-{number}", "mentor": {"name": "M"}, "mentee": {"name": "N"},
                                "start": START, "status": status})
    terms = Agreement.model_validate({
        "cadence": {"every": 2, "unit": "weeks"}, "channels": ["video"], "confidentiality": "c",
        **({"signed": {"mentor": START, "mentee": START}} if signed else {})})
    with_agenda = list(agendas) + [False] * sessions
    held = tuple(Session.model_validate({"id": f"s{day}", "date": START + timedelta(days=day),
                                         "agenda": ["a"] if with_agenda[day] else []})
                 for day in range(sessions))
    return PairRecords(pair, terms if agreement else None, sessions=held)


def published(pairs: list[PairRecords]) -> str:
    """The report's page, as its readers get it."""
    report = program_report(pairs, Handbook(), AS_OF, PracticeSettings())
    return render_report(report, ENVIRONMENT)[0].markdown


@cache
def page_for_sessions(counts: tuple[int, ...]) -> str:
    """The report of pairs alike but for how many sessions each held (any order: one page).

    They have no agreement, so that no figure but those of sessions (the mean and, before,
    the median) depends on the counts: the cadence kept would count them too.
    """
    return published([pair_records(number, n, agreement=False) for number, n in enumerate(sorted(counts))])


@pytest.mark.parametrize(("pairs", "most"), [(3, 9), (4, 8)])
def test_no_pair_can_work_out_the_others_session_counts(pairs: int, most: int) -> None:
    """Break 5: with 3 pairs, the mean and the median gave a pair the other two pairs' session counts.

    By brute force over small programs: for every program of ``pairs`` pairs whose sessions
    add up to at most ``most`` (so that every other program with the same total is in the
    search), and for every pair in it, the programs whose report is the same page and in
    which that pair holds its own count must leave at least two multisets of counts for the
    other pairs. (A multiset: the report names no pair, so a pair that knew the others'
    counts in some order would know them.)
    """
    programs = list(combinations_with_replacement(range(most + 1), pairs))
    pinned = []
    for truth in (p for p in programs if sum(p) <= most):
        for own in set(truth):
            others = set()
            for candidate in programs:
                if own in candidate and page_for_sessions(candidate) == page_for_sessions(truth):
                    rest = list(candidate)
                    rest.remove(own)
                    others.add(tuple(rest))
            if len(others) < 2:
                pinned.append((truth, own, others))
    assert not pinned, f"{len(pinned)} pairs know the others' counts, the first: {pinned[0]}"
    shown = [p for p in programs if re.search(r"\(mean\) \| \d", page_for_sessions(p))]
    assert len(shown) >= (0 if pairs == 3 else 300)  # over 3 pairs no mean is shown now, over 4 most are


def test_a_tally_with_every_pair_in_one_group_is_withheld() -> None:
    """Break 5: "0 pass, 0 warn, 3 fail" stated every pair's verdict; "6 active" every pair's status.

    A tally is withheld when every pair falls in one group, or every pair the check could
    assess: "10 pass, 0 fail, 30 not assessed" tells the verdict of each pair assessed.
    """
    unsigned = published([pair_records(number, 4, signed=False) for number in range(6)])
    assert "| Agreement signed (`agreement-signed`) |" not in unsigned
    assert "- Agreement signed (`agreement-signed`)\n" in unsigned
    assert "| Active | 6 |" not in unsigned
    assert ("Pairs by status are not shown: a group would hold fewer than 3 pairs, or every pair "
            "(rules 1 and 2).") in unsigned
    # Three of six pairs are proposed (not assessed by most checks); the other three all pass.
    mixed = published([pair_records(number, 4, status="proposed" if number < 3 else "active",
                                    agendas=[True] * 4) for number in range(6)])
    assert "| Agenda prepared (`agenda-prepared`) |" not in mixed
    assert "- Agenda prepared (`agenda-prepared`)\n" in mixed


def test_a_small_group_is_merged_so_that_it_cannot_be_worked_back() -> None:
    """Break 5: a count of 1 or 2 pairs with a verdict was published; none may be, nor be recovered.

    3 pass, 1 warn and 2 fail is shown as 3 pass and 3 that warn or fail; the program with
    2 warn and 1 fail instead (and the same sessions and agendas in all) gets the very same
    page, so no reader can tell the two apart. 5 pass and 1 fail has no grouping that
    hides the one: it is withheld.
    """
    def program(agendas: list[int]) -> str:
        return published([pair_records(number, 4, agendas=[True] * held)
                          for number, held in enumerate(agendas)])

    one_warn = program([4, 4, 4, 2, 1, 1])  # 3 pass, 1 warn (2 of 4 had an agenda), 2 fail
    two_warn = program([4, 4, 4, 2, 2, 0])  # 3 pass, 2 warn, 1 fail: 16 agendas of 24 in both
    assert one_warn == two_warn
    assert "| Agenda prepared (`agenda-prepared`) | 3 | 3 (warn and fail together) | 0 |" in one_warn
    one_fail = program([4, 4, 4, 4, 4, 1])
    assert "| Agenda prepared (`agenda-prepared`) |" not in one_fail
    assert "- Agenda prepared (`agenda-prepared`)\n" in one_fail


def test_a_total_one_pair_dominates_is_withheld() -> None:
    """Break 5: a mean or a pooled rate one pair makes up most of is nearly that pair's own figure.

    One pair held 20 sessions, each with an agenda, and three held 2 without: the mean
    (6.5) and the share with an agenda (77%) would be mostly that one pair. No pair may make
    up more than half of a total (of the sessions, of the agendas, of those without one).
    """
    page = published([pair_records(0, 20, agendas=[True] * 20),
                      *(pair_records(number, 2) for number in range(1, 4))])
    assert "6.5" not in page and "77%" not in page
    withheld = page.split("one pair would stand out (rule 3):")[1].split("\n\n")[1]
    assert "- Sessions per pair that has started (mean)\n" in withheld
    assert "- Sessions with an agenda\n" in withheld
    even = published([pair_records(number, 6, agendas=[True] * (2 + number)) for number in range(4)])
    assert "| Sessions per pair that has started (mean) | 6.0 |" in even  # no pair dominates: shown
    assert "| Sessions with an agenda | 58% |" in even


def report_files(folder: Path) -> dict[str, str]:
    return dict(site_files(folder / "site-private/report"))


def test_a_pair_left_out_for_errors_changes_nothing_in_the_report(tmp_path: Path) -> None:
    """Break 5: leaving out a pair with errors made two builds differ by exactly its figures.

    Build, break one pair, build again: the report is byte for byte the earlier one, its
    page no longer counts pairs left out, and the log says why without naming the pair.
    A first build while a pair has errors writes a page saying the report is withheld.
    """
    folder = copy_example(tmp_path / "program")
    assert mkdocs_build(folder).returncode == 0
    before = report_files(folder)
    session = folder / "content/pairs/lena-marcus/sessions/2026-09-17.md"
    session.write_text(session.read_text(encoding="utf-8").replace("date: 2026-09-17", "date: 2026-19-17"),
                       encoding="utf-8")
    broken = mkdocs_build(folder)
    assert broken.returncode == 1
    assert report_files(folder) == before
    line = next(line for line in broken.stderr.splitlines() if "program report" in line)
    assert line.endswith("the program report in site-private/report is from an earlier build: it is not "
                         "built again while a pair's records have errors")
    assert not any(pair in line for pair in ("lena-marcus", "noor-james", "priya-tomas", "sofia-david"))
    assert not any("not counted" in text for text in before.values())

    fresh = copy_example(tmp_path / "fresh")
    (fresh / "content/pairs/lena-marcus/sessions/2026-09-17.md").write_text(session.read_text(encoding="utf-8"),
                                                                            encoding="utf-8")
    assert mkdocs_build(fresh).returncode == 1
    page = report_files(fresh)["index.html"]
    assert "The program report is not shown: the records of at least one pair have errors" in page
    assert "pairs in the program" not in page and "%" not in page.split("<article")[1].split("</article>")[0]
