"""Scorecards in real portfolios, the checks on handbook pages, the program report, check --practices."""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path

import pytest

from mentorsite.checking.program import read_program
from mentorsite.insights.scorecards import PracticeSettings
from mentorsite.pages.program_report import program_report, render_report
from mentorsite.pages.rendering import create_environment
from tests.canary import canary_program, six_pair_program
from tests.goldens import check_golden
from tests.programs import add_plugin_options, copy_example, write_files
from tests.test_cli import mentorsite
from tests.test_portfolios import ENV, canary_with_options, mkdocs_build, site_files

MARKER = re.compile(r"cnry\d{4}x")
ROOT = Path(__file__).parent.parent
GOLDEN = Path(__file__).parent / "golden" / "report"
AS_OF = date(2026, 11, 21)


def page_text(path: Path) -> str:
    """The words of a page's article, without tags and charts, on one line."""
    source = path.read_text(encoding="utf-8")
    article = source[source.index("<article"):source.index("</article>")]
    article = re.sub(r"<svg.*?</svg>", " ", article, flags=re.DOTALL)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", article)).split())


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = copy_example(tmp_path_factory.mktemp("example"))
    result = mkdocs_build(folder, "--strict")
    assert result.returncode == 0, result.stderr
    return folder


def test_the_midway_pairs_scorecard_fails_cadence_and_follow_up(example: Path) -> None:
    text = page_text(example / "site-private/pairs/lena-marcus/practices.html")
    assert "Cadence kept: Fail 6 of 10 expected meetings held, every 14 days with 3 days of grace (60%; 90% passes)." in text
    assert "Actions followed up: Fail 8 of 11 action items due are done (73%; 90% passes)." in text
    assert "open: Rebook the introduction to the payments research lead (due 2026-10-29, named in 2 sessions)" in text
    assert "Agenda prepared: Pass 6 of 6 sessions had an agenda" in text
    assert "Mid-point review held: Pass Held on 2026-09-28" in text
    source = (example / "site-private/pairs/lena-marcus/practices.html").read_text(encoding="utf-8")
    # Each guideline links to the pair's handbook edition, each piece of evidence to its record.
    assert 'href="/2026.1/guidelines/meeting-cadence/"' in source
    assert 'href="sessions/2026-09-17.html"' in source
    assert 'href="checkins.html#r-2026-09-28"' in source  # ids of page content get "r-" (sanitising.py)
    overview = page_text(example / "site-private/pairs/lena-marcus/index.html")
    assert "the scorecard shows 6 pass , 1 warn , 4 fail , 1 not assessed among 12 guidelines." in overview  # badges


def test_the_completed_pair_keeps_its_cadence_and_closed_well(example: Path) -> None:
    text = page_text(example / "site-private/pairs/sofia-david/practices.html")
    assert "Cadence kept: Pass 11 of 12 expected meetings held" in text
    assert "Closing held: Pass Closing conversation on 2026-06-29." in text


def test_the_review_edition_judges_only_what_was_shared(example: Path) -> None:
    text = page_text(example / "site-private/review/lena-marcus/practices.html")
    assert "Cadence kept: Not assessed Only shared sessions are in this edition" in text
    assert "Publish a case study" not in text  # a goal the pair keeps to itself
    assert "payments team" not in text  # action items come from sessions, not assessed here


def test_a_guideline_page_lists_the_checks_that_support_it(example: Path) -> None:
    text = page_text(example / "site/guidelines/meeting-cadence/index.html")
    assert ("Checked in portfolios ¶ Each pair's portfolio shows how its records compare with this guideline: "
            "Cadence agreed ( cadence-defined ): Passes when the agreement sets how often to meet (at most every "
            "31 days) and for how long. Cadence kept ( cadence-kept ): Passes when at least 90% of the meetings "
            "the cadence calls for are held, warns from 75%") in text


