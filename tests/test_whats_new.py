"""What's new: a changed guideline shown word by word, wrapped, escaped, with the raw diff folded.

The fast tests compare the exact HTML of ``readable_change``; ``<del>`` and ``<ins>`` in the
expected strings stand for the full elements (with the words said to screen readers). The
slow one builds a second edition and reads its What's new page in Chromium at a phone's width.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import markdown
import playwright.sync_api as playwright
import pytest

from mentorsite.model.manifests import (
    ChangedGuideline,
    EditionContext,
    ManifestEntry,
    compare,
    guideline_history,
    guideline_text,
    handbook_manifest,
)
from mentorsite.model.record_sets import Handbook
from mentorsite.model.records import Guideline
from mentorsite.pages.guideline_diff import (
    HIDDEN,
    LINES,
    PARAGRAPH,
    ReadableChange,
    blocks,
    readable_change,
    split_fields,
    word_diff,
)
from mentorsite.pages.rendering import create_environment, render_handbook
from tests.editions import VERSIONED, git, publish
from tests.programs import BASE_PROGRAM, write_files
from tests.serving import serve

DEL = f'<del class="critic"><span style="{HIDDEN}">removed: </span>'
INS = f'<ins class="critic"><span style="{HIDDEN}">added: </span>'


def full(shorthand: str) -> str:
    """The expected HTML written short: ``<del>``, ``<ins>`` and ``<p>`` as the module writes them."""
    return shorthand.replace("<del>", DEL).replace("<ins>", INS).replace("<p>", PARAGRAPH)


def guideline(body: str, **fields: Any) -> Guideline:
    values: dict[str, Any] = {"id": "clear-goals", "title": "Set clear goals", "audience": ["mentor", "mentee"],
                              "topic": "Goals", "summary": "Agree a few goals early.", "body": body}
    return Guideline(**{**values, **fields})


def change(before: Guideline, after: Guideline) -> ReadableChange:
    entries = [ManifestEntry(g.id, g.title, str(index), guideline_text(g)) for index, g in enumerate((before, after))]
    return readable_change(ChangedGuideline(*entries))


def body_change(before: str, after: str) -> list[str | int]:
    """The body's passages: the HTML of a changed block, or how many unchanged ones were left out."""
    shown = change(guideline(before), guideline(after))
    assert shown.fields == ()
    return [passage.html or passage.unchanged for passage in shown.body]


def test_a_word_replaced_in_a_paragraph_is_struck_through_and_the_new_one_marked() -> None:
    assert body_change("Intro.\n\nGoals give the meetings a direction.\n",
                       "Intro.\n\nGoals give every meeting a direction.\n") == [
        1, full("<p>Goals give <del>the meetings</del> <ins>every meeting</ins> a direction.</p>")]


def test_an_added_paragraph_is_shown_whole_and_the_others_counted() -> None:
    assert body_change("One.\n\nTwo.\n\nThree.\n", "One.\n\nTwo.\n\nA new one here.\n\nThree.\n") == [
        2, full("<p><ins>A new one here.</ins></p>"), 1]


def test_a_removed_paragraph_is_shown_struck_through() -> None:
    assert body_change("One.\n\nGone now.\n\nThree.\n", "One.\n\nThree.\n") == [
        1, full("<p><del>Gone now.</del></p>"), 1]


def test_an_inserted_paragraph_does_not_pair_with_the_edited_one_after_it() -> None:
    assert body_change("Keep the notes short and kind.\n", "A new start.\n\nKeep the notes short and clear.\n") == [
        full("<p><ins>A new start.</ins></p>"),
        full("<p>Keep the notes short and <del>kind.</del> <ins>clear.</ins></p>")]


def test_a_changed_list_item_is_shown_alone() -> None:
    assert body_change("Bring:\n\n- notes\n- the goals\n- questions\n",
                       "Bring:\n\n- notes\n- the dated goals\n- questions\n") == [
        2, full("<p>- the <ins>dated</ins> goals</p>"), 1]


