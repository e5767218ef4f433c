"""The handbook on Zensical: `mentorsite build --engine zensical`, and the warning when Zensical
would build a program directly (it skips the plugin, so nothing would be generated)."""

from __future__ import annotations

import sys
from pathlib import Path

import playwright.sync_api as playwright
import pytest

from mentorsite.site import zensical_build
from tests.conftest import Cli
from tests.programs import add_plugin_options, copy_example
from tests.test_browser import browser  # noqa: F401 - the browser fixture

EXAMPLE_PAIRS = ["lena-marcus", "noor-james", "priya-tomas", "sofia-david"]
INDEXES = ["index.html", "whats-new/index.html", "topics/index.html", "audiences/index.html",
           "checklists/mentor/index.html", "checklists/mentee/index.html"]



def test_check_warns_at_the_plugin_when_a_zensical_config_is_beside_mkdocs_yml(tmp_path: Path, cli: Cli) -> None:
    program = copy_example(tmp_path / "program")
    (program / "zensical.toml").write_text('[project]\nsite_name = "Handbook"\n', encoding="utf-8")
    result = cli(program, "check")
    assert result.returncode == 0, result.stderr  # a warning: the records are fine
    warnings = [line for line in result.stdout.splitlines() if "zensical-direct" in line]
    # At the plugin's settings (line 23 is `- mentorsite:`, its settings start on line 24).
    assert warnings == ["mkdocs.yml:24:7: warning[zensical-direct] engine: expected 'engine: zensical' in the "
                        "mentorsite plugin's settings, got engine 'mkdocs' with zensical.toml beside mkdocs.yml: "
                        "'zensical build' skips the plugin and builds a handbook with no guideline pages, "
                        "indexes or checklists; set 'engine: zensical' and build with 'mentorsite build'"]
    add_plugin_options(program, "      engine: zensical\n")
    assert "zensical-direct" not in cli(program, "check").stdout


def test_check_says_nothing_of_zensical_without_its_config(tmp_path: Path, cli: Cli) -> None:
    program = copy_example(tmp_path / "program")
    assert "zensical-direct" not in cli(program, "check").stdout


def test_zensical_builds_every_generated_page_and_the_portfolios_beside_it(tmp_path: Path, cli: Cli) -> None:
    program = copy_example(tmp_path / "program")
    result = cli(program, "build", "--engine", "zensical", SOURCE_DATE_EPOCH="1780000000")
    assert result.returncode == 0, result.stderr
    site = program / "site"
    guidelines = sorted(path.stem for path in (program / "content/handbook/guidelines").glob("*.md"))
    assert len(guidelines) == 34
    built = sorted(path.parent.name for path in (site / "guidelines").glob("*/index.html"))
    assert built == guidelines
    for guideline in guidelines:  # the rendered page (with the handbook's licence), not the raw record
        page = (site / "guidelines" / guideline / "index.html").read_text(encoding="utf-8")
        assert "CC BY 4.0" in page, guideline
        assert "audience: [" not in page, guideline
    for index in INDEXES:
        assert (site / index).is_file(), index
    topics = (site / "topics/index.html").read_text(encoding="utf-8")
    assert all(f"guidelines/{guideline}/" in topics for guideline in guidelines)
    checklist = (site / "checklists/mentor/index.html").read_text(encoding="utf-8")
    assert '<input aria-label="Spend the first meeting on who you are' in checklist  # named as under MkDocs
    assert (site / "mentorsite-manifest.json").is_file()
    assert not (site / "pairs").exists()  # no pair record reaches the handbook
    private = program / "site-private"
    assert sorted(path.name for path in (private / "pairs").iterdir()) == EXAMPLE_PAIRS
    assert (private / "review/index.html").is_file()
    assert (private / "report/index.html").is_file()
    assert sorted(path.name for path in program.iterdir()) == [
        ".cache", "content", "mkdocs.yml", "site", "site-private"]  # no new site left beside them