def test_the_example_report_counts_and_withholds(example: Path) -> None:
    """Four pairs (one proposed, two active, one completed): only their number may be shown."""
    text = page_text(example / "site-private/report/index.html")
    assert "4 pairs in the program." in text
    assert "Active 2" not in text and "Completed 1" not in text  # groups of 1 and 2, even merged
    assert "Pairs by status are not shown: a group would hold fewer than 3 pairs, or every pair" in text
    # Three pairs have started: no mean over three is safe from a pair that knows its own.
    assert ("Not shown, as it would count fewer than 3 pairs, or one pair would stand out (rule 3): Sessions "
            "per pair that has started (mean) Meetings held") in text
    assert "Cadence kept ( cadence-kept ) 2 0 1 3" not in text  # the one proposed pair is a group of one
    figures = text.split("What is not shown, and why")[0]
    assert not re.search(r"\d+%", figures)
    assert "median" not in figures
    for name in ("Lena", "Marcus", "lena-marcus", "Sofia", "stakeholder", "Northwind Mentoring", "2026-summer"):
        assert all(name not in t for _, t in site_files(example / "site-private/report")), name


def test_the_report_holds_no_text_from_any_pair_record(tmp_path: Path) -> None:
    """Six canary pairs, three active and three completed, so that figures are shown: no marker, no id."""
    program = six_pair_program()
    folder = write_files(tmp_path, program.files)
    result = mkdocs_build(folder, "--strict")
    assert result.returncode == 0, result.stderr
    report = folder / "site-private/report"
    text = page_text(report / "index.html")
    assert "6 pairs in the program." in text and "Active 3" in text and "Completed 3" in text
    assert "Sessions per pair that has started (mean) 2.0" in text
    assert "Meetings held of those the cadence called for 12%" in text  # 12 of 99: every pair 2 of 11 or 22
    files = list(site_files(report))
    assert any(path == "search/search_index.json" for path, _ in files)
    assert len(program.markers) > 300
    for path, content in files:
        assert not MARKER.findall(path + content), path
        assert not re.search(r"ana-ben|cy-dee|pair-\d", content), path


def test_a_small_program_shows_no_figure(tmp_path: Path) -> None:
    folder = write_files(tmp_path, canary_program().files)
    result = mkdocs_build(folder)
    assert result.returncode == 0
    assert "wrote the program report in site-private/report" in result.stderr
    text = page_text(folder / "site-private/report/index.html")
    assert "The program has 2 pairs, and the report needs at least 3 to show any figure." in text
    assert not re.search(r"\d+%", text.split("What is not shown, and why")[0])


def test_no_report_is_built_without_a_pair_that_has_errors(tmp_path: Path) -> None:
    files = canary_program().files
    session = next(p for p in files if p.startswith("content/pairs/cy-dee/sessions/"))
    files[session] = "---\ndate: not a date\n---\n"
    folder = write_files(tmp_path, files)
    result = mkdocs_build(folder)
    assert result.returncode == 1  # the pair is not built, and neither is a report without it
    assert ("the program report in site-private/report is withheld: it is not built while a pair's records "
            "have errors, and there is no earlier one to keep") in result.stderr
    text = page_text(folder / "site-private/report/index.html")
    assert text == ("Program report The program report is not shown: the records of at least one pair have "
                    "errors, and there is no earlier report to keep. A report built without that pair, set "
                    "beside one built with it, would tell what its records hold; so the report waits until "
                    "every pair's records pass mentorsite check , and is then built with all of them.")


@pytest.mark.parametrize("setting", ["1", "2"])
def test_a_minimum_below_three_pairs_is_refused(tmp_path: Path, setting: str) -> None:
    folder = canary_with_options(tmp_path, f"report: {{min_pairs: {setting}}}")
    result = mkdocs_build(folder)
    assert result.returncode == 1
    assert (f"mkdocs.yml:8:27: error[bad-setting] report.min_pairs: expected at least 3 pairs (in a group of "
            f"two, each pair would know the other's result), got {setting}") in result.stderr
    assert "1 error and 0 warnings in the plugin's settings; the site was not built" in result.stderr
    assert not (folder / "site").exists() and not (folder / "site-private").exists()


