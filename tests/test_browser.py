"""The example program in real headless Chromium: the handbook and the portfolios.

Search finds generated pages, charts read without JavaScript, and no request leaves the host.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import playwright.sync_api as playwright
import pytest

from tests.programs import copy_example
from tests.serving import serve

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def example_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    program = copy_example(tmp_path_factory.mktemp("browser"))
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1795262400"}
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=program, check=True,
                   capture_output=True, env=environment)
    return program


@pytest.fixture(scope="module")
def handbook_url(example_build: Path) -> Iterator[str]:
    yield from serve(example_build / "site")


@pytest.fixture(scope="module")
def private_url(example_build: Path) -> Iterator[str]:
    yield from serve(example_build / "site-private")


@pytest.fixture(scope="module")
def browser() -> Iterator[playwright.Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install the chromium package (the CI script does)")
    with playwright.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield launched
        launched.close()


def search_for(page: playwright.Page, word: str, result: playwright.Locator) -> None:
    """Type ``word`` in the search box until ``result`` shows up.

    The search worker builds its index after the page loads; a query typed before it is
    ready finds nothing, so type again until it answers (a bounded number of times).
    """
    query = page.locator("input[data-md-component='search-query']")
    for _ in range(6):
        query.click()
        query.fill("")
        query.press_sequentially(word)
        try:
            result.wait_for(timeout=5000)
            return
        except playwright.Error:
            continue
    raise AssertionError(f"searching for {word!r} found nothing")


def foreign_requests(requested: list[str], own_url: str) -> list[str]:
    own_host = urlparse(own_url).netloc
    return [url for url in requested if urlparse(url).scheme in ("http", "https")
            and urlparse(url).netloc != own_host]


def test_search_finds_a_generated_guideline_page(browser: playwright.Browser, handbook_url: str) -> None:
    page = browser.new_page()
    page.goto(handbook_url)
    result = page.locator(".md-search-result__item > a[href*='guidelines/listen-ask-offer-advise/']")
    search_for(page, "tempting", result)  # a word only in the body of that guideline
    result.click()
    page.wait_for_url("**/guidelines/listen-ask-offer-advise/**")
    assert page.title().startswith("Listen, ask, offer, then advise - ")


def test_navigation_and_pages_request_nothing_from_another_host(browser: playwright.Browser,
                                                                handbook_url: str) -> None:
    page = browser.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(handbook_url)
    page.get_by_role("link", name="For mentors").first.click()
    page.wait_for_url("**/checklists/mentor/")
    page.wait_for_load_state("networkidle")
    assert requested and not foreign_requests(requested, handbook_url)


def test_a_portfolio_search_finds_its_own_session_notes(browser: playwright.Browser, private_url: str) -> None:
    page = browser.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{private_url}pairs/lena-marcus/index.html")
    result = page.locator(".md-search-result__item > a[href*='sessions/2026-09-17.html']").first
    search_for(page, "rebooked", result)  # a word only in the notes of that session
    result.click()
    page.wait_for_url("**/sessions/2026-09-17.html**")
    assert "We lost momentum with the gap" in page.content()
    page.wait_for_load_state("networkidle")
    assert not foreign_requests(requested, private_url)


def test_the_review_edition_search_knows_only_shared_records(browser: playwright.Browser,
                                                              private_url: str) -> None:
    page = browser.new_page()
    page.goto(f"{private_url}review/lena-marcus/index.html")
    shared = page.locator(".md-search-result__item > a[href*='sessions/2026-07-23.html']").first
    search_for(page, "vague", shared)  # in the notes of the one session shared for review
    query = page.locator("input[data-md-component='search-query']")
    query.fill("")
    query.press_sequentially("rebooked")  # in a session the pair kept to itself
    page.locator(".md-search-result__meta").filter(has_text="No matching documents").wait_for()


def test_reviewers_reach_each_review_edition_from_the_index(browser: playwright.Browser,
                                                            private_url: str) -> None:
    page = browser.new_page()
    page.goto(f"{private_url}review/index.html")
    page.get_by_role("link", name="Sofia Lindqvist and David Mensah").click()
    page.wait_for_url("**/review/sofia-david/index.html")
    page.get_by_role("link", name="Closing", exact=True).click()
    page.wait_for_url("**/review/sofia-david/closing.html")


def test_dashboard_charts_read_without_javascript(browser: playwright.Browser, private_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{private_url}pairs/lena-marcus/index.html")
    chart = page.locator("#r-chart-sessions svg[role='img']")  # content ids get "r-" (sanitising.py)
    assert chart.is_visible()
    box = chart.bounding_box()
    assert box is not None and box["width"] > 300
    assert page.locator("#r-chart-sessions circle").count() >= 6
    label = chart.get_attribute("aria-labelledby")
    assert label == "r-chart-sessions-title r-chart-sessions-desc"
    assert "Longest gap: 37 days" in page.locator("#r-chart-sessions figcaption").inner_text()
    context.close()


def test_portfolio_pages_run_the_theme_under_their_content_security_policy(
        browser: playwright.Browser, private_url: str) -> None:
    """Every theme script is allowed by the policy (no violation), and the page works with it."""
    page = browser.new_page()
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    for path in ("pairs/lena-marcus/index.html", "pairs/lena-marcus/goals/research-plan.html",
                 "review/index.html"):
        page.goto(f"{private_url}{path}")
        page.wait_for_load_state("networkidle")
        assert page.locator("meta[http-equiv='Content-Security-Policy']").count() == 1
    # The theme's scripts ran: the palette and the search box are set up by them.
    assert page.locator("[data-md-component='search-query']").is_enabled()
    assert not [m for m in messages if "Content Security Policy" in m]


@pytest.fixture(scope="module")
def editions_url(published: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The deploy branch of two published editions, served as a static host would."""
    folder = tmp_path_factory.mktemp("gh-pages")
    archive = subprocess.run(["git", "archive", "gh-pages"], cwd=published, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    yield from serve(folder)


def test_the_version_selector_switches_to_the_first_edition(browser: playwright.Browser,
                                                            editions_url: str) -> None:
    page = browser.new_page()
    page.goto(editions_url)  # the root redirects to the default alias
    page.wait_for_url("**/latest/")
    current = page.locator(".md-version__current")
    current.wait_for()
    assert current.inner_text() == "2026.2"
    current.focus()  # the list opens on focus (or hover), as for a keyboard user
    page.locator(".md-version__link", has_text="2026.1").click()
    page.wait_for_url("**/2026.1/")
    page.locator(".md-version__current").wait_for()
    assert page.locator(".md-version__current").inner_text() == "2026.1"


def test_whats_new_in_the_second_edition_lists_the_three_changes(browser: playwright.Browser,
                                                                 editions_url: str) -> None:
    page = browser.new_page()
    page.goto(f"{editions_url}2026.2/whats-new/")
    article = page.locator("article")
    assert "Compared with edition 2026.1: 1 added, 1 changed, 1 removed." in article.inner_text()
    sections = {heading: article.locator(f"h2:has-text('{heading}') + ul, h2:has-text('{heading}') + h3")
                for heading in ("Added", "Changed", "Removed")}
    assert sections["Added"].inner_text().startswith("Say thank you")
    assert sections["Changed"].inner_text().startswith("Set clear goals")
    assert sections["Removed"].inner_text().startswith("Keep a paper diary")
    assert article.locator("code", has_text="+Goals give every meeting a direction and an end.").count() == 1


@pytest.fixture(scope="module")
def exported_url(example_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """lena-marcus's pair edition exported as a zip, unzipped elsewhere and served from there."""
    import zipfile

    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1795262400"}
    archive = tmp_path_factory.mktemp("export") / "lena.zip"
    subprocess.run([sys.executable, "-m", "mentorsite", "export", "lena-marcus", "-o", str(archive)],
                   cwd=example_build, check=True, capture_output=True, env=environment)
    unzipped = archive.parent / "unzipped"
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(unzipped)
    yield from serve(unzipped / "lena-marcus-pair")


def test_an_exported_portfolio_works_unzipped_and_served(browser: playwright.Browser, exported_url: str) -> None:
    page = browser.new_page()
    requested: list[str] = []
    failed: list[str] = []
    violations: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.goto(exported_url)
    assert "Lena" in page.title()
    result = page.locator(".md-search-result__item > a[href*='sessions/2026-09-17.html']").first
    search_for(page, "rebooked", result)
    result.click()
    page.wait_for_url("**/sessions/2026-09-17.html**")
    page.get_by_role("link", name="Goals").first.click()
    page.wait_for_load_state("networkidle")
    assert failed == [] and violations == []
    assert not foreign_requests(requested, exported_url)