def test_a_failed_zensical_build_leaves_the_previous_site(tmp_path: Path, cli: Cli,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    program = copy_example(tmp_path / "program")
    (program / "site").mkdir()
    (program / "site/previous.html").write_text("the previous site", encoding="utf-8")
    failing = [sys.executable, "-c", "import sys; print('Error: no theme'); sys.exit(3)"]
    monkeypatch.setattr(zensical_build, "zensical_command", lambda: failing)
    result = cli(program, "build", "--engine", "zensical")
    assert result.returncode == 1
    assert "zensical build failed (exit 3): Error: no theme; the previous site is kept" in result.stderr
    assert sorted(path.name for path in (program / "site").iterdir()) == ["previous.html"]
    assert sorted(path.name for path in program.iterdir()) == [
        ".cache", "content", "mkdocs.yml", "site", "site-private"]  # the new site removed (the private
    # folder holds the build lock)
    assert not (program / "site-private/pairs").exists()  # nothing built after the handbook failed


def test_zensical_warnings_are_told_and_stop_a_strict_build(tmp_path: Path, cli: Cli) -> None:
    program = copy_example(tmp_path / "program")
    (program / "content/handbook/contact.md").write_text("# Contact\n\n[The office](office.md)\n",
                                                         encoding="utf-8")
    result = cli(program, "build", "--engine", "zensical")
    assert result.returncode == 0, result.stderr
    assert "zensical: Warning: page does not exist" in result.stderr
    assert "contact.md:3:" in result.stderr and "1 issue found" in result.stderr
    assert (program / "site/contact/index.html").is_file()  # the program's own pages are built too
    (program / "site/previous.html").write_text("the previous site", encoding="utf-8")
    strict = cli(program, "build", "--engine", "zensical", "--strict")
    assert strict.returncode == 1
    assert ("zensical build failed (exit 1): RuntimeError: Aborted because --strict flag is set; the previous "
            "site is kept") in strict.stderr
    assert (program / "site/previous.html").is_file()


def test_a_link_to_a_pair_record_in_docs_dir_stops_the_build(tmp_path: Path, cli: Cli) -> None:
    program = copy_example(tmp_path / "program")
    (program / "content/handbook/notes.md").symlink_to(program / "content/pairs/lena-marcus/agreement.md")
    result = cli(program, "build", "--engine", "zensical")
    assert result.returncode == 1  # refused as under MkDocs, before Zensical runs
    assert "content/handbook/notes.md:1:1: error[into-pairs] is a link into the pairs folder" in result.stderr
    assert not (program / "site").exists()
    assert not (program / ".cache/mentorsite/zensical").exists()


def test_sealed_portfolios_of_their_own_host_name_are_built_beside_a_zensical_handbook(tmp_path: Path) -> None:
    from tests.test_encryption import ENCRYPTION, PASSPHRASES, encrypted_program, folder_of, run

    _, folder = encrypted_program(tmp_path, ENCRYPTION + "  output_dir: sealed\n")
    result = run(folder, "build", "--engine", "zensical")
    assert result.returncode == 0, result.stderr
    assert (folder / "site/index.html").is_file()
    assert sorted(path.name for path in (folder / "sealed/pairs").iterdir()) == sorted(
        folder_of(phrase, pair) for pair, phrase in PASSPHRASES.items())
    assert (folder / "sealed/review").is_dir()


def test_sealed_portfolios_inside_a_zensical_handbook_are_checked_against_zensicals_own_theme(
        tmp_path: Path) -> None:
    """Zensical writes its own copy of the theme: its scripts are the theme's, anything else is refused."""
    from mentorsite.vault.sealing import open_site
    from tests.test_encryption import PASSPHRASES, REVIEW_PASSPHRASE, encrypted_program, folder_of, run

    _, folder = encrypted_program(tmp_path / "own")
    result = run(folder, "build", "--engine", "zensical")
    assert result.returncode == 0, result.stderr
    sealed = folder / "site/portfolios"
    for pair, phrase in PASSPHRASES.items():
        assert "index.html" in open_site(sealed / "pairs" / folder_of(phrase, pair), phrase)
    assert "index.html" in open_site(sealed / "review", REVIEW_PASSPHRASE)
    assert (folder / "site/assets/javascripts").is_dir()  # Zensical's own bundle, beside them

    _, hostile = encrypted_program(tmp_path / "hostile")
    config = hostile / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "extra_javascript:\n  - https://elsewhere.invalid/x.js\n",
                      encoding="utf-8")
    refused = run(hostile, "build", "--engine", "zensical")
    assert refused.returncode == 1
    assert "error[shared-origin]" in refused.stderr and "elsewhere.invalid" in refused.stderr
    assert not (hostile / "site/portfolios").exists()


@pytest.mark.slow
def test_a_portfolio_sealed_inside_a_zensical_handbook_unlocks_and_its_handbook_links_answer(
        tmp_path: Path, browser: playwright.Browser) -> None:  # noqa: F811
    from tests.serving import answers, serve
    from tests.test_encryption import ENCRYPTION, PASSPHRASES, encrypted_program, folder_of, run
    from tests.test_publish_portfolios import handbook_links

    _, folder = encrypted_program(tmp_path, "handbook_url: /\n" + ENCRYPTION)
    result = run(folder, "build", "--engine", "zensical")
    assert result.returncode == 0, result.stderr
    for url in serve(folder / "site"):
        for pair, phrase in sorted(PASSPHRASES.items()):
            start = f"{url}portfolios/pairs/{folder_of(phrase, pair)}/"
            pages, links = handbook_links(browser, start, phrase, url, f"{url}portfolios/")
            assert pages > 3, pair
            assert any("/guidelines/" in link for link in links), pair
            assert [link for link in sorted(links) if not answers(link)] == [], pair
