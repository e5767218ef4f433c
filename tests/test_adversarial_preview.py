"""Issue 16, follow-up: the preview server, the theme's own requests, and the private folders.

Each test attacks one path by which a portfolio reached someone it is not for after the
first round: the preview server (any Host header, any local user, no policy), tags and
stylesheets of the program's theme customisation that load from another host, private
folders with other names that git tracks, portfolios of deleted pairs that linger, and a
preview stopped by a signal that leaves its scratch copy behind. Programs are built and
served the way a user would, through the command line in a subprocess.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import playwright.sync_api as playwright
import pytest

from mentorsite.vault.sealing import WrongPassphraseError, open_site
from tests.programs import BASE_PROGRAM, write_files
from tests.serving import free_port, serve, serving_url, wait_for
from tests.test_adversarial_browser import Recorder, chromium, proxy, visit_every_page  # noqa: F401 - fixtures
from tests.test_encryption import ENV, PASSPHRASES, encrypted_program, keys_yaml

# Subprocesses run the package of this checkout, wherever the program folder is.
RUN_ENV = {**ENV, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
SESSION = "sessions/2026-02-03.html"
POLICY = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')
INJECTED = re.compile(r"<script>(\nvar livereload = .*?)</script></body>", re.DOTALL)

# A theme customisation that loads from another host in every way a template or a stylesheet can.
OVERRIDE = """\
{% extends "base.html" %}
{% block extrahead %}
  <script src="https://attacker.invalid/override.js"></script>
  <link rel="stylesheet" href="//attacker.invalid/override.css">
  <link rel="preload" as="image" imagesrcset="icon.png 1x, https://attacker.invalid/preload.png 2x">
  <style>body { background: url("/\\\\attacker.invalid/style-element.png"); }</style>
  <meta http-equiv="refresh" content="600; url=https://attacker.invalid/refresh">
{% endblock %}
{% block content %}
  <img src="/\\attacker.invalid/img.png" alt="">
  <img alt="" srcset="a.png 1x, https://attacker.invalid/srcset.png 2x">
  <iframe src="https://attacker.invalid/frame"></iframe>
  <video poster="https://attacker.invalid/poster.png"><source src="https://attacker.invalid/v.mp4"></video>
  <audio src="&#104;ttps://attacker.invalid/audio.mp3"></audio>
  <object data="https://attacker.invalid/object"></object>
  <embed src="https://attacker.invalid/embed">
  <svg><image href="https://attacker.invalid/svg-image.png"/></svg>
  <div style="background-image: url(//attacker.invalid/style-attribute.png)">{{ super() }}</div>
{% endblock %}
"""
EXTRA_CSS = """\
.md-typeset h1 { letter-spacing: 0; }
@import url(\\68 ttps://attacker.invalid/escaped.css);
.md-header { background: u\\72l(//attacker.invalid/header.png); }
"""
CLEAN_CSS = ".md-typeset h2 { color: #123456; }\n"
TEMPLATE_WARNINGS = [
    "overrides/main.html:3:16: warning[offsite-template] expected no request to another host from a private page, "
    "got <script src> to 'https://attacker.invalid/override.js'; private pages leave it out",
    "overrides/main.html:4:32: warning[offsite-template] expected no request to another host from a private page, "
    "got <link href> to '//attacker.invalid/override.css'; private pages leave it out",
]
STYLESHEET_WARNING = (
    "content/handbook/stylesheets/extra.css:1:1: warning[offsite-stylesheet] expected a stylesheet that loads "
    "nothing from another host, got 'https://attacker.invalid/escaped.css'; private sites leave it out")


def run(folder: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mentorsite", *arguments], cwd=folder, env=RUN_ENV,
                          capture_output=True, text=True, check=False)


def themed_program(folder: Path) -> Path:
    """The small program with a theme override and stylesheets that load from another host."""
    files: dict[str, str | bytes] = dict(BASE_PROGRAM)
    files["mkdocs.yml"] = files["mkdocs.yml"].replace(  # type: ignore[union-attr]
        "  name: material\n", "  name: material\n  custom_dir: overrides\n") + (
        "extra_css:\n  - stylesheets/extra.css\n  - stylesheets/clean.css\n")
    files["overrides/main.html"] = OVERRIDE
    files["content/handbook/stylesheets/extra.css"] = EXTRA_CSS
    files["content/handbook/stylesheets/clean.css"] = CLEAN_CSS
    return write_files(folder, files)


@dataclass
class Preview:
    url: str
    port: int
    log: Path
    process: subprocess.Popen[bytes]


@contextmanager
def preview(folder: Path, scratch: Path | None = None, *arguments: str, **variables: str) -> Iterator[Preview]:
    """`mentorsite serve --pair ana-ben` on a free loopback port, once it says where to open it.

    With ``scratch``, its temporary folders go there (TMPDIR).
    """
    port = free_port()
    log = folder / "serve.log"
    environment = {**RUN_ENV, **({"TMPDIR": str(scratch)} if scratch else {}), **variables}
    with log.open("w") as output:
        process = subprocess.Popen([sys.executable, "-m", "mentorsite", "serve", "--pair", "ana-ben",
                                    "--dev-addr", f"127.0.0.1:{port}", *arguments], cwd=folder, stdout=output,
                                   stderr=subprocess.STDOUT, env=environment)
    try:
        assert wait_for(lambda: serving_url(log) is not None), log.read_text()
        url = serving_url(log)
        assert url is not None
        yield Preview(url, port, log, process)
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait(timeout=20)


def get(port: int, path: str, host: str) -> tuple[int, str]:
    """Status and body of GET ``path`` from the local server on ``port``, sent with this Host header."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Host": host})
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_files(tmp_path_factory.mktemp("small") / "program", dict(BASE_PROGRAM))


@pytest.mark.slow
def test_the_preview_answers_no_host_name_but_a_loopback_one(small: Path) -> None:
    """Break 1: the preview answered any Host header, so a web page the pair visited could read the
    portfolio through a host name of its own that resolves to 127.0.0.1 (DNS rebinding)."""
    with preview(small) as served:
        path = urlparse(served.url).path + SESSION
        answers = {host: get(served.port, path, host) for host in (
            f"attacker.invalid:{served.port}", "attacker.invalid", f"localhost.attacker.invalid:{served.port}",
            f"127.0.0.1.attacker.invalid:{served.port}", "localhost", f"localhost:{served.port + 1}",
            f"localhost:{served.port}", f"127.0.0.1:{served.port}", f"[::1]:{served.port}")}
    refused = (403, "403 Forbidden: expected a loopback host name (localhost, 127.0.0.1 or [::1]) with the port")
    assert {host: answer for host, answer in answers.items() if answer[0] != 200} == dict.fromkeys(
        list(answers)[:6], refused)
    assert all("First session." in answers[host][1] for host in list(answers)[6:])


@pytest.mark.slow
def test_the_preview_serves_the_portfolio_only_under_its_printed_token(small: Path) -> None:
    """Break 1: any other user of the machine could `curl` the preview (its files are 0700, the server
    was not); the portfolio is now under a random path printed once, and every other path is 404."""
    with preview(small) as served:
        host = f"127.0.0.1:{served.port}"
        token = urlparse(served.url).path.strip("/")
        log = served.log.read_text()  # before any request, each of which it logs
        guesses = {path: get(served.port, path, host) for path in (
            "/", f"/{SESSION}", "/index.html", "/livereload/1/1", f"/{token[:-1]}/{SESSION}",
            f"/{token}x/{SESSION}", f"/x{token}/{SESSION}", f"/{token.upper()}/{SESSION}")}
        status, page = get(served.port, f"/{token}/{SESSION}", host)
    assert guesses == dict.fromkeys(guesses, (404, "404 Not Found"))
    assert (status, "First session." in page) == (200, True)
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", token)  # 128 random bits
    assert log.count(token) == 1
    assert f"Serving on http://127.0.0.1:{served.port}/{token}/\n" in log
    # the live reload polls under the token too, and the page says where
    assert f'"/{token}/livereload/"' in page


@pytest.mark.slow
def test_the_preview_opens_a_browser_without_its_address_on_a_command_line(small: Path, tmp_path: Path) -> None:
    """Break 1: with --open, the browser was started with the preview's address as an argument,
    which every user of the machine can read (ps, /proc/PID/cmdline). It is given a page of the
    preview's own scratch folder (0600) that leads there instead."""
    browser = tmp_path / "browser"
    browser.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$@\" > {tmp_path}/argv\n", encoding="utf-8")
    browser.chmod(0o700)
    with preview(small, tmp_path, "--open", BROWSER=f"{browser} %s") as served:
        assert wait_for((tmp_path / "argv").is_file), served.log.read_text()
        (argument,) = (tmp_path / "argv").read_text(encoding="utf-8").splitlines()
        assert (served.url.rstrip("/") not in argument, urlparse(argument).scheme) == (True, "file"), argument
        opened = Path(urlparse(argument).path)
        page = opened.read_text(encoding="utf-8")
        mode = opened.stat().st_mode & 0o777
    assert urlparse(served.url).path.strip("/") not in argument
    assert mode == 0o600
    assert f'<meta http-equiv="refresh" content="0; url={served.url}">' in page
    assert not opened.exists()  # removed with the scratch folder


