"""Templates a program extends one block at a time, the wording chosen in Python, docs/templates.md.

Regenerate the reference with ``python -m mentorsite.dev.templates_reference`` (or
``pytest tests/test_templates.py --update-goldens``) after changing a template.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import material
import pytest
from jinja2 import nodes
from mkdocs.config import load_config
from pydantic import ValidationError

import mentorsite
from mentorsite.checking.program import CheckedProgram, read_program
from mentorsite.dev.templates_reference import REFERENCE, reference, template_names
from mentorsite.files.themes import bundled_templates_dir
from mentorsite.insights.practices import CHECKS
from mentorsite.insights.verdicts import Facts
from mentorsite.model.editions import EDITIONS, Edition, select_edition
from mentorsite.model.plurals import plural
from mentorsite.model.records import Cadence
from mentorsite.pages.portfolio import PortfolioSettings, render_portfolio
from mentorsite.pages.rendering import BUNDLED_PREFIX, TemplateFailure, create_environment, render_page
from mentorsite.site.stamps import portfolio_inputs
from tests.programs import BASE_PROGRAM, write_files

ROOT = Path(__file__).parent.parent
SETTINGS = PortfolioSettings(as_of=date(2026, 11, 21))
DASHBOARD = "portfolio/overview.md.j2"
NEW_GOALS = "## Goals\n\nOur own goals section, {{ overview.goals | length | plural(\"goal\") }}.\n\n"
EXTENDS_GOALS = (f'{{% extends "{BUNDLED_PREFIX}/{DASHBOARD}" %}}\n'
                 f"{{% block goals %}}\n{NEW_GOALS}{{% endblock %}}\n")
DASHBOARD_SECTIONS = ("front_matter", "heading", "figures", "facts", "practices", "meetings", "goals", "actions", "checkin")


@pytest.fixture(scope="module")
def example() -> CheckedProgram:
    checked = read_program(ROOT / "content", ROOT)
    assert not checked.diagnostics
    return checked


def dashboard(checked: CheckedProgram, pair_id: str, edition: Edition, templates: Path | None = None) -> list[str]:
    program = checked.program
    records = next(p for p in program.pairs if p.pair.id == pair_id)
    pages = render_portfolio(records, edition, program.handbook, SETTINGS, create_environment(templates)).pages
    return [page.markdown for page in pages]


def parsed(name: str) -> nodes.Template:
    """A bundled template, parsed by the environment the pages are rendered with."""
    return create_environment().parse((bundled_templates_dir() / name).read_text(encoding="utf-8"))


def section(markdown: str, heading: str, following: str) -> str:
    """The dashboard's text from ``heading`` up to the ``following`` heading."""
    start = markdown.index(heading)
    return markdown[start:markdown.index(following, start)]


# Extending a bundled template --------------------------------------------------------------


def test_the_dashboard_has_a_block_for_each_section() -> None:
    found = [block.name for block in parsed(DASHBOARD).find_all(nodes.Block)]
    assert found == list(DASHBOARD_SECTIONS)


@pytest.mark.parametrize("edition", EDITIONS)
def test_a_program_template_replaces_only_the_goals_block_of_the_dashboard(tmp_path: Path, example: CheckedProgram,
                                                                          edition: Edition) -> None:
    templates = write_files(tmp_path / "templates", {DASHBOARD: EXTENDS_GOALS})
    bundled = dashboard(example, "lena-marcus", edition)
    extended = dashboard(example, "lena-marcus", edition, templates)
    goals = section(bundled[0], "\n## Goals\n", "\n## Action items\n")
    assert "| Goal | Status |" in goals  # the bundled goals section, about to be replaced
    records = next(p for p in example.program.pairs if p.pair.id == "lena-marcus")
    count = len(select_edition(records, edition).goals)
    mine = f"\n## Goals\n\nOur own goals section, {count} goals.\n"
    # Every other section (before and after the goals) is as the bundled dashboard writes it.
    assert extended[0] == bundled[0].replace(goals, mine)
    assert extended[1:] == bundled[1:]  # and the other pages do not change


def test_the_bundled_templates_are_found_under_the_prefix_whatever_the_program_overrides(tmp_path: Path) -> None:
    templates = write_files(tmp_path / "templates", {"handbook/topics.md.j2": "mine\n"})
    environment = create_environment(templates)
    assert environment.get_template("handbook/topics.md.j2").render() == "mine\n"
    bundled = environment.get_template(f"{BUNDLED_PREFIX}/handbook/topics.md.j2")
    assert bundled.filename == str(bundled_templates_dir() / "handbook/topics.md.j2")


@pytest.mark.parametrize("name", ["../secret.md.j2", f"{BUNDLED_PREFIX}/../../secret.md.j2",
                                  "portfolio/../../secret.md.j2"])
