"""One publish for the handbook editions and the sealed portfolios, served from the deploy branch.

The canary program, encrypted, in its own git repository, is published as edition 2026.1
(alias latest). The deploy branch's tree is served as a static host would serve it, and in
Chromium each pair's portfolio is unlocked and every link of its pages that leads out of
it, to the handbook, must answer. No file of any branch, in its whole history, holds a
pair's text in plain, but the program's own records on its own branch.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import playwright.sync_api as playwright
import pytest

from tests.canary import CanaryProgram
from tests.editions import ENV, git
from tests.serving import answers, serve
from tests.test_browser import browser  # noqa: F401 - the browser fixture
from tests.test_encryption import ENCRYPTION, PASSPHRASES, REVIEW_PASSPHRASE, encrypted_program, folder_of

pytestmark = pytest.mark.slow

CONTENT = "article.md-content__inner"
RECORDS = "content/pairs/"  # the program's own records, committed on its own branch
VERSIONS = {"ana-ben": "2026.1", "cy-dee": "latest"}  # the edition each pair's portfolio links to


def publish(folder: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mentorsite", "publish", *arguments], cwd=folder,
                          env={**ENV, "NO_MKDOCS_2_WARNING": "1"}, capture_output=True, text=True, check=False)


def encrypted_repository(root: Path, options: str = "") -> tuple[CanaryProgram, Path]:
    """The encrypted canary program, each pair naming a published edition, committed on main."""
    canary, folder = encrypted_program(root, ENCRYPTION + options)
    for pair, version in VERSIONS.items():
        record = folder / RECORDS / pair / "pair.yml"
        lines = record.read_text(encoding="utf-8").splitlines()
        record.write_text("".join(f"handbook_version: '{version}'\n" if line.startswith("handbook_version:")
                                  else line + "\n" for line in lines), encoding="utf-8")
    (folder / ".gitignore").write_text("site/\nsite-private/\n", encoding="utf-8")
    git(folder, "init", "--quiet", "--initial-branch", "main")
    git(folder, "add", "--all")
    git(folder, "commit", "--quiet", "--message", "The program")
    return canary, folder


def branch_tree(folder: Path, branch: str, target: Path) -> Path:
    """The files of ``branch``, written into ``target`` as a host serving the branch has them."""
    archive = subprocess.run(["git", "archive", branch], cwd=folder, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    return target


@dataclass
class Published:
    canary: CanaryProgram
    folder: Path
    url: str
    output: str


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Published]:
    canary, folder = encrypted_repository(tmp_path_factory.mktemp("publish-portfolios"))
    result = publish(folder, "2026.1", "--alias", "latest")
    assert result.returncode == 0, result.stdout + result.stderr
    served = branch_tree(folder, "gh-pages", tmp_path_factory.mktemp("served"))
    for url in serve(served):
        yield Published(canary, folder, url, result.stdout + result.stderr)


def branch_files(folder: Path, branch: str) -> list[str]:
    return git(folder, "ls-tree", "-r", "--name-only", branch).splitlines()


def test_the_sealed_sites_are_on_the_deploy_branch_beside_the_editions(published: Published) -> None:
    files = branch_files(published.folder, "gh-pages")
    sites = {"/".join(path.split("/")[:3]) if path.startswith("portfolios/pairs/") else "/".join(path.split("/")[:2])
             for path in files if path.startswith("portfolios/")}
    folders = {f"portfolios/pairs/{folder_of(phrase, pair)}" for pair, phrase in PASSPHRASES.items()}
    assert sites == {"portfolios/review", *folders}
    assert all(f"{site}/_vault/vault.json" in files for site in sites)
    assert {"versions.json", "index.html", "404.html", "2026.1/index.html", "latest/index.html"} <= set(files)
    assert "Published edition 2026.1 as latest on gh-pages." in published.output


def portfolio_pages(page: playwright.Page, start: str) -> Iterator[str]:
    """Every page of the portfolio at ``start`` (the browser's own view of it, once unlocked)."""
    seen, waiting = set(), [start]
    while waiting:
        url = waiting.pop()
        if url in seen:
            continue
        seen.add(url)
        page.goto(url)
        page.locator(CONTENT).wait_for()
        yield url
        for link in page.eval_on_selector_all("a[href]", "links => links.map(link => link.href)"):
            target = urldefrag(link).url
            if target.startswith(start) and target.endswith((".html", "/")):
                waiting.append(target)


def handbook_links(chromium: playwright.Browser, start: str, passphrase: str, handbook: str,
                   sites: str) -> tuple[int, set[str]]:
    """Unlock the portfolio at ``start`` in a fresh profile: its number of pages, and their links
    to ``handbook`` that lead out of the sealed sites (at ``sites``)."""
    context = chromium.new_context()
    try:
        page = context.new_page()
        page.goto(start)
        page.fill("#passphrase", passphrase)
        page.click("form#unlock button")
        page.locator(CONTENT).wait_for()
        found: set[str] = set()
        pages = 0
        for _ in portfolio_pages(page, start):
            pages += 1
            for link in page.eval_on_selector_all(f"{CONTENT} a[href]", "links => links.map(link => link.href)"):
                target = urldefrag(link).url
                if target.startswith(handbook) and not target.startswith(sites):
                    found.add(target)
        return pages, found
    finally:
        context.close()


@pytest.mark.parametrize("pair", sorted(PASSPHRASES))
def test_every_link_of_an_unlocked_portfolio_to_the_handbook_answers(
        published: Published, browser: playwright.Browser, pair: str) -> None:  # noqa: F811
    start = f"{published.url}portfolios/pairs/{folder_of(PASSPHRASES[pair], pair)}/"
    pages, handbook = handbook_links(browser, start, PASSPHRASES[pair], published.url,
                                     f"{published.url}portfolios/")
    assert pages > 3
    guidelines = {url for url in handbook if "/guidelines/" in url}
    assert guidelines and all(urlsplit(url).path.startswith(f"/{VERSIONS[pair]}/") for url in guidelines)
    assert [url for url in sorted(handbook) if not answers(url)] == []


def test_the_reviewer_site_is_served_from_the_branch(published: Published, browser: playwright.Browser) -> None:  # noqa: F811
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{published.url}portfolios/review/")
        page.fill("#passphrase", REVIEW_PASSPHRASE)
        page.click("form#unlock button")
        page.locator(CONTENT).wait_for()
    finally:
        context.close()


def test_no_pair_text_is_in_plain_on_any_branch(published: Published) -> None:
    folder = published.folder
    markers = [marker.text.encode() for marker in published.canary.markers]
    refs = git(folder, "for-each-ref", "--format=%(refname)").split()
    assert {"refs/heads/main", "refs/heads/gh-pages"} <= set(refs)
    found = []
    for ref in refs:
        # Every file of every commit of the branch, by path.
        listed = git(folder, "rev-list", "--objects", ref).splitlines()
        objects = dict(line.split(" ", 1) for line in listed if " " in line)
        kinds = subprocess.run(["git", "cat-file", "--batch-check=%(objectname) %(objecttype)"], cwd=folder,
                               input="\n".join(objects), capture_output=True, text=True, check=True).stdout
        blobs = [line.split()[0] for line in kinds.splitlines() if line.endswith(" blob")]
        for blob in blobs:
            path = objects[blob]
            if ref == "refs/heads/main" and path.startswith(RECORDS):
                continue
            data = subprocess.run(["git", "cat-file", "blob", blob], cwd=folder, capture_output=True,
                                  check=True).stdout
            found += [f"{ref}:{path}" for marker in markers if marker in data or marker.decode() in path]
        assert blobs
    assert found == []


def test_publishing_again_with_nothing_changed_is_quiet_and_commits_nothing(tmp_path: Path) -> None:
    _, folder = encrypted_repository(tmp_path)
    assert publish(folder, "2026.1", "--alias", "latest").returncode == 0
    tip = git(folder, "rev-parse", "gh-pages")
    again = publish(folder, "2026.1", "--alias", "latest")
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.strip() == "Edition 2026.1 as latest is already published as it is on gh-pages."
    assert git(folder, "rev-parse", "gh-pages") == tip
    for target in ("portfolios-host", "../host"):  # set apart: a branch of their own, a folder
        assert publish(folder, "2026.1", "--alias", "latest", "--portfolios-to", target).returncode == 0
        tips = git(folder, "rev-parse", "gh-pages", "portfolios-host")
        host = sealed_tree(tmp_path / "host")
        again = publish(folder, "2026.1", "--alias", "latest", "--portfolios-to", target)
        assert again.returncode == 0, again.stdout + again.stderr
        assert again.stdout.strip() == "Edition 2026.1 as latest is already published as it is on gh-pages."
        assert git(folder, "rev-parse", "gh-pages", "portfolios-host") == tips
        assert sealed_tree(tmp_path / "host") == host


def sealed_tree(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()} if folder.is_dir() else {}


def test_a_withdrawn_pair_is_gone_from_the_branch_when_published_again(tmp_path: Path) -> None:
    _, folder = encrypted_repository(tmp_path)
    assert publish(folder, "2026.1", "--alias", "latest").returncode == 0
    withdrawn = f"portfolios/pairs/{folder_of(PASSPHRASES['cy-dee'], 'cy-dee')}/"
    assert any(path.startswith(withdrawn) for path in branch_files(folder, "gh-pages"))
    git(folder, "rm", "-r", "--quiet", f"{RECORDS}cy-dee")
    git(folder, "commit", "--quiet", "--message", "cy-dee withdrawn")
    result = publish(folder, "2026.1", "--alias", "latest")
    assert result.returncode == 0, result.stdout + result.stderr
    files = branch_files(folder, "gh-pages")
    assert not any(path.startswith(withdrawn) for path in files)
    assert f"portfolios/pairs/{folder_of(PASSPHRASES['ana-ben'], 'ana-ben')}/_vault/vault.json" in files


def test_portfolios_on_a_branch_of_their_own_link_to_the_handbook_on_its_host(
        tmp_path: Path, browser: playwright.Browser) -> None:  # noqa: F811
    served = tmp_path / "handbook"
    served.mkdir()
    for handbook in serve(served):  # the handbook's address is known before the portfolios are built
        _, folder = encrypted_repository(tmp_path / "program", f"handbook_url: '{handbook}{{version}}/'\n")
        result = publish(folder, "2026.1", "--alias", "latest", "--portfolios-to", "portfolios-host")
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Published the sealed portfolios on portfolios-host." in result.stdout
        assert "Warning" not in result.stderr
        assert not any(path.startswith("portfolios/") for path in branch_files(folder, "gh-pages"))
        own = branch_files(folder, "portfolios-host")
        assert {path.split("/")[0] for path in own} == {".nojekyll", "pairs", "review"}
        branch_tree(folder, "gh-pages", served)
        for portfolios in serve(branch_tree(folder, "portfolios-host", tmp_path / "portfolios")):
            assert urlsplit(portfolios).netloc != urlsplit(handbook).netloc
            start = f"{portfolios}pairs/{folder_of(PASSPHRASES['ana-ben'], 'ana-ben')}/"
            pages, links = handbook_links(browser, start, PASSPHRASES["ana-ben"], handbook, portfolios)
            assert pages > 3 and any("/2026.1/guidelines/" in url for url in links)
            assert [url for url in sorted(links) if not answers(url)] == []


def test_portfolios_into_a_folder_replace_its_sealed_sites_only(tmp_path: Path) -> None:
    _, folder = encrypted_repository(tmp_path)
    host = tmp_path / "host"
    host.mkdir()
    (host / "CNAME").write_text("portfolios\n", encoding="utf-8")
    (host / "pairs" / "withdrawn").mkdir(parents=True)
    result = publish(folder, "2026.1", "--alias", "latest", "--portfolios-to", "../host")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "the portfolios link to the handbook at /{version}/ on their own host name" in result.stderr
    assert sorted(p.name for p in (host / "pairs").iterdir()) == sorted(
        folder_of(phrase, pair) for pair, phrase in PASSPHRASES.items())
    assert (host / "review" / "_vault" / "vault.json").is_file() and (host / "CNAME").is_file()
    assert not any(path.startswith("portfolios/") for path in branch_files(folder, "gh-pages"))
    refused = publish(folder, "2026.1", "--portfolios-to", "./site-private")
    assert refused.returncode == 1 and "is inside private_dir" in refused.stderr


def test_portfolios_set_apart_are_not_put_beside_the_editions_unless_told_where(tmp_path: Path) -> None:
    _, folder = encrypted_repository(tmp_path, "  output_dir: ../portfolios-site\n")
    result = publish(folder, "2026.1")
    assert result.returncode == 1
    assert ("encryption.output_dir is outside site_dir, for a host name of their own; name where they go "
            "with --portfolios-to BRANCH_OR_FOLDER") in result.stderr
    assert git(folder, "branch", "--list", "gh-pages") == ""