def policy_of(page: str) -> list[str]:
    policies = POLICY.findall(page)
    assert len(policies) == 1, f"expected one Content-Security-Policy, got {len(policies)}"
    return str(policies[0]).split("; ")


@pytest.mark.slow
def test_the_preview_carries_the_built_policy_plus_the_live_reload_script(
        small: Path, chromium: playwright.Browser, tmp_path: Path) -> None:  # noqa: F811 - the imported fixture
    """Break 2: the preview had no Content-Security-Policy, only so that the live-reload script could run.

    Its pages now carry the built portfolio's policy with one more source: the hash of that
    script. In Chromium no source is refused and the page still reloads itself when a record
    changes (its poll to the same host is allowed).
    """
    folder = shutil.copytree(small, tmp_path / "program")
    archive = tmp_path / "ana-ben.zip"
    assert run(folder, "export", "ana-ben", "-o", str(archive)).returncode == 0
    built = zipfile.ZipFile(archive).read(f"ana-ben-pair/{SESSION}").decode("utf-8")
    with preview(folder) as served:
        context = chromium.new_context()
        context.add_init_script("window.__refused = []; document.addEventListener('securitypolicyviolation', "
                                "e => window.__refused.push(e.violatedDirective + ' ' + e.blockedURI));")
        page = context.new_page()
        response = page.goto(served.url + SESSION)
        assert response is not None
        served_page = response.text()
        page.locator("text=First session.").wait_for()
        session = folder / "content/pairs/ana-ben/sessions/2026-02-03.md"
        session.write_text(session.read_text().replace("First session.", "Reloaded by itself."))
        page.locator("text=Reloaded by itself.").wait_for(timeout=40000)  # no navigation by the test
        refused = page.evaluate("window.__refused")
        context.close()
    (script,) = INJECTED.findall(served_page)
    live_reload = f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"
    preview_policy, built_policy = policy_of(served_page), policy_of(built)
    assert preview_policy[1] == built_policy[1].replace("script-src 'self'", f"script-src 'self' {live_reload}")
    assert preview_policy[:1] + preview_policy[2:] == built_policy[:1] + built_policy[2:]
    assert refused == []