def test_a_changed_heading_is_shown_alone() -> None:
    assert body_change("## Before the first meeting\nRead the agreement.\n",
                       "## Before every meeting\nRead the agreement.\n") == [
        full("<p>## Before <del>the first</del> <ins>every</ins> meeting</p>"), 1]


def test_a_rewrapped_paragraph_is_no_change_and_says_so() -> None:
    shown = change(guideline("Goals give the meetings\na direction.\n\n- one\n- two\n"),
                   guideline("Goals give  the\nmeetings a direction.\n\n-   one\n- two\n"))
    assert [(p.html, p.unchanged) for p in shown.body] == [("", 3)]
    assert shown.only_spacing
    assert not change(guideline("One.\n"), guideline("Two.\n")).only_spacing


def test_html_and_markdown_in_the_text_arrive_as_text() -> None:
    assert body_change("Plain text\n", "Plain text <script>alert('x')</script> & `code` {++x++} *b* [a](b)\n") == [
        full("<p>Plain text <ins>&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &#96;code&#96; "
             "&#123;++x++&#125; &#42;b&#42; &#91;a&#93;(b)</ins></p>")]


def test_a_very_long_changed_paragraph_is_one_block_that_wraps() -> None:
    words = " ".join(f"word{n}" for n in range(400))
    [passage] = body_change(f"{words} end.\n", f"{words.replace(' ', chr(10), 50)} finish.\n")
    assert passage == full(f"<p>{words} <del>end.</del> <ins>finish.</ins></p>")
    assert PARAGRAPH == '<p style="overflow-wrap:anywhere">'


def test_fenced_code_is_one_block_even_with_blank_lines_in_it() -> None:
    assert blocks("Text.\n\n```\na\n\n# not a heading\n```\n- item\n") == [
        ["Text."], ["```", "a", "", "# not a heading", "```"], ["-", "item"]]


def test_changed_code_and_tables_are_shown_line_by_line_as_written() -> None:
    code = body_change("```\nmeet(weekly)\nnotes()\n```\n", "```\nmeet(fortnightly)\nnotes()\n```\n")
    assert code == [f"{LINES}&#96;&#96;&#96;\n{DEL}meet(weekly)</del>\n{INS}meet(fortnightly)</ins>\nnotes()"
                    "\n&#96;&#96;&#96;</code></pre>"]
    table = body_change("| When | Who |\n|---|---|\n| Monday | Ana |\n",
                        "| When | Who |\n|---|---|\n| Tuesday | Ana |\n")
    assert table == [f"{LINES}&#124; When &#124; Who &#124;\n&#124;---&#124;---&#124;\n{DEL}&#124; Monday &#124; "
                     f"Ana &#124;</del>\n{INS}&#124; Tuesday &#124; Ana &#124;</ins></code></pre>"]
    # A paragraph that became code is one removed paragraph and one added code block.
    assert body_change("Meet weekly.\n", "```\nMeet weekly.\n```\n") == [
        full("<p><del>Meet weekly.</del></p>"), f"{LINES}{INS}&#96;&#96;&#96;\nMeet weekly.\n&#96;&#96;&#96;</ins></code></pre>"]


def test_a_block_too_large_to_compare_word_by_word_is_shown_removed_then_added() -> None:
    def edited(count: int) -> tuple[list[str], list[str]]:
        before = [f"w{i}" for i in range(count)]
        return before, [*before[:10], "x", *before[11:300], "y", *before[301:]]
    small = word_diff(*edited(400))  # 160,000 word pairs: compared word by word
    assert small.count("<del") == 2 and small.count("<ins") == 2
    before, after = edited(800)  # 640,000 word pairs: past MOST_COMPARISONS
    assert word_diff(before, after) == f"{DEL}{' '.join(before)}</del> {INS}{' '.join(after)}</ins>"