def test_the_example_report_matches_its_golden_file(update_goldens: bool) -> None:
    checked = read_program(ROOT / "content", ROOT)
    report = program_report(checked.program.pairs, checked.program.handbook, AS_OF, PracticeSettings())
    check_golden(GOLDEN, render_report(report, create_environment()), update_goldens)


def test_bad_thresholds_stop_the_build_before_the_site_is_written(tmp_path: Path) -> None:
    folder = canary_with_options(tmp_path, "practices:\n  cadence-kept: {pass: 90}\n  agenda-prepard: {warn: 0.5}")
    result = mkdocs_build(folder)
    assert result.returncode == 1
    assert ("mkdocs.yml:9:30: error[bad-value] practices.cadence-kept.pass: expected a share from 0 to 1 "
            "(0.9 is 90%), got the number 90") in result.stderr
    assert ("mkdocs.yml:10:9: error[unknown-check] practices.agenda-prepard: no practice check "
            "'agenda-prepard'; did you mean "
            "'agenda-prepared'?") in result.stderr
    assert "2 errors and 0 warnings in the plugin's settings; the site was not built" in result.stderr
    assert not (folder / "site").exists() and not (folder / "site-private").exists()


def test_thresholds_from_mkdocs_yml_reach_pages_and_verdicts(tmp_path: Path) -> None:
    folder = add_plugin_options(copy_example(tmp_path),
                                "      practices:\n        cadence-kept: {pass: 0.6, warn: 0.5}\n")
    assert mkdocs_build(folder).returncode == 0
    assert "Cadence kept: Pass 6 of 10" in page_text(folder / "site-private/pairs/lena-marcus/practices.html")
    assert "at least 60% of the meetings" in page_text(folder / "site/guidelines/meeting-cadence/index.html")
    result = mentorsite(folder, "check", "--practices", SOURCE_DATE_EPOCH=ENV["SOURCE_DATE_EPOCH"])
    assert result.returncode == 0
    assert "warning[cadence-kept]" not in result.stdout
    assert "warning[actions-followed-up]" in result.stdout


def test_check_practices_prints_findings_as_warnings(tmp_path: Path) -> None:
    folder = copy_example(tmp_path)
    plain = mentorsite(folder, "check", SOURCE_DATE_EPOCH=ENV["SOURCE_DATE_EPOCH"])
    assert plain.returncode == 0 and "warning[" not in plain.stdout
    result = mentorsite(folder, "check", "--practices", SOURCE_DATE_EPOCH=ENV["SOURCE_DATE_EPOCH"])
    assert result.returncode == 0, result.stderr  # findings never fail the check
    assert "Practice checks as of 2026-11-21." in result.stderr
    assert ("content/pairs/lena-marcus/sessions/2026-10-15.md:11:89: warning[actions-followed-up] "
            "actions[1].done: fails: 8 of 11 action items due are done (73%; 90% passes). First of 3: open: Share "
            "the stakeholder map with Marcus (due 2026-10-22, named in 2 sessions). See the handbook: "
            "action-items, apply-between-meetings.") in result.stdout.splitlines()
    assert "0 errors and 6 warnings." in result.stderr


def test_check_reports_bad_thresholds_at_their_line(tmp_path: Path) -> None:
    folder = add_plugin_options(copy_example(tmp_path), "      practices:\n        goals-smart: {pas: 1}\n")
    result = mentorsite(folder, "check")
    assert result.returncode == 1
    assert ("mkdocs.yml:26:23: error[unknown-key] practices.goals-smart.pas: unknown threshold; did you mean "
            "'pass'?") in result.stdout.splitlines()
