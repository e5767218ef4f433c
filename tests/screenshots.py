"""Screenshots of every page type of the example program, at a phone's width and a desk's, for people.

`make screenshots` runs this: it builds a copy of the example, serves the public and the
private sites, and writes one PNG per page type and width into the folder given (default
`screenshots/`). It is not a test of pixels: it is for reviewing what a change looks like.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import playwright.sync_api as playwright

from tests.programs import add_plugin_options, copy_example
from tests.serving import serve

CHROMIUM = "/usr/bin/chromium"
WIDTHS = (390, 1280)
# (name, site, path): each page type a reader of the handbook, a pair or a reviewer opens.
UNLOCK = "portfolios/pairs/*/"
PAGES = (
    ("handbook-home", "site", ""),
    ("handbook-guideline", "site", "guidelines/active-listening/"),
    ("handbook-checklist", "site", "checklists/mentee/"),
    ("handbook-whats-new", "site", "whats-new/"),
    ("dashboard", "site-private", "pairs/lena-marcus/"),
    ("session", "site-private", "pairs/lena-marcus/sessions/2026-09-17.html"),
    ("scorecard", "site-private", "pairs/lena-marcus/practices.html"),
    ("goal", "site-private", "pairs/lena-marcus/goals/stakeholder-interviews.html"),
    ("review-dashboard", "site-private", "review/lena-marcus/"),
    ("reviewer-index", "site-private", "review/"),
    ("report", "site-private", "report/"),
    ("unlock", "site", UNLOCK),
)
# The example is also sealed, for its unlock page: a placeholder for the page of the first
# pair's sealed folder (its name depends on the passphrase).
KEYS = ("folder_secret: '" + "5eed" * 16 + "'\nreview: 'the reviewers read this one'\npairs:\n  lena-marcus: 'lena and marcus keep it'\n"
        "  noor-james: 'noor and james keep it'\n  priya-tomas: 'priya and tomas keep it'\n"
        "  sofia-david: 'sofia and david keep it'\n")
ENCRYPTION = "      encryption:\n        enabled: true\n        keys_file: ../keys.yml\n"


def build(folder: Path) -> Path:
    program = add_plugin_options(copy_example(folder / "program"), ENCRYPTION)
    keys = folder / "keys.yml"
    keys.write_text(KEYS, encoding="utf-8")
    keys.chmod(0o600)
    result = subprocess.run([sys.executable, "-m", "mentorsite", "build"], cwd=program, capture_output=True,
                            text=True, check=False, env={"NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1796083200",
                                                         "PATH": "/usr/bin:/bin"})
    if result.returncode != 0:
        raise SystemExit(f"the example did not build:\n{result.stderr}")
    return program


def main(argv: list[str]) -> int:
    """``[FOLDER] [--first-screen]``: whole pages, or (for the README) only what the first screen shows."""
    first_screen = "--first-screen" in argv
    argv = [argument for argument in argv if argument != "--first-screen"]
    target = Path(argv[0] if argv else "screenshots")
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mentorsite-screenshots-") as scratch:
        program = build(Path(scratch))
        servers = {site: serve(program / site) for site in ("site", "site-private")}
        urls = {site: next(server) for site, server in servers.items()}
        with playwright.sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            for name, site, path in PAGES:
                for width in WIDTHS:
                    page = browser.new_page(viewport={"width": width, "height": 1000})
                    shown = path if path != UNLOCK else sorted(
                        p.parent.relative_to(program / site).as_posix() + "/"
                        for p in (program / site).glob(UNLOCK + "index.html"))[0]
                    page.goto(urls[site] + shown, wait_until="networkidle")
                    shot = target / f"{name}-{width}.png"
                    page.screenshot(path=str(shot), full_page=not first_screen)
                    page.close()
                    print(f"wrote {shot}")
            browser.close()
        for server in servers.values():
            next(server, None)  # stops it
    return 0


if __name__ == "__main__":
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        raise SystemExit("screenshots need Debian's chromium: sudo apt-get install chromium")
    raise SystemExit(main(sys.argv[1:]))
