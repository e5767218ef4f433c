"""Record bodies render in the portfolios as GFM, as their authors expect (issue 20, deliver 3).

A program whose handbook has emoji, superfences and critic (extensions that would read a
body otherwise) is built once; one session holds a body with each GFM construct,
another a hostile body, both shared with reviewers, so that each fragment is checked in the
built HTML of both editions.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import markdown
import pytest

from mentorsite.pages.bodies import body_markdown, page_link, with_emoji
from tests.programs import BASE_PROGRAM, MKDOCS_YML, write_files

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1795262400",  # 2026-11-21
       "PYTHONPATH": str(Path(__file__).parent.parent)}
EXTENSIONS = ("  - pymdownx.emoji\n  - pymdownx.superfences\n  - pymdownx.critic\n  - admonition\n"
              "  - toc:\n      permalink: true\n")
EDITIONS = ("pairs", "review")

GFM_BODY = """\
Duration:
- Preferred mentorship duration
- Preferred meeting times
  - mornings
  - evenings

Notes are at https://notes.example.org/ana and www.example.com; ask at <gsoc-support.com> :+1: :tada:

~~Dropped~~ the old plan, and `:+1:` stays in code.

- [ ] Book a room
- [x] Send the agenda

| Week | Topic |
|------|-------|
| 1 | Goals |

```python
print("hi")  # {++ kept ++}
```

> [!NOTE]
> The room changes in March.

!!! tip "Pairs wrote these before"
    Still an admonition.

First line\\
second line\x20\x20
third line

&copy; 2026 &amp; &#35;1

# Plan for C# -- `x`