def test_private_pages_drop_what_theme_templates_fetch_from_another_host(tmp_path: Path) -> None:
    """Break 3: portfolios kept the handbook's custom_dir, so a `<script src=https://...>` (and every
    other fetching tag) of an override of main.html was requested by every private page.

    The whole page is cleaned (head and body, not only the record content), with one
    warning for each tag the templates write, not one per page; the public handbook keeps them.
    """
    folder = themed_program(tmp_path / "program")
    result = run(folder, "build")
    assert result.returncode == 0, result.stderr
    pages = sorted((folder / "site-private").rglob("*.html"))
    assert len(pages) > 8
    assert [page for page in pages if "attacker.invalid" in page.read_text(encoding="utf-8")] == []
    assert (folder / "site/index.html").read_text(encoding="utf-8").count("attacker.invalid") >= 10
    warnings = [line.removeprefix("WARNING -  ") for line in result.stderr.splitlines() if "leave it out" in line]
    assert warnings[1:3] == TEMPLATE_WARNINGS
    assert len(warnings) == len(set(warnings)) == 15  # 14 tags (a style attribute among them), 1 stylesheet
    # a URL that is not in the template as such (an entity, a CSS escape) is not quoted: the template is named
    assert ("mentorsite: the theme's template main.html writes <audio src> naming another host; private pages "
            "leave it out") in warnings
    session = (folder / "site-private/pairs/ana-ben" / SESSION).read_text(encoding="utf-8")
    assert "First session." in session and '<div>' in session  # the content kept, the attribute gone


