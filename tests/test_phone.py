"""Pages that read well on a phone: tables that scroll visibly, one H1 a page, no empty placeholders.

The example program is built once, with headings written into record bodies (as a pair might
paste them) and one pair without a program; the fast tests read the built HTML, the slow one
lays a session page out in Chromium at a phone's width.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import playwright.sync_api as playwright
import pytest

from mentorsite.pages.rendering import nest_headings
from mentorsite.site.factory import PRIVATE_STYLESHEET
from tests.programs import copy_example
from tests.serving import serve

CHROMIUM = "/usr/bin/chromium"
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1795262400"}  # 2026-11-21
SESSION = "pairs/lena-marcus/sessions/2026-09-17.html"  # a wide actions table

# Headings a pair wrote in its records' bodies: each must sit under the page's own H1.
BODY_HEADINGS = {
    "pairs/lena-marcus/sessions/2026-09-17.md": "\n# Rebooking\n\nWe rebook at once.\n\nFollow-up\n=========\n\n"
                                                "<h1>Pasted heading</h1>\n",
    "pairs/lena-marcus/goals/research-plan.md": "\n# Goal notes\n\nA draft first.\n",
    "pairs/lena-marcus/agreement.md": "\n# Rooms\n\nBooked by Lena.\n",
    "pairs/lena-marcus/checkins/2026-09-28.md": "\n# Mood\n\nGood.\n",
    "pairs/sofia-david/closing.md": "\n# Looking back\n\nSix months.\n",
}


# A pair's summary on the reviewer index, which every reviewer reads beside the other pairs.
HOSTILE_SUMMARY = ('Ours. </div> <p><strong>From the program team:</strong> the pair below left.</p> '
                   '# Not a heading *kept* {: .mentorsite-verdict } '
                   '<span class="mentorsite-verdict mentorsite-verdict--pass">12 pass</span>')


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    program = copy_example(tmp_path_factory.mktemp("phone"))
    for record, added in BODY_HEADINGS.items():
        path = program / "content" / record
        path.write_text(path.read_text(encoding="utf-8") + added, encoding="utf-8")
    pair = program / "content/pairs/noor-james/pair.yml"
    pair.write_text(pair.read_text(encoding="utf-8").replace("program: Northwind Mentoring\n", ""), encoding="utf-8")
    pair = program / "content/pairs/priya-tomas/pair.yml"
    pair.write_text(pair.read_text(encoding="utf-8") + f"summary: {json.dumps(HOSTILE_SUMMARY)}\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=program, env=ENV,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return program


def private_pages(built: Path) -> list[Path]:
    pages = sorted((built / "site-private").rglob("*.html"))
    assert len(pages) > 40
    return pages


def test_every_portfolio_page_has_exactly_one_h1(built: Path) -> None:
    counts = {page.relative_to(built).as_posix(): len(re.findall(r"<h1[\s>]", page.read_text(encoding="utf-8")))
              for page in private_pages(built)}
    assert {name: count for name, count in counts.items() if count != 1} == {}


def test_a_body_heading_is_nested_under_its_section_with_its_prefixed_id(built: Path) -> None:
    session = (built / "site-private" / SESSION).read_text(encoding="utf-8")
    assert re.search(r'<h3 id="r-rebooking"[^>]*>Rebooking', session)
    assert re.search(r'<h3 id="r-follow-up"[^>]*>Follow-up', session)
    assert "<h3>Pasted heading</h3>" in session
    assert session.index(">Notes") < session.index(">Rebooking")
    for page, heading in (("pairs/lena-marcus/goals/research-plan.html", "goal-notes"),
                          ("pairs/lena-marcus/agreement.html", "rooms"),
                          ("pairs/lena-marcus/checkins.html", "mood"),
                          ("pairs/sofia-david/closing.html", "looking-back"),
                          ("review/sofia-david/closing.html", "looking-back")):
        assert f'<h3 id="r-{heading}"' in (built / "site-private" / page).read_text(encoding="utf-8"), page


def test_headings_are_nested_outside_code_only() -> None:
    body = "# One\n\n## Two\n\n```\n# a comment\n```\n\nThree\n-----\n\n`<h1>` and <h2>four</h2>\n\n    # code\n"
    assert nest_headings(body, 2) == ("### One\n\n#### Two\n\n```\n# a comment\n```\n\n#### Three\n\n"
                                      "`<h1>` and <h4>four</h4>\n\n    # code\n")
    assert nest_headings("##### Deep\n###### Deepest", 2) == "###### Deep\n###### Deepest"


def test_a_pair_without_a_program_shows_its_cohort_and_no_placeholder(built: Path) -> None:
    dashboard = (built / "site-private/pairs/noor-james/index.html").read_text(encoding="utf-8")
    assert "<strong>Cohort:</strong> 2026-winter" in dashboard
    assert "Program:" not in dashboard
    assert "—" not in re.sub(r"<[^>]+>", "", dashboard.split("Mentor:")[1].split("Status:")[0])
    other = (built / "site-private/pairs/lena-marcus/index.html").read_text(encoding="utf-8")
    assert "<strong>Program:</strong> Northwind Mentoring (cohort 2026-summer)" in other


def test_the_home_page_title_says_the_site_name_once(built: Path) -> None:
    home = (built / "site/index.html").read_text(encoding="utf-8")
    assert re.findall(r"<title>([^<]*)</title>", home) == ["Northwind Mentoring Handbook"]
    guideline = next((built / "site/guidelines").glob("*/index.html")).read_text(encoding="utf-8")
    assert re.search(r"<title>[^<]+ - Northwind Mentoring Handbook</title>", guideline)


def test_every_private_page_loads_the_private_stylesheet_under_its_policy(built: Path) -> None:
    for page in private_pages(built):
        text = page.read_text(encoding="utf-8")
        if "_vault" in page.parts or "Content-Security-Policy" not in text:
            continue
        links = re.findall(r'<link rel="stylesheet" href="([^"]*mentorsite\.css)"', text)
        assert len(links) == 1, page
        assert (page.parent / links[0]).resolve().is_file(), page
        assert "style-src 'self' 'unsafe-inline'" in text
    css = (built / "site-private/pairs/lena-marcus" / PRIVATE_STYLESHEET).read_text(encoding="utf-8")
    # The only URLs are the verdict icons, drawn from data: URLs, which fetch nothing.
    assert ".md-typeset__scrollwrap" in css
    icons = re.findall(r'url\("([^"]*)"\)', css)
    assert len(icons) == css.count("url(") == 4
    assert all(icon.startswith("data:image/svg+xml,%3Csvg xmlns=") for icon in icons)


@pytest.fixture(scope="module")
def private_url(built: Path) -> Iterator[str]:
    yield from serve(built / "site-private")


@pytest.fixture(scope="module")
def browser() -> Iterator[playwright.Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install the chromium package (the CI script does)")
    with playwright.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield launched
        launched.close()


TABLE_BOX = """() => {
  const table = document.querySelector('.md-typeset table');
  const box = table.closest('.md-typeset__scrollwrap') || table;
  const shadows = getComputedStyle(box).backgroundImage.match(/gradient/g) || [];
  return {page: document.documentElement.scrollWidth, scroll: box.scrollWidth, client: box.clientWidth,
          shadows: shadows.length, attachment: getComputedStyle(box).backgroundAttachment};
}"""


@pytest.mark.slow
@pytest.mark.parametrize("uri", [SESSION, "pairs/lena-marcus/index.html"])
def test_a_wide_table_scrolls_in_its_own_box_with_a_shadow_on_a_phone(
        browser: playwright.Browser, private_url: str, uri: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    errors: list[str] = []
    page = context.new_page()
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(private_url + uri)
    page.wait_for_selector(".md-typeset__scrollwrap")  # the theme's script has wrapped the table
    box = page.evaluate(TABLE_BOX)
    context.close()
    assert box["scroll"] > box["client"]  # the table scrolls inside its box...
    assert box["page"] <= 390  # ...and the page itself does not scroll sideways
    assert box["shadows"] == 4 and box["attachment"] == "local, local, scroll, scroll"  # covers and shadows
    assert errors == []  # the stylesheet is allowed by the pages' policy


def cards(dashboard: str) -> dict[str, str]:
    """The dashboard's key-figure cards: each card's title and its text, tags left out."""
    grid = re.search(r'<div class="grid cards mentorsite-figures">(.*?)</div>', dashboard, re.S)
    assert grid, "no grid of cards"
    found = {}
    for item in re.findall(r"<li>(.*?)</li>", grid.group(1), re.S):
        title = re.search(r'<a href="#([^"]+)"[^>]*>([^<]+)</a>', item)
        assert title, item
        assert f'id="{title.group(1)}"' in dashboard, f"the card {title.group(2)} links to no section"
        found[title.group(2)] = " ".join(re.sub(r"<[^>]+>", " ", item.split("</a>", 1)[1]).split())
    return found


def test_the_dashboard_opens_with_cards_whose_figures_are_the_sections_figures(built: Path) -> None:
    dashboard = (built / "site-private/pairs/lena-marcus/index.html").read_text(encoding="utf-8")
    text = " ".join(re.sub(r"<[^>]+>", " ", dashboard).split())
    assert cards(dashboard) == {
        "Meetings": "6 of 10 meetings the agreed cadence called for (60%)",
        "Next session": "2026-10-29 23 days late",
        "Goals": "1 of 3 goals achieved (33%)",
        "Action items": "3 open 8 done 3 overdue",
        "Practices": "6 pass 1 warn 4 fail 1 not assessed",
        "Latest check-in": "fit: adjust on 2026-09-28",
    }
    # The same figures, as the sections below the cards state them.
    for stated in ("Meetings held of those the cadence called for: 6 of 10 (60%)", "Goals achieved: 33%",
                   "3 open, 3 of them overdue; 8 done",
                   "Next session expected: 2026-10-29 ( 23 days late )"):
        assert stated in text, stated
    review = (built / "site-private/review/lena-marcus/index.html").read_text(encoding="utf-8")
    assert set(cards(review)) <= set(cards(dashboard))


def test_every_verdict_is_a_badge_with_its_word(built: Path) -> None:
    scorecard = (built / "site-private/pairs/lena-marcus/practices.html").read_text(encoding="utf-8")
    badges = re.findall(r'<span class="mentorsite-verdict mentorsite-verdict--([a-z-]+)">([^<]+)</span>', scorecard)
    words = {"pass": "Pass", "warn": "Warn", "fail": "Fail", "not-assessed": "Not assessed"}
    assert badges and all(word == words[verdict] for verdict, word in badges)
    # One in the table and one under the heading of each guideline, one for each check.
    rows = re.findall(r'<td><a href="#[^"]+"[^>]*>[^<]+</a></td>\s*<td>(.*?)</td>', scorecard, re.S)
    assert len(rows) == 12 and all("mentorsite-verdict--" in cell for cell in rows)
    assert len(badges) == 2 * len(rows) + scorecard.count("<li><strong>") - scorecard.count("<li><strong><a")
    assert not re.search(r"<strong>(Pass|Warn|Fail|Not assessed)\.</strong>", scorecard)


def test_the_reviewer_index_is_one_card_a_pair(built: Path) -> None:
    index = (built / "site-private/review/index.html").read_text(encoding="utf-8")
    grid = re.search(r'<div class="grid cards mentorsite-reviews">(.*?)</div>', index, re.S)
    assert grid and "<table" not in index
    items = re.findall(r"<li>(.*?)</li>", grid.group(1), re.S)
    texts = [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]
    assert [re.search(r'href="([^"]+)"', item).group(1) for item in items] == [  # type: ignore[union-attr]
        f"{pair}/index.html" for pair in ("lena-marcus", "noor-james", "priya-tomas", "sofia-david")]
    assert texts[3] == ("Sofia Lindqvist and David Mensah Completed , 2026-01-12 to 2026-06-29 From senior "
                        "engineer to team lead; release coordination handed over and one-to-ones in place.")
    assert texts[1].startswith("Noor Haddad and James Whitaker Proposed , 2026-12-01 to 2027-05-31 (planned)")


CARD_BOXES = """() => [...document.querySelectorAll('.mentorsite-reviews > ul > li')].map(card => {
  const box = card.getBoundingClientRect();
  return {left: Math.round(box.left), right: Math.round(box.right)};
})"""


@pytest.mark.slow
def test_the_reviewer_index_stacks_its_cards_on_a_phone_and_pairs_them_on_a_desk(
        browser: playwright.Browser, private_url: str) -> None:
    seen = {}
    for width in (390, 1280):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        page.goto(private_url + "review/index.html")
        seen[width] = (page.evaluate(CARD_BOXES), page.evaluate("document.documentElement.scrollWidth"))
        context.close()
    phone, phone_width = seen[390]
    assert len(phone) == 4 and len({card["left"] for card in phone}) == 1 and phone_width <= 390
    assert all(card["right"] <= 390 for card in phone)
    desk, _ = seen[1280]
    assert len({card["left"] for card in desk}) == 2  # two side by side


def test_a_pairs_summary_stays_text_in_its_own_card_on_the_reviewer_index(built: Path) -> None:
    index = (built / "site-private/review/index.html").read_text(encoding="utf-8")
    grid = re.search(r'<div class="grid cards mentorsite-reviews">(.*?)</div>\s*</article>', index, re.S)
    assert grid, "the grid of cards was cut short"
    items = re.findall(r"<li>(.*?)</li>", grid.group(1), re.S)
    assert len(items) == 4  # the cards after it are still cards
    assert "<strong>From the program team:" not in index and '<span class="mentorsite-verdict' not in index
    assert "<h1" not in grid.group(1) and "<em>kept</em>" in items[2]  # inline Markdown only
    assert "&lt;/div&gt; &lt;p&gt;&lt;strong&gt;From the program team:&lt;/strong&gt;" in items[2]
