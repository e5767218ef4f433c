"""Issue 17: while a record is broken, `serve` answers at once with its problems and reloads when fixed.

The handbook preview (`mentorsite serve`, plain `mkdocs serve`) and the portfolio preview
(`mentorsite serve --pair`) run as a user runs them, in a subprocess; pages are read with a
bounded HTTP request and in Chromium, which is left to reload by itself.
"""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import playwright.sync_api as playwright
import pytest

from tests.programs import BASE_PROGRAM, write_files
from tests.serving import free_port, serving_url, wait_for
from tests.test_browser import browser  # noqa: F401 - the browser fixture

pytestmark = pytest.mark.slow

# Subprocesses run the package of this checkout, wherever the program folder is.
RUN_ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1795262400",
           "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
BOUND = 10.0  # seconds a page request may take, whatever the state of the records
GUIDELINE = "content/handbook/guidelines/clear-goals.md"
SESSION = "content/pairs/ana-ben/sessions/2026-02-03.md"
CHECKIN = "content/pairs/ana-ben/checkins/2026-03-01.md"
BROKEN_AUDIENCE = ("content/handbook/guidelines/clear-goals.md:3:12 audience[0]: expected one of 'mentor', "
                   "'mentee', 'both' or 'program', got 'everyone'; did you mean 'both'? error[bad-value]")
BROKEN_DATE = ("content/pairs/ana-ben/sessions/2026-02-03.md:2:7 date: expected a real date, got '2026-02-31' "
               "(day is out of range for month) error[bad-date]")
STALE_NOTE = "Where a record could not be read, its page shows its last good content."
RELOAD_NOTE = "Shown only while serving: the page reloads by itself once the problems are fixed."
BANNER = "#mentorsite-problems"


@dataclass
class Server:
    url: str
    port: int
    log: Path
    process: subprocess.Popen[bytes]

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextmanager
def served(folder: Path, *command: str) -> Iterator[Server]:
    """``command`` (a serve command line) on a free loopback port, once it says where to open it."""
    port = free_port()
    log = folder / "serve.log"
    with log.open("w") as output:
        process = subprocess.Popen([sys.executable, "-m", *command, "--dev-addr", f"127.0.0.1:{port}"],
                                   cwd=folder, stdout=output, stderr=subprocess.STDOUT, env=RUN_ENV)
    try:
        started = wait_for(lambda: serving_url(log) is not None or process.poll() is not None, 40)
        url = serving_url(log)
        assert started and url is not None, log.read_text()
        yield Server(url, port, log, process)
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait(timeout=20)


def get(server: Server, path: str, host: str | None = None) -> tuple[int, str]:
    """Status and body of GET ``path``; fails the test when the server takes longer than ``BOUND``."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=BOUND)
    try:
        connection.request("GET", path, headers={"Host": host or f"127.0.0.1:{server.port}"})
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    except TimeoutError:
        pytest.fail(f"GET {path} did not answer within {BOUND} seconds:\n{server.text()}")
    finally:
        connection.close()


def banner_text(body: str) -> str:
    """The banner's text, tags dropped and spaces joined, or an empty text when the page has none."""
    found = re.search(r'<div class="admonition failure" id="mentorsite-problems".*?<!-- /mentorsite-problems -->',
                      body, re.DOTALL)
    if found is None:
        return ""
    text = re.sub(r"<[^>]+>", " ", found.group(0)).replace("&#x27;", "'").replace("&quot;", '"')
    return " ".join(text.split())


def edit(program: Path, relative: str, old: str, new: str) -> None:
    path = program / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new), encoding="utf-8")




def open_page(browser: playwright.Browser, url: str, width: int = 1280) -> playwright.Page:  # noqa: F811 - the imported fixture
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(url, timeout=BOUND * 1000)
    page.evaluate("window.notReloaded = true")  # gone once the page reloads by itself
    return page


def reloaded_with(page: playwright.Page, *, banner: bool, seconds: float = 40) -> bool:
    """Whether the page reloaded by itself (the test never reloads it) into a state with or without the banner."""
    def ready() -> bool:
        try:
            fresh = page.evaluate("window.notReloaded !== true && document.readyState === 'complete'")
            return bool(fresh) and (page.locator(BANNER).count() > 0) == banner
        except playwright.Error:  # the page is between two documents
            return False
    return wait_for(ready, seconds)


def mark(page: playwright.Page) -> None:
    page.evaluate("window.notReloaded = true")