def test_private_sites_leave_out_a_stylesheet_that_fetches_from_another_host(tmp_path: Path) -> None:
    """Break 3: a local extra_css file with `@import url(https://...)` or `url(//...)`, written with
    CSS escapes, was linked into every private page. It is left out with one warning; a clean one stays."""
    folder = themed_program(tmp_path / "program")
    result = run(folder, "build")
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("offsite-stylesheet") == 1
    assert f"WARNING -  {STYLESHEET_WARNING}\n" in result.stderr
    site = folder / "site-private/pairs/ana-ben"
    assert not (site / "stylesheets/extra.css").exists()
    assert (site / "stylesheets/clean.css").read_text(encoding="utf-8") == CLEAN_CSS
    page = (site / "index.html").read_text(encoding="utf-8")
    assert "stylesheets/extra.css" not in page and "stylesheets/clean.css" in page
    assert (folder / "site/stylesheets/extra.css").is_file()  # the public handbook is the program's own


@pytest.mark.slow
@pytest.mark.parametrize("which", ["preview", "export without the policy"])
def test_no_request_leaves_private_pages_of_a_theme_that_loads_from_another_host(
        which: str, chromium: playwright.Browser, proxy: Recorder,  # noqa: F811 - the imported fixtures
        tmp_path: Path) -> None:
    """Break 3 in Chromium: with the override and stylesheets above, no private page requests another host.

    In the preview (which now carries the policy, so nothing may even be refused by it) and
    in an unzipped export whose pages have their policy taken out (a host that honours none).
    """
    folder = themed_program(tmp_path / "program")
    pages = [SESSION, "index.html", "goals/index.html"]
    if which == "preview":
        context = chromium.new_context()
        context.add_init_script("window.__refused = []; document.addEventListener('securitypolicyviolation', "
                                "e => window.__refused.push(e.violatedDirective + ' ' + e.blockedURI));")
        with preview(folder) as served:
            found = visit_every_page(chromium, proxy, served.url, pages)
            page = context.new_page()
            page.goto(served.url + SESSION)
            page.wait_for_timeout(1500)
            refused = page.evaluate("window.__refused")
            context.close()
        assert refused == []
    else:
        archive = tmp_path / "ana-ben.zip"
        assert run(folder, "export", "ana-ben", "-o", str(archive)).returncode == 0
        with zipfile.ZipFile(archive) as opened:
            opened.extractall(tmp_path / "unzipped")
        site = tmp_path / "unzipped/ana-ben-pair"
        for html in site.rglob("*.html"):
            html.write_text(POLICY.sub("", html.read_text(encoding="utf-8")), encoding="utf-8")
        for url in serve(site):
            found = visit_every_page(chromium, proxy, url, pages)
    assert found == {"dialogs": [], "foreign": [], "unreached": []}


