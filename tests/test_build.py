"""Real `mkdocs build` runs: the example program, and small programs in temporary folders."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.programs import MKDOCS_YML as BASE_MKDOCS
from tests.programs import copy_example, write_files

REPOSITORY = Path(__file__).parent.parent


def mkdocs(program: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1795262400"}  # 2026-11-21
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", *arguments], cwd=program,
                          capture_output=True, text=True, env=environment, check=False)


def pair_texts(content: Path) -> set[str]:
    """Every sentence-sized text in the pair records: names, fields and note lines."""
    found: set[str] = set()

    def collect(value: object) -> None:
        if isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)
        elif isinstance(value, str) and len(value) >= 12:
            found.add(value)

    for path in sorted((content / "pairs").rglob("*")):
        if path.suffix == ".yml":
            collect(yaml.safe_load(path.read_text(encoding="utf-8")))
        elif path.suffix == ".md":
            _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
            collect(yaml.safe_load(front))
            found |= {line.strip() for line in body.splitlines() if len(line.strip()) >= 12}
    public = (content.parent / "mkdocs.yml").read_text(encoding="utf-8") + "".join(
        p.read_text(encoding="utf-8") for p in sorted((content / "handbook").rglob("*.md")))
    return {text for text in found if text not in public}  # e.g. the program's own name


@pytest.fixture(scope="module")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    program = copy_example(tmp_path_factory.mktemp("example"))
    result = mkdocs(program, "--strict")
    return program / "site", result


def test_example_builds_strictly_without_warnings(example_site: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    _, result = example_site
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr
    assert "Traceback" not in result.stderr


def test_example_has_a_page_per_guideline_indexes_and_checklists(
        example_site: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    site, _ = example_site
    guideline_ids = sorted(p.stem for p in (REPOSITORY / "content/handbook/guidelines").glob("*.md"))
    assert len(guideline_ids) >= 20
    assert sorted(p.name for p in (site / "guidelines").iterdir()) == guideline_ids
    for page in ("index.html", "topics/index.html", "audiences/index.html",
                 "checklists/mentor/index.html", "checklists/mentee/index.html"):
        assert (site / page).is_file(), page
    mentor_checklist = (site / "checklists/mentor/index.html").read_text(encoding="utf-8")
    assert "Listen, ask, offer, then advise" in mentor_checklist
    assert "Thank your mentor for their time" not in mentor_checklist  # a mentee-only guideline
    assert "Thank your mentor for their time" in (site / "checklists/mentee/index.html").read_text(encoding="utf-8")


def test_example_guidelines_are_searchable_and_in_the_navigation(
        example_site: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    site, _ = example_site
    index = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))
    locations = {entry["location"] for entry in index["docs"]}
    assert "guidelines/active-listening/" in locations
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="guidelines/active-listening/"' in home  # the generated navigation


def test_example_handbook_holds_nothing_from_any_pair(
        example_site: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    site, _ = example_site
    texts = pair_texts(REPOSITORY / "content")
    assert len(texts) > 100
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".json", ".xml", ".js", ".css", ".txt"}:
            published = path.read_text(encoding="utf-8", errors="replace")
            leaked = [text for text in texts if text in published]
            assert not leaked, f"{path}: {leaked[:3]}"


def test_example_portfolios_can_be_browsed_by_pairs_and_reviewers(
        example_site: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    site, _ = example_site
    pairs = sorted(p.name for p in (REPOSITORY / "content/pairs").iterdir())
    private = site.parent / "site-private"
    for pair in pairs:
        for edition in ("pairs", "review"):
            assert (private / edition / pair / "index.html").is_file()
            assert (private / edition / pair / "search/search_index.json").is_file()
    index = (private / "review/index.html").read_text()
    assert [f'href="{pair}/index.html"' in index for pair in pairs] == [True] * len(pairs)
    # lena-marcus keeps one goal and most sessions to itself.
    assert (private / "pairs/lena-marcus/goals/portfolio-case-study.html").is_file()
    assert not (private / "review/lena-marcus/goals/portfolio-case-study.html").exists()
    assert len(list((private / "review/lena-marcus/sessions").glob("*.html"))) == 2
    dashboard = (private / "pairs/lena-marcus/index.html").read_text()
    assert "23 days late" in dashboard and "Share the stakeholder map with Marcus" in dashboard
    assert 'href="/2026.1/guidelines/meeting-cadence/"' in (private / "pairs/lena-marcus/agreement.html").read_text()


def test_two_builds_are_byte_identical(program_dir: Path) -> None:
    first, second = program_dir / "one", program_dir / "two"
    assert mkdocs(program_dir, "--site-dir", str(first)).returncode == 0
    assert mkdocs(program_dir, "--site-dir", str(second)).returncode == 0
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for relative in files:
        assert (first / relative).read_bytes() == (second / relative).read_bytes(), relative


def test_handbook_errors_fail_the_build_cleanly_and_keep_the_previous_site(program_dir: Path) -> None:
    guideline = program_dir / "content/handbook/guidelines/regular-meetings.md"
    write_files(program_dir, {
        "site/index.html": "previous good site",
        "content/handbook/guidelines/regular-meetings.md": guideline.read_text().replace("[mentee]", "[mentees]"),
        "content/pairs/ana-ben/sessions/2026-02-03.md": "---\ndate: 2026-02-30\ngoals: [speeking]\n---\n",
    })
    result = mkdocs(program_dir)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "regular-meetings.md:3:12: error[bad-value] audience[0]: expected" in result.stderr
    # Every problem is reported in the same run, the pairs' too.
    assert ("content/pairs/ana-ben/sessions/2026-02-03.md:2:7: error[bad-date] date: expected a real date, "
            "got '2026-02-30' (day is out of range for month)") in result.stderr
    assert "error[unknown-goal] goals[0]: no goal 'speeking' in this pair; did you mean 'speaking'?" in result.stderr
    assert "mentorsite: 1 error and 0 warnings in the handbook's records; the site was not built" in result.stderr
    assert (program_dir / "site/index.html").read_text() == "previous good site"
    assert not (program_dir / "site-private").exists()


def test_pair_errors_leave_the_handbook_built_and_fail_at_the_end(program_dir: Path) -> None:
    write_files(program_dir, {"content/pairs/ana-ben/sessions/2026-02-03.md": "---\ndate: 2026-02-30\n---\n"})
    result = mkdocs(program_dir)
    assert result.returncode == 1
    assert "error[bad-date] date: expected a real date" in result.stderr
    assert "mentorsite: 1 pair not built, their previous pair editions kept: ana-ben" in result.stderr
    assert (program_dir / "site/guidelines/clear-goals/index.html").is_file()


def test_warnings_pass_normally_and_fail_under_strict(program_dir: Path) -> None:
    write_files(program_dir, {"content/pairs/ana-ben/closing.md": "---\ndate: 2026-04-01\noutcome: [x]\n---\n"})
    relaxed = mkdocs(program_dir)
    assert relaxed.returncode == 0
    assert "warning[unknown-key] outcome: unknown key; did you mean 'outcomes'?" in relaxed.stderr
    strict = mkdocs(program_dir, "--strict")
    assert strict.returncode == 1
    assert "1 pair not built (warnings count as errors with --strict)" in strict.stderr
    assert "Traceback" not in strict.stderr


def test_a_program_template_overrides_the_bundled_one_by_name(program_dir: Path) -> None:
    write_files(program_dir, {"templates/handbook/guideline.md.j2": "# {{ guideline.title }}\n\nOVERRIDDEN for {{ guideline.id }}\n"})
    assert mkdocs(program_dir).returncode == 0
    page = (program_dir / "site/guidelines/clear-goals/index.html").read_text(encoding="utf-8")
    assert "OVERRIDDEN for clear-goals" in page
    assert "OVERRIDDEN" not in (program_dir / "site/topics/index.html").read_text(encoding="utf-8")


def test_a_broken_template_is_a_located_message_not_a_traceback(program_dir: Path) -> None:
    write_files(program_dir, {"templates/handbook/topics.md.j2": "# Topics\n\n{{ no_such_value }}\n"})
    result = mkdocs(program_dir)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "templates/handbook/topics.md.j2:3:1: error[template] 'no_such_value' is undefined" in result.stderr


def test_pairs_inside_docs_dir_are_left_out_with_a_warning(program_dir: Path) -> None:
    config = (program_dir / "mkdocs.yml").read_text().replace("docs_dir: content/handbook", "docs_dir: content")
    write_files(program_dir, {"mkdocs.yml": config})
    result = mkdocs(program_dir)
    assert result.returncode == 0
    assert "holds the pairs folder" in result.stderr
    assert not (program_dir / "site/pairs").exists()
    assert mkdocs(program_dir, "--strict").returncode == 1


def test_the_plugin_works_beside_search_tags_and_blog_strictly(program_dir: Path) -> None:
    write_files(program_dir, {
        "mkdocs.yml": BASE_MKDOCS.replace("  - search\n", "  - search\n  - tags\n  - blog\n"),
        "content/handbook/tags.md": "# Tags\n\n<!-- material/tags -->\n",
        "content/handbook/blog/index.md": "# News\n",
        "content/handbook/blog/posts/first-edition.md": (
            "---\ndate: 2026-01-15\n---\n\n# The first edition is out\n\nRead the handbook.\n"),
    })
    guideline = program_dir / "content/handbook/guidelines/clear-goals.md"
    guideline.write_text(guideline.read_text().replace("order: 1\n", "order: 1\ntags: [goals, planning]\n"))
    result = mkdocs(program_dir, "--strict")
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr
    site = program_dir / "site"
    assert "The first edition is out" in (site / "blog/index.html").read_text()
    tags = (site / "tags/index.html").read_text()
    assert "planning" in tags and "guidelines/clear-goals/" in tags
    assert (site / "guidelines/clear-goals/index.html").is_file()
    assert (program_dir / "site-private/pairs/ana-ben/index.html").is_file()
