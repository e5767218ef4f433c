"""Encrypted portfolios in real headless Chromium, served by a plain static server.

The canary program is built encrypted, with Material's instant navigation on. Each test
uses a fresh browser profile (no service worker, no stored key yet).
"""

from __future__ import annotations

import base64
import functools
import http.server
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import playwright.sync_api as playwright
import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from mentorsite.vault.passphrases import derive_key
from tests.canary import CanaryProgram
from tests.serving import QuietHandler
from tests.test_browser import browser, foreign_requests, search_for  # noqa: F401 - the browser fixture
from tests.test_encryption import (
    FOLDER_SECRET,
    PASSPHRASES,
    REVIEW_PASSPHRASE,
    encrypted_program,
    keys_yaml,
    run,
)

pytestmark = pytest.mark.slow

UNLOCK_FORM = "form#unlock"
CONTENT = "article.md-content__inner"
LOCKING = ("It stays open in this browser while one of its pages is open in a tab, and locks when you "
           "close or leave the last one.")


def vault_key(site: Path, passphrase: str) -> bytes | None:
    """The raw key a passphrase derives for a sealed site, if it opens the site's index."""
    vault = json.loads((site / "_vault" / "vault.json").read_text())
    key = derive_key(passphrase, base64.b64decode(vault["kdf"]["salt"]), int(vault["kdf"]["iterations"]))
    sealed = base64.b64decode(vault["index"])
    try:
        AESGCM(key).decrypt(sealed[:12], sealed[12:], b"\x00index")
    except InvalidTag:
        return None
    return key


def sealed_folder(pairs: Path, passphrase: str) -> Path:
    """The sealed folder that ``passphrase`` opens, found as a reader would: by trying it."""
    for folder in sorted(p for p in pairs.iterdir() if (p / "_vault" / "vault.json").is_file()):
        if vault_key(folder, passphrase) is not None:
            return folder
    raise AssertionError(f"no folder of {pairs} opens with the passphrase")


class RecordingHandler(QuietHandler):
    """Serves files and notes each path asked for, as the host's log would."""

    served: list[str]

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        self.served.append(self.path)


def serve_recording(folder: Path, served: list[str]) -> Iterator[str]:
    """Serve ``folder`` on a free local port, noting every path in ``served``; yields its URL."""
    handler = type("Recording", (RecordingHandler,), {"served": served})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@dataclass
class Program:
    canary: CanaryProgram
    url: str
    site: Path
    folders: dict[str, str] = field(default_factory=dict)
    served: list[str] = field(default_factory=list)  # the paths the host was asked for

    def marker(self, pair: str, where: str, visibility: str = "pair") -> str:
        return next(m.text for m in self.canary.markers
                    if m.pair == pair and m.where == where and m.visibility == visibility)

    def pair_url(self, pair: str) -> str:
        return f"{self.url}portfolios/pairs/{self.folders[pair]}/"


@pytest.fixture(scope="module")
def program(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Program]:
    # The folder secret from the environment: a keys file that any version reads.
    canary, folder = encrypted_program(tmp_path_factory.mktemp("encrypted-browser"),
                                       features=("navigation.instant", "navigation.sections"),
                                       keys=keys_yaml(secret=None))
    result = run(folder, "build", "--strict", MENTORSITE_FOLDER_SECRET=FOLDER_SECRET)
    assert result.returncode == 0, result.stderr
    pairs = folder / "site" / "portfolios" / "pairs"
    folders = {pair: sealed_folder(pairs, phrase).name for pair, phrase in PASSPHRASES.items()}
    served: list[str] = []
    for url in serve_recording(folder / "site", served):
        yield Program(canary, url, folder / "site", folders, served)


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


def stop_workers(context: playwright.BrowserContext) -> None:
    """Stop every service worker, as the browser does with idle ones (through a blank tab, then closed)."""
    blank = context.new_page()
    cdp = context.new_cdp_session(blank)
    cdp.send("ServiceWorker.enable")
    cdp.send("ServiceWorker.stopAllWorkers")
    cdp.detach()
    blank.close()


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
    # The browser stops idle service workers: the key kept for the open tabs still opens it.
    stop_workers(visit.context)
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
    stop_workers(visit.context)  # no page of the portfolio is open: the next visit asks
    later = visit.watch(visit.context.new_page())
    later.goto(program.pair_url("ana-ben") + "checkins.html")
    visit.page = later
    visit.unlock(PASSPHRASES["ana-ben"])
    later.wait_for_url("**/checkins.html")
    later.locator(CONTENT, has_text=program.marker("ana-ben", "checkin.body")).wait_for()
    assert not visit.problems, visit.problems