def test_a_broken_guideline_is_listed_on_the_served_pages_and_they_reload_when_it_is_fixed(
        tmp_path: Path, browser: playwright.Browser) -> None:  # noqa: F811 - the imported fixture
    program = write_files(tmp_path / "program", dict(BASE_PROGRAM))
    with served(program, "mentorsite", "serve") as server:
        page = open_page(browser, server.url + "guidelines/clear-goals/")
        assert page.locator(BANNER).count() == 0
        edit(program, GUIDELINE, "audience: [both]", "audience: [everyone]")
        assert reloaded_with(page, banner=True), server.text()
        shown = page.locator(BANNER).inner_text()
        assert "content/handbook/guidelines/clear-goals.md:3:12" in shown and "error[bad-value]" in shown
        assert "Set clear goals" in page.locator("article h1").inner_text()  # its last good content

        status, body = get(server, "/guidelines/regular-meetings/")  # every page carries the banner
        assert status == 200
        assert banner_text(body) == f"1 error and 0 warnings in the handbook {BROKEN_AUDIENCE} {STALE_NOTE} " \
                                    f"{RELOAD_NOTE}"
        mark(page)
        edit(program, GUIDELINE, "audience: [everyone]", "audience: [both]")
        assert reloaded_with(page, banner=False), server.text()
        assert "Set clear goals" in page.locator("article h1").inner_text()
        assert banner_text(get(server, "/guidelines/regular-meetings/")[1]) == ""


def test_a_first_build_with_a_broken_guideline_serves_the_handbook_and_its_problems(
        tmp_path: Path, browser: playwright.Browser) -> None:  # noqa: F811 - the imported fixture
    """Plain `mkdocs serve` with the plugin; the broken guideline has no good version yet."""
    program = write_files(tmp_path / "program", dict(BASE_PROGRAM))
    edit(program, GUIDELINE, "audience: [both]", "audience: [everyone]")
    with served(program, "mkdocs", "serve") as server:
        for path in ("/", "/guidelines/clear-goals/", "/guidelines/regular-meetings/"):
            status, body = get(server, path)
            assert status == 200, path
            assert banner_text(body) == f"1 error and 0 warnings in the handbook {BROKEN_AUDIENCE} " \
                                        f"{STALE_NOTE} {RELOAD_NOTE}", path
        assert "This guideline could not be read" in get(server, "/guidelines/clear-goals/")[1]
        page = open_page(browser, server.url + "guidelines/clear-goals/")
        edit(program, GUIDELINE, "audience: [everyone]", "audience: [both]")
        assert reloaded_with(page, banner=False), server.text()
        assert "Set clear goals" in page.locator("article h1").inner_text()


def test_the_banner_never_lists_a_pair_records_problem(tmp_path: Path) -> None:
    program = write_files(tmp_path / "program", dict(BASE_PROGRAM))
    edit(program, CHECKIN, "fit: continue", "fit: Zanzibar-sabbatical")  # quoted by its diagnostic
    edit(program, GUIDELINE, "audience: [both]", "audience: [everyone]")
    with served(program, "mentorsite", "serve") as server:
        assert wait_for(lambda: "Zanzibar-sabbatical" in server.text(), BOUND), server.text()  # it is found
        for path in ("/", "/guidelines/clear-goals/", "/topics/", "/checklists/mentor/"):
            status, body = get(server, path)
            assert status == 200, path
            assert BROKEN_AUDIENCE in banner_text(body), path
            assert "Zanzibar" not in body and "content/pairs" not in body and "ana-ben" not in body, path


def test_the_same_broken_guideline_still_stops_a_build(tmp_path: Path) -> None:
    """Served, the handbook lists the problem; built, it stops as before, and no build has the banner."""
    program = write_files(tmp_path / "program", dict(BASE_PROGRAM))
    edit(program, GUIDELINE, "audience: [both]", "audience: [everyone]")
    with served(program, "mentorsite", "serve") as server:
        assert BROKEN_AUDIENCE in banner_text(get(server, "/")[1])
    for command in (["mentorsite", "build"], ["mkdocs", "build"]):
        result = subprocess.run([sys.executable, "-m", *command], cwd=program, env=RUN_ENV, capture_output=True,
                                text=True, timeout=120, check=False)
        assert result.returncode != 0, command
        assert "mentorsite: 1 error and 0 warnings in the handbook's records; the site was not built" in \
               result.stdout + result.stderr
        assert "Traceback" not in result.stdout + result.stderr
        assert not (program / "site" / "index.html").exists()
    edit(program, GUIDELINE, "audience: [everyone]", "audience: [both]")
    subprocess.run([sys.executable, "-m", "mkdocs", "build"], cwd=program, env=RUN_ENV, capture_output=True,
                   timeout=120, check=True)
    built = [path for path in (program / "site").rglob("*.html") if "mentorsite-problems" in path.read_text()]
    assert built == []


