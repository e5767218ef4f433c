"""Break 3 of issue 16 in real Chromium: the hostile corpus with no Content-Security-Policy at all.

The pair records of tests/test_hostile.py (every payload, in notes and record fields) are
opened (a) in the real preview server, `mentorsite serve --pair` (which sent no policy; it now
sends the built one plus the live-reload script's hash, see tests/test_adversarial_preview.py), and
(b) in an unzipped `mentorsite export`, served by a plain static server, with the policy's
meta tag taken out of every page (a host that honours none). On every page of the
portfolio: no request to any host but the local server, no dialog, every in-page link and
every entry of the table of contents leads to its heading; and search still finds a session.

Every request is seen twice: by the browser's own routing (pages, scripts, styles, the
search worker) and by a proxy that every request to another host must go through, which
records it and answers nothing.
"""

from __future__ import annotations

import os
import re
import socketserver
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import playwright.sync_api as playwright
import pytest

from tests.serving import fetch, free_port, serve, serving_url, wait_for
from tests.test_browser import CHROMIUM, search_for
from tests.test_hostile import hostile_program

pytestmark = pytest.mark.slow

POLICY = re.compile(r'<meta http-equiv="Content-Security-Policy"[^>]*>')
SESSION = "sessions/2026-02-03.html"


class Recorder(socketserver.ThreadingTCPServer):
    """A proxy that records the first line of every request sent through it and forwards none."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), RecordingHandler)
        self.seen: list[str] = []
        self.browser_own: set[str] = set()  # hosts of the browser's own services, learnt on a blank page

    def since(self, start: int) -> list[str]:
        """The requests seen from ``start`` on, but those to the browser's own services."""
        return [line for line in self.seen[start:] if requested_host(line) not in self.browser_own]


def requested_host(line: str) -> str:
    """The host a proxied request line names: ``CONNECT host:443 ...`` or ``GET http://host/path ...``."""
    target = line.split(" ")[1] if " " in line else line
    return urlparse(target if "//" in target else f"//{target}").hostname or target


class RecordingHandler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        line = self.rfile.readline(4096).decode("latin-1").strip()
        assert isinstance(self.server, Recorder)
        if line:
            self.server.seen.append(line)
        self.wfile.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")


@pytest.fixture(scope="module")
def proxy() -> Iterator[Recorder]:
    recorder = Recorder()
    threading.Thread(target=recorder.serve_forever, daemon=True).start()
    yield recorder
    recorder.shutdown()
    recorder.server_close()