def test_a_portfolio_stays_open_while_one_of_its_pages_is_and_locks_after_the_last(
        program: Program, visit: Visit) -> None:
    url, passphrase = program.pair_url("ana-ben"), PASSPHRASES["ana-ben"]
    checkins = program.marker("ana-ben", "checkin.body")
    visit.page.goto(url)
    assert LOCKING in visit.page.locator("main > p").first.inner_text()
    first = visit.open(url, passphrase)
    # A second tab while the first is open opens without asking, even once the worker was stopped.
    second = visit.watch(visit.context.new_page())
    second.goto(url + "agreement.html")
    second.locator(CONTENT).wait_for()
    stop_workers(visit.context)
    second.goto(url + "checkins.html")
    second.locator(CONTENT, has_text=checkins).wait_for()
    # The first tab leaves the portfolio; the second still holds it open.
    first.goto("about:blank")
    second.reload()
    second.locator(CONTENT, has_text=checkins).wait_for()
    # Every page of it closed, the worker stopped: the passphrase is asked, then that page opens.
    second.close()
    first.close()
    stop_workers(visit.context)
    visit.page = later = visit.watch(visit.context.new_page())
    later.goto(url + "checkins.html")
    later.locator(UNLOCK_FORM).wait_for()
    assert checkins not in later.content()
    visit.unlock(passphrase)
    later.wait_for_url("**/checkins.html")
    later.locator(CONTENT, has_text=checkins).wait_for()
    # Leaving the last page locks it too: coming back asks again.
    later.goto("about:blank")
    later.go_back()
    later.locator(UNLOCK_FORM).wait_for()
    assert checkins not in later.content()
    assert not foreign_requests(visit.requested, program.url)


LEAVE_FOR_BACK = """() => {
  window.dispatchEvent(new PageTransitionEvent("pagehide", { persisted: true }));
  return document.body.innerText;
}"""
COME_BACK = """() => window.dispatchEvent(new PageTransitionEvent("pageshow", { persisted: true }))"""


def test_a_page_kept_for_back_holds_nothing_and_does_not_hold_the_portfolio_open(
        program: Program, visit: Visit) -> None:
    """A page the browser keeps to show again on "back" (or is still unloading) went away: it is emptied,
    and on its return it is asked for again and is not counted as the page that keeps the portfolio
    open. The browser's own back-forward cache is not up to the test, so its events are dispatched."""
    url, passphrase = program.pair_url("ana-ben"), PASSPHRASES["ana-ben"]
    checkins = program.marker("ana-ben", "checkin.body")
    page = visit.open(url, passphrase)
    page.goto(url + "checkins.html")
    page.locator(CONTENT, has_text=checkins).wait_for()
    # Another page of the host hears the lock, as a page kept for Back would (and is evicted by it).
    listener = visit.context.new_page()  # the handbook: its own requests are not the portfolio's
    listener.goto(program.url)
    listener.evaluate("""(scope) => { window.heard = [];
      new BroadcastChannel(`mentorsite-vault:${scope}`).onmessage = (m) => window.heard.push(m.data); }""",
                      url)
    assert checkins not in page.evaluate(LEAVE_FOR_BACK)
    assert page.title() == ""
    page.evaluate(COME_BACK)  # back from outside the portfolio: it locks
    page.locator(UNLOCK_FORM).wait_for()
    assert checkins not in page.content()
    listener.wait_for_function("window.heard.includes('locked')")
    # With another tab of the portfolio open, the page comes back as it was.
    visit.unlock(passphrase)
    page.locator(CONTENT, has_text=checkins).wait_for()
    other = visit.watch(visit.context.new_page())
    other.goto(url + "agreement.html")
    other.locator(CONTENT).wait_for()
    page.evaluate(LEAVE_FOR_BACK)
    page.evaluate(COME_BACK)
    page.wait_for_load_state()
    page.locator(CONTENT, has_text=checkins).wait_for()
    assert page.locator(UNLOCK_FORM).count() == 0
    # Back from one page of the portfolio to another in the same tab: never left, so it stays open.
    page.evaluate(LEAVE_FOR_BACK)
    other.evaluate("() => window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true }))")
    other.close()
    page.evaluate(COME_BACK)
    page.wait_for_load_state()
    page.locator(CONTENT, has_text=checkins).wait_for()
    assert page.locator(UNLOCK_FORM).count() == 0
    assert not foreign_requests(visit.requested, program.url)