def test_a_rebuild_stopped_by_a_private_include_serves_the_last_good_pages_with_why(
        tmp_path: Path, browser: playwright.Browser) -> None:  # noqa: F811 - the imported fixture
    """A problem of what a page reads stops the build while serving too: nothing private is served."""
    program = write_files(tmp_path / "program", dict(BASE_PROGRAM))
    with served(program, "mentorsite", "serve") as server:
        page = open_page(browser, server.url + "guidelines/regular-meetings/")
        include = f'--8<-- "{SESSION}"'
        edit(program, GUIDELINE, "Goals give the meetings a direction.", include)
        assert reloaded_with(page, banner=True), server.text()
        status, body = get(server, "/guidelines/clear-goals/")
        assert status == 200 and "Goals give the meetings a direction." in body  # the last good page
        assert "First session." not in body
        shown = banner_text(body)
        assert shown.startswith("The handbook could not be rebuilt: 1 error and 0 warnings in the handbook's "
                                "records content/handbook/guidelines/clear-goals.md:12:1 ")
        assert "error[include-private]" in shown and shown.endswith(RELOAD_NOTE)
        assert "the handbook could not be rebuilt" in server.text() and "Traceback" not in server.text()

        mark(page)
        (program / "mkdocs.yml").write_text("site_name: [unclosed\n", encoding="utf-8")
        assert reloaded_with(page, banner=True), server.text()
        assert "could not be rebuilt" in banner_text(get(server, "/guidelines/regular-meetings/")[1])

        mark(page)
        write_files(program, {"mkdocs.yml": BASE_PROGRAM["mkdocs.yml"], GUIDELINE: BASE_PROGRAM[GUIDELINE]})
        assert reloaded_with(page, banner=False), server.text()
        assert banner_text(get(server, "/guidelines/clear-goals/")[1]) == ""


def test_a_pair_preview_lists_a_broken_session_note_and_reloads_when_it_is_fixed(
        tmp_path: Path, browser: playwright.Browser) -> None:  # noqa: F811 - the imported fixture
    program = write_files(tmp_path / "program", dict(BASE_PROGRAM))
    with served(program, "mentorsite", "serve", "--pair", "ana-ben") as server:
        page = open_page(browser, server.url + "sessions/2026-02-03.html")
        refused: list[str] = []
        page.on("console", lambda message: refused.append(message.text) if "Content Security" in message.text
                else None)
        edit(program, SESSION, "date: 2026-02-03", "date: 2026-02-31")
        assert reloaded_with(page, banner=True), server.text()
        shown = " ".join(page.locator(BANNER).inner_text().split())
        assert shown == f"1 error and 0 warnings in the records of ana-ben {BROKEN_DATE} {STALE_NOTE} {RELOAD_NOTE}"
        assert "First session." in page.content()  # the last good page
        mark(page)
        edit(program, SESSION, "date: 2026-02-31", "date: 2026-02-03")
        assert reloaded_with(page, banner=False), server.text()
        assert refused == []  # the reload script ran under the page's own policy


def test_a_pair_preview_whose_first_build_fails_serves_an_error_page_that_reloads(
        tmp_path: Path, browser: playwright.Browser) -> None:  # noqa: F811 - the imported fixture
    program = write_files(tmp_path / "program", dict(BASE_PROGRAM))
    edit(program, SESSION, "date: 2026-02-03", "date: 2026-02-31")
    with served(program, "mentorsite", "serve", "--pair", "ana-ben") as server:
        token = urlparse(server.url).path
        status, body = get(server, token)
        assert status == 200
        assert banner_text(body) == f"1 error and 0 warnings in the records of ana-ben {BROKEN_DATE} {RELOAD_NOTE}"
        policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', body)
        assert policy is not None and "default-src 'none'" in policy.group(1)
        assert re.search(r"script-src 'self' 'sha256-[A-Za-z0-9+/=]+'", policy.group(1))
        assert get(server, "/")[0] == 404  # the token path is still the only way in
        assert get(server, token, host=f"attacker.invalid:{server.port}")[0] == 403  # and the Host check holds

        page = open_page(browser, server.url, width=390)
        assert page.locator(BANNER).count() == 1
        edit(program, SESSION, "date: 2026-02-31", "date: 2026-02-03")
        assert reloaded_with(page, banner=False), server.text()
        assert "Speak at the team demo" in page.content()  # the dashboard, built