def test_changed_fields_are_listed_by_name_items_by_item() -> None:
    before = guideline("Same.\n", sources=[{"title": "A book"}], related=["regular-meetings"])
    after = guideline("Same.\n", title="Set clear, dated goals", summary="Agree a few goals early.",
                      audience=["mentor", "program"], topic="Goals and plans",
                      sources=[{"title": "A book"}, {"title": "A talk", "url": "https://talk.example/1"}])
    shown = change(before, after)
    assert [(f.name, f.html) for f in shown.fields] == [
        ("Title", full("Set <del>clear</del> <ins>clear, dated</ins> goals")),
        ("Audiences", full("mentor, <del>mentee</del>, <ins>program</ins>")),
        ("Topic", full("Goals <ins>and plans</ins>")),
        ("Sources", full("A book; <ins>A talk (https://talk.example/1)</ins>")),
        ("Related", full("<del>regular-meetings</del>"))]
    assert [(p.html, p.unchanged) for p in shown.body] == [("", 1)]


def test_text_in_another_shape_is_compared_as_body() -> None:
    assert split_fields("no heading here\n") == ({}, "no heading here")
    fields, body = split_fields(guideline_text(guideline("Body.\n\nFor: all\nTopic: none\n", related=["x"])))
    assert body == "Body.\n\nFor: all\nTopic: none" and fields["Topic"] == "Goals" and fields["Related"] == "x"


def whats_new(before: Guideline, after: Guideline) -> str:
    """The What's new page's Markdown for an edition in which ``before`` became ``after``."""
    old, new = Handbook(guidelines=(before,)), Handbook(guidelines=(after,))
    previous, current = handbook_manifest(old, "2026.1"), handbook_manifest(new, "2026.2")
    edition = EditionContext(current, compare(previous, current), guideline_history([previous], current))
    pages = render_handbook(new, create_environment(), site_name="Handbook", edition=edition)
    return next(page.markdown for page in pages if page.uri == "whats-new.md")


@pytest.mark.parametrize("extensions", [[], ["md_in_html", "pymdownx.superfences", "pymdownx.critic",
                                              "pymdownx.snippets", "attr_list", "pymdownx.arithmatex"]])
def test_the_page_keeps_text_as_text_whatever_the_markdown_extensions(extensions: list[str]) -> None:
    before = guideline("Goals give the meetings a direction.\n\nKept.\n\n```\n--8<-- \"secret.txt\"\n```\n")
    after = guideline("Goals give every meeting <script>alert(1)</script> a direction.\n\nKept.\n\n"
                      "```\n--8<-- \"secret.txt\"\n{++ x ++}\n```\n")
    page = markdown.markdown(whats_new(before, after).split("---\n", 2)[2], extensions=extensions)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<ins" not in page.replace(INS, "")  # critic marks in the text stay text
    assert f"{DEL}the meetings</del> {INS}every meeting &lt;script&gt;alert(1)&lt;/script&gt;</ins>" in page
    assert "<details>\n<summary>Raw diff</summary>\n<pre><code style=\"white-space:pre-wrap;overflow-wrap:anywhere\">@@ -7,3 +7,3 @@" in page
    assert "-Goals give the meetings a direction.\n+Goals give every meeting &lt;script&gt;" in page
    assert "+&#123;++ x ++&#125;\n" in page and '--8&lt;-- &quot;secret.txt&quot;' in page
    assert "<p><em>1 unchanged paragraph left out.</em></p>" in page


def test_a_spacing_only_change_says_so_on_the_page() -> None:
    page = whats_new(guideline("Goals give the\nmeetings a direction.\n"),
                     guideline("Goals give the meetings\na direction.\n"))
    assert "<p>Only spacing or line breaks changed; the raw diff shows where.</p>" in page
    assert "unchanged paragraph" not in page


ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "GIT_AUTHOR_NAME": "Program owner",
       "GIT_AUTHOR_EMAIL": "owner@program.test", "GIT_COMMITTER_NAME": "Program owner",
       "GIT_COMMITTER_EMAIL": "owner@program.test"}
LONG = " ".join(["Goals give every meeting a direction, an end and a way to see how far the pair has come;"] * 12)
LONG_ADDRESS = "https://handbook.example/" + "a-very-long-address-without-a-break-" * 8