def test_a_portfolio_page_cannot_be_framed_by_another_page_of_the_host(program: Program, visit: Visit) -> None:
    url = program.pair_url("cy-dee")
    agreement = program.marker("cy-dee", "agreement.body", "review")
    portfolio = visit.open(url, PASSPHRASES["cy-dee"])
    handbook = visit.watch(visit.context.new_page())
    handbook.goto(program.url)
    framed = handbook.evaluate("""async (address) => {
      const frame = document.createElement("iframe");
      frame.src = address;
      const loaded = new Promise((resolve) => { frame.onload = resolve; });
      document.body.append(frame);
      await loaded;
      return frame.contentDocument.body.innerText;
    }""", url + "agreement.html")
    assert framed == "This portfolio cannot be shown inside another page."
    assert agreement not in framed
    # The frame does not hold the portfolio open either.
    portfolio.close()
    later = visit.watch(visit.context.new_page())
    later.goto(url + "agreement.html")
    later.locator(UNLOCK_FORM).wait_for()
    assert agreement not in later.content()


def test_a_portfolio_page_opened_by_another_page_of_the_host_cannot_be_read_from_it(
        program: Program, visit: Visit) -> None:
    url = program.pair_url("cy-dee")
    agreement = program.marker("cy-dee", "agreement.body", "review")
    visit.open(url, PASSPHRASES["cy-dee"])
    handbook = visit.watch(visit.context.new_page())
    handbook.goto(program.url)
    with visit.context.expect_page() as opening:
        handbook.evaluate("(address) => { window.opened = window.open(address); }", url + "agreement.html")
    opened = opening.value
    opened.locator(CONTENT, has_text=agreement).wait_for()  # it opens, for the reader...
    read = handbook.evaluate("""() => {
      try { return window.opened.closed ? "closed" : window.opened.document.body.innerText; }
      catch (error) { return "refused"; }
    }""")
    assert read == "closed"  # ...but the page that opened it has no hold on it
    opened.close()


def test_the_host_is_never_asked_for_a_page_by_its_name(program: Program, visit: Visit) -> None:
    url, passphrase = program.pair_url("ana-ben"), PASSPHRASES["ana-ben"]
    scope = url.removeprefix(program.url.rstrip("/"))

    def named() -> list[str]:
        """The paths of this portfolio the host was asked for, but its root, sealed files and assets."""
        return [path for path in program.served if path.startswith(scope) and path not in (scope, f"{scope}sw.js")
                and not path.startswith((f"{scope}_vault/", f"{scope}assets/"))]

    page = visit.open(url, passphrase)  # the first visit, before the worker runs, asks for the address
    page.close()
    stop_workers(visit.context)
    del program.served[:]
    visit.page = later = visit.watch(visit.context.new_page())
    later.goto(url + "checkins.html")  # a bookmark
    visit.unlock(passphrase)
    later.locator(CONTENT, has_text=program.marker("ana-ben", "checkin.body")).wait_for()
    assert scope in program.served
    assert named() == []
    word = program.marker("ana-ben", "session.body")
    result = later.locator(".md-search-result__item > a[href*='sessions/']").first
    search_for(later, word, result)
    result.click()
    later.locator(CONTENT, has_text=word).wait_for()
    later.locator(".md-nav__link[href$='agreement.html']").first.click()
    later.locator(CONTENT, has_text=program.marker("ana-ben", "agreement.body")).wait_for()
    later.wait_for_load_state("networkidle")
    assert named() == []