def test_a_pair_preview_started_while_the_handbook_is_broken_serves_why_and_reloads_when_fixed(
        tmp_path: Path, browser: playwright.Browser) -> None:  # noqa: F811 - the imported fixture
    program = write_files(tmp_path / "program", dict(BASE_PROGRAM))
    edit(program, GUIDELINE, "audience: [both]", "audience: [everyone]")
    with served(program, "mentorsite", "serve", "--pair", "ana-ben") as server:
        status, body = get(server, urlparse(server.url).path)
        assert status == 200
        assert banner_text(body) == ("The preview of ana-ben could not be built: 1 error and 0 warnings in the "
                                     f"handbook's records {RELOAD_NOTE}")
        page = open_page(browser, server.url)
        edit(program, GUIDELINE, "audience: [everyone]", "audience: [both]")
        assert reloaded_with(page, banner=False), server.text()
        assert "Speak at the team demo" in page.content()
    unknown = subprocess.run([sys.executable, "-m", "mentorsite", "serve", "--pair", "nobody", "--dev-addr",
                              f"127.0.0.1:{free_port()}"], cwd=program, env=RUN_ENV, capture_output=True, text=True,
                             timeout=60, check=False)
    assert unknown.returncode != 0 and "no pair 'nobody'" in unknown.stdout + unknown.stderr  # no server waits
    assert "Traceback" not in unknown.stdout + unknown.stderr


def test_the_banner_escapes_what_a_record_holds_and_a_template_failure_is_listed_too(tmp_path: Path) -> None:
    program = write_files(tmp_path / "program", dict(BASE_PROGRAM))
    edit(program, GUIDELINE, "audience: [both]", 'audience: ["<img src=x onerror=alert(1)>"]')
    (program / "templates").mkdir()  # watched while serving when it is there
    with served(program, "mentorsite", "serve") as server:
        status, body = get(server, "/guidelines/regular-meetings/")
        assert status == 200
        assert "<img src=x" not in body and "&lt;img src=x onerror=alert(1)&gt;" in body
        write_files(program, {"templates/handbook/topics.md.j2": "{{ missing_value.attr }}\n"})
        expected = "templates/handbook/topics.md.j2:1:1 'missing_value' is undefined error[template]"
        assert wait_for(lambda: expected in banner_text(get(server, "/guidelines/regular-meetings/")[1]), 30), \
            server.text()
        assert "Meet regularly" in get(server, "/guidelines/regular-meetings/")[1]  # the last good pages stay


def test_a_broken_guideline_that_included_a_file_is_not_served_from_its_last_good_version(tmp_path: Path) -> None:
    """What the last good version included is checked no more once the record is broken: it is not served."""
    files = dict(BASE_PROGRAM)
    files["mkdocs.yml"] += "  - pymdownx.snippets\n"
    files["snippets/shared.md"] = "Shared handbook text.\n"
    files[GUIDELINE] = files[GUIDELINE].replace("Goals give the meetings a direction.", '--8<-- "snippets/shared.md"')
    program = write_files(tmp_path / "program", files)
    with served(program, "mentorsite", "serve") as server:
        assert "Shared handbook text." in get(server, "/guidelines/clear-goals/")[1]
        (program / GUIDELINE).write_bytes(b"---\ntitle: \xff\n---\n")  # not text: nothing of it is read
        assert wait_for(lambda: GUIDELINE in banner_text(get(server, "/guidelines/clear-goals/")[1]), 30), \
            server.text()
        write_files(program, {"snippets/shared.md": f'--8<-- "{SESSION}"\n'})
        os.utime(program / "content/handbook/guidelines/regular-meetings.md")  # snippets/ is not watched
        assert wait_for(lambda: server.text().count("Building documentation") >= 3, 30), server.text()
        for path in ("/guidelines/clear-goals/", "/guidelines/regular-meetings/"):
            status, body = get(server, path)
            assert status == 200 and "First session." not in body, path
        assert "This guideline could not be read" in get(server, "/guidelines/clear-goals/")[1]