FIRST_BODY = """\
Goals give the meetings a direction.

Write each goal so that both of you can tell when it is reached.

- Write them down
- Keep them few

Review them every month.
"""
SECOND_BODY = f"""\
Goals give every meeting a direction and an end.

Write each goal so that both of you
can tell when it is reached.

- Write them down
- Date them
- Keep them few

Before <script>alert(1)</script>.

{LONG} See {LONG_ADDRESS}

Review them every month.
"""


def second_edition(folder: Path) -> Path:
    """A program whose edition 2026.1 is published and whose next build changes clear-goals."""
    goals = "content/handbook/guidelines/clear-goals.md"
    first = BASE_PROGRAM[goals].replace("Goals give the meetings a direction.\n", FIRST_BODY)
    write_files(folder, {**BASE_PROGRAM, goals: first, "mkdocs.yml": VERSIONED,
                         ".gitignore": "site/\nsite-private/\n"})
    git(folder, "init", "--quiet", "--initial-branch", "main")
    git(folder, "add", "--all")
    git(folder, "commit", "--quiet", "--message", "Handbook 2026.1")
    publish(folder, "2026.1", "--alias", "latest")
    (folder / goals).write_text(first.replace("summary: Agree a few specific, dated goals early.",
                                              "summary: Agree a few specific goals early.")
                                .replace(FIRST_BODY, SECOND_BODY))
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=folder, env=ENV, check=True,
                   capture_output=True)
    return folder / "site"


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from serve(second_edition(tmp_path_factory.mktemp("whats-new")))


@pytest.mark.slow
@pytest.mark.parametrize("width", [390, 1280])
def test_the_changes_wrap_on_a_phone_and_read_without_colour(site_url: str, width: int) -> None:
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(f"{site_url}whats-new/")
        article = page.locator("article")
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scrolling
        assert "Before <script>alert(1)</script>." in article.inner_text()
        assert page.locator("ins.critic").first.evaluate("e => getComputedStyle(e).textDecorationLine") == "underline"
        assert page.locator("del.critic").first.evaluate(
            "e => getComputedStyle(e).textDecorationLine") == "line-through"
        assert page.locator("del.critic").first.text_content() == "removed: specific, dated"
        assert article.locator("p", has_text="removed: the meetings").text_content() == (
            "Goals give removed: the meetings added: every meeting a removed: direction. added: direction and an end.")
        assert article.locator("p > em").all_text_contents() == [
            "2 unchanged paragraphs left out.", "1 unchanged paragraph left out.", "1 unchanged paragraph left out."]
        long_block = page.locator("p", has_text="how far the pair has come").first
        assert long_block.evaluate("e => e.scrollWidth <= e.clientWidth")
        assert long_block.bounding_box()["height"] > 100  # type: ignore[index]  # wrapped over many lines
        raw = page.locator("details", has_text="Raw diff")
        assert raw.get_attribute("open") is None and not raw.locator("pre").is_visible()
        raw.locator("summary").click()
        assert raw.locator("pre").is_visible() and raw.locator("code").evaluate("e => e.scrollWidth <= e.clientWidth")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        browser.close()


def test_a_changed_checklist_or_licence_is_a_changed_field() -> None:
    before = guideline("Same.\n", related=["x"], checklist=["Agree goals", "Date them"],
                       licence={"name": "CC BY 4.0"})
    after = guideline("Same.\n", related=["x"], checklist=["Agree goals", "Date each one"],
                      licence={"name": "CC BY-SA 4.0", "url": "https://licences.example/by-sa"})
    shown = change(before, after)
    assert [(f.name, f.html) for f in shown.fields] == [
        ("Checklist", full("Agree goals; <del>Date them</del>; <ins>Date each one</ins>")),
        ("Licence", full("CC <del>BY</del> <ins>BY-SA</ins> 4.0 <ins>(https://licences.example/by-sa)</ins>"))]
    assert [(p.html, p.unchanged) for p in shown.body] == [("", 1)]
    plain = guideline("Same.\n")  # without them, the text is what it was before they existed
    assert "Checklist" not in guideline_text(plain) and "Licence" not in guideline_text(plain)