SCANNED = {  # a piece of a page -> what is left of it
    '<img src="/&NewLine;/attacker.invalid/x">': "",  # a line break in a URL is dropped by the browser
    '<IMG SRC=" //attacker.invalid/x">': "",
    '<img alt="x"src="//attacker.invalid/x">': "",  # no space between attributes
    "<img src==//attacker.invalid/x>": "",
    '<img/src="&#47;&#47;attacker.invalid">': "",
    '<p style="background:U\\72L(//attacker.invalid)">kept</p>': "<p>kept</p>",
    '<STYLE>@import "https://attacker.invalid/a.css";</STYLE><p>kept</p>': "<p>kept</p>",
    '<video><source src="https://attacker.invalid/v"></video>kept': "<video></video>kept",
    '<object data="https://attacker.invalid/o"><p>fallback</p></object>kept': "kept",
    '<body background="//attacker.invalid/b.png" class="x">': '<body class="x">',
    '<svg><use href="https://attacker.invalid/i.svg#a"/></svg>': "<svg></svg>",
    '<a href="https://elsewhere.invalid/">a link is followed only when clicked</a>':
        '<a href="https://elsewhere.invalid/">a link is followed only when clicked</a>',
    '<img src="assets/images/favicon.png" srcset="data:image/png;base64,AA 2x">':
        '<img src="assets/images/favicon.png" srcset="data:image/png;base64,AA 2x">',
}


def test_the_page_scan_reads_tags_and_urls_as_the_browser_does() -> None:
    """Break 3: the cases of the whole-page scan one by one (the build test above shows it on real pages).

    On 4e3b703 there was no scan (the module is new): this test fails there on its import.
    """
    from mentorsite.pages.fetches import remove_fetches

    assert {piece: remove_fetches(piece)[0] for piece in SCANNED} == SCANNED


