"""Figures that agree: a proposed pair is not assessed anywhere, and one cadence measure on every page.

Small programs built for it, with every figure worked out by hand in the comments.
"""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path

from mentorsite.checking.program import read_program
from mentorsite.insights.practices import CHECKS
from mentorsite.insights.scorecards import PracticeSettings
from mentorsite.pages.program_report import program_report, render_report
from mentorsite.pages.rendering import create_environment, verdict_badge
from tests.conftest import Cli
from tests.programs import write_files

AS_OF = "2026-04-01"
EVERY_CHECK = ", ".join(CHECKS)
MKDOCS_YML = f"""\
site_name: Figures
docs_dir: content/handbook
theme:
  name: material
plugins:
  - search
  - mentorsite:
      as_of: {AS_OF}
markdown_extensions:
  - pymdownx.tasklist
"""
HANDBOOK = {
    "mkdocs.yml": MKDOCS_YML,
    "content/handbook/guidelines/every-practice.md": f"""\
---
title: Every practice
audience: [both]
topic: Practices
summary: All the checks at once.
order: 1
checks: [{EVERY_CHECK}]
---

Every check, so that each one has its say on every pair.
""",
}

# Every two weeks (grace: a quarter, 3 days), from 5 January. First meeting on 6 January (1 day
# after the start), then gaps of 14 days (on time), 28 days (one slot skipped: 1 missed) and
# 21 days (late, nearest slot: none missed), and 22 days from 10 March up to 1 April (the
# deadline of 27 March is past: 1 missed). Held 4, missed 2: 4 of 6 expected, 67%.
ACTIVE_SESSIONS = ("2026-01-06", "2026-01-20", "2026-02-17", "2026-03-10")


def active_pair(pair_id: str, agenda: bool = True) -> dict[str, str]:
    folder = f"content/pairs/{pair_id}"
    files = {
        f"{folder}/pair.yml": "mentor: {name: Ben Adler}\nmentee: {name: Ana Silva}\nstart: 2026-01-05\n"
                              "status: active\n",
        f"{folder}/agreement.md": "---\ncadence: {every: 2, unit: weeks}\nchannels: [video]\n"
                                  "confidentiality: Between us.\n---\n",
    }
    for day in ACTIVE_SESSIONS:
        files[f"{folder}/sessions/{day}.md"] = (f"---\ndate: {day}\n" + ("agenda: [Goals]\n" if agenda else "")
                                                + "---\n\nWe met.\n")
    return files


def proposed_pair(pair_id: str) -> dict[str, str]:
    """What `mentorsite new pair` writes, with a planned end already past and an introductory chat.

    No agreement and no goals; before, its session (no agenda, no feedback) failed the agenda and
    feedback checks, the mid-point (29 January) failed and the planned end warned.
    """
    folder = f"content/pairs/{pair_id}"
    return {
        f"{folder}/pair.yml": "mentor: {name: Cy Dunn}\nmentee: {name: Dee Ray}\nstart: 2026-01-12\n"
                              "planned_end: 2026-02-15\nstatus: proposed\n",
        f"{folder}/sessions/2026-01-20.md": "---\ndate: 2026-01-20\n---\n\nAn introductory chat.\n",
    }


def page_text(path: Path) -> str:
    """The words of a built page's article, without tags, on one line (the chart's text kept)."""
    source = path.read_text(encoding="utf-8")
    article = source[source.index("<article"):source.index("</article>")]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", article)).split())


def small_program(root: Path) -> Path:
    return write_files(root, {**HANDBOOK, **active_pair("ana-ben"), **proposed_pair("cy-dee")})


def test_check_practices_holds_nothing_against_a_proposed_pair(tmp_path: Path, cli: Cli) -> None:
    folder = small_program(tmp_path)
    result = cli(folder, "check", "--practices")
    assert result.returncode == 0, result.stderr
    assert f"Practice checks as of {AS_OF}." in result.stderr
    assert "cy-dee" not in result.stdout
    lines = result.stdout.splitlines()
    assert ("content/pairs/ana-ben/sessions/2026-02-17.md:2:7: warning[cadence-kept] date: fails: 4 of 6 expected "
            "meetings held, every 14 days with 3 days of grace (67%; 90% passes). First of 3: 28 days after the "
            "session of 2026-01-20. See the handbook: every-practice.") in lines
    # The active pair: no agreement signature (fail), no session length (warn), no goal (fail
    # twice), cadence (fail), no feedback (fail), no mid-point set (warn).
    assert sum(1 for line in lines if "warning[" in line) == 7, result.stdout