@pytest.fixture(scope="module")
def chromium(proxy: Recorder, tmp_path_factory: pytest.TempPathFactory) -> Iterator[playwright.Browser]:
    """Chromium whose every request to another host goes to the recording proxy."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install the chromium package (the CI script does)")
    with playwright.sync_playwright() as driver:
        # Given as a flag, the proxy keeps Chromium's own rule: the local server is reached directly.
        # The browser's own services (form autofill, safe browsing...) are off: what reaches the
        # proxy then comes from the pages.
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=[
            f"--proxy-server=http://127.0.0.1:{proxy.server_address[1]}", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
            "--disable-features=AutofillServerCommunication,OptimizationHints,MediaRouter,Translate",
            "--disable-client-side-phishing-detection", "--disable-domain-reliability", "--no-pings",
            "--safebrowsing-disable-auto-update", "--disable-default-apps", "--disable-extensions"])
        learn_the_browsers_own_services(launched, proxy, tmp_path_factory.mktemp("blank"))
        yield launched
        launched.close()


def learn_the_browsers_own_services(browser: playwright.Browser, proxy: Recorder, folder: Path) -> None:
    """The hosts the browser calls by itself (sign-in, updates) when a fresh profile opens a blank page.

    A page with no content can cause no request, so whatever reaches the proxy then is the
    browser's: those hosts are left out of what the tests count. A host the pages call is
    never among them (the blind test below checks its own).
    """
    (folder / "index.html").write_text("<!doctype html><title>blank</title><p>blank</p>", encoding="utf-8")
    for url in serve(folder):
        for _ in range(2):
            context = browser.new_context()
            context.new_page().goto(url)
            seen = -1
            while seen != len(proxy.seen):  # until two seconds pass with nothing new
                seen = len(proxy.seen)
                context.pages[0].wait_for_timeout(2000)
            context.close()
    proxy.browser_own = {requested_host(line) for line in proxy.seen}
    assert "attacker.invalid" not in proxy.browser_own


@pytest.fixture(scope="module")
def program(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hostile_program(tmp_path_factory.mktemp("adversarial-browser") / "program")


def environment() -> dict[str, str]:
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


@pytest.fixture(scope="module")
def exported(program: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pair's export, unzipped, with the policy taken out of every page."""
    archive = tmp_path_factory.mktemp("export") / "ana-ben-pair.zip"
    subprocess.run([sys.executable, "-m", "mentorsite", "export", "ana-ben", "-o", str(archive)], cwd=program,
                   check=True, capture_output=True, env=environment())
    folder = archive.parent / "site"
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(folder)
    (root,) = [p.parent for p in folder.rglob("index.html") if p.parent.parent == folder]
    pages = sorted(root.rglob("*.html"))
    assert len(pages) >= 4
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert len(POLICY.findall(text)) == 1, page
        page.write_text(POLICY.sub("", text), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def exported_url(exported: Path) -> Iterator[str]:
    yield from serve(exported)


@pytest.fixture(scope="module")
def preview_url(program: Path) -> Iterator[str]:
    """The real preview server of the pair, `mentorsite serve --pair ana-ben`."""
    port = free_port()
    log = program / "serve.log"
    with log.open("w") as output:
        process = subprocess.Popen([sys.executable, "-m", "mentorsite", "serve", "--pair", "ana-ben",
                                    "--dev-addr", f"127.0.0.1:{port}"], cwd=program, stdout=output,
                                   stderr=subprocess.STDOUT, env=environment())
    try:
        assert wait_for(lambda: serving_url(log) is not None), log.read_text()
        url = str(serving_url(log))  # the portfolio is under a random path, printed once
        assert wait_for(lambda: "livereload" in fetch(url + SESSION)), log.read_text()
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def visit_every_page(browser: playwright.Browser, proxy: Recorder, base: str, pages: list[str],
                     routed: bool = True) -> dict[str, list[str]]:
    """Open each page, hover its links, check its in-page links; what went wrong, by kind.

    ``routed``: requests to another host are stopped by the browser's routing (and also
    recorded there); without it, they go to the proxy.
    """
    own = urlparse(base).netloc
    context = browser.new_context()
    found: dict[str, list[str]] = {"dialogs": [], "foreign": [], "unreached": []}

    def route(sent: playwright.Route) -> None:
        if urlparse(sent.request.url).netloc == own:
            sent.continue_()
        else:
            found["foreign"].append(sent.request.url)
            sent.abort()

    if routed:
        context.route("**/*", route)
    context.on("request", lambda sent: None if urlparse(sent.url).netloc == own or sent.url.startswith(
        ("data:", "blob:", "about:")) else found["foreign"].append(sent.url))
    page = context.new_page()
    page.on("dialog", lambda dialog: (found["dialogs"].append(dialog.message), dialog.dismiss()))
    before = len(proxy.seen)
    for uri in pages:
        page.goto(base + uri)  # the preview's live reload keeps a request open: no waiting for the network
        page.wait_for_timeout(500)  # to idle, but time for what the theme's scripts start after the load
        for link in page.locator("article a").all()[:60]:
            link.hover()  # handlers on hover or focus would fire now
        found["unreached"] += [f"{uri}{target}" for target in page.evaluate(
            """() => [...document.querySelectorAll('a[href^="#"]')].map(a => a.getAttribute('href'))
                     .filter(h => h.length > 1 && !document.getElementById(decodeURIComponent(h.slice(1))))""")]
    page.wait_for_timeout(1000)  # what the last page's scripts start late is seen too
    context.close()
    found["foreign"] += proxy.since(before)
    return found


def portfolio_pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def assert_search_finds_a_session(browser: playwright.Browser, base: str) -> None:
    page = browser.new_page()
    page.goto(base + "index.html")
    search_for(page, "escaped", page.locator(f'.md-search-result__link[href*="{SESSION}"]').first)
    page.close()


@pytest.mark.parametrize("which", ["preview_url", "exported_url"])
def test_the_hostile_corpus_holds_in_chromium_without_a_policy(chromium: playwright.Browser, proxy: Recorder,
                                                               exported: Path, request: pytest.FixtureRequest,
                                                               which: str) -> None:
    """Break 3: with no policy, no record makes a request to another host, opens a dialog or breaks search.

    On 4e3b703 a record's <div id="__config"> gave the theme another host as its base, a
    <pre class="mermaid"> made it load a library from another host, and images and styles
    fetched from another host through `/\\host`, a leading space, `/&#9;/` and url().
    """
    base: str = request.getfixturevalue(which)
    pages = portfolio_pages(exported)
    assert SESSION in pages and len(pages) >= 4
    found = visit_every_page(chromium, proxy, base, pages)
    assert found == {"dialogs": [], "foreign": [], "unreached": []}
    assert_search_finds_a_session(chromium, base)


def test_the_request_check_sees_a_request_to_another_host(chromium: playwright.Browser, proxy: Recorder,
                                                          exported: Path, exported_url: str) -> None:
    """The check is not blind: an image from another host, written into a page, is seen by each observer.

    So is a link to a heading that is not there.
    """
    page = exported / "goals/index.html"
    original = page.read_text(encoding="utf-8")
    planted = '<img src="http://attacker.invalid/seen.png"><a href="#nowhere">a</a></article>'
    page.write_text(original.replace("</article>", planted, 1), encoding="utf-8")
    try:
        routed = visit_every_page(chromium, proxy, exported_url, ["goals/index.html"])
        proxied = visit_every_page(chromium, proxy, exported_url, ["goals/index.html"], routed=False)
    finally:
        page.write_text(original, encoding="utf-8")
    url = "http://attacker.invalid/seen.png"
    assert (routed["foreign"], routed["unreached"]) == ([url, url], ["goals/index.html#nowhere"])
    assert proxied["foreign"] == [url, f"GET {url} HTTP/1.1"]
