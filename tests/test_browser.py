"""The example handbook in real headless Chromium: search finds generated pages, no request leaves."""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import playwright.sync_api as playwright
import pytest

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
REPOSITORY = Path(__file__).parent.parent


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def handbook_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    site = tmp_path_factory.mktemp("browser") / "site"
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
                   cwd=REPOSITORY, check=True, capture_output=True, env=environment)
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


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


def test_search_finds_a_generated_guideline_page(browser: playwright.Browser, handbook_url: str) -> None:
    page = browser.new_page()
    page.goto(handbook_url)
    query = page.locator("input[data-md-component='search-query']")
    result = page.locator(".md-search-result__item > a[href*='guidelines/listen-ask-offer-advise/']")
    # The search worker builds its index after the page loads; a query typed before it is
    # ready finds nothing, so type again until it answers (a bounded number of times).
    for _ in range(6):
        query.click()
        query.fill("")
        query.press_sequentially("tempting")  # a word only in the body of that guideline
        try:
            result.wait_for(timeout=5000)
            break
        except playwright.Error:
            continue
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
    own_host = urlparse(handbook_url).netloc
    foreign = [url for url in requested if urlparse(url).scheme in ("http", "https")
               and urlparse(url).netloc != own_host]
    assert requested and not foreign
