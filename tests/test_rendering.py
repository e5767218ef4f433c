"""Golden files of the rendered handbook Markdown for the base test program.

Regenerate with ``pytest tests/test_rendering.py --update-goldens`` and review the diff.
"""

from __future__ import annotations

from pathlib import Path

from mentorsite.checking.program import read_program
from mentorsite.pages.rendering import (
    anchor,
    create_environment,
    group_by_topic,
    handbook_nav,
    relative_link,
    render_handbook,
)
from tests.goldens import check_golden

GOLDEN = Path(__file__).parent / "golden" / "handbook"


def test_handbook_pages_match_golden_files(program_dir: Path, update_goldens: bool) -> None:
    handbook = read_program(program_dir / "content", program_dir).program.handbook
    pages = render_handbook(handbook, create_environment(), site_name="Test Handbook")
    check_golden(GOLDEN, pages, update_goldens)


def test_a_landing_page_of_the_program_replaces_the_generated_one(program_dir: Path) -> None:
    (program_dir / "content/handbook/index.md").write_text("# Our program\n")
    handbook = read_program(program_dir / "content", program_dir).program.handbook
    uris = [page.uri for page in render_handbook(handbook, create_environment(), site_name="T")]
    assert "index.md" not in uris
    assert handbook.landing_markdown == "# Our program\n"


def test_navigation_groups_guidelines_by_topic_in_handbook_order(program_dir: Path) -> None:
    handbook = read_program(program_dir / "content", program_dir).program.handbook
    assert handbook_nav(handbook)[2] == {"Guidelines": [
        {"Goals": ["guidelines/clear-goals.md"]}, {"Meetings": ["guidelines/regular-meetings.md"]},
    ]}
    assert [t.name for t in group_by_topic(handbook.guidelines)] == ["Goals", "Meetings"]


def test_anchor_and_links() -> None:
    assert anchor("Feedback & accountability") == "feedback-accountability"
    assert anchor("Über uns") == "uber-uns"
    assert relative_link("guidelines/a.md", "topics.md") == "../topics.md"
    assert relative_link("index.md", "checklists/mentor.md") == "checklists/mentor.md"