def test_the_built_pages_show_one_cadence_figure_and_no_verdict_on_a_proposed_pair(tmp_path: Path,
                                                                                  cli: Cli) -> None:
    folder = small_program(tmp_path)
    result = cli(folder, "build", "--strict")
    assert result.returncode == 0, result.stderr
    pairs = folder / "site-private/pairs"

    proposed = page_text(pairs / "cy-dee/practices.html")
    verdicts = re.findall(r": (Pass|Warn|Fail|Not assessed) ", proposed)
    assert verdicts == ["Not assessed"] * len(CHECKS), proposed
    assert proposed.count("The pair is proposed: nothing is assessed until the relationship starts.") == len(CHECKS)
    assert "Nothing on the scorecard of the handbook's practices is assessed yet" in page_text(
        pairs / "cy-dee/index.html")

    dashboard = page_text(pairs / "ana-ben/index.html")
    rule = ("The agreement asks for a meeting every 14 days from the start; one up to 3 days late is on time, a "
            "later one takes the nearest slot of the cadence, and every slot left empty is a missed meeting.")
    assert f"{rule} Meetings held of those the cadence called for: 4 of 6 (67%), 2 missed" in dashboard
    assert "Gaps within" not in dashboard and "Meetings missed" not in dashboard  # one figure, not two
    assert "Meetings held: 4 of the 6 it called for, 2 missed. Longest gap: 28 days." in dashboard  # the chart
    scorecard = page_text(pairs / "ana-ben/practices.html")
    assert (f"Cadence kept: Fail 4 of 6 expected meetings held, every 14 days with 3 days of grace (67%; 90% "
            f"passes). {rule}") in scorecard
    evidence = re.findall(r"\d{4}-\d\d-\d\d(?: · \w+)? : (\d+ days after the session of [\d-]+|the latest session: "
                          r"none since, \d+ days up to [\d-]+)", scorecard)
    assert evidence == ["28 days after the session of 2026-01-20", "21 days after the session of 2026-02-17",
                        f"the latest session: none since, 22 days up to {AS_OF}"]

    report = page_text(folder / "site-private/report/index.html")
    assert ("The program has 2 pairs, and the report needs at least 3 to show any figure. That number is "
            "report.min_pairs in mkdocs.yml , now 3; it cannot be lower than 3, because in a group of two each "
            "pair would know the other's result.") in report


def test_the_report_counts_proposed_pairs_as_not_assessed_and_meetings_as_the_dashboards_do(
        tmp_path: Path) -> None:
    """Nine pairs: three proposed, three active with agendas, three active without (each 4 of 6 meetings)."""
    files = dict(HANDBOOK)
    for number in range(3):
        files.update(proposed_pair(f"proposed-{number}"))
        files.update(active_pair(f"agenda-{number}"))
        files.update(active_pair(f"bare-{number}", agenda=False))
    folder = write_files(tmp_path, files)
    checked = read_program(folder / "content", folder)
    assert not checked.diagnostics
    report = program_report(checked.program.pairs, checked.program.handbook, date.fromisoformat(AS_OF),
                            PracticeSettings())
    agenda = next(t for t in report.checks if t.name == "agenda-prepared")
    # Pass, did not pass, not assessed; before, the proposed pairs' chats counted as 3 more fails.
    assert report.check_cells(agenda) == ("3", "3 (0 warn, 3 fail)", "3")
    feedback = next(t for t in report.checks if t.name == "two-way-feedback")
    assert feedback.cells == () and feedback.why == "single"  # six fails and three not assessed: all alike
    meetings = next(f for f in report.activity if f.label == "Meetings held of those the cadence called for")
    assert meetings.value == "67%"  # 24 of 36, as each dashboard's 4 of 6
    text = render_report(report, create_environment())[0].markdown
    assert "Meetings are counted against each pair's agreed cadence from its start" in text


def test_the_report_says_how_many_pairs_it_needs_and_which_setting_sets_it() -> None:
    from mentorsite.pages.program_report import ProgramReport, Tally

    def report(pairs: int, min_pairs: int) -> ProgramReport:
        return ProgramReport(date(2026, 4, 1), min_pairs, pairs, Tally("statuses", "Pairs by status", ()), (), ())

    assert report(1, 3).too_few() == (
        "The program has 1 pair, and the report needs at least 3 to show any figure. That number is "
        "`report.min_pairs` in `mkdocs.yml`, now 3; it cannot be lower than 3, because in a group of two each "
        "pair would know the other's result.")
    assert report(4, 5).too_few().endswith("Lowering it to 4 would show the figures the rules allow.")
    page = render_report(report(2, 3), create_environment())[0].markdown
    assert "The program has 2 pairs, and the report needs at least 3 to show any figure." in page


def test_the_dashboard_counts_meetings_with_the_grace_the_check_is_given(tmp_path: Path) -> None:
    """With 14 days of grace, the 28-, 21- and 22-day gaps are all on time: 4 of 4, on both pages."""
    from mentorsite.pages.portfolio import PortfolioSettings, render_portfolio

    folder = write_files(tmp_path, {**HANDBOOK, **active_pair("ana-ben")})
    program = read_program(folder / "content", folder).program
    settings = PortfolioSettings(as_of=date.fromisoformat(AS_OF),
                                 practices=PracticeSettings({"cadence-kept": {"grace_days": 14}}))
    portfolio = render_portfolio(program.pairs[0], "pair", program.handbook, settings, create_environment())
    pages = {page.uri: page.markdown for page in portfolio.pages}
    assert "- Meetings held of those the cadence called for: **4 of 4** (100%), 0 missed\n" in pages["index.md"]
    assert "(agreed: 14, with 14 days of grace)" in pages["index.md"]
    assert (f"**Cadence kept:** {verdict_badge('pass')} 4 of 4 expected meetings held, every 14 days with 14 "
            "days of grace (100%; 90% passes).") in pages["practices.md"]
