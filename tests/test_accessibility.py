"""Every page type, light and dark, checked in Chromium by the accessibility engine: no serious finding.

The example program is built once with its portfolios sealed, so that one build holds every
page type: both editions of a pair, the reviewer index, the report, the unlock pages and the
handbook's generated pages. The engine (axe-core, from package.json: `make node_modules`) runs
in each page; a serious or critical violation fails that page's test with the rule, the impact,
the element and the page. The dark pass sets the theme's dark scheme on the page and asks for
dark colours as a reader's system would (a page that follows the system's scheme follows it).

Private pages and the unlock pages are mentorsite's: nothing is left out there. The handbook is
drawn by the program's own theme and palette: what comes from them (THEMES_OWN) is the
program's to fix, and the README says so; what mentorsite writes in it is checked like the rest.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import playwright.sync_api as playwright
import pytest

from tests.conftest import Cli
from tests.programs import add_plugin_options, copy_example
from tests.serving import serve
from tests.test_browser import browser  # noqa: F401 - the browser fixture

pytestmark = pytest.mark.slow

AXE = Path(__file__).parent.parent / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
SCHEMES = ("light", "dark")
DARK = "slate"  # the theme's dark colour scheme
PAIR = "sofia-david"  # a pair with every page type, check-ins and a closing too
PASSPHRASES = {"lena-marcus": "lena and marcus", "noor-james": "noor and james",
               "priya-tomas": "priya and tomas", "sofia-david": "sofia and david"}
ENCRYPTION = "      encryption:\n        enabled: true\n        keys_file: ../keys.yml\n"

EDITION_PAGES = (("dashboard", "index.html"), ("agreement", "agreement.html"), ("goals", "goals/index.html"),
                 ("goal", "goals/*.html"), ("sessions", "sessions/index.html"), ("session", "sessions/2*.html"),
                 ("checkins", "checkins.html"), ("closing", "closing.html"), ("practices", "practices.html"))
# (page type, site, path): "handbook" is site/ (the sealed portfolios' unlock pages are in it too),
# "private" is site-private/; a path with * is the first page that matches, in name order.
PAGES = (
    *((f"pair-{kind}", "private", f"pairs/{PAIR}/{path}") for kind, path in EDITION_PAGES),
    *((f"review-{kind}", "private", f"review/{PAIR}/{path}") for kind, path in EDITION_PAGES),
    ("reviewer-index", "private", "review/index.html"),
    ("report", "private", "report/index.html"),
    ("unlock-pair", "handbook", "portfolios/pairs/*/index.html"),
    ("unlock-review", "handbook", "portfolios/review/index.html"),
    ("handbook-home", "handbook", "index.html"),
    ("handbook-topics", "handbook", "topics/index.html"),
    ("handbook-audiences", "handbook", "audiences/index.html"),
    ("handbook-checklist-mentee", "handbook", "checklists/mentee/index.html"),
    ("handbook-checklist-mentor", "handbook", "checklists/mentor/index.html"),
    ("handbook-guideline", "handbook", "guidelines/active-listening/index.html"),
    ("handbook-whats-new", "handbook", "whats-new/index.html"),
)

LINK = r"(^|[ >])a(\[[^\]]*\])*$"  # the element found is a link
# What the handbook's theme draws, by rule and element: (rule, element, palette, why). With
# ``palette``, only where one of the colours the engine names is the palette's primary or link
# colour (so a colour mentorsite's pages chose is never left out).
THEMES_OWN = (
    ("aria-dialog-name", r"^\.md-search$", False,
     "the theme's search dialog has no name; private sites name it (themes/private/overrides), "
     "a program's custom_dir can too"),
    ("color-contrast", r"\.md-header__topic", True, "the site's name on the palette's primary colour"),
    ("color-contrast", r"> (\.md-ellipsis|span)$", True, "the current page in the navigation, in the link colour"),
    ("color-contrast", LINK, True, "links in the palette's link colour on the page's background"),
    ("color-contrast", r"^\.md-copyright$", False, "the theme's footer: its own grey on its own dark"),
    ("link-in-text-block", LINK, True,
     "the theme does not underline links: told from the text by the palette's link colour alone"),
)

# The scheme set as the theme's own switch sets it (no colour transition, which the engine would
# read half way), then two frames for the page to be drawn in it. First two frames for the page to
# hear of the system's dark colours (the theme's script sets the scheme again when it does).
FRAMES = "new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
SWITCH = f"""async (scheme) => {{
  await {FRAMES};
  document.body.setAttribute("data-md-color-switching", "");
  document.body.setAttribute("data-md-color-scheme", scheme);
  await {FRAMES};
  document.body.removeAttribute("data-md-color-switching");
}}"""
# The palette's colours as the page computes them (empty where the page has no such colour).
PALETTE = """() => {
  const probe = document.createElement("span");
  document.body.append(probe);
  const colours = ["--md-primary-fg-color", "--md-typeset-a-color"].map(name => {
    probe.style.color = "";
    probe.style.color = `var(${name}, transparent)`;
    return getComputedStyle(probe).color;
  });
  probe.remove();
  return colours;
}"""


@dataclass(frozen=True)
class Finding:
    rule: str
    impact: str
    target: str
    message: str

    def __str__(self) -> str:
        return f"{self.rule} ({self.impact}) at {self.target}: {self.message}"

    def colours(self) -> set[str]:
        return {colour.lower() for colour in re.findall(r"#[0-9a-fA-F]{6}\b", self.message)}


@dataclass(frozen=True)
class Checked:
    findings: list[Finding]
    palette: set[str]  # the palette's primary and link colours on the page, as #rrggbb


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("accessibility")
    program = add_plugin_options(copy_example(root / "program"), ENCRYPTION)
    keys = root / "keys.yml"
    keys.write_text("review: 'the reviewers read this'\npairs:\n"
                    + "".join(f"  {pair}: '{phrase}'\n" for pair, phrase in PASSPHRASES.items()), encoding="utf-8")
    keys.chmod(0o600)
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1795262400",
                   "MENTORSITE_FOLDER_SECRET": "5eed" * 16}
    result = subprocess.run([sys.executable, "-m", "mentorsite", "build", "--strict"], cwd=program,
                            capture_output=True, text=True, env=environment, check=False)
    assert result.returncode == 0, result.stderr
    return program


def page_path(site: Path, pattern: str) -> str:
    found = sorted(site.glob(pattern))
    assert found, f"no page {pattern} in {site}"
    return found[0].relative_to(site).as_posix()


def hexadecimal(computed: str) -> str | None:
    """``rgb(0, 148, 133)`` as ``#009485``; None for a colour that is not opaque."""
    found = re.fullmatch(r"rgba?\((\d+), (\d+), (\d+)(, ([\d.]+))?\)", computed)
    if found is None or (found.group(5) is not None and float(found.group(5)) < 1):
        return None
    return "#" + "".join(f"{int(found.group(n)):02x}" for n in (1, 2, 3))


