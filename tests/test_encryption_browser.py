"""Encrypted portfolios in real headless Chromium, served by a plain static server.

The canary program is built encrypted, with Material's instant navigation on. Each test
uses a fresh browser profile (no service worker, no session yet).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import playwright.sync_api as playwright
import pytest

from mentorsite.crypto import folder_name
from tests.canary import CanaryProgram
from tests.serving import serve
from tests.test_browser import browser, foreign_requests, search_for  # noqa: F401 - the browser fixture
from tests.test_encryption import PASSPHRASES, REVIEW_PASSPHRASE, encrypted_program, run

pytestmark = pytest.mark.slow

UNLOCK_FORM = "form#unlock"
CONTENT = "article.md-content__inner"


@dataclass
class Program:
    canary: CanaryProgram
    url: str

    def marker(self, pair: str, where: str, visibility: str = "pair") -> str:
        return next(m.text for m in self.canary.markers
                    if m.pair == pair and m.where == where and m.visibility == visibility)

    def pair_url(self, pair: str) -> str:
        return f"{self.url}portfolios/pairs/{folder_name(PASSPHRASES[pair], pair)}/"


@pytest.fixture(scope="module")
def program(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Program]:
    canary, folder = encrypted_program(tmp_path_factory.mktemp("encrypted-browser"),
                                       features=("navigation.instant", "navigation.sections"))
    result = run(folder, "build", "--strict")
    assert result.returncode == 0, result.stderr
    for url in serve(folder / "site"):
        yield Program(canary, url)


@dataclass
class Visit:
    """A fresh browser profile with one tab, recording requests and console problems."""

    context: playwright.BrowserContext
    page: playwright.Page
    requested: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def watch(self, page: playwright.Page) -> playwright.Page:
        page.on("request", lambda request: self.requested.append(request.url))
        page.on("console", lambda message: self.problems.append(f"{message.text} {message.location}")
                if message.type == "error" else None)
        page.on("response", lambda response: self.problems.append(f"{response.status} {response.url}")
                if response.status >= 400 else None)
        return page

    def assert_clean(self, own_url: str) -> None:
        """Once the page is idle: no request went to another host, no error was logged."""
        self.page.wait_for_load_state("networkidle")
        assert not foreign_requests(self.requested, own_url)
        assert not self.problems, self.problems

    def unlock(self, passphrase: str) -> None:
        self.page.locator(UNLOCK_FORM).wait_for()
        self.page.fill("#passphrase", passphrase)
        self.page.click(f"{UNLOCK_FORM} button")

    def open(self, url: str, passphrase: str) -> playwright.Page:
        """Go to a portfolio, unlock it, and wait for its first page."""
        self.page.goto(url)
        self.unlock(passphrase)
        self.page.locator(CONTENT).wait_for()
        return self.page


@pytest.fixture
def visit(browser: playwright.Browser) -> Iterator[Visit]:  # noqa: F811 - the imported fixture
    context = browser.new_context()
    visit = Visit(context, context.new_page())
    visit.watch(visit.page)
    yield visit
    context.close()


def test_the_right_passphrase_shows_the_portfolio_and_a_wrong_one_says_so(program: Program, visit: Visit) -> None:
    page = visit.page
    page.goto(program.pair_url("ana-ben"))
    name = program.marker("ana-ben", "pair.mentor.name", "review")
    visit.unlock("not the passphrase at all")
    page.locator("#message", has_text="That passphrase does not open this portfolio.").wait_for()
    assert page.locator(UNLOCK_FORM).is_visible()
    assert name not in page.content()
    visit.unlock(PASSPHRASES["ana-ben"])
    page.locator(CONTENT).wait_for()
    assert name in page.content()
    assert name in page.title()
    visit.assert_clean(program.url)


def test_pages_reached_after_unlocking_do_not_ask_again(program: Program, visit: Visit) -> None:
    page = visit.open(program.pair_url("cy-dee"), PASSPHRASES["cy-dee"])
    # Instant navigation: the page is swapped in place, so a value set here survives it.
    page.evaluate("window.stillTheSamePage = true")
    page.locator(".md-nav__link[href$='agreement.html']").first.click()
    page.wait_for_url("**/agreement.html")
    page.locator(CONTENT, has_text=program.marker("cy-dee", "agreement.body", "review")).wait_for()
    assert page.evaluate("window.stillTheSamePage === true"), "the link was not followed by instant navigation"
    # A full load of another page, and a reload.
    page.goto(program.pair_url("cy-dee") + "sessions/index.html")
    page.locator(f"{CONTENT} a[href$='.html']").first.wait_for()
    page.reload()
    page.locator(CONTENT).wait_for()
    assert page.locator(UNLOCK_FORM).count() == 0
    # Another tab of the same browser.
    other = visit.watch(visit.context.new_page())
    other.goto(program.pair_url("cy-dee") + "agreement.html")
    other.locator(CONTENT).wait_for()
    assert other.locator(UNLOCK_FORM).count() == 0
    # The browser stops idle service workers, which forget the key: the tab's session still opens it.
    cdp = visit.context.new_cdp_session(page)
    cdp.send("ServiceWorker.enable")
    cdp.send("ServiceWorker.stopAllWorkers")
    page.goto(program.pair_url("cy-dee") + "checkins.html")
    page.wait_for_url("**/checkins.html")
    page.locator(CONTENT).wait_for()
    assert page.locator(UNLOCK_FORM).count() == 0
    assert program.marker("cy-dee", "checkin.body") in page.content()
    visit.assert_clean(program.url)


def test_search_finds_session_notes_once_unlocked(program: Program, visit: Visit) -> None:
    page = visit.open(program.pair_url("ana-ben"), PASSPHRASES["ana-ben"])
    word = program.marker("ana-ben", "session.body")
    result = page.locator(".md-search-result__item > a[href*='sessions/']").first
    search_for(page, word, result)
    result.click()
    page.locator(CONTENT, has_text=word).wait_for()
    assert page.locator(UNLOCK_FORM).count() == 0
    assert not visit.problems, visit.problems


def test_the_reviewer_site_opens_only_with_its_own_passphrase(program: Program, visit: Visit) -> None:
    page = visit.page
    page.goto(f"{program.url}portfolios/review/")
    visit.unlock(PASSPHRASES["ana-ben"])
    page.locator("#message", has_text="does not open").wait_for()
    visit.unlock(REVIEW_PASSPHRASE)
    page.locator(CONTENT).wait_for()
    page.locator(f"{CONTENT} a[href*='cy-dee/']").first.click()
    page.wait_for_url("**/review/cy-dee/**")
    shared = program.marker("cy-dee", "agreement.body", "review")
    page.locator(".md-nav__link[href$='agreement.html']").first.click()
    page.locator(CONTENT, has_text=shared).wait_for()
    assert program.marker("cy-dee", "session.body") not in page.content()
    assert page.locator(UNLOCK_FORM).count() == 0
    visit.assert_clean(program.url)


def test_a_pair_portfolio_does_not_open_with_another_pairs_passphrase(program: Program, visit: Visit) -> None:
    visit.page.goto(program.pair_url("cy-dee"))
    visit.unlock(PASSPHRASES["ana-ben"])
    visit.page.locator("#message", has_text="does not open").wait_for()
    assert program.marker("cy-dee", "pair.mentor.name", "review") not in visit.page.content()


def test_a_bookmarked_page_asks_for_the_passphrase_then_opens_that_page(program: Program, visit: Visit) -> None:
    page = visit.open(program.pair_url("ana-ben"), PASSPHRASES["ana-ben"])
    page.close()
    cdp = visit.context.new_cdp_session(visit.context.new_page())
    cdp.send("ServiceWorker.enable")
    cdp.send("ServiceWorker.stopAllWorkers")  # the key is forgotten; a new tab has no session
    later = visit.watch(visit.context.new_page())
    later.goto(program.pair_url("ana-ben") + "checkins.html")
    visit.page = later
    visit.unlock(PASSPHRASES["ana-ben"])
    later.wait_for_url("**/checkins.html")
    later.locator(CONTENT, has_text=program.marker("ana-ben", "checkin.body")).wait_for()
    assert not visit.problems, visit.problems