@pytest.mark.parametrize("tag", ["extends", "include"])
def test_a_template_name_out_of_the_folders_is_still_refused(tmp_path: Path, name: str, tag: str) -> None:
    write_files(tmp_path, {"secret.md.j2": "SECRET\n", "templates/page.md.j2": f'{{% {tag} "{name}" %}}\n'})
    environment = create_environment(tmp_path / "templates")
    with pytest.raises(TemplateFailure) as failure:
        render_page(environment, {}, "page.md", "page.md.j2")
    assert failure.value.diagnostic.code == "template"
    assert "SECRET" not in str(failure.value)


def test_the_stamps_change_with_the_program_template_and_with_the_bundled_one_it_extends(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bundled = shutil.copytree(bundled_templates_dir(), tmp_path / "themes")
    monkeypatch.setattr("mentorsite.pages.rendering.bundled_templates_dir", lambda: bundled)
    program = write_files(tmp_path / "program", {
        "mkdocs.yml": "site_name: Test\ndocs_dir: content/handbook\ntheme:\n  name: material\n",
        "content/handbook/index.md": "# Test\n", f"templates/{DASHBOARD}": EXTENDS_GOALS})
    config = load_config(str(program / "mkdocs.yml"))

    def inputs() -> str | None:
        environment = create_environment(program / "templates")
        assert environment.get_template(f"{BUNDLED_PREFIX}/{DASHBOARD}").filename == str(bundled / DASHBOARD)
        return portfolio_inputs(config, SETTINGS, environment)

    first = inputs()
    assert first is not None
    assert inputs() == first
    (program / "templates" / DASHBOARD).write_text(EXTENDS_GOALS.replace("Our own", "Our"), encoding="utf-8")
    second = inputs()
    assert second != first
    extended = bundled / DASHBOARD
    extended.write_text(extended.read_text(encoding="utf-8").replace("## Meetings", "## Our meetings"),
                        encoding="utf-8")
    assert inputs() != second


@pytest.mark.slow
def test_a_program_that_extends_the_dashboard_builds_with_its_own_goals_section(tmp_path: Path) -> None:
    program = write_files(tmp_path / "program", {**BASE_PROGRAM, f"templates/{DASHBOARD}": EXTENDS_GOALS})
    paths = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": os.pathsep.join(paths)}
    result = subprocess.run([sys.executable, "-m", "mentorsite", "build", "--strict"], cwd=program,
                            env=environment, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    for edition_folder in ("pairs", "review"):
        page = (program / "site-private" / edition_folder / "ana-ben" / "index.html").read_text(encoding="utf-8")
        assert "Our own goals section, 1 goal." in page, edition_folder
        assert "Goals achieved" not in page  # the bundled goals section is gone from the dashboard
        for heading in ("Meetings", "Action items", "Latest check-in"):
            assert f">{heading}" in page, (edition_folder, heading)


# Every page template has blocks ------------------------------------------------------------


PAGES = [name for name in template_names() if name.endswith((".md.j2", ".html.j2"))]


def test_every_template_a_program_may_override_is_listed() -> None:
    root = bundled_templates_dir()
    shipped = {p.relative_to(root).as_posix() for p in root.rglob("*.j2")
               if p.relative_to(root).parts[0] not in ("starter", "pair-starter")}
    assert set(template_names()) == shipped
    assert {"portfolio/overview.md.j2", "vault/unlock.html.j2", "report/index.md.j2"} <= set(PAGES)


@pytest.mark.parametrize("name", PAGES)
def test_every_page_template_is_cut_into_blocks(name: str) -> None:
    assert list(parsed(name).find_all(nodes.Block)), f"{name} has no block a program could replace"


def test_no_template_tests_the_edition_itself() -> None:
    """The words that differ by edition come from ``wording``; no page template chooses them."""
    for name in PAGES:
        source = (bundled_templates_dir() / name).read_text(encoding="utf-8")
        assert 'edition == "review"' not in source, name
        assert "[:-1]" not in source, name


# Wording in Python ------------------------------------------------------------------------


HAND_MADE_PLURAL = re.compile(r"""['"]s['"] if |!= 1 else ['"]['"]|\bif \w+ == 1 else f?['"]\{?\w*\}? ?\w+s['"]""")


def test_no_module_makes_a_plural_by_hand() -> None:
    """Every counted noun goes through ``model.plurals.plural`` (one rule: no '1 weeks' anywhere)."""
    package = Path(mentorsite.__file__).parent
    found = [f"{path.relative_to(package)}:{number}" for path in sorted(package.rglob("*.py"))
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if HAND_MADE_PLURAL.search(line)]
    assert found == []


@pytest.mark.parametrize(("count", "word", "expected"), [
    (1, "session", "1 session"), (2, "session", "2 sessions"), (0, "session", "0 sessions"),
    (1, "check-in", "1 check-in"), (3, "check-in", "3 check-ins"), (0, "mentee", "0 mentees"),
    (2, "action item", "2 action items"), (1, "action item", "1 action item"), (2, "day", "2 days"),
    (2, "person", "2 people"), (2, "summary", "2 summaries"), (2, "match", "2 matches"),
])
def test_plural_counts_a_noun(count: int, word: str, expected: str) -> None:
    assert plural(count, word) == expected
    assert create_environment().from_string(f"{{{{ count | plural({word!r}) }}}}").render(count=count) == expected


def test_plural_takes_the_plural_the_rules_would_get_wrong() -> None:
    assert plural(2, "criterion", "criteria") == "2 criteria"
    assert plural(1, "criterion", "criteria") == "1 criterion"


@pytest.mark.parametrize(("every", "unit", "expected"), [
    (1, "days", "every day"), (1, "weeks", "every week"), (1, "months", "every month"),
    (2, "days", "every 2 days"), (2, "weeks", "every 2 weeks"), (3, "months", "every 3 months"),
])
def test_a_cadence_says_how_often(every: int, unit: str, expected: str) -> None:
    assert Cadence.model_validate({"every": every, "unit": unit}).describe() == expected


def test_a_cadence_of_zero_is_no_cadence() -> None:
    with pytest.raises(ValidationError):
        Cadence.model_validate({"every": 0, "unit": "weeks"})


def test_a_weekly_cadence_reads_every_week_on_the_pages_and_in_the_checks(tmp_path: Path) -> None:
    agreement = BASE_PROGRAM["content/pairs/ana-ben/agreement.md"].replace("every: 2", "every: 1")
    write_files(tmp_path, {**BASE_PROGRAM, "content/pairs/ana-ben/agreement.md": agreement})
    checked = read_program(tmp_path / "content", tmp_path)
    assert not [d for d in checked.diagnostics if d.is_error]
    records, as_of = checked.program.pairs[0], date(2026, 4, 1)
    pages = {page.uri: page.markdown for page in render_portfolio(
        records, "pair", checked.program.handbook, PortfolioSettings(as_of=as_of), create_environment()).pages}
    assert "- **Meet:** every week\n" in pages["agreement.md"]
    assert "- **Agreed cadence:** every week\n" in pages["index.md"]
    assert "1 weeks" not in "".join(pages.values())
    result = CHECKS["cadence-defined"].evaluate(Facts(records, as_of), {"max_interval_days": 31})
    assert result.summary == "Meetings are agreed every week, with no session length."
    assert [e.note for e in result.evidence] == ["meet every week"]


# docs/templates.md -----------------------------------------------------------------------


def test_the_reference_is_generated_from_the_templates(update_goldens: bool) -> None:
    committed = ROOT / REFERENCE
    if update_goldens:
        committed.write_text(reference(), encoding="utf-8")
    assert committed.read_text(encoding="utf-8") == reference(), \
        "run python -m mentorsite.dev.templates_reference and commit docs/templates.md"


def test_every_template_has_a_section_with_its_blocks() -> None:
    text = (ROOT / REFERENCE).read_text(encoding="utf-8")
    for name in template_names():
        heading = f"\n### {BUNDLED_PREFIX}/{name}\n"
        assert heading in text, name
        body = text.split(heading, 1)[1].split("\n### ", 1)[0]
        for block in parsed(name).find_all(nodes.Block):
            assert f"`{block.name}`" in body, (name, block.name)
    dashboard = text.split(f"\n### {BUNDLED_PREFIX}/{DASHBOARD}\n", 1)[1].split("\n### ", 1)[0]
    assert "`overview`" in dashboard and "`wording`" in dashboard and "`goals`" in dashboard


def test_the_private_sites_search_partial_is_the_themes_own_with_the_dialog_named() -> None:
    """The override is a copy: when the theme's partial changes, this says to copy it again."""
    theirs = (Path(material.__file__).parent / "templates/partials/search.html").read_text(encoding="utf-8")
    ours = (ROOT / "themes/private/overrides/partials/search.html").read_text(encoding="utf-8")
    body = ours.split("-#}", 1)[1]
    named = 'role="dialog" aria-label="{{ lang.t(\'search\') }}"'
    assert body.count(named) == 1
    assert body.replace(named, 'role="dialog"') == theirs.split("-#}", 1)[1], (
        "the theme's partials/search.html changed: copy it into themes/private/overrides/partials/ "
        "again and name the dialog")