def test_git_ignores_private_and_cache_folders_whatever_their_names(tmp_path: Path) -> None:
    """Break 4: with `private_dir: private` and `cache_dir: build-cache`, `git add -A` staged every
    portfolio and the record cache. Each folder now holds a .gitignore of `*` (one already there stays)."""
    files = dict(BASE_PROGRAM)
    files["mkdocs.yml"] = files["mkdocs.yml"].replace(
        "  - mentorsite\n", "  - mentorsite:\n      private_dir: private\n      cache_dir: build-cache\n")
    folder = write_files(tmp_path / "program", files)
    write_files(folder, {".gitignore": "site/\n", "private/exports/.gitignore": "# the user's own\n"})
    git = ["git", "-c", "init.defaultBranch=main"]
    environment = {**RUN_ENV, "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_SYSTEM": "/dev/null"}
    subprocess.run([*git, "init", "--quiet"], cwd=folder, check=True, env=environment)

    built = run(folder, "build")

    assert built.returncode == 0, built.stderr
    assert (folder / "private/pairs/ana-ben/index.html").is_file()
    assert list((folder / "build-cache").iterdir())
    status = subprocess.run([*git, "status", "--porcelain", "--untracked-files=all"], cwd=folder, check=True,
                            env=environment, capture_output=True, text=True).stdout
    assert sorted(status.splitlines()) == sorted(f"?? {path}" for path in [
        ".gitignore", "mkdocs.yml", *(name for name in files if name.startswith("content/"))])
    for ignored in ("private", "build-cache"):
        assert (folder / ignored / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    assert (folder / "private/exports/.gitignore").read_text(encoding="utf-8") == "# the user's own\n"


def shard_holding(pair_id: str) -> str:
    from mentorsite.site.builder import Shard

    return next(f"{k}/2" for k in (1, 2) if Shard(k, 2).holds(pair_id))


@pytest.mark.parametrize("how", ["--pair", "--shard"])
def test_a_deleted_pair_leaves_no_portfolio_after_a_build_of_another_pair(how: str, tmp_path: Path) -> None:
    """Break 5: after a pair's folder was deleted, `build --pair other` (or a shard) left the deleted
    pair's plain portfolio in the private folder until the next whole build (and its exports there
    for good)."""
    _, folder = encrypted_program(tmp_path, options="")
    assert run(folder, "build").returncode == 0
    assert run(folder, "export", "cy-dee", "-o", "site-private/exports/cy-dee-review.zip").returncode == 0
    assert run(folder, "export", "ana-ben", "-o", "site-private/exports/ana-ben-pair.zip").returncode == 0
    shutil.rmtree(folder / "content/pairs/cy-dee")

    result = run(folder, "build", *(("--pair", "ana-ben") if how == "--pair" else ("--shard", shard_holding("ana-ben"))))

    assert result.returncode == 0, result.stderr
    private = folder / "site-private"
    assert sorted(p.name for p in (private / "pairs").iterdir()) == ["ana-ben"]
    assert not (private / "review/cy-dee").exists()
    assert [p.name for p in (private / "exports").glob("*.zip")] == ["ana-ben-pair.zip"]
    assert "removed the portfolios of pairs no longer in the content: cy-dee" in result.stderr
    assert not list((private / ".stamps").glob("*cy-dee"))


def opens_with(folder: Path, passphrase: str) -> bool:
    try:
        open_site(folder, passphrase)
    except WrongPassphraseError:
        return False
    return True


def test_a_deleted_pair_leaves_no_sealed_folder_after_a_build_of_another_pair(tmp_path: Path) -> None:
    """Break 5: the deleted pair's sealed folder stayed published after `build --pair other`, also once
    its passphrase was taken out of the keys file (the folder's name says nothing of its pair)."""
    _, folder = encrypted_program(tmp_path)
    assert run(folder, "build").returncode == 0
    sealed = folder / "site/portfolios/pairs"
    assert len(list(sealed.iterdir())) == 2
    shutil.rmtree(folder / "content/pairs/cy-dee")
    (tmp_path / "keys.yml").write_text(keys_yaml(pairs={"ana-ben": PASSPHRASES["ana-ben"]}), encoding="utf-8")

    result = run(folder, "build", "--pair", "ana-ben")

    assert result.returncode == 0, result.stderr
    left = list(sealed.iterdir())
    assert [opens_with(site, PASSPHRASES["ana-ben"]) for site in left] == [True]
    assert not (folder / "site-private/pairs/cy-dee").exists()


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_the_preview_scratch_folder_is_removed_when_a_signal_stops_it(stop: signal.Signals, small: Path,
                                                                      tmp_path: Path) -> None:
    """Break 6: `kill <serve pid>` (SIGTERM, or SIGHUP when its terminal closes) left the preview's
    copy of the portfolio in /tmp/mentorsite-preview-*/site."""
    with preview(small, scratch=tmp_path) as served:
        (scratch,) = tmp_path.glob("mentorsite-preview-*")
        assert (scratch / "site" / SESSION).is_file()
        os.kill(served.process.pid, stop)
        served.process.wait(timeout=20)
    assert list(tmp_path.iterdir()) == [], served.log.read_text()
    assert "Shutting down..." in served.log.read_text()


HIDDEN = {  # markup Python's parser takes for a comment or CDATA that a browser reads as tags -> what is left
    "<!--><img src=https://attacker.invalid/a.png>-->": "<!-->-->",
    "<!---><img src=https://attacker.invalid/a.png>-->": "<!--->-->",
    "<!-- --!><img src=//attacker.invalid/b.png> -->": "<!-- --!> -->",
    "<![CDATA[ x ><img src=https://attacker.invalid/c.png> ]]>": "<![CDATA[ x > ]]>",
    "<!DOCTYPE x ><img src=https://attacker.invalid/d.png>>": "<!DOCTYPE x >>",
    '<a href="/x" ping="/local https://attacker.invalid/p">a click sends a request</a>':
        '<a href="/x">a click sends a request</a>',
    "<!-- a plain comment stays -->": "<!-- a plain comment stays -->",
}


def test_comments_cdata_and_ping_hide_no_fetch_from_the_page_scan() -> None:
    """Break 6 of issue 16 (attacker review): Python's parser ends a comment where a browser does not
    (`<!-->`, `<!--->`, `--!>`) and reads CDATA as a declaration, so an `<img>` there was kept and
    fetched; a `ping` attribute (a request on every click) of a theme override was kept. Their
    inside is now read as markup too (fail closed), and `ping` counts as a fetch."""
    from mentorsite.pages.fetches import remove_fetches

    assert {piece: remove_fetches(piece)[0] for piece in HIDDEN} == HIDDEN
    assert [str(fetch) for fetch in remove_fetches("".join(HIDDEN))[1]] == [
        "<img src>", "<img src>", "<img src>", "<img src>", "<img src>", "<a ping>"]