def why(node: dict[str, Any]) -> str:
    """What the engine says of one element: the first check it failed (with the colours, for contrast)."""
    for checks in (node.get("any") or [], node.get("all") or [], node.get("none") or []):
        for check in checks:
            if check.get("message"):
                return str(check["message"])
    return str(node.get("failureSummary") or "")


def check(page: playwright.Page, scheme: str) -> Checked:
    """The page as it is now, in ``scheme`` (the engine is in it)."""
    if scheme == "dark":
        page.emulate_media(color_scheme="dark")
        page.evaluate(SWITCH, DARK)
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    if scheme == "dark":
        shown = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
        assert shown == DARK, f"{page.url}: the page went back to the {shown} scheme while it was checked"
    findings = [Finding(violation["id"], str(node.get("impact") or violation.get("impact") or ""),
                        " ".join(map(str, node["target"])), why(node) or str(violation["help"]))
                for violation in results["violations"] for node in violation["nodes"]]
    palette = {found for colour in page.evaluate(PALETTE) if (found := hexadecimal(colour))}
    return Checked(findings, palette)


@pytest.fixture(scope="module")
def checked(built: Path, browser: playwright.Browser) -> Iterator[dict[tuple[str, str], Checked]]:  # noqa: F811
    """Every page in both schemes, in one browser: each site's pages in a loop."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `make node_modules` (npm ci)")
    folders = {"handbook": built / "site", "private": built / "site-private"}
    servers = {name: serve(folder) for name, folder in folders.items()}
    urls = {name: next(server) for name, server in servers.items()}
    found: dict[tuple[str, str], Checked] = {}
    # The pages' policy runs no script they did not bring, and the engine is one: it is let in.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    for kind, site, pattern in PAGES:
        page.emulate_media(color_scheme="light")
        page.goto(urls[site] + page_path(folders[site], pattern), wait_until="load")
        page.add_script_tag(path=str(AXE))
        for scheme in SCHEMES:  # light first: the dark pass switches the page loaded
            found[kind, scheme] = check(page, scheme)
    context.close()
    yield found
    for server in servers.values():
        next(server, None)  # stops it


def matches(entry: tuple[str, str, bool, str], finding: Finding, palette: set[str]) -> bool:
    rule, element, from_palette, _ = entry
    return (finding.rule == rule and re.search(element, finding.target) is not None
            and (not from_palette or bool(finding.colours() & palette)))


def themes_own(finding: Finding, palette: set[str]) -> bool:
    return any(matches(entry, finding, palette) for entry in THEMES_OWN)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("kind", [kind for kind, _, _ in PAGES])
def test_no_serious_or_critical_finding(checked: dict[tuple[str, str], Checked], kind: str, scheme: str) -> None:
    result = checked[kind, scheme]
    blocking = [finding for finding in result.findings if finding.impact in BLOCKING
                and not (kind.startswith("handbook-") and themes_own(finding, result.palette))]
    assert not blocking, f"{kind} page ({scheme} scheme), {len(blocking)} found:\n" + "\n".join(map(str, blocking))


def test_what_the_handbook_leaves_to_the_theme_is_found_there(checked: dict[tuple[str, str], Checked]) -> None:
    """Each entry of THEMES_OWN still matches a finding: one that no longer does is taken out."""
    handbook = [(finding, result.palette) for (kind, _), result in checked.items() if kind.startswith("handbook-")
                for finding in result.findings]
    unused = [entry[:2] for entry in THEMES_OWN
              if not any(matches(entry, finding, palette) for finding, palette in handbook)]
    assert not unused, f"no handbook finding matches {unused}: take them out of THEMES_OWN"


def test_a_programs_own_search_partial_still_wins_in_private_sites(tmp_path: Path, cli: Cli) -> None:
    """mentorsite's overrides come after the program's custom_dir: the program's template is used."""
    program = copy_example(tmp_path / "program")
    partial = program / "overrides" / "partials" / "search.html"
    partial.parent.mkdir(parents=True)
    partial.write_text('<div class="md-search" data-md-component="search" role="dialog" aria-label="Find">'
                       "the program's own</div>\n", encoding="utf-8")
    config = program / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  name: material\n", "  name: material\n  custom_dir: overrides\n"), encoding="utf-8")
    result = cli(program, "build", "--strict", SOURCE_DATE_EPOCH="1795262400")
    assert result.returncode == 0, result.stderr
    for page in ("site-private/pairs/sofia-david/index.html", "site-private/review/index.html", "site/index.html"):
        assert "aria-label=\"Find\">the program's own</div>" in (program / page).read_text(encoding="utf-8"), page