The [next session](2026-02-17.md#agenda) and [a goal](../goals/speaking.md).

Setext heading
==============

<h1>Pasted heading</h1>
"""

HOSTILE_BODY = """\
<script>alert("zqscript1")</script>
[zqlink2](javascript:alert(2)) <a href="javascript:alert(3)">zqlink3</a>
![zqimage4](https://images.invalid/zqimage4.png) <img src="https://images.invalid/zqimage5.png" alt="zqimage5">
<p onclick="alert(6)">zqevent6</p> <img src="x.png" onerror="alert(7)" alt="zqevent7">

# <img src=y.png onerror=alert(8)> zqheading8

:octocat: :shipit: :+1:
"""


def program(folder: Path) -> Path:
    files = dict(BASE_PROGRAM)
    files["mkdocs.yml"] = MKDOCS_YML + EXTENSIONS
    files["content/pairs/ana-ben/sessions/2026-02-10.md"] = (
        f"---\ndate: 2026-02-10\nvisibility: review\n---\n\n{GFM_BODY}")
    files["content/pairs/ana-ben/sessions/2026-02-17.md"] = (
        f"---\ndate: 2026-02-17\nvisibility: review\n---\n\n{HOSTILE_BODY}")
    return write_files(folder, files)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = program(tmp_path_factory.mktemp("bodies"))
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=folder, env=ENV,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return folder / "site-private"


def content(built: Path, edition: str, page: str) -> str:
    """The page's content as the theme writes it: its article, without the navigation around it."""
    text = (built / edition / "ana-ben" / page).read_text(encoding="utf-8")
    return text[text.index("<article"):text.index("</article>")]


# Each construct, as the built page holds it (after the cleaning of every portfolio page).
FRAGMENTS = {
    "a list right after a line": "<p>Duration:</p>\n<ul>\n<li>Preferred mentorship duration</li>\n",
    "a list nested by two spaces": ("<li>Preferred meeting times\n<ul>\n<li>mornings</li>\n<li>evenings</li>\n"
                                    "</ul>\n</li>"),
    "a bare address": ('<a href="https://notes.example.org/ana" rel="noopener noreferrer">'
                       "https://notes.example.org/ana</a>"),
    "a bare www address": '<a href="http://www.example.com" rel="noopener noreferrer">www.example.com</a>;',
    "a pseudo-tag, as text": "ask at &lt;gsoc-support.com&gt; 👍 🎉</p>",
    "strikethrough, and a shortcode in code": "<p><del>Dropped</del> the old plan, and <code>:+1:</code> stays",
    "a task list": ('<li class="task-list-item"><input aria-label="Book a room" class="task-list-item-checkbox" '
                    'disabled="" type="checkbox"> Book a room</li>\n<li class="task-list-item"><input '
                    'aria-label="Send the agenda" class="task-list-item-checkbox" disabled="" type="checkbox" '
                    'checked=""> Send the agenda</li>'),
    "a table": "<table>\n<thead>\n<tr>\n<th>Week</th>\n<th>Topic</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>",
    "fenced code": '<pre><code class="language-python">print("hi")  # {++ kept ++}\n</code></pre>',
    "an alert": ('<div class="admonition note">\n<p class="admonition-title">Note</p>\n'
                 "<p>The room changes in March.</p>\n</div>"),
    "an admonition": ('<div class="admonition tip">\n<p class="admonition-title">Pairs wrote these before</p>\n'
                      "<p>Still an admonition.</p>\n</div>"),
    "hard line breaks": "<p>First line<br>\nsecond line<br>\nthird line</p>",
    "character references": "<p>© 2026 &amp; #1</p>",
    "a heading, nested, with its id": '<h3 id="r-plan-for-c-x">Plan for C# -- <code>x</code><a class="headerlink"',
    "links to other pages": ('<a href="2026-02-17.html#r-agenda" rel="noopener noreferrer">next session</a> and '
                             '<a href="../goals/speaking.html" rel="noopener noreferrer">a goal</a>'),
    "an underlined heading": '<h3 id="r-setext-heading">Setext heading<a class="headerlink"',
    "an HTML heading": "<h3>Pasted heading</h3>",
}


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("construct", FRAGMENTS)
def test_each_gfm_construct_renders_as_gfm(built: Path, edition: str, construct: str) -> None:
    page = content(built, edition, "sessions/2026-02-10.html")
    assert FRAGMENTS[construct] in page


@pytest.mark.parametrize("edition", EDITIONS)
def test_body_headings_nest_under_the_page_and_join_its_table_of_contents(built: Path, edition: str) -> None:
    text = (built / edition / "ana-ben/sessions/2026-02-10.html").read_text(encoding="utf-8")
    page = content(built, edition, "sessions/2026-02-10.html")
    assert len(re.findall(r"<h1[\s>]", page)) == 1
    assert page.index('id="r-notes"') < page.index('id="r-plan-for-c-x"') < page.index('id="r-setext-heading"')
    navigation = text[:text.index("<article")]
    assert '<a href="#r-plan-for-c-x" class="md-nav__link">' in navigation
    assert '<a href="#r-setext-heading" class="md-nav__link">' in navigation


@pytest.mark.parametrize("edition", EDITIONS)
def test_a_hostile_body_is_still_cleaned(built: Path, edition: str) -> None:
    page = content(built, edition, "sessions/2026-02-17.html")
    for marker in ("zqlink2", "zqlink3", "zqevent6", "zqheading8"):
        assert marker in page  # the body is on the page, cleaned
    assert "zqscript1" not in page and "<script" not in page
    assert not re.search(r"<[^>]*javascript:", page)  # as text, where a parser would not make it a link
    assert not re.search(r"<[^>]*\son[a-z]+=", page)
    assert "images.invalid" not in page
    assert '<img alt="zqimage4">' in page and '<img alt="zqimage5">' in page
    assert '<a rel="noopener noreferrer">zqlink3</a>' in page


@pytest.mark.parametrize("edition", EDITIONS)
def test_an_emoji_shortcode_is_a_character_never_an_image(built: Path, edition: str) -> None:
    """The handbook's emoji extension draws images from another host; a body's shortcodes are text."""
    assert "<img" not in content(built, edition, "sessions/2026-02-10.html")
    hostile = content(built, edition, "sessions/2026-02-17.html")
    assert "<p>:octocat: :shipit: 👍</p>" in hostile  # picture emoji (no character) stay as written
    assert re.findall(r"<img[^>]*>", hostile) == [
        '<img alt="zqimage4">', '<img alt="zqimage5">', '<img src="x.png" alt="zqevent7">', '<img src="y.png">']


def test_the_shortcodes_are_gfm_s_and_code_keeps_them() -> None:
    assert with_emoji(":+1: :-1: :thumbsup: :smile: :heart: :rocket:") == "👍 👎 👍 😄 ❤️ 🚀"
    assert with_emoji("10:30:45 a:zz:+1: :nope:") == "10:30:45 a:zz👍 :nope:"
    assert "<code>:tada:</code>" in body_markdown("`:tada:` :tada:\n", 2)
    assert "🎉" in body_markdown("`:tada:` :tada:\n", 2)


def test_a_link_to_a_record_is_a_link_to_its_page() -> None:
    assert [page_link(link) for link in ("x.md", "../goals/a.md#b", "a.MD?q", "https://x.org/a.md", "/a.md",
                                         "#a.md", "a.mdx", "mailto:a@b.md")] == [
        "x.html", "../goals/a.html#b", "a.html?q", "https://x.org/a.md", "/a.md", "#a.md", "a.mdx",
        "mailto:a@b.md"]


def test_footnotes_of_two_bodies_on_one_page_keep_apart() -> None:
    first = body_markdown("A[^1].\n\n[^1]: One.\n", 2, "content/pairs/a/checkins/2026-03-01.md")
    second = body_markdown("B[^1].\n\n[^1]: Two.\n", 2, "content/pairs/a/checkins/2026-04-01.md")
    assert 'id="fn-2026-03-01-1"' in first and 'id="fn-2026-04-01-1"' in second


def test_raw_text_the_page_markdown_reads_is_written_as_references() -> None:
    """A fence, a critic mark or a tab inside a body's code is not read again by the page's Markdown."""
    rendered = body_markdown("    ```\n    {++x++}\n    \tx\n\n~~~\nno\n~~~\n", 2)
    assert "`" not in rendered and "{" not in rendered and "\t" not in rendered
    assert rendered.count("&#96;&#96;&#96;") == 1 and "&#123;++x++}" in rendered and "&#9;x" in rendered
    assert '<pre><code>no\n</code></pre>' in rendered


def test_everything_check_lets_through_is_rendered_whole_without_running_out_of_stack() -> None:
    """`check` refuses more than 100 levels of indentation and 500 open brackets; the renderer
    keeps every item up to there (by default it dropped what lay past 20 levels)."""
    deep = "".join("    " * level + f"- item {level}\n" for level in range(101))
    html = body_markdown(deep, 2)
    assert html.count("<li>") == 101 and "item 100" in html

    def nested(depth: int) -> str:  # rendered below a deep stack, as in a build
        return nested(depth - 1) if depth else body_markdown("[" * 500 + "x\n\n" + "> " * 100 + "q\n", 2)
    assert "x" in nested(200)


def test_a_stray_end_tag_cannot_hand_the_rest_of_a_body_back_to_the_pages_markdown() -> None:
    """Attacker's pass, issue 20: a `</div>` closed the body's block, and the page's Markdown then read
    what the GFM renderer had decoded (`&#91;x&#93;&#40;...&#41;` is `[x](...)`) as a link to another
    pair, a heading, or a block with `markdown="1"`."""
    body = ("First session</div>&#91;LINKOUT&#93;&#40;../../cy-dee/agreement.md&#41;\n"
            "&#35; INJECTED\n\n<div markdown=\"1\">*read again*</div>\n")
    page = markdown.markdown("# Session\n\n" + body_markdown(body, 2), extensions=["md_in_html", "attr_list"])
    assert page.count("<h1") == 1 and "INJECTED" in page
    assert 'href="../../cy-dee' not in page and "[LINKOUT](../../cy-dee/agreement.md)" in page
    assert "<em>read again</em>" not in page
